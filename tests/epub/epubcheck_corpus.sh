#!/bin/sh
# Writes an EPUB of every fixture and of every page of the aeb and readability
# corpora and runs epubcheck on each: all must give 0 errors and 0 warnings.
# Exits 77 (skipped) when the corpora or epubcheck are absent.
# Usage: epubcheck_corpus.sh [all|fixtures] (default: all)
set -u
what=${1:-all}
jar=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}
exe=${GALLEY_EXE:?GALLEY_EXE is not set}
fixtures=${GALLEY_FIXTURES:?GALLEY_FIXTURES is not set}
corpora=${GALLEY_CORPORA:-}
if [ ! -f "$jar" ] || ! command -v java >/dev/null 2>&1; then
  echo "epubcheck is not installed; skipping"
  exit 77
fi
if [ "$what" = all ] && [ ! -d "$corpora/aeb/html" ]; then
  echo "corpora not found at '$corpora'; skipping"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM
n=0
failed=0
convert() { # source, name, extra args
  src=$1 name=$2
  shift 2
  n=$((n + 1))
  if ! "$exe" "$@" "$src" -o "$out/$name.epub" 2>"$out/$name.stderr"; then
    echo "FAIL convert $src: $(cat "$out/$name.stderr")"
    failed=$((failed + 1))
  fi
}
for f in "$fixtures"/epub/*.md "$fixtures"/epub/*.html; do
  [ -f "$f" ] || continue
  convert "$f" "fixture-$(basename "$f" | tr . -)"
done
if [ "$what" = all ]; then
  for f in "$corpora"/aeb/html/*.html; do
    convert "$f" "aeb-$(basename "$f" .html | cut -c1-16)"
  done
  for d in "$corpora"/readability/*/; do
    [ -f "$d/source.html" ] || continue
    convert "$d/source.html" "rdb-$(basename "$d")" -f html
  done
fi
# One JVM per file (epubcheck takes one file per run); three at a time.
ls "$out"/*.epub 2>/dev/null | xargs -P 3 -I{} sh -c \
  'java -jar "$0" "$1" >"$1.log" 2>&1' "$jar" {}
checked=0
for log in "$out"/*.epub.log; do
  [ -f "$log" ] || continue
  checked=$((checked + 1))
  if ! grep -q "Messages: 0 fatals / 0 errors / 0 warnings" "$log"; then
    failed=$((failed + 1))
    echo "FAIL epubcheck $(basename "$log" .log):"
    grep -E "^(FATAL|ERROR|WARNING)" "$log" | head -5
  fi
done
echo "converted $n inputs, checked $checked EPUBs, $failed failed"
[ "$failed" -eq 0 ]
