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
# Every Markdown and HTML fixture of the project, not only this format's.
k=0
for f in $(find "$fixtures" -name '*.md' -o -name '*.html' | sort); do
  k=$((k + 1))
  convert "$f" "fixture-$k-$(basename "$f" | tr . -)"
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
# epubcheck takes one file per run and a JVM start costs more than a check,
# so EpubCheckBatch.java checks many files in one JVM; two JVMs, one a core.
here=$(dirname "$0")
ls "$out"/*.epub >"$out/all.list" 2>/dev/null
awk 'NR % 2 == 1' "$out/all.list" >"$out/a.list"
awk 'NR % 2 == 0' "$out/all.list" >"$out/b.list"
# The batch needs a JDK (java runs a source file through jdk.compiler); with
# a bare JRE, each file gets its own JVM, in the same report format.
batch=yes
java -cp "$jar" "$here/EpubCheckBatch.java" >/dev/null 2>&1 || batch=no
one_by_one() {
  while read -r f; do
    echo "=== $f"
    java -jar "$jar" "$f" 2>&1
    echo "=== END rc=$? $f"
  done
}
for part in a b; do
  if [ -s "$out/$part.list" ]; then
    if [ "$batch" = yes ]; then
      xargs java -cp "$jar" "$here/EpubCheckBatch.java" <"$out/$part.list" \
        >"$out/$part.log" 2>&1 &
    else
      one_by_one <"$out/$part.list" >"$out/$part.log" 2>&1 &
    fi
  fi
done
wait
checked=0
for part in a b; do
  [ -f "$out/$part.log" ] || continue
  # A report passes when it ends with rc=0 and says 0/0/0.
  result=$(awk '
    /^=== END rc=/ { n++; split($3, rc, "="); f = $4
      if (rc[2] != 0 || !clean) { bad++; print "FAIL epubcheck " f; print msgs }
      clean = 0; msgs = ""; next }
    /^=== / { clean = 0; msgs = ""; next }
    /Messages: 0 fatals \/ 0 errors \/ 0 warnings/ { clean = 1 }
    /^(FATAL|ERROR|WARNING)/ { if (length(msgs) < 2000) msgs = msgs "  " $0 "\n" }
    END { print "CHECKED " n+0 " " bad+0 }' "$out/$part.log")
  echo "$result" | grep -v '^CHECKED'
  c=$(echo "$result" | awk '/^CHECKED/ { print $2 }')
  b=$(echo "$result" | awk '/^CHECKED/ { print $3 }')
  checked=$((checked + c))
  failed=$((failed + b))
done
total=$(wc -l <"$out/all.list")
if [ "$checked" -ne "$total" ]; then
  echo "epubcheck reported on $checked of $total EPUBs"
  tail -20 "$out/a.log"
  failed=$((failed + 1))
fi
echo "converted $n inputs, checked $checked EPUBs, $failed failed"
[ "$failed" -eq 0 ]
