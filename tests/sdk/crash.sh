#!/usr/bin/env bash
# A plugin that crashes during a conversion is named (issue 19): one line,
# "galley: FILE: the PLUGIN plugin crashed while writing (signal N)", exit 3,
# no output left behind. TAP.
#   crash.sh GALLEY BROKEN_PLUGIN_DIR
set -u
galley=$1
plugins=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
fails=0
check() { # NAME CONDITION [DETAIL]
  n=$((n + 1))
  if eval "$2"; then
    echo "ok $n - $1"
  else
    echo "not ok $n - $1"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
    fails=$((fails + 1))
  fi
}

cd "$work"
printf '# A table\n\nBefore.\n\n| a | b |\n| - | - |\n| 1 | 2 |\n' > table.md
printf '# No table\n\nJust words.\n' > plain.md

# Under AddressSanitizer its own handler reports the crash first.
asan=no
grep -q __asan_init "$galley" 2>/dev/null && asan=yes

"$galley" --plugin-dir "$plugins" -t table_segv plain.md -o plain.tsegv 2> err; rc=$?
check "the writer works on a document without a table" \
  '[ $rc -eq 0 ] && grep -q "Just words" plain.tsegv' "rc=$rc $(cat err)"

"$galley" --plugin-dir "$plugins" -t table_segv table.md -o out.tsegv 2> err; rc=$?
if [ $asan = yes ]; then
  echo "ok $((n + 1)) - the crash is named, exit 3 # SKIP AddressSanitizer catches the signal first"
  n=$((n + 1))
else
  check "a crash in a writer exits 3" '[ $rc -eq 3 ]' "rc=$rc $(cat err)"
  check "one line names the input, the plugin, what it did and the signal" \
    '[ "$(wc -l < err)" -eq 1 ] && grep -qx "galley: table.md: the table_segv plugin crashed while writing (signal 11)" err' \
    "$(cat err)"
fi
if [ $asan = no ]; then
  check "no output and no temporary file is left" \
    '[ ! -e out.tsegv ] && [ -z "$(ls -A | grep -v -e "^table.md$" -e "^plain.md$" -e "^plain.tsegv$" -e "^err$")" ]' "$(ls -A)"
else
  check "no output is left" '[ ! -e out.tsegv ]' "$(ls -A)"
fi

# In a batch, on a worker thread, the crash names the file too.
mkdir in
cp table.md plain.md in/
"$galley" --plugin-dir "$plugins" -t table_segv -j 2 -o outdir/ in 2> err; rc=$?
if [ $asan = no ]; then
  check "a crash on a worker thread of a batch exits 3 and names the file" \
    '[ $rc -eq 3 ] && grep -q "^galley: .*table.md: the table_segv plugin crashed while writing (signal 11)$" err' \
    "rc=$rc $(cat err)"
fi

echo "1..$n"
[ $fails -eq 0 ]
