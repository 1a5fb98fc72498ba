#!/bin/sh
# Stores the ABI of a release as the baseline tests/abi/VERSION/, which the
# ABI check compares later builds with (CONTRIBUTING.md, "ABI"):
#   VERSION/libgalley.abi    abidw of BUILD's libgalley, public API only
#   VERSION/include/galley/  the public headers, version.h included
#
#   tests/abi/refresh.sh VERSION BUILD_DIR
#
# Run it from the source tree of the release, on a build of it with debug
# information (the default debugoptimized build).
set -eu
version=${1:?usage: refresh.sh VERSION BUILD_DIR}
build=${2:?usage: refresh.sh VERSION BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
headers=$src/core/include/galley
library=$(readlink -f "$build/core/libgalley.so")
dest=$here/$version

rm -rf "$dest"
mkdir -p "$dest/include/galley"
cp "$headers"/*.h "$dest/include/galley/"
cp "$build/core/include/galley/version.h" "$dest/include/galley/"
abidw --headers-dir "$headers" --drop-private-types --no-corpus-path \
  --short-locs --no-comp-dir-path --out-file "$dest/libgalley.abi" "$library"
echo "stored $(basename "$library") ($(sed -n "s/.*soname='\([^']*\)'.*/\1/p" "$dest/libgalley.abi" | head -n1)) as $dest"
