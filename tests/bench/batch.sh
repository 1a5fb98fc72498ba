#!/usr/bin/env bash
# Batch throughput and memory: the AEB pages copied ten times (1,270 files)
# converted with -j 1 and -j 2, beside a shell loop of single galley calls
# and (when installed) a shell loop of pandoc, all in this run.
# Usage: tests/bench/batch.sh [BUILD_DIR] [FORMAT]   (default build, text)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
to=${2:-text}
galley=$build/galley
corpus=${GALLEY_CORPORA:-$root/../shared/corpora}
if [ ! -d "$corpus/aeb/html" ]; then
  echo "batch benchmark: skipped (no corpus at $corpus/aeb/html)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 0 9); do
  mkdir -p "$work/in/copy$i"
  cp "$corpus"/aeb/html/*.html "$work/in/copy$i/"
done
files=$(find "$work/in" -type f | wc -l)
bytes=$(du -sb "$work/in" | cut -f1)

# run NAME COMMAND...: prints files/s, MB/s and peak resident memory.
# Loops of single calls run over one copy (127 files), in $one/$one_bytes.
run() {
  local name=$1
  shift
  local f=$files b=$bytes
  case $name in *loop*) f=$one b=$one_bytes ;; esac
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1 || true
  read -r secs kb < "$work/time"
  awk -v n="$name" -v f="$f" -v b="$b" -v s="$secs" -v k="$kb" 'BEGIN {
    if (s <= 0) s = 0.001
    printf "| %-28s | %8.2f | %9.1f | %7.1f | %8.1f |\n", n, s, f / s, b / s / 1e6, k / 1024 }'
  awk -v f="$f" -v s="$secs" 'BEGIN { if (s <= 0) s = 0.001; print f / s }' > "$work/last"
}
one=$(find "$work/in/copy0" -type f | wc -l)
one_bytes=$(du -sb "$work/in/copy0" | cut -f1)

echo "Batch benchmark: $files files, $((bytes / 1000000)) MB of HTML, html -> $to, $(nproc) cores"
echo
echo "| run (loops: one copy, $one files) | seconds  | files/s   | MB/s    | peak MiB |"
echo "| --- | --- | --- | --- | --- |"
run "galley -j 1" "$galley" -r -q -j 1 -t "$to" -o "$work/out1/" "$work/in"
j1=$(cat "$work/last")
run "galley -j 2" "$galley" -r -q -j 2 -t "$to" -o "$work/out2/" "$work/in"
j2=$(cat "$work/last")
cat > "$work/loop.sh" <<LOOP
for f in \$(find "$work/in/copy0" -type f); do "$galley" -q -t "$to" "\$f" -o "$work/loop.out"; done
LOOP
run "shell loop of galley calls" bash "$work/loop.sh"
loop=$(cat "$work/last")
if command -v pandoc >/dev/null; then
  cat > "$work/pandoc.sh" <<LOOP
for f in \$(find "$work/in/copy0" -type f); do pandoc -f html -t plain "\$f" -o "$work/pandoc.out"; done
LOOP
  run "shell loop of pandoc calls" bash "$work/pandoc.sh"
  pandoc_s=$(cat "$work/last")
  awk -v a="$pandoc_s" -v b="$j2" -v c="$j1" 'BEGIN {
    printf "\nfiles/s: galley -j 1 is %.0fx the pandoc loop, -j 2 is %.0fx\n", c / a, b / a }'
else
  echo
  echo "pandoc: not installed, no pandoc baseline in this run"
fi
awk -v a="$loop" -v b="$j1" -v c="$j2" 'BEGIN {
  printf "files/s: galley -j 1 is %.1fx the loop of single galley calls; -j 2 is %.2fx -j 1\n", b / a, c / b }'
cmp_out=$(diff -r -x .galley-batch "$work/out1" "$work/out2" >/dev/null && echo same || echo DIFFERENT)
echo "outputs of -j 1 and -j 2: $cmp_out bytes"
