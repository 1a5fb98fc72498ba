#!/bin/sh
# Proves that check.sh fails what it must fail: a tiny library (selftest/st.c)
# is built as a "release" and as changed versions of it, and check.sh
# compares each with the release's stored ABI. TAP.
#
#   selftest.sh CC
set -u
here=$(cd "$(dirname "$0")" && pwd)
cc=${1:?usage: selftest.sh CC}
for tool in abidw abidiff; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed (apt-get install -y abigail-tools)"
    exit 0
  fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/galley-abi-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0
failed=0

# build NAME SONAME [CFLAGS...]: libst built as $work/NAME.so
build() {
  name=$1 soname=$2
  shift 2
  $cc -std=c11 -g -O0 -shared -fPIC "$@" -Wl,-soname,"$soname" \
    -o "$work/$name.so" "$here/selftest/st.c"
}
# expect RESULT WHAT LIBRARY: check.sh against the release must RESULT (pass|fail)
expect() {
  want=$1 what=$2 lib=$3
  n=$((n + 1))
  "$here/check.sh" --suppressions "$here/selftest/st.suppr" \
    "$work/release/libst.abi" "$work/$lib.so" "$here/selftest" >"$work/out" 2>&1
  rc=$?
  case "$want:$rc" in
  pass:0 | fail:1) echo "ok $n - $what" ;;
  *)
    failed=$((failed + 1))
    echo "not ok $n - $what (check.sh exit $rc)"
    sed 's/^/# /' "$work/out"
    ;;
  esac
}

mkdir -p "$work/release"
build release libst.so.1 || exit 1
abidw --headers-dir "$here/selftest" --drop-private-types --no-corpus-path \
  --out-file "$work/release/libst.abi" "$work/release.so" || exit 1

build same libst.so.1
build grown libst.so.1 -DST_GROW
build frozen_grew libst.so.1 -DST_FREEZE_BROKEN
build removed libst.so.1 -DST_REMOVE
build inserted libst.so.1 -DST_INSERT
build frozen_grew_bumped libst.so.2 -DST_FREEZE_BROKEN
build removed_bumped libst.so.2 -DST_REMOVE

expect pass "the release itself is compatible with its stored ABI" same
expect pass "a member at the end of a versioned struct and a new function are compatible" grown
expect fail "a frozen struct that grew, with the same soname, fails the check" frozen_grew
expect fail "a removed function, with the same soname, fails the check" removed
expect fail "a member put first in a versioned struct, with the same soname, fails the check" inserted
expect pass "a frozen struct that grew passes once the soname is raised" frozen_grew_bumped
expect pass "a removed function passes once the soname is raised" removed_bumped
echo "1..$n"
[ "$failed" -eq 0 ]
