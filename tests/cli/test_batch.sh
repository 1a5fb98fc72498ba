#!/usr/bin/env bash
# Batch conversion end to end: a few hundred files (the corpora when they
# are there, fixtures always) plus generated broken ones; summary and exit
# code; same bytes for -j 1 and -j 4; incremental re-runs; Ctrl-C safety.
# Prints TAP.
set -u
galley=${1:?usage: test_batch.sh GALLEY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ $# -gt 1 ] && printf '# %s\n' "$2"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }

in=$work/in
mkdir -p "$in/fixtures" "$in/broken"
# Fixtures we wrote: every file whose format a reader claims.
src=${GALLEY_SOURCE_ROOT:-.}/fixtures
find "$src" -type f \( -name '*.txt' -o -name '*.md' -o -name '*.html' -o -name '*.xml' \) \
  -size -2M | head -300 | while read -r f; do
  rel=${f#"$src"/}
  mkdir -p "$in/fixtures/$(dirname "$rel")"
  cp "$f" "$in/fixtures/$rel"
done
corpus=${GALLEY_CORPORA:-}
if [ -n "$corpus" ] && [ -d "$corpus/aeb/html" ]; then
  mkdir -p "$in/aeb"
  # GALLEY_CORPUS_SAMPLE=N takes every Nth page (the ASan run of .ci/run:
  # the same code paths at a quarter of the cost).
  every=${GALLEY_CORPUS_SAMPLE:-1}
  i=0
  for f in "$corpus"/aeb/html/*.html; do
    [ $((i % every)) -eq 0 ] && cp "$f" "$in/aeb/"
    i=$((i + 1))
  done
  if [ "$every" -gt 1 ]; then
    echo "# corpus: $(ls "$in/aeb" | wc -l) AEB pages added (one in $every)"
  else
    echo "# corpus: $(ls "$in/aeb" | wc -l) AEB pages added"
  fi
else
  echo "# corpus: absent, batch of fixtures only"
fi
# Broken files of every kind.
: > "$in/broken/empty.md"
head -c 3000 /dev/urandom > "$in/broken/binary.html"
printf 'PK\003\004truncated' > "$in/broken/truncated.epub"
printf '\xff\xfe not utf-8 \xc3\x28\n' > "$in/broken/bad-utf8.txt"
printf '<document xmlns="urn:galley:tree:1"><nope/></document>' > "$in/broken/bad.xml"
ln -s "$work/does-not-exist" "$in/broken/dangling.md"
head -c 2000 /dev/urandom > "$in/broken/noise.bin"     # no reader claims it

# Which readers exist decides what counts as good; ask the converter.
"$galley" --list-formats --json > "$work/formats.json"
count_outputs() { find "$1" -type f ! -name '.galley-*' | wc -l; }

"$galley" -r -j 2 -t xml -o "$work/out1/" "$in" 2> "$work/err1"
rc=$?
summary=$(tail -n 1 "$work/err1")
echo "# $summary"
check "a batch with broken files exits 1" '[ $rc -eq 1 ]' "rc=$rc"
check "the summary is the last line" '[[ "$summary" =~ ^galley:\ [0-9]+\ converted,\ [0-9]+\ up\ to\ date,\ [0-9]+\ skipped,\ [0-9]+\ failed\ in ]]'
conv=$(sed -E 's/^galley: ([0-9]+) converted.*/\1/' <<<"$summary")
fail=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
skip=$(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$summary")
outs=$(count_outputs "$work/out1")
check "every converted file has an output ($conv)" '[ "$outs" -eq "$conv" ]' "outputs=$outs converted=$conv"
check "the unclaimed binary file is skipped" '[ "$skip" -ge 1 ]'
check "the dangling link and the bad xml fail" '[ "$fail" -ge 2 ]' "failed=$fail"
check "failures are reported one line each, naming the file" \
  'grep -q "broken/dangling.md: " "$work/err1" && grep -q "broken/bad.xml: " "$work/err1"'
check "no temporary file is left" '[ -z "$(find "$work/out1" -name ".*.??????")" ]'
check "the folder structure is mirrored" '[ -d "$work/out1/fixtures" ] && [ -d "$work/out1/broken" ]'
bad_outputs=0
for f in $(find "$work/out1" -name '*.xml'); do
  xmllint --noout "$f" 2>/dev/null || bad_outputs=$((bad_outputs + 1))
done
check "every output is complete" '[ $bad_outputs -eq 0 ]' "incomplete=$bad_outputs"

"$galley" -r -j 1 -q -t xml -o "$work/j1/" "$in" 2>/dev/null
"$galley" -r -j 4 -q -t xml -o "$work/j4/" "$in" 2>/dev/null
check "the same bytes with -j 1 and -j 4" 'diff -r -x '.galley-*' "$work/j1" "$work/j4" >/dev/null'

"$galley" -r -j 2 -t xml -o "$work/out1/" "$in" 2> "$work/err2"
again=$(tail -n 1 "$work/err2")
echo "# rerun: $again"
check "a re-run of a finished batch converts nothing" '[[ "$again" =~ ^galley:\ 0\ converted,\ $conv\ up\ to\ date ]]'
"$galley" -r -j 2 -t xml -O resources=reference -o "$work/out1/" "$in" 2> "$work/err3"
changed=$(tail -n 1 "$work/err3")
check "changed options make every output out of date" '[[ "$changed" =~ ^galley:\ $conv\ converted ]]' "$changed"
touch "$in/broken/empty.md"
"$galley" -r -j 2 -t xml -O resources=reference -o "$work/out1/" "$in" 2> "$work/err4"
check "a touched input is converted again, alone" '[[ "$(tail -n 1 "$work/err4")" =~ ^galley:\ 1\ converted ]]' "$(tail -n 1 "$work/err4")"
"$galley" -r --force -q -t xml -O resources=reference -o "$work/out1/" "$in" 2>/dev/null
check "--force converts up-to-date files" '[ "$(find "$work/out1" -newer "$in/broken/empty.md" -name "*.xml" | wc -l)" -eq "$conv" ]'

mkdir -p "$work/coll"
printf '# A\n' > "$work/coll/a.md"
printf '<document xmlns="urn:galley:tree:1"/>' > "$work/coll/a.xml"
"$galley" -t xml -o "$work/coll-out/" "$work/coll" 2> "$work/err5"
rc=$?
check "two inputs that would write one output are both refused" \
  '[ $rc -eq 1 ] && [ "$(grep -c "would also be written" "$work/err5")" -eq 2 ] && [ ! -e "$work/coll-out/a.xml" ]'

"$galley" --fail-fast -j 1 -t xml -o "$work/ff/" "$in/broken" 2> "$work/err6"
check "--fail-fast stops at the first failure" 'grep -q "not started" "$work/err6"'

# Site templates: a block that repeats on most pages of one folder is
# stripped in a batch, though each page alone would keep it.
if "$galley" --list-transforms | grep -q '^boilerplate '; then
  mkdir -p "$work/site"
  for i in 1 2 3 4 5; do
    cat > "$work/site/page$i.html" <<HTML
<!DOCTYPE html><html lang="en"><head><title>Story number $i</title></head><body>
<div class="wrap"><div class="content"><h1>Story number $i</h1>
<p>This is the opening paragraph of story $i, which tells the reader about event $i in the town, with details that differ from page to page and a quote from resident number $i.</p>
<p>The second paragraph of story $i continues the account with more facts: the council met on day $i, discussed item $i at length, and agreed to return to it next month.</p>
<div class="note"><p>Our small newsroom is funded by readers, and every contribution helps our reporters cover the stories that matter to the valley.</p></div>
<p>A third paragraph of story $i closes the piece with what happens next and where readers can learn more about the plans for the harbour in season $i.</p>
</div></div></body></html>
HTML
  done
  "$galley" --strip -t text "$work/site/page2.html" > "$work/single.txt"
  "$galley" -q --strip -t text -o "$work/site-out/" "$work/site"
  check "a page alone keeps the repeated block" 'grep -q newsroom "$work/single.txt"'
  check "a batch of the site strips the repeated block from every page" \
    '[ "$(cat "$work"/site-out/*.txt | grep -c newsroom)" -eq 0 ]'
  check "a batch of the site keeps every page's own paragraphs" \
    '[ "$(cat "$work"/site-out/*.txt | grep -c "paragraph of story")" -eq 15 ]'

  # One parse per page: the first pass keeps each page's tree for its
  # conversion when its first bytes show three pages or more of its site
  # (here: five pages of one folder, none naming a canonical URL); past
  # GALLEY_BATCH_MEMORY a page is read again, with the same bytes out
  # whatever the budget and the number of threads.
  "$galley" -v --strip -t text -o "$work/site-one/" "$work/site" 2> "$work/err-one"
  GALLEY_BATCH_MEMORY=0 "$galley" -v --strip -t text -o "$work/site-two/" "$work/site" 2> "$work/err-two"
  GALLEY_BATCH_MEMORY=20K "$galley" -v -j 4 --strip -t text -o "$work/site-part/" "$work/site" 2> "$work/err-part"
  check "a --strip batch parses each page once" \
    'grep -q "5 pages of 1 site learnt from; 0 converted at once (.*), 0 of them again with their site.s template; 5 kept parsed for their conversion, 0 read again" "$work/err-one"'
  check "past GALLEY_BATCH_MEMORY the pages are read again" \
    'grep -q "5 pages of 1 site learnt from; 0 converted at once (.*), 0 of them again with their site.s template; 0 kept parsed for their conversion, 5 read again" "$work/err-two"'
  check "one pass, two passes and a budget for some pages give the same bytes" \
    'diff -r -x ".galley-*" "$work/site-one" "$work/site-two" >/dev/null &&
     diff -r -x ".galley-*" "$work/site-one" "$work/site-part" >/dev/null &&
     ! grep -q newsroom "$work"/site-two/*.txt && ! grep -q newsroom "$work"/site-part/*.txt' \
    "$(grep 'pages of' "$work/err-part")"
  "$galley" -q --strip -O boilerplate.template=false -t text -o "$work/site-off/" "$work/site"
  check "-O boilerplate.template=false strips each page alone" \
    '[ "$(cat "$work"/site-off/*.txt | grep -c newsroom)" -eq 5 ]'
  GALLEY_BATCH_MEMORY=lots "$galley" --strip -t text -o "$work/site-bad/" "$work/site" 2> "$work/err-bad"
  rc=$?
  check "a GALLEY_BATCH_MEMORY that is not a size exits 2 with one line" \
    '[ $rc -eq 2 ] && [ "$(wc -l < "$work/err-bad")" -eq 1 ] && grep -q "GALLEY_BATCH_MEMORY=lots" "$work/err-bad"'

  # Sites: pages are grouped by the host of their canonical URL (or
  # og:url), else by folder. Two sites in one folder learn a template
  # each (each block is on half the folder's pages: too few for one
  # template of the folder); one site in two folders learns one.
  mkdir -p "$work/sites" "$work/spread/a" "$work/spread/b"
  for i in 1 2 3 4 5 6; do
    if [ $i -le 3 ]; then
      head="<link rel=canonical href=\"https://www.news.example/story$i\">"
      box="Our small newsroom is funded by readers, and every contribution helps our reporters cover the stories that matter to the valley."
    else
      head="<meta property=\"og:url\" content=\"https://shop.example:8080/item$i\">"
      box="Free delivery on every order over fifty pounds, and returns are free within thirty days of the day your parcel arrives."
    fi
    cat > "$work/sites/page$i.html" <<HTML
<!DOCTYPE html><html lang="en"><head><title>Story number $i</title>$head</head><body>
<div class="wrap"><div class="content"><h1>Story number $i</h1>
<p>This is the opening paragraph of story $i, which tells the reader about event $i in the town, with details that differ from page to page and a quote from resident number $i.</p>
<p>The second paragraph of story $i continues the account with more facts: the council met on day $i, discussed item $i at length, and agreed to return to it next month.</p>
<div class="note"><p>$box</p></div>
<p>A third paragraph of story $i closes the piece with what happens next and where readers can learn more about the plans for the harbour in season $i.</p>
</div></div></body></html>
HTML
  done
  cp "$work/sites/page1.html" "$work/spread/a/"
  cp "$work/sites/page2.html" "$work/sites/page3.html" "$work/spread/b/"
  "$galley" -v --strip -t text -o "$work/sites-out/" "$work/sites" 2> "$work/err-sites"
  check "two sites in one folder learn a template each" \
    '[ "$(cat "$work"/sites-out/*.txt | grep -c -e newsroom -e "Free delivery")" -eq 0 ] &&
     [ "$(cat "$work"/sites-out/*.txt | grep -c "paragraph of story")" -eq 18 ] &&
     grep -q "6 pages of 2 sites" "$work/err-sites"' "$(cat "$work/err-sites" | grep -v converted)"
  # Two sites of two pages each: no template for either, so every page is
  # converted in the first pass and none is kept; the same bytes as each
  # page stripped alone.
  mkdir -p "$work/small"
  cp "$work/sites/page1.html" "$work/sites/page2.html" "$work/sites/page4.html" "$work/sites/page5.html" "$work/small/"
  "$galley" -v --strip -t text -o "$work/small-out/" "$work/small" 2> "$work/err-small"
  for i in 1 2 4 5; do "$galley" --strip -t text "$work/small/page$i.html" > "$work/small-alone$i.txt"; done
  check "pages of sites under three pages are converted in the first pass, as alone" \
    'grep -q "4 pages of 2 sites learnt from; 4 converted at once (.*), 0 of them again with their site.s template; 0 kept parsed" "$work/err-small" &&
     ( for i in 1 2 4 5; do cmp -s "$work/small-out/page$i.txt" "$work/small-alone$i.txt" || exit 1; done )' \
    "$(grep 'pages of' "$work/err-small")"
  "$galley" -q -r --strip -t text -o "$work/spread-out/" "$work/spread"
  check "one site in two folders learns one template" \
    '[ "$(cat "$work"/spread-out/*/*.txt | grep -c newsroom)" -eq 0 ] &&
     [ "$(cat "$work"/spread-out/*/*.txt | grep -c "paragraph of story")" -eq 9 ]'
  # A guess that misses: the canonical link past the 32 KiB the guess
  # reads (after a long inline style), so each folder seems a site of one
  # or two pages and the first two are converted at once; the first pass
  # finds one site of three, and those two are converted again with its
  # template: the same bytes as when the guess sees the link.
  mkdir -p "$work/late/a" "$work/late/b"
  pad=$(head -c 40000 /dev/zero | tr '\0' 'x')
  for f in spread/a/page1 spread/b/page2 spread/b/page3; do
    sed "s|<head>|<head><style>/* $pad */</style>|" "$work/$f.html" > "$work/late/${f#spread/}.html"
  done
  "$galley" -v -r --strip -t text -o "$work/late-out/" "$work/late" 2> "$work/err-late"
  check "pages whose site the guess missed are converted again with the template" \
    'grep -q "3 pages of 1 site learnt from; 2 converted at once (.*), 2 of them again with their site.s template; 1 kept" "$work/err-late" &&
     diff -r -x ".galley-*" "$work/late-out" "$work/spread-out" >/dev/null' \
    "$(grep 'pages of' "$work/err-late")"
else
  echo "# boilerplate transform not loaded: site template checks not run"
fi

# --jsonl: records in, records out, in order, errors per record.
{
  printf '%s\n' '{"id": 1, "url": "https://example.org/a", "format": "markdown", "content": "# Alpha\n\nFirst *record*."}'
  printf '%s\n' 'this line is not JSON'
  printf '%s\n' '{"id": "three", "format": "nope", "content": "x"}'
  printf '\n'
  printf '%s\n' '{"id": 4, "format": "markdown", "content": "---\ntitle: Four\nauthor: [A, B]\n---\n\nBody four."}'
} > "$work/in.jsonl"
"$galley" --jsonl -j 2 -t text < "$work/in.jsonl" > "$work/out.jsonl" 2> "$work/jsonl.err"
rc=$?
check "--jsonl exits 1 when a record failed" '[ $rc -eq 1 ]' "rc=$rc"
python3 - "$work/out.jsonl" > "$work/jsonl.check" 2>&1 <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 4, len(recs)
assert [r.get("id") for r in recs] == [1, None, "three", 4], [r.get("id") for r in recs]
assert recs[0]["error"] is None and "Alpha" in recs[0]["content"], recs[0]
assert recs[0]["metadata"]["url"] == "https://example.org/a", recs[0]["metadata"]
assert "not a JSON object" in recs[1]["error"], recs[1]
assert "no reader for format 'nope'" in recs[2]["error"], recs[2]
assert recs[3]["metadata"]["title"] == "Four", recs[3]["metadata"]
assert recs[3]["metadata"]["author"] == ["A", "B"], recs[3]["metadata"]
assert "Body four." in recs[3]["content"]
print("records ok")
PY
check "--jsonl answers every record in order, with content, metadata or an error" \
  'grep -q "records ok" "$work/jsonl.check"' "$(cat "$work/jsonl.check")"
if "$galley" --list-formats | grep -q '^epub '; then
  printf '%s\n' '{"id": 1, "format": "markdown", "content": "# E\n\nbook"}' |
    "$galley" --jsonl -t epub > "$work/epub.jsonl"
  check "--jsonl gives binary output as content_base64" \
    'python3 -c "import json,sys,base64; r=json.load(open(sys.argv[1])); assert base64.b64decode(r[\"content_base64\"])[:2]==b\"PK\"" "$work/epub.jsonl"'
fi

# A digest: several inputs and one output file make one document.
src_fx=${GALLEY_SOURCE_ROOT:-.}/fixtures
"$galley" -t xml -M title="Three articles" "$src_fx/sample/article.txt" \
  "$src_fx/sample/article.html" "$src_fx/markdown/features.md" -o "$work/digest.xml" 2>/dev/null
check "a digest has one part per input" \
  '[ "$(grep -c "<attr key=\"galley-article\">1</attr>" "$work/digest.xml")" -eq 3 ]'
check "a digest's title comes from -M" 'grep -q "<entry key=\"title\">Three articles</entry>" "$work/digest.xml"'
if "$galley" --list-formats | grep -q '^epub '; then
  "$galley" -M title="Three articles" "$src_fx/sample/article.txt" \
    "$src_fx/sample/article.html" "$src_fx/markdown/features.md" -o "$work/digest.epub" 2>/dev/null
  if [ -n "${GALLEY_SKIP_EPUBCHECK:-}" ]; then
    echo "# GALLEY_SKIP_EPUBCHECK is set: digest epubcheck not run"
  elif [ -f /usr/share/java/epubcheck.jar ]; then
    java -jar /usr/share/java/epubcheck.jar "$work/digest.epub" > "$work/epubcheck.out" 2>&1
    check "a digest of three fixtures passes epubcheck with nothing to report" \
      'grep -q "Messages: 0 fatals / 0 errors / 0 warnings / 0 infos" "$work/epubcheck.out" || grep -q "No errors or warnings detected" "$work/epubcheck.out"' "$(tail -3 "$work/epubcheck.out")"
  else
    echo "# epubcheck missing: digest epubcheck not run"
  fi
  unzip -p "$work/digest.epub" EPUB/nav.xhtml > "$work/nav.xhtml" 2>/dev/null
  check "the digest's table of contents lists the three titles" \
    'grep -q "Town library reopens" "$work/nav.xhtml" && grep -q "Every feature" "$work/nav.xhtml" && [ "$(grep -c "<li>" "$work/nav.xhtml")" -ge 3 ]'
else
  echo "# epub missing: no digest"
fi

# Ctrl-C: a big batch, interrupted; outputs complete or absent, then a
# re-run completes the rest and matches an uninterrupted run.
# 1,200 generated Markdown articles keep the batch busy for a while.
big=$work/big
python3 - "$big" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(12):
    os.makedirs(f"{root}/d{d:02}", exist_ok=True)
    for i in range(100):
        paras = "\n\n".join(
            f"Paragraph {p} of article {d}-{i}: *some* words, a [link](https://example.org/{p}) "
            "and more words to make the article long enough to take a moment. " * 8
            for p in range(30))
        with open(f"{root}/d{d:02}/a{i:03}.md", "w") as f:
            f.write(f"# Article {d}-{i}\n\n{paras}\n")
PY
"$galley" -r -q -j 2 -t xml -o "$work/ref/" "$big" 2>/dev/null
"$galley" -r -q -j 2 -t xml -o "$work/int/" "$big" 2>/dev/null &
pid=$!
# Interrupt once the batch is under way (some outputs written).
for _ in $(seq 1 200); do
  [ "$(find "$work/int" -name '*.xml' 2>/dev/null | head -20 | wc -l)" -ge 20 ] && break
  sleep 0.02
done
kill -INT $pid
wait $pid
rc=$?
partial=$(count_outputs "$work/int")
total=$(count_outputs "$work/ref")
echo "# interrupted after $partial of $total outputs"
check "an interrupted batch exits 130" '[ $rc -eq 130 ]' "rc=$rc"
check "an interrupted batch leaves no temporary file" '[ -z "$(find "$work/int" -name ".*.??????")" ]'
incomplete=0
while read -r f; do
  cmp -s "$f" "$work/ref/${f#"$work/int/"}" || incomplete=$((incomplete + 1))
done < <(find "$work/int" -type f -name '*.xml')
check "every output left by the interrupted batch is complete" '[ $incomplete -eq 0 ]' "incomplete=$incomplete"
"$galley" -r -q -j 2 -t xml -o "$work/int/" "$big" 2>/dev/null
check "a re-run completes the rest, identical to an uninterrupted run" \
  'diff -r -x '.galley-*' "$work/ref" "$work/int" >/dev/null'

# ---- What a batch must never read or destroy --------------------------------
page='<html><head><title>T</title></head><body><p>Body text of the page.</p></body></html>'
mkdir -p "$work/same"
printf '%s\n' "$page" > "$work/same/a.html"
cp "$work/same/a.html" "$work/same.orig"
"$galley" -t html -o "$work/same/" "$work/same" 2> "$work/err-same"
rc=$?
check "a batch whose OUTDIR is its input folder is refused (exit 2), the input untouched" \
  '[ $rc -eq 2 ] && grep -q "would be overwritten" "$work/err-same" && cmp -s "$work/same/a.html" "$work/same.orig"' \
  "rc=$rc $(cat "$work/err-same")"
printf '# B\n' > "$work/same/b.md"
printf '# B old output\n' > "$work/same/b.orig"
"$galley" -t markdown -o "$work/same/" "$work/same/a.html" "$work/same/b.md" 2> "$work/err-same2"
rc=$?
check "a batch where -t names an input's own format in its folder is refused" \
  '[ $rc -eq 2 ] && [ "$(cat "$work/same/b.md")" = "# B" ]' "rc=$rc"

# Symlinks in a walked folder: followed only when they stay inside it.
mkdir -p "$work/links/sub" "$work/outside"
printf '%s\n' "$page" > "$work/links/ok.html"
printf '<p>OUTSIDE-SECRET-MARK</p>\n' > "$work/outside/secret.html"
ln -s "$work/outside/secret.html" "$work/links/x.html"
ln -s ../ok.html "$work/links/sub/inside.html"
"$galley" -r -t text -o "$work/links-out/" "$work/links" 2> "$work/err-links"
rc=$?
check "a symlink leading out of the folder is skipped, said once, counted as skipped" \
  '[ $rc -eq 0 ] && [ ! -e "$work/links-out/x.txt" ] && ! grep -rq OUTSIDE-SECRET-MARK "$work/links-out" && grep -q "links/x.html: a symlink that leads outside the folder" "$work/err-links" && grep -q "1 skipped" "$work/err-links"' \
  "rc=$rc $(cat "$work/err-links")"
check "a symlink that stays inside the folder is converted" \
  'grep -q "Body text" "$work/links-out/sub/inside.txt"'
"$galley" -r --follow-symlinks -t text -o "$work/links-out2/" "$work/links" 2> "$work/err-links2"
check "--follow-symlinks follows a symlink out of the folder" \
  'grep -q OUTSIDE-SECRET-MARK "$work/links-out2/x.txt"'

# A FIFO in a walked folder is never opened; one named on the command line
# is read as a stream.
mkdir -p "$work/fifo"
printf '%s\n' "$page" > "$work/fifo/ok.html"
mkfifo "$work/fifo/pipe.html"
timeout -s KILL 20 "$galley" -t text -o "$work/fifo-out/" "$work/fifo" 2> "$work/err-fifo"
rc=$?
check "a FIFO in a folder is skipped, not waited on" \
  '[ $rc -eq 0 ] && [ -f "$work/fifo-out/ok.txt" ] && grep -q "pipe.html: a FIFO, not a regular file; skipped" "$work/err-fifo"' \
  "rc=$rc $(cat "$work/err-fifo")"
(printf '%s\n' "$page" > "$work/fifo/pipe.html") &
timeout -s KILL 20 "$galley" -t text -f html -o "$work/fifo-out2/" "$work/fifo/pipe.html" 2> "$work/err-fifo2"
rc=$?
check "a FIFO named on the command line is read as a stream" \
  '[ $rc -eq 0 ] && grep -q "Body text" "$work/fifo-out2/pipe.txt"' "rc=$rc $(cat "$work/err-fifo2")"
wait

# One batch at a time in an OUTDIR; each output remembers its own options.
mkdir -p "$work/lk"
for i in 1 2 3 4; do printf '# Page %s\n\nText %s.\n' $i $i > "$work/lk/p$i.md"; done
"$galley" -q -t xml -o "$work/lk-out/" "$work/lk"
if command -v flock >/dev/null; then
  flock -o "$work/lk-out/.galley-lock" sleep 5 &
  holder=$!
  sleep 0.5
  "$galley" -t xml -o "$work/lk-out/" "$work/lk" 2> "$work/err-lock"
  rc=$?
  kill $holder 2>/dev/null
  wait $holder 2>/dev/null
  check "a second batch into a busy OUTDIR is refused with a message" \
    '[ $rc -eq 1 ] && grep -q "another galley batch is writing to this folder" "$work/err-lock"' \
    "rc=$rc $(cat "$work/err-lock")"
else
  echo "# flock(1) missing: the lock check is not run"
fi
"$galley" -t xml -O resources=reference -o "$work/lk-out/" "$work/lk/p1.md" 2>/dev/null
"$galley" -t xml -o "$work/lk-out/" "$work/lk" 2> "$work/err-mixed"
check "after a batch with other options wrote one output, only that one is redone" \
  '[[ "$(tail -n 1 "$work/err-mixed")" =~ ^galley:\ 1\ converted,\ 3\ up\ to\ date ]]' \
  "$(tail -n 1 "$work/err-mixed")"

echo "1..$n"
[ $failed -eq 0 ]
