#!/usr/bin/env bash
# Web archive throughput at scale (issue 21): a crawl of corpus pages
# written as .warc.gz files (tests/bench/make_warc.py: request, response
# and metadata records, some responses chunked or gzip-encoded), converted
# to text through `--jsonl -j 2`, through a batch (`-j 2 -o DIR/`) and
# through a Dask LocalCluster of two workers (one galley --jsonl per
# archive); records/s and peak memory, at 1,000 and at 10,000 pages, so
# that memory is seen to stay flat.
# Usage: tests/bench/warc.sh [BUILD_DIR] [PAGES...]   (default: build, 1000 10000)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
sizes=${*:-1000 10000}
galley=$build/galley
corpus=${GALLEY_CORPORA:-$root/../shared/corpora}
if [ ! -d "$corpus/aeb/html" ]; then
  echo "warc benchmark: skipped (no corpus at $corpus/aeb/html)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "| pages | WARC files (gz) | mode | seconds | records/s | peak memory per process |"
echo "| ---: | ---: | --- | ---: | ---: | ---: |"
for n in $sizes; do
  rm -rf "$work/crawl" "$work/out"
  mkdir -p "$work/crawl"
  # Eight archives: the Dask run maps one per task.
  files=$(python3 "$root/tests/bench/make_warc.py" "$corpus/aeb/html" "$work/crawl/c" "$n" 8)
  mb=$(du -sm "$work/crawl" | cut -f1)
  # shellcheck disable=SC2086
  /usr/bin/time -f '%e %M' -o "$work/t" "$galley" --jsonl -q -j 2 -t text $files > "$work/out.jsonl"
  read -r s kb < "$work/t"
  got=$(wc -l < "$work/out.jsonl")
  awk -v n="$n" -v mb="$mb" -v s="$s" -v kb="$kb" -v got="$got" 'BEGIN {
    printf "| %d | %d MB | --jsonl -j 2 (%d lines) | %.2f | %.0f | %.0f MiB |\n", n, mb, got, s, n / s, kb / 1024 }'
  # shellcheck disable=SC2086
  /usr/bin/time -f '%e %M' -o "$work/t" "$galley" -q -j 2 -t text -o "$work/out/" $files
  read -r s kb < "$work/t"
  got=$(find "$work/out" -type f -name '*.txt' | wc -l)
  awk -v n="$n" -v mb="$mb" -v s="$s" -v kb="$kb" -v got="$got" 'BEGIN {
    printf "| %d | %d MB | batch -j 2 -o DIR/ (%d files) | %.2f | %.0f | %.0f MiB |\n", n, mb, got, s, n / s, kb / 1024 }'
  # shellcheck disable=SC2086
  if line=$(sh "$root/tests/dask/run.sh" bench "$galley" $files); then
    echo "$line" | awk -v n="$n" -v mb="$mb" '{
      printf "| %d | %d MB | Dask, 2 workers (%s lines) | %.2f | %.0f | %s MiB galley, %s MiB worker |\n", n, mb, $2, $4, n / $4, $6, $8 }'
  else
    echo "| $n | $mb MB | Dask | skipped (no python3-distributed) | | |"
  fi
done
