#!/bin/sh
# Ace by DAISY (EPUB Accessibility 1.1, WCAG 2.x AA with axe-core inside) on
# galley's EPUBs: the README's sample, the epub format's own fixtures one by
# one, and the other fixtures that convert as the chapters of a digest (one
# Ace run per book costs 10-20 s, most of it starting Chromium, and about 3 s
# a chapter). Any violation of any impact
# fails. Exits 77 (skipped) when Ace, node or Chromium is absent.
#
# Ace is found at $GALLEY_ACE (the ace-cli program), else in the build-tools/
# folder .ci/run installs it in (build-tools/ace/node_modules/.bin/ace-cli),
# else ace-cli on PATH. Chromium: $PUPPETEER_EXECUTABLE_PATH, else chromium on PATH.
# Two Ace runs at a time at most (the machine is shared).
set -u
exe=${GALLEY_EXE:?GALLEY_EXE is not set}
fixtures=${GALLEY_FIXTURES:?GALLEY_FIXTURES is not set}
root=$(cd "$fixtures/.." && pwd)
ace=${GALLEY_ACE:-}
if [ -z "$ace" ]; then
  for c in "$root/build-tools/ace/node_modules/.bin/ace-cli" \
    "${HOME:-/nonexistent}/.cache/galley-ci/ace/node_modules/.bin/ace-cli"; do
    [ -x "$c" ] && ace=$c && break
  done
fi
[ -n "$ace" ] || ace=$(command -v ace-cli 2>/dev/null || true)
if [ -z "$ace" ] || [ ! -x "$ace" ]; then
  echo "Ace by DAISY is not installed (GALLEY_ACE, build-tools/ace); skipping"
  exit 77
fi
if ! command -v node >/dev/null 2>&1; then
  echo "node is not installed; skipping"
  exit 77
fi
chromium=${PUPPETEER_EXECUTABLE_PATH:-$(command -v chromium 2>/dev/null || true)}
if [ -z "$chromium" ] || [ ! -x "$chromium" ]; then
  echo "chromium is not installed; skipping"
  exit 77
fi
export PUPPETEER_EXECUTABLE_PATH="$chromium"
py=$(command -v python3 || true)
if [ -z "$py" ]; then
  echo "python3 is not installed; skipping"
  exit 77
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM
failed=0
# Fixed times: the same books every run.
export SOURCE_DATE_EPOCH=1700000000

conv() { # name, galley arguments...
  name=$1
  shift
  if ! "$exe" "$@" -o "$out/$name.epub" 2>"$out/$name.stderr"; then
    echo "FAIL convert $name: $(cat "$out/$name.stderr")"
    failed=$((failed + 1))
    rm -f "$out/$name.epub"
  fi
}

# The README's Quick start, exactly.
conv sample --strip "$fixtures/sample/article.html"
conv epub-article "$fixtures/epub/article.md"
conv epub-chapters "$fixtures/epub/chapters.md"
conv epub-page -O epub.cover=auto "$fixtures/epub/page.html"

# Fixtures that convert on their own go into digests: by default up to
# two of each fixture folder in one digest (about 20 files; every fixture
# took 6 minutes on a loaded machine), with GALLEY_ACE_ALL=1 every fixture,
# split into two digests.
per=${GALLEY_ACE_PER_FOLDER:-2}
[ "${GALLEY_ACE_ALL:-0}" = 1 ] && per=100000
n=0
: >"$out/a.list"
: >"$out/b.list"
for dir in $(find "$fixtures" -mindepth 1 -maxdepth 1 -type d | sort); do
  case $(basename "$dir") in sample | epub) continue ;; esac # checked above
  k=0
  for f in $(find "$dir" -type f \( -name '*.md' -o -name '*.html' -o \
    -name '*.txt' -o -name '*.gmi' \) | sort); do
    [ "$k" -lt "$per" ] || break
    "$exe" -t epub "$f" -o "$out/probe.epub" 2>/dev/null || continue
    k=$((k + 1))
    n=$((n + 1))
    if [ "${GALLEY_ACE_ALL:-0}" = 1 ] && [ $((n % 2)) -eq 0 ]; then
      echo "$f" >>"$out/b.list"
    else
      echo "$f" >>"$out/a.list"
    fi
  done
done
rm -f "$out/probe.epub"
for part in a b; do
  [ -s "$out/$part.list" ] || continue
  # shellcheck disable=SC2046
  conv "digest-$part" -t epub -M "title=Fixtures ($part)" $(cat "$out/$part.list")
done
echo "$n fixtures in digests; checking $(ls "$out"/*.epub | wc -l) books with Ace"

ls "$out"/*.epub | xargs -P 2 -I{} sh -c '
  b=$(basename "{}" .epub)
  "$0" -s -f -o "$1/$b.report" "{}" >"$1/$b.ace.log" 2>&1
  echo "exit $?" >>"$1/$b.ace.log"' "$ace" "$out"

for book in "$out"/*.epub; do
  b=$(basename "$book" .epub)
  if [ ! -f "$out/$b.report/report.json" ]; then
    echo "FAIL $b: Ace wrote no report"
    tail -5 "$out/$b.ace.log"
    failed=$((failed + 1))
    continue
  fi
  if ! "$py" - "$out/$b.report/report.json" "$b" <<'EOF'; then
import json, sys
report = json.load(open(sys.argv[1]))
bad = 0
by = {}
for doc in report.get("assertions", []):
    url = doc.get("earl:testSubject", {}).get("url", "?")
    for t in doc.get("assertions", []):
        test = t.get("earl:test", {})
        res = t.get("earl:result", {})
        if res.get("earl:outcome") != "fail":
            continue
        bad += 1
        impact = test.get("earl:impact", "?")
        by[impact] = by.get(impact, 0) + 1
        print("  %s %s %s: %s %s" % (impact, test.get("dct:title"), url,
              res.get("dct:description", "")[:200], res.get("html", "")[:200]))
docs = len(report.get("assertions", []))
print("%s: %d documents, %d violations %s" % (sys.argv[2], docs, bad, by or ""))
sys.exit(1 if bad else 0)
EOF
    failed=$((failed + 1))
  fi
done
if [ "$failed" -gt 0 ]; then
  echo "FAIL: $failed books with violations or errors"
  exit 1
fi
echo "every book is clean in Ace"
