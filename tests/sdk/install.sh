#!/bin/bash
# Installs galley into a temporary prefix (a build of its own, without
# tests), then does what an outside plugin author does: builds the gemtext
# example out of tree with nothing but `pkg-config --cflags --libs galley`,
# and again with the standalone meson.build, points galley at it and checks
# it. TAP output.
set -u
src=${GALLEY_SOURCE_ROOT:?}
fixtures=${GALLEY_FIXTURES:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { # description, command...
  local what=$1
  shift
  if "$@" >"$tmp/out" 2>&1; then ok "$what"; else
    not_ok "$what"
    sed 's/^/# /' "$tmp/out" | tail -n 40
  fi
}
finish() {
  echo "1..$n"
  exit $((failed > 0))
}

# Keep the caller's plugins and environment out of it.
unset GALLEY_PLUGIN_PATH GALLEY_PLUGIN_SYSTEM_PATH
export XDG_DATA_HOME=$tmp/xdg
prefix=$tmp/prefix

check "meson setup of the source tree into a temporary prefix" \
  meson setup "$tmp/build" "$src" --prefix="$prefix" -Dtests=disabled \
  --buildtype=release
check "meson install into the prefix" meson install -C "$tmp/build"
[ "$failed" -eq 0 ] || finish

pc=$(find "$prefix" -name galley.pc | head -n1)
if [ -n "$pc" ]; then ok "galley.pc is installed (${pc#"$prefix"/})"; else
  not_ok "galley.pc is installed"; finish; fi
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir galley)
pluginsdir=$(pkg-config --variable=pluginsdir galley)
export LD_LIBRARY_PATH=$libdir
galley=$prefix/bin/galley

check "galley.pc names the plugin folder under libdir" \
  test "$pluginsdir" = "$libdir/galley/plugins"
for h in galley tree job plugin status version buf layout; do
  check "the public header galley/$h.h is installed" \
    test -f "$prefix/include/galley/$h.h"
done
# The numbers meson.build set, as the installed galley/version.h has them.
version_h=$prefix/include/galley/version.h
abi=$(sed -n 's/^#define GALLEY_ABI_VERSION //p' "$version_h")
soversion=$(sed -n 's/^#define GALLEY_SOVERSION //p' "$version_h")
version=$(sed -n 's/^#define GALLEY_VERSION_STRING "\(.*\)"$/\1/p' "$version_h")
check "galley.pc names the plugin ABI of galley/version.h ($abi)" \
  test -n "$abi" -a "$(pkg-config --variable=abi_version galley)" = "$abi"
check "galley.pc has the version of galley/version.h ($version)" \
  test -n "$version" -a "$(pkg-config --modversion galley)" = "$version"
check "libgalley.so has the versioned soname libgalley.so.$soversion" \
  bash -c "objdump -p '$libdir/libgalley.so' | grep -q 'SONAME *libgalley.so.$soversion\$'"
check "the plugins are installed in pluginsdir" \
  test -f "$pluginsdir/html.so" -a -f "$pluginsdir/gemtext.so"
check "the man page galley(1) is installed" \
  grep -q '^\.TH GALLEY 1' "$prefix/share/man/man1/galley.1"
check "the bash completion is installed" \
  test -f "$prefix/share/bash-completion/completions/galley"
check "the installed galley runs from the prefix" "$galley" --version
check "the build tree's galley-uninstalled is not installed" \
  bash -c "! find '$prefix' -name 'galley-uninstalled*' | grep -q ."
check "the installed libgalley holds no path of the build tree" \
  bash -c "! grep -qaF '$tmp/build' '$libdir/libgalley.so'"
check "the fetch module is installed in LIBDIR/galley, and libgalley does not link libcurl" \
  bash -c "test -f '$libdir/galley/galley-fetch.so' && ! objdump -p '$libdir/libgalley.so' | grep -q 'NEEDED.*libcurl'"
# An offline fetch needs the module (it makes the fetcher) and no network.
check "the installed galley finds the installed fetch module" \
  bash -c "'$galley' --offline http://192.0.2.1/x -t text 2>&1 | grep -q 'not fetched: offline (--offline)\$'"
check "the installed galley links libgalley alone, and runs --jsonl through the installed galley-jsonl.so" \
  bash -c "! objdump -p '$galley' | grep 'NEEDED' | grep -vq 'libgalley\|libc\.so\|libasan\|libubsan' && test -f '$libdir/galley/galley-jsonl.so' && printf '{\"content\": \"<p>Hi</p>\", \"format\": \"html\"}\n' | '$galley' --jsonl -t text | grep -q Hi"
check "the installed galley loads the installed plugins" \
  bash -c "'$galley' --list-formats | grep -q '^html .*$pluginsdir/html.so (installed)'"

# Take the installed gemtext away, so only the author's own build can be
# what galley uses below.
rm -f "$pluginsdir/gemtext.so"
check "without gemtext.so installed, galley has no gemtext format" \
  bash -c "! '$galley' --list-formats | grep -q '^gemtext '"

# The examples an author starts from are installed: an author with only a
# distribution package copies them from there, as below.
examples=$prefix/share/doc/galley/examples
for f in gemtext.c lines.c memo.c meson.build meson_options.txt; do
  check "the example $f is installed in share/doc/galley/examples" test -f "$examples/$f"
done
awk '/^### 2\./,/^### 3\./' "$src/README.md" |
  awk '/^```c$/ { f = 1; next } /^```$/ { f = 0 } f' > "$tmp/readme-lines.c"
check "lines.c is the README's smallest plugin, word for word" \
  cmp "$tmp/readme-lines.c" "$examples/lines.c"
awk '/^### 6\./,/^### 7\./' "$src/README.md" |
  awk '/^```c$/ { f = 1; next } /^```$/ { f = 0 } f' > "$tmp/readme-memo.c"
check "memo.c is the README's writer on the layout layer, word for word" \
  cmp "$tmp/readme-memo.c" "$examples/memo.c"
check "memo.c has under 150 lines" test "$(wc -l < "$examples/memo.c")" -lt 150

# 1. A plain cc command line, as the README shows it.
author=$tmp/author-cc
mkdir -p "$author/plugins"
cp "$examples/gemtext.c" "$examples/lines.c" "$author/"
check "lines.c builds out of tree with the README's command, warnings as errors" \
  bash -c "cd '$author' && cc -std=c11 -Wall -Wextra -Werror -shared -fPIC \
    -fvisibility=hidden lines.c \$(pkg-config --cflags --libs galley) -o lines.so"
check "--check-plugin passes on lines.so" "$galley" --check-plugin "$author/lines.so"
cp "$examples/memo.c" "$author/"
check "memo.c builds out of tree with the README's command, warnings as errors" \
  bash -c "cd '$author' && cc -std=c11 -Wall -Wextra -Werror -shared -fPIC \
    -fvisibility=hidden memo.c \$(pkg-config --cflags --libs galley) -o memo.so"
check "--check-plugin passes on memo.so" "$galley" --check-plugin "$author/memo.so"
mkdir -p "$author/memo-plugins"
cp "$author/memo.so" "$author/memo-plugins/"
check "memo writes a quote and a list through the layout layer, wrapped at -O width" \
  bash -c "printf '> A quoted line that is long enough to wrap at twenty\\n\\n1. one\\n2. two words that wrap\\n' |
    '$galley' --plugin-dir '$author/memo-plugins' -f markdown -t memo -O width=20 - |
    diff - <(printf '| A quoted line that\\n| is long enough to\\n| wrap at twenty\\n\\n1. one\\n2. two words that\\n   wrap\\n')"
check "gemtext.c builds out of tree with pkg-config and cc, warnings as errors" \
  bash -c "cd '$author' && cc -std=c11 -Wall -Wextra -Wpedantic -Werror \
    -shared -fPIC -fvisibility=hidden gemtext.c \
    \$(pkg-config --cflags --libs galley) -o plugins/gemtext.so"
check "the module exports galley_plugin_init and nothing else" \
  bash -c "test \"\$(nm -D --defined-only '$author/plugins/gemtext.so' | awk '{print \$3}' | grep -v '^_' )\" = galley_plugin_init"
export GALLEY_PLUGIN_PATH=$author/plugins
check "--list-formats shows gemtext from GALLEY_PLUGIN_PATH" \
  bash -c "'$galley' --list-formats | grep -q '^gemtext .*$author/plugins/gemtext.so (GALLEY_PLUGIN_PATH)'"
check "the installed galley converts gemtext to markdown with it" \
  bash -c "'$galley' '$fixtures/gemtext/basic.gmi' -t markdown | grep -qF '[Bore timetable](https://example.org/bore-times)'"
check "the installed galley converts html to gemtext with it (.gmi output)" \
  bash -c "'$galley' '$fixtures/sample/article.html' -o '$tmp/article.gmi' && grep -q '^=> ' '$tmp/article.gmi'"
check "--check-plugin passes on the out-of-tree build" \
  "$galley" --check-plugin "$author/plugins/gemtext.so"
unset GALLEY_PLUGIN_PATH

# 2. The standalone meson.build, copied next to the source.
author=$tmp/author-meson
mkdir -p "$author"
cp "$examples/gemtext.c" "$examples/meson.build" "$examples/meson_options.txt" \
  "$author/"
check "the standalone meson.build configures against the installed galley" \
  meson setup "$author/build" "$author"
check "the standalone meson.build builds and installs into pluginsdir" \
  meson install -C "$author/build"
check "the installed galley finds the standalone build in its plugin folder" \
  bash -c "'$galley' --list-formats | grep -q '^gemtext .*$pluginsdir/gemtext.so (installed)'"
check "--check-plugin passes on the standalone build" \
  "$galley" --check-plugin "$pluginsdir/gemtext.so"
check "the standalone meson.build installs elsewhere with -Dplugindir" \
  bash -c "meson configure '$author/build' -Dplugindir='$tmp/mine' && meson install -C '$author/build' && test -f '$tmp/mine/gemtext.so'"
check "gemtext from GALLEY_PLUGIN_PATH wins over the installed one" \
  bash -c "GALLEY_PLUGIN_PATH='$tmp/mine' '$galley' --list-formats 2>/dev/null | grep -q '^gemtext .*$tmp/mine/gemtext.so (GALLEY_PLUGIN_PATH)'"
finish
