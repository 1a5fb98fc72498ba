#!/usr/bin/env bash
# Big Markdown: md -> html by galley beside cmark-gfm (with the same GFM
# extensions: footnotes, tables, strikethrough, autolinks, task lists) on a
# generated book of 1, 10 and 100 MB (headings, paragraphs with emphasis,
# code spans, inline and reference links, footnotes, images, nested lists,
# code blocks, tables, block quotes). For each size: the best of RUNS
# runs of each program, interleaved (galley, cmark-gfm, galley, ...), in
# wall and CPU seconds, the peak resident memory, and galley's ratio to
# cmark-gfm, all from this one run.
# galley runs with -O max-parse-memory=0 and -O max-nodes=100000000: the
# estimate refuses a book of 10 MB under its default limit of 8 times the
# input plus 128 MiB, and one of 100 MB has more than the default 4 million
# nodes.
# Usage: tests/bench/bigmd.sh [BUILD_DIR] [SIZES_MB] [RUNS]
#        (default build, "1 10 100", 3)
# Keep the generated books with BIGMD_KEEP=DIR (also reused when present).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
sizes=${2:-1 10 100}
runs=${3:-3}
galley=$build/galley
cmark=$(command -v cmark-gfm || true)
if [ -n "${BIGMD_KEEP:-}" ]; then
  work=$BIGMD_KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

# gen MB PATH: a deterministic book of about MB megabytes.
gen() {
  python3 - "$1" "$2" <<'EOF'
import sys
mb, path = float(sys.argv[1]), sys.argv[2]
target = int(mb * 1e6)
WORDS = ("the of and a to in is was that for it with as his on be at by had "
         "from this not but which are or have an they one were her all she "
         "there would their we him been has when who will more no if out so "
         "said what up its about into than them can only other new some time "
         "could these two may then do first any my now such like our over "
         "man me even most made after also did many before must through back "
         "years where much your way well down should because each just those "
         "people how too little state good very make world still own see men "
         "work long get here between both life being under never day same "
         "another know while last might us great old year off come since "
         "against go came right used take three").split()
seed = 12345


def rnd(n):
    global seed
    seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
    return (seed >> 8) % n


def words(n):
    return " ".join(WORDS[rnd(len(WORDS))] for _ in range(n))


def sentence(c, k, notes, refs):
    w = words(6 + rnd(10))
    r = rnd(12)
    if r == 0:
        w += " *" + words(2) + "*"
    elif r == 1:
        w += " **" + words(2) + "**"
    elif r == 2:
        w += " `" + words(1) + "()`"
    elif r == 3:
        w += " [" + words(2) + "](https://example.org/%d/%d)" % (c, k)
    elif r == 4:
        label = "r%d-%d" % (c, len(refs))
        refs.append(label)
        w += " [" + words(2) + "][" + label + "]"
    elif r == 5:
        label = "n%d-%d" % (c, len(notes))
        notes.append(label)
        w += "[^" + label + "]"
    elif r == 6:
        w += " ~~" + words(1) + "~~"
    elif r == 7:
        w += " https://example.com/%d" % k
    return w[0].upper() + w[1:] + "."


def paragraph(c, k, notes, refs):
    return " ".join(sentence(c, k * 10 + i, notes, refs) for i in range(4 + rnd(5))) + "\n\n"


def chapter(c):
    notes, refs, out = [], [], []
    out.append("# Chapter %d: %s\n\n" % (c, words(3)))
    for s in range(6):
        out.append("## %s\n\n" % ("Notes" if s == 5 else words(3).title()))
        for k in range(3 + rnd(3)):
            out.append(paragraph(c, s * 100 + k, notes, refs))
        r = rnd(6)
        if r == 0:
            for i in range(4):
                out.append("- %s\n" % words(5))
                if i % 2:
                    out.append("  - %s\n    - %s [ ]\n" % (words(4), words(3)))
            out.append("\n")
        elif r == 1:
            for i in range(1, 5):
                out.append("%d. %s\n" % (i, words(6)))
            out.append("\n- [ ] %s\n- [x] %s\n\n" % (words(3), words(3)))
        elif r == 2:
            out.append("```c\n")
            for i in range(6):
                out.append("int f%d(int x) { return x * %d; }\n" % (i, i))
            out.append("```\n\n")
        elif r == 3:
            out.append("| Name | Count | Note | Value |\n|:-----|------:|:----:|-------|\n")
            for i in range(6):
                out.append("| %s | %d | *%s* | %s |\n" % (words(1), rnd(1000), words(1),
                                                         words(2)))
            out.append("\n")
        elif r == 4:
            out.append("> %s\n> %s\n>\n> -- %s\n\n" % (words(10), words(8), words(2)))
        else:
            out.append("![%s](img/c%d-%d.png \"%s\")\n\n" % (words(2), c, s, words(2)))
    for label in refs:
        out.append("[%s]: https://example.net/%s \"%s\"\n" % (label, label, words(2)))
    out.append("\n")
    for label in notes:
        out.append("[^%s]: %s\n\n" % (label, words(8 + rnd(10))))
    return "".join(out)


size, c = 0, 0
with open(path, "w") as f:
    f.write("---\ntitle: A generated book\nauthor: Bench\n---\n\n")
    while size < target:
        c += 1
        ch = chapter(c)
        f.write(ch)
        size += len(ch)
EOF
}

# best N CMD...: runs CMD N times (stdout to /dev/null); prints
# "wall cpu peakKB" of the run with the least CPU time.
measure() {
  /usr/bin/time -f '%e %U %S %M %x' -o "$work/time" "$@" >/dev/null 2>"$work/err" || true
  read -r e u s m x <"$work/time"
  if [ "$x" != 0 ]; then
    echo "failed: $* ($(head -1 "$work/err"))" >&2
    echo "nan nan nan"
    return
  fi
  awk -v e="$e" -v u="$u" -v s="$s" -v m="$m" 'BEGIN {printf "%s %.2f %s\n", e, u + s, m}'
}

best() { # best FILE "wall cpu mem" -> keeps the lowest cpu
  if [ ! -s "$1" ]; then
    echo "$2" >"$1"
  else
    awk -v new="$2" '{split(new, a, " "); if (a[2] < $2) print new; else print}' \
      "$1" >"$1.n" && mv "$1.n" "$1"
  fi
}

printf '| %7s | %-9s | %7s | %7s | %9s | %12s |\n' "MB" "program" "wall s" "CPU s" \
  "peak MiB" "CPU × cmark"
printf '|%s|%s|%s|%s|%s|%s|\n' "---------" "-----------" "---------" "---------" \
  "-----------" "--------------"
for mb in $sizes; do
  md=$work/book-$mb.md
  [ -s "$md" ] || gen "$mb" "$md"
  rm -f "$work/g" "$work/c"
  for _ in $(seq "$runs"); do
    best "$work/g" "$(measure "$galley" -q -f markdown "$md" -t html -O max-parse-memory=0 -O max-nodes=100000000 -o -)"
    if [ -n "$cmark" ]; then
      best "$work/c" "$(measure "$cmark" -e footnotes -e table -e strikethrough \
        -e autolink -e tasklist "$md")"
    fi
  done
  real=$(stat -c %s "$md")
  read -r ge gc gm <"$work/g"
  cc=nan
  if [ -n "$cmark" ]; then
    read -r ce cc cm <"$work/c"
  fi
  awk -v mb="$real" -v ge="$ge" -v gc="$gc" -v gm="$gm" -v cc="$cc" 'BEGIN {
    r = (cc + 0 > 0) ? sprintf("%.2f", gc / cc) : "-"
    printf "| %7.1f | %-9s | %7s | %7s | %9.0f | %12s |\n", mb / 1e6, "galley", ge, gc, gm / 1024, r }'
  if [ -n "$cmark" ]; then
    awk -v mb="$real" -v ce="$ce" -v cc="$cc" -v cm="$cm" 'BEGIN {
      printf "| %7.1f | %-9s | %7s | %7s | %9.0f | %12s |\n", mb / 1e6, "cmark-gfm", ce, cc, cm / 1024, "1" }'
  fi
done
[ -n "$cmark" ] || echo "(cmark-gfm is not installed: no ratio)"
