#!/usr/bin/env bash
# --strip in a batch, from one interleaved run on the corpus pages (the AEB
# pages and Mozilla Readability's test pages, copied into one temporary
# folder): galley --strip against the same batch with the site template
# off (-O boilerplate.template=false: no first pass, no page kept, each
# page read once and stripped alone), against readability-lxml (Debian
# python3-readability, one /usr/bin/python3 process over all pages) and,
# when node is there, Readability.js (@mozilla/readability and jsdom, one
# node process over all pages). The galley commands and readability-lxml
# (ten times slower) run ROUNDS times, taking turns, and Readability.js (a
# hundred times slower) once, in the first round; the fastest round
# counts: other work on the machine only ever adds time. Ratios are of CPU time (user + system), which a loaded
# machine disturbs less than elapsed time; both are shown. galley runs
# with -j 1, as the peers use one core. A peer that is absent is
# skipped, and the table says so.
#
# Readability.js is looked for in $GALLEY_BENCH_NODE_MODULES (a folder
# holding node_modules/@mozilla/readability and node_modules/jsdom), else
# in BUILD_DIR/bench-node, where it is installed with npm on first use
# (never in the source tree). With OLD_BUILD_DIR (a build of another
# commit), its galley runs the same --strip batch, and both run a batch
# without --strip, whose difference is mostly the fsync per output.
#
# Usage: tests/bench/strip.sh [BUILD_DIR] [ROUNDS] [OLD_BUILD_DIR]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rounds=${2:-3}
old=${3:-}
galley=$build/galley
corpus=${GALLEY_CORPORA:-$root/../shared/corpora}
if [ ! -d "$corpus/aeb/html" ] && [ ! -d "$corpus/readability" ]; then
  echo "strip benchmark: skipped (no corpus at $corpus)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
[ -d "$corpus/aeb/html" ] && cp "$corpus"/aeb/html/*.html "$work/in/"
if [ -d "$corpus/readability" ]; then
  for d in "$corpus"/readability/*/; do
    [ -f "$d/source.html" ] && cp "$d/source.html" "$work/in/rdb-$(basename "$d").html"
  done
fi
files=$(find "$work/in" -name '*.html' | wc -l)
bytes=$(du -sb "$work/in" | cut -f1)

# The peers, each one process over every page.
cat > "$work/run_readability_lxml.py" <<'PY'
import os, sys
from readability import Document
src, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    with open(os.path.join(src, name), 'rb') as f:
        raw = f.read()
    try:
        html = Document(raw).summary()
    except Exception:
        html = ''
    with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
        f.write(html)
PY
cat > "$work/run_readability_js.js" <<'JS'
const fs = require('fs'), path = require('path');
const { JSDOM, VirtualConsole } = require('jsdom');
const { Readability } = require('@mozilla/readability');
const [src, out] = process.argv.slice(2);
const quiet = new VirtualConsole();
for (const name of fs.readdirSync(src).sort()) {
  const html = fs.readFileSync(path.join(src, name), 'utf8');
  let text = '';
  try {
    const dom = new JSDOM(html, { url: 'https://example.org/' + name, virtualConsole: quiet });
    const article = new Readability(dom.window.document).parse();
    text = article ? article.content : '';
  } catch (e) {}
  fs.writeFileSync(path.join(out, name), text);
}
JS

have_lxml=0
/usr/bin/python3 -c 'import readability' 2>/dev/null && have_lxml=1
have_rjs=0
nm=${GALLEY_BENCH_NODE_MODULES:-$build/bench-node}
if command -v node >/dev/null; then
  if [ ! -d "$nm/node_modules/@mozilla/readability" ] && command -v npm >/dev/null; then
    echo "installing @mozilla/readability and jsdom with npm into $nm"
    mkdir -p "$nm"
    npm install --no-audit --no-fund --silent --prefix "$nm" @mozilla/readability jsdom \
      > /dev/null 2>&1 || true
  fi
  [ -d "$nm/node_modules/@mozilla/readability" ] && [ -d "$nm/node_modules/jsdom" ] && have_rjs=1
fi

# The commands, by name; each writes into a fresh folder.
names=(strip notemplate)
cmd_strip() { "$galley" -q -j 1 --strip -t text -o "$1/" "$work/in"; }
cmd_notemplate() { "$galley" -q -j 1 --strip -O boilerplate.template=false -t text -o "$1/" "$work/in"; }
cmd_plain() { "$galley" -q -j 1 -t text -o "$1/" "$work/in"; }
cmd_lxml() { /usr/bin/python3 "$work/run_readability_lxml.py" "$work/in" "$1"; }
cmd_rjs() { NODE_PATH="$nm/node_modules" node "$work/run_readability_js.js" "$work/in" "$1"; }
cmd_oldstrip() { "$old/galley" -q -j 1 --strip -t text -o "$1/" "$work/in"; }
cmd_oldplain() { "$old/galley" -q -j 1 -t text -o "$1/" "$work/in"; }
[ $have_lxml = 1 ] && names+=(lxml)
[ $have_rjs = 1 ] && names+=(rjs)
if [ -n "$old" ]; then names+=(oldstrip plain oldplain); fi

declare -A best wall peak
for name in "${names[@]}"; do best[$name]=999999; wall[$name]=999999; peak[$name]=0; done
for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    case $name in rjs) [ "$round" -gt 1 ] && continue ;; esac
    rm -rf "$work/out"; mkdir -p "$work/out"
    /usr/bin/time -f '%e %U %S %M %x' -o "$work/time" bash -c "$(declare -f "cmd_$name"); galley='$galley' old='$old' work='$work' nm='$nm' cmd_$name '$work/out'" \
      > /dev/null 2>&1 || true
    read -r secs user sys kb status < <(tail -n 1 "$work/time")
    [ "$status" = 0 ] || echo "note: $name exited with status $status"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
    best[$name]=$(awk -v a="$cpu" -v b="${best[$name]}" 'BEGIN { print (a < b ? a : b) }')
    wall[$name]=$(awk -v a="$secs" -v b="${wall[$name]}" 'BEGIN { print (a < b ? a : b) }')
    [ "$kb" -gt "${peak[$name]}" ] && peak[$name]=$kb
  done
done

label() {
  case $1 in
  strip) echo "galley --strip batch" ;;
  notemplate) echo "  the same, -O boilerplate.template=false" ;;
  lxml) echo "readability-lxml (python3)" ;;
  rjs) echo "Readability.js (node, jsdom)" ;;
  oldstrip) echo "OLD galley --strip batch" ;;
  plain) echo "galley batch without --strip" ;;
  oldplain) echo "OLD galley batch without --strip" ;;
  esac
}
echo "--strip benchmark: $files pages, $((bytes / 1000000)) MB of HTML, html -> text, -j 1, best of $rounds interleaved rounds (Readability.js: one)"
echo
echo "| run | CPU seconds | elapsed seconds | pages per CPU second | peak MiB | galley --strip is |"
echo "| --- | --- | --- | --- | --- | --- |"
s=${best[strip]}
for name in "${names[@]}"; do
  awk -v n="$(label "$name")" -v t="${best[$name]}" -v w="${wall[$name]}" -v f="$files" -v k="${peak[$name]}" -v s="$s" -v me="$name" 'BEGIN {
    if (t <= 0) t = 0.001
    r = (me == "strip") ? "" : (me == "notemplate" ? sprintf("%.2fx its time", s / t) : sprintf("%.1fx faster", t / s))
    if (me == "plain" || me == "oldplain") r = ""
    printf "| %s | %.2f | %.2f | %.1f | %.1f | %s |\n", n, t, w, f / t, k / 1024, r }'
done
[ $have_lxml = 1 ] || echo "| readability-lxml | skipped: /usr/bin/python3 has no readability module (apt-get install python3-readability) | | | | |"
command -v node >/dev/null || echo "| Readability.js | skipped: no node | | | | |"
command -v node >/dev/null && [ $have_rjs = 0 ] && echo "| Readability.js | skipped: @mozilla/readability or jsdom not installed in $nm | | | | |"
echo
awk -v s="$s" -v o="${best[notemplate]}" 'BEGIN {
  printf "site template cost: --strip batch / template off = %.2fx (goal <= 1.15x)\n", s / o }'
[ $have_lxml = 1 ] && awk -v s="$s" -v o="${best[lxml]}" 'BEGIN {
  printf "against readability-lxml: %.1fx faster (goal >= 9x)\n", o / s }'
[ $have_rjs = 1 ] && awk -v s="$s" -v o="${best[rjs]}" 'BEGIN {
  printf "against Readability.js: %.1fx faster (goal >= 40x)\n", o / s }'
if [ -n "$old" ]; then
  awk -v s="$s" -v o="${best[oldstrip]}" 'BEGIN {
    printf "against OLD --strip batch: %.2fx faster\n", o / s }'
  awk -v p="${best[plain]}" -v o="${best[oldplain]}" -v pw="${wall[plain]}" -v ow="${wall[oldplain]}" 'BEGIN {
    printf "batch without --strip, OLD / this: %.2fx CPU, %.2fx elapsed (when OLD fsyncs each output: the fsyncs cost waiting, not CPU)\n", o / p, ow / pw }'
fi
exit 0
