#!/usr/bin/env bash
# Web archives end to end (issue 21): .warc and .warc.gz inputs as
# collections, --jsonl over them, --warc-offset, and every fixture of
# fixtures/warc (written by its make.py) with its expected outcome.
# Prints TAP.
set -u
galley=${GALLEY_EXE:?}
fx=${GALLEY_FIXTURES:?}/warc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/# /'; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }
offset() { awk -v f="$1" -v u="$2" '$1 == f && $3 == u { print $2; exit }' "$fx/offsets.txt"; }
nth_offset() { awk -v f="$1" -v u="$2" -v k="$3" '$1 == f && $3 == u && ++i == k { print $2; exit }' "$fx/offsets.txt"; }

# The fixtures are what make.py writes, byte for byte.
python3 "$fx/make.py" "$work" 2>/dev/null
same=1
for f in "$fx"/*.warc "$fx"/*.warc.gz "$fx/offsets.txt"; do
  cmp -s "$f" "$work/$(basename "$f")" || same=0
done
check "fixtures/warc are make.py's output" '[ $same = 1 ]'

for f in crawl-1.0.warc crawl-1.1.warc.gz; do
  out=$work/out-$f
  "$galley" -t markdown -o "$out/" "$fx/$f" 2> "$work/err"
  rc=$?
  check "$f: exit 0" '[ $rc = 0 ]' "$(cat "$work/err")"
  check "$f: six documents, the other records counted by kind" \
    'grep -q "6 documents, 6 records skipped (1 request, 1 revisit, 1 metadata, 1 warcinfo, 1 not HTTP 200, 1 of a type no reader takes), 0 bad" "$work/err"' \
    "$(cat "$work/err")"
  check "$f: six outputs named from their URIs" \
    '[ "$(ls "$out" | wc -l)" = 6 ] && ls "$out"/story-two-*.md "$out"/cafe-*.md "$out"/story-three-*.md >/dev/null' "$(ls "$out")"
  check "$f: one URI captured twice gives two outputs" \
    '[ "$(ls "$out"/story-one-*.md | wc -l)" = 2 ] && grep -lq "captured again" "$out"/story-one-*.md'
  check "$f: the charset only in the HTTP header decodes the page" \
    'grep -q "^# Café story" "$out"/cafe-*.md && grep -q "Crème brûlée" "$out"/cafe-*.md' "$(cat "$out"/cafe-*.md)"
  check "$f: a KOI8-R charset only in the HTTP header decodes the page" \
    'grep -q "^# Привет, мир" "$out"/privet-*.md && grep -q "Статья о кошках" "$out"/privet-*.md' "$(cat "$out"/privet-*.md)"
  check "$f: chunked and gzip-encoded payload decoded" \
    'grep -q "came chunked and gzipped" "$out"/story-two-*.md'
  check "$f: deflate-encoded payload decoded" \
    'grep -q "came deflated" "$out"/story-three-*.md'
  check "$f: relative links resolve against WARC-Target-URI" \
    'grep -qF "(https://example.org/food/next.html)" "$out"/cafe-*.md'
  ls "$out" > "$work/names-$f"
  # Stable: a second run names the same outputs and finds them up to date.
  "$galley" -t markdown -o "$out/" "$fx/$f" 2> "$work/err2"
  check "$f: a second run is up to date, same names" \
    'grep -q "0 converted, 6 up to date" "$work/err2" && [ "$(ls "$out")" = "$(cat "$work/names-$f")" ]' "$(cat "$work/err2")"
done
a=$work/out-crawl-1.0.warc b=$work/out-crawl-1.1.warc.gz
check "WARC/1.0 plain and WARC/1.1 gzip give the same documents" \
  'for x in cafe privet story-two story-three; do cmp -s "$a"/$x-*.md "$b"/$x-*.md || exit 1; done'

# A .warc.gz compressed whole: one gzip member of many records.
python3 -c 'import gzip, sys; sys.stdout.buffer.write(gzip.compress(open(sys.argv[1], "rb").read()))' \
  "$fx/crawl-1.0.warc" > "$work/whole.warc.gz"
"$galley" -t markdown -o "$work/whole/" "$work/whole.warc.gz" 2> "$work/err"
rc=$?
check "a .warc.gz compressed whole: every record of its one member, as in the .warc" \
  '[ $rc = 0 ] && for x in cafe privet story-two story-three; do cmp -s "$a"/$x-*.md "$work/whole"/$x-*.md || exit 1; done' "$(cat "$work/err")"
"$galley" -t markdown -o "$work/trunc/" "$fx/truncated.warc.gz" 2> "$work/err"
rc=$?
o=$(offset truncated.warc.gz https://example.org/news/story-two)
check "truncated last member: reported with its offset, exit 1" \
  '[ $rc = 1 ] && grep -q "truncated.warc.gz: record at offset $o: gzip member cut short" "$work/err"' "$(cat "$work/err")"
check "truncated last member: the record before it converted" \
  '[ "$(ls "$work/trunc")" = "$(cd "$work/trunc" && ls story-one-*.md)" ]' "$(ls "$work/trunc")"

"$galley" -t markdown -o "$work/corrupt/" "$fx/corrupt.warc.gz" 2> "$work/err"
rc=$?
o=$(offset corrupt.warc.gz https://example.org/news/story-one.html)
o=$(nth_offset corrupt.warc.gz https://example.org/news/story-one.html 2)
check "corrupt member: reported with its offset, exit 1" \
  '[ $rc = 1 ] && grep -q "corrupt.warc.gz: record at offset $o: corrupt gzip data" "$work/err"' "$(cat "$work/err")"
check "corrupt member: the walk goes on to the next member" \
  'grep -q "came chunked" "$work/corrupt"/story-two-*.md'

for f in limit.warc limit.warc.gz; do
  "$galley" -t markdown --max-input-size 4K -o "$work/lim-$f/" "$fx/$f" 2> "$work/err"
  rc=$?
  check "$f: the record over --max-input-size refused, exit 1" \
    '[ $rc = 1 ] && grep -q "record at offset 0: 10206 bytes, over the input size limit of 4096 bytes" "$work/err"' "$(cat "$work/err")"
  check "$f: the record under the limit converted" \
    '[ "$(ls "$work/lim-$f")" = "$(cd "$work/lim-$f" && ls small-*.md)" ]'
  "$galley" -t markdown -o "$work/nolim-$f/" "$fx/$f" 2> /dev/null
  check "$f: without the limit both convert" '[ "$(ls "$work/nolim-$f" | wc -l)" = 2 ]'
done

# Random access.
o=$(offset crawl-1.1.warc.gz https://example.org/food/cafe.html)
"$galley" -t markdown --warc-offset "$o" "$fx/crawl-1.1.warc.gz" > "$work/one.md" 2> "$work/err"
rc=$?
check "--warc-offset converts the one record there" \
  '[ $rc = 0 ] && [ "$(head -1 "$work/one.md")" = "# Café story" ]' "$(cat "$work/err")"
o=$(offset crawl-1.0.warc https://example.org/news/story-two)
"$galley" -t markdown --warc-offset "$o" "$fx/crawl-1.0.warc" -o "$work/two.md" 2> "$work/err"
check "--warc-offset in a plain WARC, to a file" \
  'grep -q "came chunked" "$work/two.md"' "$(cat "$work/err")"
"$galley" -t html --warc-offset "$o" "$fx/crawl-1.0.warc" > "$work/two.html" 2> /dev/null
check "WARC-Date is the fetch date: <meta name=\"fetched\">, not the article's date" \
  'grep -qF "<meta name=\"fetched\" content=\"2024-05-01T12:00:00Z\">" "$work/two.html" && ! grep -q "name=\"date\"" "$work/two.html"' "$(head -20 "$work/two.html")"
o=$(nth_offset crawl-1.1.warc.gz https://example.org/news/story-one.html 1)
"$galley" -t markdown --warc-offset "$o" "$fx/crawl-1.1.warc.gz" > "$work/req" 2> "$work/err"
rc=$?
check "--warc-offset at a request record: exit 1, one line, no output" \
  '[ $rc = 1 ] && [ ! -s "$work/req" ] && [ "$(wc -l < "$work/err")" = 1 ] && grep -q "not a response record" "$work/err"' "$(cat "$work/err")"
"$galley" -t markdown --warc-offset 7 "$fx/crawl-1.1.warc.gz" > "$work/req" 2> "$work/err"
rc=$?
check "--warc-offset where no record starts: exit 1, no output" \
  '[ $rc = 1 ] && [ ! -s "$work/req" ] && grep -q "crawl-1.1.warc.gz" "$work/err"' "$(cat "$work/err")"

"$galley" -t markdown "$fx/crawl-1.1.warc.gz" > /dev/null 2> "$work/err"
rc=$?
check "a web archive without -o OUTDIR is a usage error" \
  '[ $rc = 2 ] && grep -q "needs -o OUTDIR" "$work/err"'

# --jsonl over web archives.
"$galley" --jsonl -t text "$fx/crawl-1.1.warc.gz" > "$work/out.jsonl" 2> "$work/err"
rc=$?
check "--jsonl over a .warc.gz: exit 0, six records" \
  '[ $rc = 0 ] && [ "$(wc -l < "$work/out.jsonl")" = 6 ]' "$(cat "$work/err")"
check "--jsonl records carry url, warc_record_id, warc_date" \
  'python3 -c "
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert all(r[\"error\"] is None for r in rs)
assert [r[\"url\"] for r in rs] == [\"https://example.org/news/story-one.html\", \"https://example.org/news/story-two\", \"https://example.org/food/cafe.html\", \"https://example.org/ru/privet.html\", \"https://example.org/news/story-three.html\", \"https://example.org/news/story-one.html\"], rs
assert all(r[\"warc_record_id\"].startswith(\"<urn:uuid:\") and r[\"warc_date\"] == \"2024-05-01T12:00:00Z\" for r in rs)
assert rs[2][\"content\"].startswith(\"Café story\")
assert rs[2][\"metadata\"][\"url\"] == \"https://example.org/food/cafe.html\"
assert all(r[\"metadata\"][\"fetched\"] == \"2024-05-01T12:00:00Z\" for r in rs)
" "$work/out.jsonl"'
"$galley" --jsonl -t text "$fx/crawl-1.0.warc" > "$work/out10.jsonl" 2> /dev/null
check "--jsonl: the same content from WARC/1.0 and WARC/1.1" \
  '[ "$(python3 -c "import json,sys; print([json.loads(l)[\"content\"] for l in open(sys.argv[1])])" "$work/out10.jsonl")" = "$(python3 -c "import json,sys; print([json.loads(l)[\"content\"] for l in open(sys.argv[1])])" "$work/out.jsonl")" ]'
"$galley" --jsonl -t text "$fx/corrupt.warc.gz" > "$work/bad.jsonl" 2> "$work/err"
rc=$?
check "--jsonl: a corrupt record answers with an error and the rest go on" \
  '[ $rc = 1 ] && python3 -c "
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert [bool(r[\"error\"]) for r in rs] == [True, False], rs
assert \"record at offset 413: corrupt gzip data\" in rs[0][\"error\"]
" "$work/bad.jsonl"' "$(cat "$work/bad.jsonl" "$work/err")"
"$galley" --jsonl -t text --max-input-size 4K "$fx/limit.warc.gz" > "$work/lim.jsonl" 2> /dev/null
rc=$?
check "--jsonl: a record over --max-input-size answers with an error, the next converts" \
  '[ $rc = 1 ] && python3 -c "
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert \"over the input size limit of 4096 bytes\" in rs[0][\"error\"], rs
assert rs[0][\"url\"] == \"https://example.org/big.html\"
assert rs[1][\"error\"] is None and \"A small one.\" in rs[1][\"content\"]
" "$work/lim.jsonl"' "$(cat "$work/lim.jsonl")"
o=$(offset crawl-1.1.warc.gz https://example.org/news/story-three.html)
"$galley" --jsonl -t text --warc-offset "$o" "$fx/crawl-1.1.warc.gz" > "$work/one.jsonl" 2> /dev/null
check "--jsonl --warc-offset: the one record" \
  '[ "$(wc -l < "$work/one.jsonl")" = 1 ] && grep -q "came deflated" "$work/one.jsonl" && grep -q "\"warc_offset\":$o" "$work/one.jsonl"'
"$galley" --jsonl -t text "$fx/make.py" > /dev/null 2> "$work/err"
rc=$?
check "--jsonl with an input that is no web archive: usage error" '[ $rc = 2 ]'

echo "1..$n"
[ $failed = 0 ]
