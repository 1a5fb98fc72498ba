#!/bin/sh
# Markdown benchmark: markdown -> html throughput of galley beside the
# cmark-gfm command on the same input in the same run, and the round-trip
# rate (markdown -> markdown, both rendered by cmark-gfm, equal HTML) of
# galley beside pandoc's commonmark writer when pandoc is on PATH.
#
# usage: tests/formats/markdown/bench.sh [path/to/galley] [megabytes]
#   galley defaults to $GALLEY_EXE, then build/galley; megabytes to 16.
#   The input is the CommonMark spec examples (corpora/commonmark/spec.json)
#   repeated to that size. Needs cmark-gfm (apt-get install cmark-gfm).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
galley=${1:-${GALLEY_EXE:-$root/build/galley}}
mb=${2:-16}
corpora=${GALLEY_CORPORA:-$root/../shared/corpora}
spec=$corpora/commonmark/spec.json
py=/usr/bin/python3
[ -x "$py" ] || py=python3

if [ ! -x "$galley" ]; then
  echo "bench: no galley executable at $galley (give its path as the first argument)" >&2
  exit 2
fi
if ! command -v cmark-gfm >/dev/null 2>&1; then
  echo "bench: cmark-gfm is not on PATH: apt-get install -y cmark-gfm" >&2
  exit 2
fi
if [ ! -f "$spec" ]; then
  echo "bench: $spec is missing; skipped" >&2
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# One file of all examples, repeated to the size asked for; and one file per
# example for the round trip.
"$py" - "$spec" "$work" "$mb" <<'PY'
import json, os, sys
spec, work, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
examples = json.load(open(spec, encoding="utf-8"))
os.makedirs(os.path.join(work, "ex"))
for e in examples:
    with open(os.path.join(work, "ex", "%04d.md" % e["example"]), "w", encoding="utf-8") as f:
        f.write(e["markdown"])
# Blank lines and a paragraph between examples keep one from running into the next.
chunk = "".join(e["markdown"] + "\n\n<!-- -->\n\n" for e in examples)
target = int(mb * 1024 * 1024)
with open(os.path.join(work, "input.md"), "w", encoding="utf-8") as f:
    n = 0
    while n < target:
        f.write(chunk)
        n += len(chunk.encode("utf-8"))
PY

bytes=$(wc -c < "$work/input.md")
ext="-e table -e strikethrough -e autolink -e tasklist"

# Best of three wall-clock runs, in seconds.
best() {
  b=""
  for i in 1 2 3; do
    t0=$(date +%s.%N)
    "$@" > /dev/null || { echo "bench: failed: $*" >&2; exit 1; }
    t1=$(date +%s.%N)
    t=$(awk "BEGIN { print $t1 - $t0 }")
    if [ -z "$b" ] || [ "$(awk "BEGIN { print ($t < $b) }")" = 1 ]; then b=$t; fi
  done
  echo "$b"
}

# The spec examples are far denser in nodes than prose: 16 MB of them needs
# about 0.9 GB in cmark-gfm and galley alike, over the markdown reader's
# default parse-memory limit (500 MiB), so the limit is raised here; this
# measures speed, the hostile suite the limit.
tg=$(best "$galley" -f markdown -t html -O fragment=true -O max-parse-memory=4096 "$work/input.md") || exit 1
tc=$(best cmark-gfm --unsafe $ext "$work/input.md") || exit 1
mbs() { awk "BEGIN { printf \"%.1f\", $bytes / 1048576 / $1 }"; }
printf 'input: %s bytes (the %s spec examples, repeated)\n' "$bytes" "$(ls "$work/ex" | wc -l)"
printf 'markdown -> html   galley:    %6s MB/s  (%.3f s)\n' "$(mbs "$tg")" "$tg"
printf 'markdown -> html   cmark-gfm: %6s MB/s  (%.3f s)\n' "$(mbs "$tc")" "$tc"

# Round trip: rendered by cmark-gfm, the written Markdown gives the HTML the
# original gives.
total=0 ok_g=0 ok_p=0
have_pandoc=0
command -v pandoc >/dev/null 2>&1 && have_pandoc=1
for f in "$work"/ex/*.md; do
  total=$((total + 1))
  want=$(cmark-gfm --unsafe $ext "$f")
  got=$("$galley" -f markdown -t markdown "$f" 2>/dev/null | cmark-gfm --unsafe $ext) || got="(failed)"
  [ "$want" = "$got" ] && ok_g=$((ok_g + 1))
  if [ $have_pandoc = 1 ]; then
    got=$(pandoc -f commonmark -t commonmark "$f" 2>/dev/null | cmark-gfm --unsafe $ext) || got="(failed)"
    [ "$want" = "$got" ] && ok_p=$((ok_p + 1))
  fi
done
pct() { awk "BEGIN { printf \"%.2f\", 100 * $1 / $total }"; }
printf 'round trip (md -> md, same cmark-gfm HTML)   galley: %d/%d = %s%%\n' "$ok_g" "$total" "$(pct "$ok_g")"
if [ $have_pandoc = 1 ]; then
  printf 'round trip (md -> md, same cmark-gfm HTML)   pandoc: %d/%d = %s%%  (%s)\n' \
    "$ok_p" "$total" "$(pct "$ok_p")" "$(pandoc --version | head -1)"
else
  echo "round trip                                   pandoc: not measured (pandoc is not on PATH)"
fi
