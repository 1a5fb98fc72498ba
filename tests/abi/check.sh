#!/bin/sh
# The ABI check: compares a library with the stored ABI of a release, and
# fails an incompatible change that kept the soname.
#
#   check.sh [--suppressions FILE] BASELINE.abi LIBRARY HEADERS_DIR...
#
# BASELINE.abi is `abidw --headers-dir ... --drop-private-types` of the
# release (tests/abi/<version>/libgalley.abi); LIBRARY is the freshly built
# shared library, whose public API is what HEADERS_DIR... declare. abidiff
# compares the two, with the growth that plugin.h's "How the ABI changes"
# allows (new members at the end of the structs named in FILE) filtered out:
#   - no change at all, or only added functions: compatible, passes;
#   - anything else (a removed or retyped function, a struct changed
#     otherwise): passes only when the soname differs from the baseline's,
#     saying so; with the same soname it fails.
# Exits 77 (skipped) when abidw or abidiff is not installed (Debian's
# abigail-tools), 0 on a pass, 1 on a failure, with abidiff's report.
set -u

suppr=
if [ "${1:-}" = --suppressions ]; then
  suppr=$2
  shift 2
fi
baseline=${1:?usage: check.sh [--suppressions FILE] BASELINE.abi LIBRARY HEADERS_DIR...}
library=${2:?usage: check.sh [--suppressions FILE] BASELINE.abi LIBRARY HEADERS_DIR...}
shift 2
[ $# -ge 1 ] || { echo "usage: check.sh [--suppressions FILE] BASELINE.abi LIBRARY HEADERS_DIR..." >&2; exit 1; }

for tool in abidw abidiff; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (apt-get install -y abigail-tools)"
    exit 77
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/galley-abi.XXXXXX")
trap 'rm -rf "$work"' EXIT

hd=
for dir in "$@"; do
  hd="$hd --headers-dir $dir"
done
# shellcheck disable=SC2086 # $hd is a list of options
if ! abidw $hd --drop-private-types --no-corpus-path --short-locs \
  --no-comp-dir-path --out-file "$work/current.abi" "$library"; then
  echo "FAIL: abidw could not read $library"
  exit 1
fi
if ! grep -q '<function-decl' "$work/current.abi"; then
  echo "FAIL: abidw found no public function in $library (built without -g?)"
  exit 1
fi

soname_of() {
  sed -n "s/^<abi-corpus [^>]*soname='\([^']*\)'.*/\1/p" "$1" | head -n1
}
old=$(soname_of "$baseline")
new=$(soname_of "$work/current.abi")
[ -n "$old" ] || { echo "FAIL: no soname in $baseline"; exit 1; }
[ -n "$new" ] || { echo "FAIL: no soname in $library"; exit 1; }

set -- "$baseline" "$work/current.abi"
if [ -n "$suppr" ]; then
  set -- --suppressions "$suppr" "$@"
fi
abidiff --no-added-syms "$@" >"$work/report" 2>&1
rc=$?
# abidiff's status is a bit field: 1 an error, 2 a usage error, 4 an ABI
# change, 8 an incompatible one (a function removed, say).
if [ $((rc & 3)) -ne 0 ]; then
  cat "$work/report"
  echo "FAIL: abidiff failed (status $rc)"
  exit 1
fi
if [ "$rc" -eq 0 ]; then
  echo "PASS: $library ($new) is compatible with $(basename "$(dirname "$baseline")") ($old)"
  exit 0
fi
cat "$work/report"
if [ "$old" != "$new" ]; then
  echo "PASS: the ABI changed incompatibly, and the soname changed with it ($old -> $new)"
  exit 0
fi
echo "FAIL: the ABI changed incompatibly but the soname is still $new: raise galley_soversion in meson.build (and GALLEY_ABI_VERSION if plugins break), or make the change compatible (core/include/galley/plugin.h, \"How the ABI changes\")"
exit 1
