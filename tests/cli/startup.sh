#!/bin/bash
# Start-up through the plugin cache, end to end (TAP): a conversion dlopens
# only the plugins it uses, --list-formats and --help-format none, and a
# missing, corrupt or unusable cache changes no answer.
#
# usage: startup.sh TEST_PLUGIN_DIR
# environment: GALLEY_EXE, and the build's plugins through
# GALLEY_PLUGIN_SYSTEM_PATH (meson's test_env). Which modules a run
# dlopens comes from glibc's dynamic linker (LD_DEBUG=files); where that
# says nothing, those tests are skipped.
set -u

test_plugins=${1:?usage: startup.sh TEST_PLUGIN_DIR}
exe=${GALLEY_EXE:?GALLEY_EXE is not set}

work=$(mktemp -d "${TMPDIR:-/tmp}/galley-startup-test.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_CACHE_HOME=$work/cache

n=0
failed=0
ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok() {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do echo "# $line"; done
  [ -s err ] && sed 's/^/#   stderr: /' err | head -10
}
skip() {
  n=$((n + 1))
  echo "ok $n - $1 # SKIP $2"
}
check() {
  local name=$1 what=$2
  shift 2
  if "$@"; then ok "$name"; else not_ok "$name" "$what"; fi
}

printf '# Title\n\nSome *text* and a [link](https://example.org).\n\n- one\n- two\n' >small.md

# loaded ARGS...: runs galley; its output in ./out, its messages in ./err,
# and the plugin modules it dlopened (file names, sorted, on one line) in
# $mods; $rc its status.
loaded() {
  LD_DEBUG=files "$exe" "$@" >out 2>err.all
  rc=$?
  mods=$(grep 'dynamically loaded by' err.all | sed 's/.*file=\([^ ]*\) .*/\1/' |
    grep -v 'galley-fetch' | sed 's|.*/||' | sort -u | tr '\n' ' ')
  mods=${mods% }
  grep -v '^ *[0-9]*:' err.all >err
}

# A first run with no cache: everything is loaded, the cache written.
"$exe" small.md -t html >cold.html 2>err
check "a run without a cache converts" "status $?" [ -s cold.html ]
check "and writes the cache under XDG_CACHE_HOME" "no cache file" \
  [ -s cache/galley/plugins.cache ]
"$exe" --list-formats >cold.list 2>/dev/null
"$exe" --help-format markdown >cold.help 2>/dev/null

loaded small.md -t html
if ! grep -q 'dynamically loaded by' err.all && [ -z "$mods" ]; then
  # Not glibc, or LD_DEBUG is off: nothing to count with.
  for what in "md -> html dlopens only markdown and html" \
    "--list-formats dlopens nothing" "--help-format dlopens nothing"; do
    skip "$what" "LD_DEBUG=files reports nothing here"
  done
else
  check "md -> html dlopens only markdown and html" "dlopened: $mods" \
    [ "$mods" = "html.so markdown.so" ]
  cmp -s out cold.html || not_ok "the output is the same as without a cache"
  loaded --list-formats
  check "--list-formats dlopens nothing" "dlopened: $mods" [ -z "$mods" ]
  cmp -s out cold.list || not_ok "--list-formats says the same from the cache"
  loaded --help-format markdown
  check "--help-format dlopens nothing" "dlopened: $mods" [ -z "$mods" ]
  cmp -s out cold.help || not_ok "--help-format says the same from the cache"
  loaded small.md -o small.txt
  check "md -> text by the output's name dlopens markdown and text" \
    "dlopened: $mods" [ "$mods" = "markdown.so text.so" ]
fi

# The program links libgalley and libc, nothing else: --jsonl's jansson
# is in galley-jsonl.so, loaded by --jsonl alone.
if command -v readelf >/dev/null; then
  needed=$(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
    grep -v '^libc\.so\|^libgalley\.so\|^ld-linux\|^libasan\|^libubsan' | tr '\n' ' ')
  check "galley links only libgalley (and libc)" "also: $needed" [ -z "$needed" ]
else
  skip "galley links only libgalley (and libc)" "no readelf"
fi
printf '{"url": "https://example.org/a", "content": "<p>Hi</p>", "format": "html"}\n' >in.jsonl
"$exe" --jsonl -t markdown <in.jsonl >out 2>err
check "--jsonl loads its module and converts" "status $?" grep -q 'Hi' out

# A corrupt cache: the same answer, and a cache that works again.
head -c 3000 /dev/urandom >cache/galley/plugins.cache
"$exe" small.md -t html >out 2>err
same_silently() { cmp -s out "$1" && [ ! -s err ]; }
check "a corrupt cache gives the same output, silently" "status $?" \
  same_silently cold.html
check "and is rewritten" "still corrupt" \
  grep -q '^GALLEY-PLUGIN-CACHE$' cache/galley/plugins.cache
size=$(wc -c <cache/galley/plugins.cache)
head -c $((size / 2)) cache/galley/plugins.cache >half
cp half cache/galley/plugins.cache
"$exe" --list-formats >out 2>err
check "a truncated cache lists the same formats" "differs" cmp -s out cold.list

# No usable cache location: it still works.
printf 'x' >a-file
XDG_CACHE_HOME=$work/a-file "$exe" small.md -t html >out 2>err
check "with XDG_CACHE_HOME a file, it still converts" "status $?" \
  cmp -s out cold.html
mkdir -p ro/galley && chmod 0500 ro/galley ro
XDG_CACHE_HOME=$work/ro "$exe" --help-format markdown >out 2>err
check "with a read-only cache folder, it still works" "status $?" \
  cmp -s out cold.help
chmod 0700 ro ro/galley

# A refused plugin is reported on every run, cache or not.
for round in first second; do
  GALLEY_PLUGIN_PATH=$test_plugins "$exe" --list-formats >out 2>err
  check "a refused plugin is reported on the $round run" \
    "no message about wrong_abi.so" grep -q 'wrong_abi.so: built for plugin ABI 999' err
done

echo "1..$n"
[ "$failed" = 0 ]
