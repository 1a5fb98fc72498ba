#!/usr/bin/env bash
# URLs as galley's input, end to end, against tests/net/server.py on
# 127.0.0.1 (the only address any of this connects to): single documents,
# redirects, decoding, charsets, errors, limits, the address policy,
# --offline, --input-list, batches, digests and --jsonl --fetch. Each check
# reads the server's log (CONN per accepted connection, REQ per request)
# where the claim is about the network. Prints TAP; exits 77 (skipped)
# without python3.
set -u
galley=${GALLEY_EXE:?GALLEY_EXE is not set}
here=$(cd "$(dirname "$0")" && pwd)
py=${GALLEY_PYTHON:-}
if [ -z "$py" ] || ! [ -x "$py" ]; then
  echo "1..0 # SKIP python3 is not installed"
  exit 77
fi
work=$(mktemp -d "${GALLEY_NET_TMP:-/tmp}/cli-net-XXXXXX")
srv_pid=
cleanup() {
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
  [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/# /'
}
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }

# The server: its port on the first line of its output; it stops when its
# standard input (a FIFO this script holds open) closes.
log=$work/server.log
mkfifo "$work/stdin"
"$py" "$here/server.py" "$here/fixtures" "$log" < "$work/stdin" > "$work/port" &
srv_pid=$!
exec 9> "$work/stdin"
for _ in $(seq 200); do
  [ -s "$work/port" ] && break
  sleep 0.05
done
port=$(head -n 1 "$work/port")
if ! [[ "$port" =~ ^[0-9]+$ ]]; then
  echo "1..0 # SKIP server.py did not start"
  exit 77
fi
base=http://127.0.0.1:$port
# Lines of the log from here on: `mark` before a command, `since` after.
mark() { from=$(($(wc -l < "$log") + 1)); }
since() { tail -n +"$from" "$log"; }
net() { "$galley" --allow-local-network "$@"; }
cd "$work" || exit 1
version=$("$galley" --version | awk '{print $2}')

# ---- The address policy: refused before any connection ----
mark
"$galley" "$base/story.html" -o refused.epub 2> err; rc=$?
check "a 127.0.0.1 URL without --allow-local-network fails with exit 1" '[ $rc -eq 1 ]' "rc=$rc"
check "it says why in one line" \
  '[ "$(cat err)" = "galley: $base/story.html: address 127.0.0.1 is loopback; refused (--allow-local-network allows it)" ]' "$(cat err)"
check "no output is left" '[ ! -e refused.epub ]'
check "the server saw no connection at all" '[ -z "$(since)" ]' "$(since)"
mark
"$galley" "http://localhost:$port/story.html" -t text > /dev/null 2> err; rc=$?
check "localhost, a name, is refused as loopback too" '[ $rc -eq 1 ] && grep -q "loopback; refused" err && [ -z "$(since)" ]' "$(cat err)"

# ---- --offline: no network access at all ----
mark
"$galley" --offline --allow-local-network "$base/story.html" -o off.html 2> err; rc=$?
check "--offline: a URL input is an error line, exit 1" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: $base/story.html: not fetched: offline (--offline)" ]' "rc=$rc $(cat err)"
check "--offline: the server records zero requests" '[ -z "$(since)" ]' "$(since)"
check "--offline: no output" '[ ! -e off.html ]'

# ---- A page to EPUB ----
mark
net --strip "$base/story.html" -o story.epub 2> err; rc=$?
check "a page from a URL converts to EPUB" '[ $rc -eq 0 ] && [ -s story.epub ]' "rc=$rc $(cat err)"
check "one request, with User-Agent galley/$version" \
  '[ "$(since | grep -c "^REQ ")" -eq 1 ] && since | grep -q "^REQ /story.html ua=galley/$version "' "$(since)"
net story.epub -t text > story.txt 2> /dev/null
check "the EPUB holds the page's text" 'grep -q "“quotes”, café, naïve" story.txt'
unzip -p story.epub '*.opf' > story.opf 2> /dev/null
check "the EPUB's package names the page's URL" 'grep -q "$base/story.html" story.opf' "$(head -c 600 story.opf)"
jar=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}
# Why epubcheck cannot run here, or nothing when it can.
no_epubcheck=
if [ -n "${GALLEY_SKIP_EPUBCHECK:-}" ]; then
  no_epubcheck="GALLEY_SKIP_EPUBCHECK is set"
elif ! [ -f "$jar" ] || ! command -v java > /dev/null 2>&1; then
  no_epubcheck="epubcheck is not installed"
fi
if [ -z "$no_epubcheck" ]; then
  java -jar "$jar" story.epub > check.out 2>&1; rc=$?
  check "epubcheck passes the EPUB of a URL" '[ $rc -eq 0 ] && ! grep -qE "^(ERROR|WARNING)" check.out' "$(tail -5 check.out)"
else
  ok "epubcheck passes the EPUB of a URL # SKIP $no_epubcheck"
fi

# ---- Content-Type picks the reader ----
net "$base/as-markdown" -t xml > md.xml 2> err
check "text/markdown without an extension is read as Markdown" \
  'grep -q "<emph" md.xml && grep -q "<heading" md.xml' "$(cat err; head -c 400 md.xml)"
net "$base/image/3.png" -o img.html 2> err; rc=$?
check "a URL that no reader takes (an image) is a failed input: one line, exit 1" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: $base/image/3.png: cannot tell the input format from its Content-Type (image/png) or its content (use -f FORMAT; see --list-formats)" ] && [ ! -e img.html ]' "rc=$rc $(cat err)"
net "$base/notes.md" -t xml > notes.xml 2> err
check "text/plain named .md is read as Markdown (the name beats a vague type)" \
  'grep -q "<emph" notes.xml' "$(head -c 400 notes.xml)"

# ---- Redirects: the final URL is the url and the base ----
net "$base/moved" -t xml > moved.xml 2> err; rc=$?
check "a redirect is followed" '[ $rc -eq 0 ] && grep -q "A story from the web" moved.xml' "$(cat err)"
check "the URL after redirects is the url metadata" \
  'grep -q "<entry key=\"url\">$base/story.html</entry>" moved.xml' "$(head -8 moved.xml)"
check "the URL after redirects is the document's base" \
  'grep -q "base=\"$base/story.html\"" moved.xml' "$(head -3 moved.xml)"
net "$base/loop" -o loop.txt 2> err; rc=$?
check "a redirect loop fails with one line, no output" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: $base/loop: too many redirects (over 10)" ] && [ ! -e loop.txt ]' "rc=$rc $(cat err)"
net "$base/to-file" -o tofile.txt 2> err; rc=$?
check "a redirect to file: is refused with one line" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: $base/to-file: redirect to file:///etc/passwd refused (only http and https)" ] && [ ! -e tofile.txt ]' "rc=$rc $(cat err)"
"$galley" file:///etc/passwd -t text > out.txt 2> err; rc=$?
check "a file: input is refused with one line, not read" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: file:///etc/passwd: scheme file: refused (only http and https)" ] && [ ! -s out.txt ]' "rc=$rc $(cat err)"
"$galley" "ftp://127.0.0.1:$port/story.html" -t text > out.txt 2> err; rc=$?
check "an ftp: input is refused with one line" \
  '[ $rc -eq 1 ] && grep -q "scheme ftp: refused (only http and https)" err' "$(cat err)"

# ---- Decoding and charsets ----
mark
net "$base/gzip/story.html" -t text > gz.txt 2> err; rc=$?
check "a gzip-encoded page is decoded" '[ $rc -eq 0 ] && grep -q "“quotes”, café, naïve" gz.txt' "$(cat err)"
check "gzip was offered" 'since | grep -q "^REQ /gzip/story.html .*ae=.*gzip"'
net "$base/charset-only" -t text > w1252.txt 2> err
check "windows-1252 named only in Content-Type comes out right" 'grep -q "Café crème – “quoted”" w1252.txt' "$(cat w1252.txt err)"
net "$base/sjis" -t text > sjis.txt 2> err
check "Shift_JIS named only in Content-Type comes out right" \
  'grep -q "こんにちは、世界。" sjis.txt && grep -q "日本語のページ" sjis.txt' "$(cat sjis.txt err)"
net "$base/sjis-meta-wrong" -t text > sjis2.txt 2> err
check "the Content-Type charset wins over the page's <meta>" 'grep -q "こんにちは、世界。" sjis2.txt' "$(cat sjis2.txt err)"
net "$base/bom-utf8" -t text > bom.txt 2> err
check "a byte-order mark wins over the Content-Type charset" 'grep -q "Café über こん" bom.txt' "$(cat bom.txt err)"
net -O html.encoding=windows-1252 "$base/sjis" -t text > enc.txt 2> err
check "-O encoding wins over the Content-Type charset" '! grep -q "こんにちは" enc.txt && [ -s enc.txt ]' "$(cat enc.txt)"

# ---- Failures ----
net "$base/404" -o missing.epub 2> err; rc=$?
check "HTTP 404: one line, exit 1, no output" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: $base/404: HTTP 404" ] && [ ! -e missing.epub ]' "rc=$rc $(cat err)"
# A label over 63 bytes: the C library refuses it without asking a DNS
# server, so nothing is sent anywhere.
host=$(printf 'a%.0s' $(seq 64)).invalid
net "http://$host/x" -t text > /dev/null 2> err; rc=$?
check "an unknown host: one line, exit 1" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: http://$host/x: could not resolve host $host" ]' "$(cat err)"
net -O fetch-timeout=1 "$base/slow-page?s=4" -o slow.txt 2> err; rc=$?
check "a fetch over -O fetch-timeout: 'timed out after 1 s', exit 1" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: $base/slow-page?s=4: timed out after 1 s" ] && [ ! -e slow.txt ]' "rc=$rc $(cat err)"
mark
net --max-input-size 1M "$base/huge" -o huge.txt 2> err; rc=$?
check "a response over --max-input-size is refused in one line" \
  '[ $rc -eq 1 ] && [ "$(cat err)" = "galley: $base/huge: input is over the input size limit of 1048576 bytes (--max-input-size)" ] && [ ! -e huge.txt ]' "rc=$rc $(cat err)"
# The server logs how much it sent when the client went away: the
# transfer was cut while downloading, far short of the 1 GiB it offers.
for _ in $(seq 100); do since | grep -q "^SENT /huge " && break; sleep 0.05; done
sent=$(since | awk '/^SENT \/huge /{print $3}')
check "the download was stopped early (server sent $sent of 1073741824 bytes)" \
  '[ -n "$sent" ] && [ "$sent" -lt 268435456 ]' "$(since)"
net -O max-fetch-size=64K "$base/huge" -t text > /dev/null 2> err; rc=$?
check "-O max-fetch-size stops a response too" \
  '[ $rc -eq 1 ] && grep -q "response over the size limit of 65536 bytes (-O max-fetch-size)" err' "$(cat err)"
"$galley" -O fetch-timeout=0 "$base/story.html" -t text > /dev/null 2> err; rc=$?
check "a network option of 0 is a usage error" \
  '[ $rc -eq 2 ] && grep -q "fetch-timeout wants a positive number of seconds, got .0." err' "rc=$rc $(cat err)"
"$galley" -O max-fetches=lots "$base/story.html" -t text > /dev/null 2> err; rc=$?
check "a network option that is not a number is a usage error" \
  '[ $rc -eq 2 ] && grep -q "max-fetches wants a positive number, got .lots." err' "rc=$rc $(cat err)"

# ---- --input-list and batches ----
cp "$here/fixtures/notes.md" notes.md
cat > list.txt <<EOF
# a reading list
$base/story.html

   notes.md
$base/gzip/story.html
# the end
EOF
mark
net --input-list list.txt -t html -o outdir/ 2> err; rc=$?
check "--input-list with URLs and a file converts each to its own output" \
  '[ $rc -eq 0 ] && [ -s outdir/notes.html ] && [ "$(ls outdir | grep -c "^story.*\.html$")" -eq 2 ]' "rc=$rc $(ls outdir; cat err)"
check "two URLs ending in the same name get their URL's hash, not each other's output" \
  '[ "$(ls outdir | grep -cE "^story-[0-9a-f]{8}\.html$")" -eq 2 ]' "$(ls outdir)"
check "the summary counts the fetches" 'tail -n 1 err | grep -q ", 2 of 2 URLs fetched in "' "$(cat err)"
check "comments and blank lines are not inputs (2 requests)" '[ "$(since | grep -c "^REQ ")" -eq 2 ]' "$(since)"
net --force --input-list list.txt -t html -o outdir2/ 2> /dev/null
check "batch names are stable from one run to the next" '[ "$(ls outdir)" = "$(ls outdir2)" ]' "$(ls outdir outdir2)"
net -t text -o named/ "$base/" "$base/moved" "$base/404" 2> err; rc=$?
check "a URL without a path is named after its host; a failure is counted" \
  '[ $rc -eq 1 ] && [ -s named/moved.txt ] && tail -n 1 err | grep -q "1 converted, .* 2 failed, 1 of 3 URLs fetched"' "rc=$rc $(ls named; cat err)"
check "the host name is kept safe for a file name" 'grep -q "^galley: $base/: HTTP 404$" err'
t0=$(date +%s%N)
net -j 2 -q -t text -o par/ "$base/slow-page?s=1&i=1" "$base/slow-page?s=1&i=2" \
  "$base/slow-page?s=1&i=3" "$base/slow-page?s=1&i=4" 2> err; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
# Four pages that each take the server a second: two at a time cannot be
# done in under two seconds. (The server's own count of requests in
# progress lags behind the client by a moment, so the time is the proof.)
check "-j 2 fetches at most 2 pages at once (4 slow pages took $ms ms)" \
  '[ $rc -eq 0 ] && [ "$ms" -ge 1950 ] && [ "$(ls par | wc -l)" -eq 4 ]' "rc=$rc $(cat err)"

# ---- A digest of URLs and a file ----
net -t epub -o week.epub "$base/story.html" "$base/sjis" notes.md 2> err; rc=$?
check "a digest of two URLs and a file converts" '[ $rc -eq 0 ] && [ -s week.epub ]' "rc=$rc $(cat err)"
net week.epub -t text > week.txt 2> /dev/null
check "the digest holds all three articles" \
  'grep -q "A story from the web" week.txt && grep -q "こんにちは" week.txt && grep -q "Local notes" week.txt' "$(head -30 week.txt)"
if [ -z "$no_epubcheck" ]; then
  java -jar "$jar" week.epub > check.out 2>&1; rc=$?
  check "epubcheck passes the digest" '[ $rc -eq 0 ] && ! grep -qE "^(ERROR|WARNING)" check.out' "$(tail -5 check.out)"
else
  ok "epubcheck passes the digest # SKIP $no_epubcheck"
fi
net -t epub -o bad.epub "$base/story.html" "$base/404" 2> err; rc=$?
check "a digest with a failed fetch fails, with no output" '[ $rc -eq 1 ] && [ ! -e bad.epub ] && grep -q "HTTP 404" err' "rc=$rc $(cat err)"

# ---- --jsonl: records fetch nothing unless --fetch ----
printf '{"id":1,"url":"%s/story.html"}\n{"id":2,"url":"%s/404"}\n' "$base" "$base" > recs.jsonl
mark
net --jsonl -t text < recs.jsonl > recs.out 2> /dev/null; rc=$?
check "--jsonl without --fetch: a record without content is an error" \
  '[ $rc -eq 1 ] && grep -q "no \\\\\"content\\\\\" string (--fetch fetches its" recs.out' "$(cat recs.out)"
check "--jsonl without --fetch: the server records zero requests" '[ -z "$(since)" ]' "$(since)"
net --jsonl --fetch -t text < recs.jsonl > recs.out 2> /dev/null; rc=$?
check "--jsonl --fetch: the record's url is fetched and converted" \
  'head -n 1 recs.out | grep -q "A story from the web" && head -n 1 recs.out | grep -q "\"error\":null"' "$(cat recs.out)"
check "--jsonl --fetch: a failed fetch is the record's error" 'tail -n 1 recs.out | grep -q "\"error\":\"line 2: HTTP 404\""' "$(cat recs.out)"
printf '{"id":3,"url":"%s/story.html","content":"<p>given here</p>"}\n' "$base" > given.jsonl
mark
net --jsonl --fetch -t text < given.jsonl > given.out 2> /dev/null
check "--jsonl --fetch: a record with content is not fetched" \
  'grep -q "given here" given.out && [ -z "$(since)" ]' "$(cat given.out; since)"
"$galley" --fetch "$base/story.html" > /dev/null 2> err; rc=$?
check "--fetch without --jsonl is a usage error" '[ $rc -eq 2 ]' "rc=$rc"

exec 9>&-
echo "1..$n"
[ "$failed" -eq 0 ]
