#!/bin/sh
# Converts a fixture of every readable format to every writable format
# under `valgrind --leak-check=full` and reports any leak or memory error.
#
#   GALLEY_EXE=build/galley GALLEY_FIXTURES=fixtures tests/hostile/valgrind_pairs.sh
#
# (meson test --suite valgrind sets both.) Use a normal build, not an
# AddressSanitizer one. TAP on standard output, one line per pair; exit 1
# when any pair leaks (definitely or indirectly lost) or has an error.
# Also runs each html input through --strip (the boilerplate transform).
set -u
exe=${GALLEY_EXE:?set GALLEY_EXE to the galley executable}
fx=${GALLEY_FIXTURES:?set GALLEY_FIXTURES to the fixtures folder}
if ! command -v valgrind >/dev/null 2>&1; then
  echo "1..0 # SKIP valgrind is not installed"
  exit 0
fi
# gcc links libasan as a shared library; clang links it into the program.
if ldd "$exe" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$exe"; then
  echo "1..0 # SKIP $exe is an AddressSanitizer build"
  exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/galley-valgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# One input per reader; the EPUB one is made by galley itself (not under
# valgrind) from the Markdown fixture, images and all.
cp "$fx/html/sample.html" "$tmp/in.html"
cp "$fx/markdown/features.md" "$tmp/in.md"
cp "$fx/text/article.txt" "$tmp/in.txt"
cp "$fx/xml/every-kind.xml" "$tmp/in.xml"
(cd "$fx/epub" && "$exe" -q article.md -o "$tmp/in.epub") || {
  echo "Bail out! cannot make the EPUB input"
  exit 1
}

inputs="in.html in.md in.txt in.xml in.epub"
writers="html markdown text xml epub"
n=0
for i in $inputs; do for w in $writers; do n=$((n + 1)); done; done
n=$((n + 2)) # --strip, and a language the n-gram models guess
echo "1..$n"

k=0
failed=0
run() {
  # $1: description; rest: galley arguments
  desc=$1
  shift
  k=$((k + 1))
  log="$tmp/vg.$k.log"
  (cd "$tmp" && valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    --suppressions="$here/valgrind.supp" \
    --log-file="$log" "$exe" -q "$@" >/dev/null 2>"$tmp/err.$k")
  rc=$?
  if [ $rc -eq 99 ] || [ -s "$log" ]; then
    echo "not ok $k - $desc leaks or errs under valgrind"
    sed 's/^/#   /' "$log" | head -40
    failed=1
  elif [ $rc -ne 0 ]; then
    echo "not ok $k - $desc failed (exit $rc)"
    sed 's/^/#   /' "$tmp/err.$k" | head -5
    failed=1
  else
    echo "ok $k - $desc has no leak and no error"
  fi
}

for i in $inputs; do
  for w in $writers; do
    run "$i to $w" "$i" -t "$w" -o "$tmp/out.$w"
  done
done
run "in.html through --strip to markdown" in.html --strip -t markdown -o "$tmp/out.strip.md"
# Text that says nothing of its language, in one the function words do not
# know: libexttextcat's models read it (they once read past its end).
cp "$fx/lang/swedish.txt" "$tmp/sv.txt"
run "Swedish text, its language guessed by the models" sv.txt -t xml -o "$tmp/out.sv.xml"
exit $failed
