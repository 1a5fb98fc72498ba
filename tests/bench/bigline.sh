#!/usr/bin/env bash
# Memory and time on one huge line: a paragraph of MB megabytes (default
# 200, the hostile suite's size) in each text-like reader's format, converted
# to every writer. Prints the peak resident memory as a multiple of the
# paragraph's text size (the baseline, measured in this run: line.txt's
# size; the EPUB input is small only because it is compressed) and the
# time, one row per pair. The hostile suite checks the same pairs it
# names against a 1 GiB cap; this shows how close each pair comes.
# Usage: tests/bench/bigline.sh [BUILD_DIR] [MB]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
mb=${2:-200}
galley=$build/galley
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same words in every format: "abcde fghi" repeated, between two
# markers, as one line (one paragraph).
python3 - "$work" "$mb" <<'EOF'
import sys
work, mb = sys.argv[1], int(sys.argv[2])
chunk = b"abcde fghi" * (1 << 17)            # 1.25 MiB
n = max(1, mb * (1 << 20) // len(chunk))
def line(path, head, tail):
    with open(path, "wb") as f:
        f.write(head + b"line-start ")
        for _ in range(n):
            f.write(chunk)
        f.write(b" line-end" + tail)
line(work + "/line.txt", b"", b"\n")
line(work + "/line.md", b"", b"\n")
line(work + "/line.html", b"<!doctype html><p>", b"</p>\n")
line(work + "/line.xml",
     b'<?xml version="1.0" encoding="UTF-8"?>\n'
     b'<document xmlns="urn:galley:tree:1"><paragraph><text>',
     b"</text></paragraph></document>\n")
EOF
"$galley" -q "$work/line.html" -t epub -M language=en -o "$work/line.epub"

text=$(stat -c %s "$work/line.txt")
printf '| %-16s | %9s | %9s | %8s | %6s |\n' "pair" "input MB" "peak MiB" "× text" "s"
printf '|%s|%s|%s|%s|%s|\n' "------------------" "-----------" "-----------" "----------" "--------"
for from in txt md html xml epub; do
  in=$work/line.$from
  size=$(stat -c %s "$in")
  for to in text html markdown xml epub; do
    /usr/bin/time -f '%e %M %x' -o "$work/time" \
      "$galley" -q "$in" -t "$to" -M language=en -o "$work/out" 2>/dev/null || true
    read -r secs kb rc <"$work/time"
    awk -v p="$from -> $to" -v b="$size" -v t="$text" -v k="$kb" -v s="$secs" -v rc="$rc" 'BEGIN {
      note = rc == 0 ? "" : " (exit " rc ")"
      printf "| %-16s | %9.2f | %9.0f | %8.2f | %6.2f |%s\n", p, b / 1e6, k / 1024,
             k * 1024 / t, s, note }'
    rm -f "$work/out"
  done
done
