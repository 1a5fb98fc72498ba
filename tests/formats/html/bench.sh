#!/bin/sh
# html -> html throughput over the article extraction benchmark's pages,
# beside libxml2's own parse + serialize (xmllint --html) on the same files
# in the same run. Not a test: it prints figures.
#
#   tests/formats/html/bench.sh [GALLEY_EXE] [PAGES_DIR]
#
# Both tools run as one process over all pages, one job at a time, so the
# figures compare the conversions and not process start-up.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
galley=${1:-${GALLEY_EXE:-$root/build/galley}}
pages=${2:-${GALLEY_CORPORA:-$root/../shared/corpora}/aeb/html}
runs=${RUNS:-3}

[ -x "$galley" ] || { echo "no galley executable at $galley" >&2; exit 2; }
[ -d "$pages" ] || { echo "no pages at $pages" >&2; exit 77; }
command -v xmllint >/dev/null || { echo "xmllint not installed" >&2; exit 2; }

# galley writes each page atomically (written, synced, renamed): on tmpfs
# the sync costs nothing, so the figure is the conversion's, not the disk's.
out=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

bytes=$(cat "$pages"/*.html | wc -c)
count=$(ls "$pages"/*.html | wc -l)

now() { date +%s.%N; }

# Best of $runs, in seconds.
best() {
  b=""
  i=0
  while [ $i -lt "$runs" ]; do
    t0=$(now)
    "$@" >/dev/null 2>&1
    t1=$(now)
    t=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
    i=$((i + 1))
  done
  echo "$b"
}

run_galley() {
  rm -rf "$out/g"
  mkdir -p "$out/g"
  "$galley" -q -j 1 --force -f html -t html -o "$out/g/" "$pages"/*.html
}

run_xmllint() {
  xmllint --html --nonet "$pages"/*.html >"$out/x.html"
}

tg=$(best run_galley)
tx=$(best run_xmllint)
mb=$(echo "$bytes / 1048576" | bc -l)

printf 'pages: %d files, %.1f MB (%s)\n' "$count" "$mb" "$pages"
printf 'galley html -> html:        %6.3f s  %7.1f MB/s\n' "$tg" \
  "$(echo "$mb / $tg" | bc -l)"
printf 'xmllint --html (parse+out): %6.3f s  %7.1f MB/s\n' "$tx" \
  "$(echo "$mb / $tx" | bc -l)"
printf 'galley takes %.2fx the time of xmllint\n' "$(echo "$tg / $tx" | bc -l)"
