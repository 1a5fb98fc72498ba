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

# The runs go two at a time (each is about a second; valgrind's and the
# hang's longer), into files of their own; the results are read in order.
runs=$(mktemp -d)
trap 'rm -rf "$out" "$keep" "$runs"' EXIT
nrun=0
start() { # start NAME [VAR=VALUE] -- ARGUMENTS...: one --check-plugin run
  local name=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
  ( env "${envs[@]}" "$exe" --check-plugin "$@" >"$runs/$name.out" 2>&1
    echo $? >"$runs/$name.rc" ) &
}

# check NAME PATTERN DESCRIPTION: run NAME failed the check (exit 1) and a
# FAIL line matches PATTERN.
check() {
  local name=$1 pattern=$2 what=$3
  local rc
  rc=$(cat "$runs/$name.rc")
  cp "$runs/$name.out" "$out"
  if [ "$rc" -eq 1 ] && grep -q -- "^FAIL - .*$pattern" "$out"; then
    ok "${name%%.*}: $what ($(grep -m1 -- "^FAIL - .*$pattern" "$out" | cut -c8-200))"
  else
    not_ok "${name%%.*}: $what (exit $rc, no FAIL line matching '$pattern')"
  fi
}

start para_leak.valgrind -- "$dir/para_leak.so"
start para_hang GALLEY_CHECK_TIMEOUT=2 -- "$dir/para_hang.so" --no-valgrind --inputs "$inputs"
start para_quadratic -- "$dir/para_quadratic.so" --no-valgrind --inputs "$inputs"
for name in table_segv para_leak para_stdout para_modify para_probe para_depth \
    para_trunc para_deep_write para_big_para para_nul para_probe_overread; do
  start $name -- "$dir/$name.so" --no-valgrind
done
wait

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

check table_segv "the writer crashes on a table" "a writer that segfaults on any table"
if [ $asan = yes ]; then
  n=$((n + 1)); echo "ok $n - para_leak: a reader leaking 100 KB per read # SKIP AddressSanitizer build (no mallinfo2, no valgrind)"
else
  check para_leak "leaks: memory in use grows by 100 KB per read" "a reader leaking 100 KB per read (heap check)"
  if command -v valgrind >/dev/null; then
    check para_leak.valgrind "leaks under valgrind: memory is lost in 3 reads and writes (307,200 bytes in 3 blocks are definitely lost, allocated in scratch_for" "a reader leaking 100 KB per read (valgrind)"
  else
    n=$((n + 1)); echo "ok $n - para_leak under valgrind # SKIP valgrind is not installed"
  fi
fi
check para_stdout "write the small sample document: a callback wrote [0-9]* bytes to standard output" "a writer printing to stdout"
check para_modify "write .*: the writer changed the tree it was handed" "a writer that modifies the tree it was handed"
check para_probe "probe: answers differently on the same bytes" "a probe answering differently on repeated calls"
check para_depth "limits: the reader ignores the depth limit" "a reader that ignores the depth limit"
check para_trunc "write -> read the small sample document: words are lost: .* of which only the first 3 are" "a writer truncating every paragraph to three characters"
if [ $asan = yes ]; then
  n=$((n + 1)); echo "ok $n - para_quadratic: a quadratic reader # SKIP AddressSanitizer build (growth is not timed)"
else
  check para_quadratic "growth: reading input unclosed-link.para, repeated grows faster than the input" "a quadratic reader (a rescan per link)"
fi
check para_deep_write "write a tree 500 deep: crashed" "a writer that overflows its stack on a 500-deep tree"
check para_big_para "write -> read a 10 MB paragraph: words are lost" "a writer that cuts a paragraph over 64 KB"
check para_nul "the reader reads past the end of its input" "a reader that takes its input for a NUL-terminated string"
check para_probe_overread "the probe reads past the end of its input" "a probe that reads past the bytes it is given"
check para_hang "input trailing-backslash.para: did not finish within 2 s" "a reader that hangs on an author's hostile input (--inputs)"

echo "1..$n"
exit $((failed > 0))
