#!/bin/bash
# --check-plugin catches real bugs (issue 19): each deliberately broken
# plugin of tests/sdk/broken fails the check with a message that names its
# bug, and the correct plugin they are built from passes. TAP.
#   broken.sh BROKEN_PLUGIN_DIR INPUTS_DIR
set -u
exe=${GALLEY_EXE:?}
dir=$1
inputs=$2
n=0
failed=0
out=$(mktemp)
keep=$(mktemp -d)
trap 'rm -rf "$out" "$keep"' EXIT
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$out"; }
asan=no
grep -q __asan_init "$exe" 2>/dev/null && asan=yes

# check PLUGIN PATTERN DESCRIPTION [extra arguments]: the check fails (exit
# 1) and a FAIL line matches PATTERN.
check() {
  local plugin=$1 pattern=$2 what=$3
  shift 3
  "$exe" --check-plugin "$dir/$plugin.so" "$@" >"$out" 2>&1
  local rc=$?
  if [ "$rc" -eq 1 ] && grep -q -- "^FAIL - .*$pattern" "$out"; then
    ok "$plugin: $what ($(grep -m1 -- "^FAIL - .*$pattern" "$out" | cut -c8-200))"
  else
    not_ok "$plugin: $what (exit $rc, no FAIL line matching '$pattern')"
  fi
}

# The correct plugin passes, with the author's inputs, and --keep leaves
# the test documents and outputs.
"$exe" --check-plugin "$dir/para.so" --no-valgrind --inputs "$inputs" --keep "$keep" >"$out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^[0-9]* passed, 0 failed$' "$out"; then
  ok "the correct para plugin passes ($(tail -n1 "$out"))"
else
  not_ok "the correct para plugin passes (exit $rc)"
fi
if grep -q '^# timeout: 10 s for each check, plus 2 s per MB' "$out"; then
  ok "the default timeout is stated"
else
  not_ok "the default timeout is stated"
fi
if [ -s "$keep/every-kind.para" ] && [ -s "$keep/every-kind.tree.xml" ] &&
   [ -s "$keep/deep-500.para" ] && [ -s "$keep/input-unclosed-link.para.para" ]; then
  ok "--keep leaves the test documents, their trees and the outputs"
else
  not_ok "--keep leaves the test documents ($(ls "$keep" | tr '\n' ' '))"
fi

check table_segv "the writer crashes on a table" "a writer that segfaults on any table" --no-valgrind
if [ $asan = yes ]; then
  n=$((n + 1)); echo "ok $n - para_leak: a reader leaking 100 KB per read # SKIP AddressSanitizer build (no mallinfo2, no valgrind)"
else
  check para_leak "leaks: memory in use grows by 100 KB per read" "a reader leaking 100 KB per read (heap check)" --no-valgrind
  if command -v valgrind >/dev/null; then
    check para_leak "leaks under valgrind: memory is lost" "a reader leaking 100 KB per read (valgrind)"
  else
    n=$((n + 1)); echo "ok $n - para_leak under valgrind # SKIP valgrind is not installed"
  fi
fi
check para_stdout "write the small sample document: a callback wrote [0-9]* bytes to standard output" "a writer printing to stdout" --no-valgrind
check para_modify "write .*: the writer changed the tree it was handed" "a writer that modifies the tree it was handed" --no-valgrind
check para_probe "probe: answers differently on the same bytes" "a probe answering differently on repeated calls" --no-valgrind
check para_depth "limits: the reader ignores the depth limit" "a reader that ignores the depth limit" --no-valgrind
check para_trunc "write -> read the small sample document: words are lost: .* of which only the first 3 are" "a writer truncating every paragraph to three characters" --no-valgrind
check para_quadratic "growth: reading input unclosed-link.para, repeated grows faster than the input" "a quadratic reader (a rescan per link)" --no-valgrind --inputs "$inputs"
check para_deep_write "write a tree 500 deep: crashed" "a writer that overflows its stack on a 500-deep tree" --no-valgrind
check para_big_para "write -> read a 10 MB paragraph: words are lost" "a writer that cuts a paragraph over 64 KB" --no-valgrind
check para_nul "the reader reads past the end of its input" "a reader that takes its input for a NUL-terminated string" --no-valgrind
check para_probe_overread "the probe reads past the end of its input" "a probe that reads past the bytes it is given" --no-valgrind
GALLEY_CHECK_TIMEOUT=2 check para_hang "input trailing-backslash.para: did not finish within 2 s" "a reader that hangs on an author's hostile input (--inputs)" --no-valgrind --inputs "$inputs"

echo "1..$n"
exit $((failed > 0))
