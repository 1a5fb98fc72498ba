#!/bin/bash
# Runs `galley --check-plugin` on every plugin this build made
# (formats/*/*.so and plugins/*/*.so), and checks that files which are not
# plugins, or were built for another ABI, are refused with exit status 2.
# TAP output. Arguments: the folder of the core tests' test-only plugins.
set -u
exe=${GALLEY_EXE:?}
build=${GALLEY_BUILD_ROOT:?}
test_plugins=${1:-}
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# The plugins are checked two at a time (a few seconds each), each into a
# file of its own; the results are read in order.
runs=$(mktemp -d)
trap 'rm -rf "$out" "$runs"' EXIT
found=0
for so in "$build"/formats/*/*.so "$build"/plugins/*/*.so; do
  [ -f "$so" ] || continue
  found=$((found + 1))
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
  ( "$exe" --check-plugin "$so" >"$runs/$found.out" 2>&1; echo $? >"$runs/$found.rc" ) &
done
wait
i=0
for so in "$build"/formats/*/*.so "$build"/plugins/*/*.so; do
  [ -f "$so" ] || continue
  i=$((i + 1))
  cp "$runs/$i.out" "$out"
  rc=$(cat "$runs/$i.rc")
  if [ "$rc" -eq 0 ] && grep -q '^[0-9]* passed, 0 failed$' "$out"; then
    ok "--check-plugin passes on ${so#"$build"/} ($(tail -n1 "$out"))"
  else
    not_ok "--check-plugin passes on ${so#"$build"/} (exit $rc)"
    sed 's/^/# /' "$out"
  fi
done
if [ "$found" -ge 1 ]; then ok "found $found built plugins"; else not_ok "found no built plugins under $build"; fi

if [ -n "$test_plugins" ]; then
  "$exe" --check-plugin "$test_plugins/wrong_abi.so" >"$out" 2>&1
  rc=$?
  abi=$(sed -n 's/^#define GALLEY_ABI_VERSION //p' "$build/core/include/galley/version.h")
  if [ "$rc" -eq 2 ] && grep -q "built for plugin ABI 999, this galley uses ABI $abi;" "$out"; then
    ok "a plugin built for another ABI is refused with exit 2, naming both ABIs"
  else
    not_ok "a plugin built for another ABI is refused with exit 2 (exit $rc)"
    sed 's/^/# /' "$out"
  fi
  "$exe" --check-plugin "$test_plugins/no_entry.so" >"$out" 2>&1
  rc=$?
  if [ "$rc" -eq 2 ] && grep -q 'no galley_plugin_init entry point' "$out"; then
    ok "a module without the entry point is refused with exit 2"
  else
    not_ok "a module without the entry point is refused with exit 2 (exit $rc)"
    sed 's/^/# /' "$out"
  fi
  "$exe" --check-plugin "$test_plugins/init_fails.so" >"$out" 2>&1
  rc=$?
  if [ "$rc" -eq 2 ] && grep -q "init of 'init_fails' failed (not supported); skipped" "$out"; then
    ok "a plugin whose init fails is refused with exit 2 and one message"
  else
    not_ok "a plugin whose init fails is refused with exit 2 (exit $rc)"
    sed 's/^/# /' "$out"
  fi
fi
"$exe" --check-plugin "$build/no-such-plugin.so" >"$out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'cannot load' "$out"; then
  ok "a missing file is refused with exit 2 saying it cannot load"
else
  not_ok "a missing file is refused with exit 2 (exit $rc)"
fi
# A plugin that fails: each kind of failure is named, and the exit is 1.
bad=${2:-}
if [ -n "$bad" ]; then
  GALLEY_CHECK_TIMEOUT=3 "$exe" --check-plugin "$bad" >"$out" 2>/dev/null
  rc=$?
  expect() {
    if grep -q -- "$1" "$out"; then ok "a bad plugin: $2"; else not_ok "a bad plugin: $2"; fi
  }
  if [ "$rc" -eq 1 ]; then ok "a bad plugin fails the check with exit 1"; else not_ok "a bad plugin fails the check with exit 1 (exit $rc)"; fi
  expect "^FAIL - read 1 random byte: did not finish within 3 s" "a hang is reported with the timeout"
  expect "^FAIL - read 1 KiB of random bytes: crashed (" "a crash is reported, and the checker goes on"
  expect "^FAIL - read 64 KiB of random bytes: crashed (" "the checker goes on after a crash"
  expect "^FAIL - write: an empty document" "a writer failing without a message fails"
  expect "^FAIL - option 'mode': default 'sometimes' is one of the choices" "an enum default outside its choices fails"
  expect "^FAIL - probe: .* score 101, not 0..100" "a probe score over 100 fails"
  expect "^[0-9]* passed, [1-9][0-9]* failed$" "the summary counts the failures"
  [ "$rc" -eq 1 ] || sed 's/^/# /' "$out"
fi
echo "1..$n"
exit $((failed > 0))
