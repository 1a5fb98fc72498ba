#!/usr/bin/env bash
# galley beside its peers on the same pages, from one interleaved run
# (issue 18): each pair runs three rounds, alternating, and the fastest
# round of each counts (other work on the machine only ever adds time).
#
#   1. a shell loop of one process per page, html -> markdown, over the
#      corpus pages: galley vs pandoc (goal: galley >= 60x pandoc);
#      beside it, the floor no converter built on libxml2 can go under:
#      xmllint --html parsing each page in a process of its own, and
#      below it xmllint --version a process per page (libxml2 loaded,
#      nothing parsed: the start-up of any program built on it);
#   2. html -> text over the same pages in one process: galley's batch
#      (-r -t text -o DIR/: read, tree, write a file each) vs xmllint
#      --html parsing them all and writing them out again (libxml2's
#      parser and serialiser alone; goal: <= 1.3x xmllint's time).
# Then the other benchmarks of tests/bench that compare with peers, each
# its own interleaved run: start-up (startup.sh), --strip in a batch
# (strip.sh) and md -> html at 1, 10 and 100 MB (bigmd.sh), when present.
#
# Usage: tests/bench/peers.sh [BUILD_DIR] [--pairs-only]   (default build;
# --pairs-only: the two comparisons above, not the other scripts)
# Pages: ../shared/corpora (aeb/html and readability/*/source.html), or
# GALLEY_CORPORA; without them the script says so and exits 0.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
galley=$build/galley
corpus=${GALLEY_CORPORA:-$root/../shared/corpora}
if [ ! -d "$corpus/aeb/html" ]; then
  echo "peers benchmark: skipped (no corpus at $corpus/aeb/html)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
cp "$corpus"/aeb/html/*.html "$work/in/"
for d in "$corpus"/readability/*/; do
  [ -f "$d/source.html" ] && cp "$d/source.html" "$work/in/rd-$(basename "$d").html"
done
pages=$(find "$work/in" -type f | wc -l)
mb=$(du -sb "$work/in" | awk '{printf "%.1f", $1 / 1e6}')
echo "peers: $pages pages ($mb MB of HTML), $(nproc) cores"

now() { date +%s.%N; }
# best NAME SECONDS: keeps the smallest time per name in $work/best.NAME.
best() {
  local f="$work/best.$1"
  if [ ! -f "$f" ] || awk -v a="$2" -v b="$(cat "$f")" 'BEGIN { exit !(a < b) }'; then
    echo "$2" > "$f"
  fi
}
timed() { # NAME COMMAND...
  local name=$1 t0 t1
  shift
  t0=$(now)
  "$@" > /dev/null 2>&1 || true
  t1=$(now)
  best "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
}
get() { cat "$work/best.$1"; }

galley_loop() {
  for f in "$work"/in/*.html; do "$galley" -q -f html -t markdown "$f" -o "$work/g.md"; done
}
pandoc_loop() {
  for f in "$work"/in/*.html; do pandoc -f html -t gfm "$f" -o "$work/p.md"; done
}
xmllint_loop() {
  for f in "$work"/in/*.html; do xmllint --html --noout --nowarning "$f" 2> /dev/null; done
}
# A process per page that loads libxml2 and parses nothing: the start-up
# alone of any program built on it (the dynamic loading of libxml2, ICU and
# libstdc++ is most of it).
libxml2_start_loop() {
  for f in "$work"/in/*.html; do xmllint --version > /dev/null 2>&1; done
}
galley_batch() {
  rm -rf "$work/out"
  "$galley" -q -r -f html -t text -o "$work/out/" "$work/in"
}
xmllint_all() {
  xmllint --html --nowarning "$work"/in/*.html > "$work/x.html"
}

have_pandoc=$(command -v pandoc >/dev/null && echo yes || echo no)
have_xmllint=$(command -v xmllint >/dev/null && echo yes || echo no)
for round in 1 2 3; do
  timed galley_loop galley_loop
  [ "$have_pandoc" = yes ] && timed pandoc_loop pandoc_loop
  [ "$have_xmllint" = yes ] && timed xmllint_loop xmllint_loop
  [ "$have_xmllint" = yes ] && timed libxml2_start_loop libxml2_start_loop
  timed galley_batch galley_batch
  [ "$have_xmllint" = yes ] && timed xmllint xmllint_all
done

# floor_row WHAT COMMAND NAME: the row of a floor under galley's per-page
# loop (g), timed as NAME, with pandoc's loop over it when pandoc ran.
floor_row() {
  local x p=
  x=$(get "$3")
  [ "$have_pandoc" = yes ] && p=$(get pandoc_loop)
  awk -v g="$g" -v x="$x" -v p="$p" -v what="$1" -v cmd="$2" 'BEGIN {
    printf "| process per page, %s (floor) | galley %.2fx the floor | %s %.2f s | %s |\n",
      what, g / x, cmd, x, p == "" ? "-" : sprintf("pandoc / floor %.0fx", p / x) }'
}

echo
echo "| comparison | galley | peer | ratio |"
echo "| --- | --- | --- | --- |"
g=$(get galley_loop)
if [ "$have_pandoc" = yes ]; then
  p=$(get pandoc_loop)
  awk -v g="$g" -v p="$p" -v n="$pages" 'BEGIN {
    printf "| process per page, html -> markdown (%d pages) | %.2f s | pandoc %.2f s | galley %.0fx faster (goal >= 60x) |\n", n, g, p, p / g }'
else
  awk -v g="$g" 'BEGIN { printf "| process per page, html -> markdown | %.2f s | pandoc not installed | - |\n", g }'
fi
if [ "$have_xmllint" = yes ]; then
  # The parse alone, a process a page: what galley's loop cannot go under
  # while its HTML parser is libxml2's, and the most any libxml2-based
  # converter could be ahead of pandoc.
  floor_row "parse only" "xmllint --html --noout" xmllint_loop
  # Below that: starting a process that loads libxml2, nothing parsed.
  floor_row "start-up only" "xmllint --version" libxml2_start_loop
fi
g=$(get galley_batch)
if [ "$have_xmllint" = yes ]; then
  x=$(get xmllint)
  awk -v g="$g" -v x="$x" 'BEGIN {
    printf "| one process, html -> text | %.2f s | xmllint --html %.2f s | %.2fx xmllint'"'"'s time (goal <= 1.3x) |\n", g, x, g / x }'
else
  awk -v g="$g" 'BEGIN { printf "| one process, html -> text | %.2f s | xmllint not installed | - |\n", g }'
fi

[ "${2:-}" = --pairs-only ] && exit 0
for part in startup strip bigmd; do
  if [ -x "$root/tests/bench/$part.sh" ]; then
    echo
    echo "== tests/bench/$part.sh"
    "$root/tests/bench/$part.sh" "$build"
  fi
done
