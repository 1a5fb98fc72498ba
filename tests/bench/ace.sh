#!/bin/sh
# Bench (not a test): the corpus pages (../shared/corpora aeb/html and
# readability/*/source.html) converted to EPUB with --strip and checked with
# Ace by DAISY; prints, for each impact, the share of books with no violation
# of that impact, the share with none at all, and the rules that failed.
#
# Usage: tests/bench/ace.sh [BUILD] (default: build)
# Environment: GALLEY_CORPORA (default ../shared/corpora), GALLEY_ACE (the
# ace-cli program; default build-tools/ace/node_modules/.bin/ace-cli),
# BENCH_ACE_SAMPLE=N (check N pages spread evenly over the corpus instead of
# all: one book takes 10-20 s), BENCH_ACE_JOBS (parallel Ace runs, default 2).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
exe=$build/galley
corpora=${GALLEY_CORPORA:-$here/../shared/corpora}
ace=${GALLEY_ACE:-$here/build-tools/ace/node_modules/.bin/ace-cli}
jobs=${BENCH_ACE_JOBS:-2}
[ -x "$exe" ] || { echo "no galley at $exe" >&2; exit 2; }
[ -x "$ace" ] || { echo "no Ace at $ace (.ci/run installs it)" >&2; exit 2; }
[ -d "$corpora/aeb/html" ] || { echo "no corpora at $corpora" >&2; exit 2; }
export PUPPETEER_EXECUTABLE_PATH=${PUPPETEER_EXECUTABLE_PATH:-$(command -v chromium)}
export SOURCE_DATE_EPOCH=1700000000

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM
{
  ls "$corpora"/aeb/html/*.html
  ls "$corpora"/readability/*/source.html
} >"$out/pages"
total=$(wc -l <"$out/pages")
sample=${BENCH_ACE_SAMPLE:-$total}
# N pages spread evenly: page i*total/N for i = 0..N-1.
awk -v n="$sample" -v t="$total" 'BEGIN { for (i = 0; i < n && i < t; i++) want[int(i * t / n) + 1] = 1 }
  want[NR]' "$out/pages" >"$out/chosen"

i=0
while read -r page; do
  i=$((i + 1))
  name=$(printf 'p%03d' "$i")
  echo "$page" >"$out/$name.src"
  if ! "$exe" --strip -f html "$page" -o "$out/$name.epub" 2>"$out/$name.stderr"; then
    echo "convert failed: $page" >&2
    rm -f "$out/$name.epub"
  fi
done <"$out/chosen"

ls "$out"/*.epub | xargs -P "$jobs" -I{} sh -c '
  b=$(basename "{}" .epub)
  nice "$0" -s -f -o "$1/$b.report" "{}" >"$1/$b.ace.log" 2>&1' "$ace" "$out"

python3 - "$out" "$(wc -l <"$out/chosen")" "$total" <<'EOF'
import glob, json, os, sys
out, chosen, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
impacts = ["critical", "serious", "moderate", "minor"]
books = 0
clean = {i: 0 for i in impacts}
clean_all = 0
rules = {}
failed = []
for rep in sorted(glob.glob(os.path.join(out, "p*.report", "report.json"))):
    name = os.path.basename(os.path.dirname(rep))[:-7]
    src = open(os.path.join(out, name + ".src")).read().strip()
    books += 1
    seen = set()
    for doc in json.load(open(rep)).get("assertions", []):
        for t in doc.get("assertions", []):
            if t.get("earl:result", {}).get("earl:outcome") != "fail":
                continue
            imp = t["earl:test"].get("earl:impact", "?")
            title = t["earl:test"].get("dct:title", "?")
            seen.add(imp)
            rules.setdefault((imp, title), set()).add(src)
    for i in impacts:
        clean[i] += i not in seen
    clean_all += not seen
    if seen:
        failed.append(src)
reports = books
missing = len(glob.glob(os.path.join(out, "p*.epub"))) - reports
print("Ace by DAISY on %d of %d corpus pages (--strip, EPUB): %d reports%s"
      % (chosen, total, reports, ", %d runs without a report" % missing if missing else ""))
for i in impacts:
    print("  no %-8s violation: %3d/%d (%.1f%%)" % (i, clean[i], books, 100.0 * clean[i] / max(books, 1)))
print("  no violation at all:  %3d/%d (%.1f%%)" % (clean_all, books, 100.0 * clean_all / max(books, 1)))
for (imp, title), pages in sorted(rules.items(), key=lambda kv: -len(kv[1])):
    print("  %-9s %-40s %d pages, e.g. %s" % (imp, title, len(pages), sorted(pages)[0]))
EOF
