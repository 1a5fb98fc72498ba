#!/bin/bash
# The same article as HTML, Markdown and plain text (fixtures/metadata/:
# one with a Spanish byline and dateline, one with French ones) gives the
# same author and date metadata whichever the input format: libgalley's one
# recogniser reads the visible byline and dateline for the text reader and
# the boilerplate transform, and the html reader's byline element. Reported
# as TAP.
#
# What each path does (README, "Metadata"): with --strip every format gets
# author and date from the visible text; without it the text reader's
# structure recovery finds both, the html reader takes only the names of a
# byline element (no date: a page's dates come from what its head
# declares), and the markdown reader only its front matter.
set -u
exe=${GALLEY_EXE:?GALLEY_EXE is not set}
fixtures=${GALLEY_FIXTURES:?GALLEY_FIXTURES is not set}/metadata

n=0
failed=0
# meta FILE ARGS...: "key=value" lines of the author and date metadata.
meta() {
  local file=$1
  shift
  "$exe" "$@" -t xml "$file" 2>/dev/null |
    sed -n '/<meta>/,/<\/meta>/s/^ *<entry key="\(author\|date\)">\(.*\)<\/entry>$/\1=\2/p'
}
# check NAME EXPECTED ACTUAL
check() {
  n=$((n + 1))
  if [ "$2" = "$3" ]; then
    echo "ok $n - $1"
  else
    failed=$((failed + 1))
    echo "not ok $n - $1"
    echo "# expected: $(echo "$2" | tr '\n' ';')"
    echo "# got:      $(echo "$3" | tr '\n' ';')"
  fi
}

# article BASE AUTHORS DATE: the checks for fixtures/metadata/BASE.*
article() {
  local base=$1 authors=$2 both="$2
date=$3"
  for f in html md txt; do
    check "$base.$f --strip: the byline's names and the dateline's date" \
      "$both" "$(meta "$fixtures/$base.$f" --strip)"
  done
  check "$base.txt: structure recovery finds the same author and date" \
    "$both" "$(meta "$fixtures/$base.txt")"
  check "$base.html: the byline element gives the same names, no date" \
    "$authors" "$(meta "$fixtures/$base.html")"
  check "$base.md: no front matter, no metadata without --strip" \
    "" "$(meta "$fixtures/$base.md")"
}

# Spanish: "Por … y …", "Publicado el 12 de marzo de 2024, 09:30".
article dateline 'author=María José Fernández
author=Tomás Araya' 2024-03-12T09:30
# French: "Par … et …", "Publié le 3 décembre 2019 à 14h05".
article dateline-fr 'author=Sébastien Farcis
author=Claire Dubois' 2019-12-03T14:05
# Stripping drops the byline and dateline from the text, not from the
# metadata.
n=$((n + 1))
out=$("$exe" --strip -t text "$fixtures/dateline.html" 2>/dev/null)
if ! grep -q 'Por María' <<<"$out" && ! grep -q 'Publicado el' <<<"$out" &&
  grep -q 'muelle norte crecerá' <<<"$out"; then
  echo "ok $n - html --strip: byline and dateline leave the text"
else
  failed=$((failed + 1))
  echo "not ok $n - html --strip: byline and dateline leave the text"
fi
# fixtures/metadata/cleaned.html: the title loses the site's name (its
# og:site_name), the description its twice-escaped reference, the author
# "Posted by" and "Staff Writer"; a teaser's byline in a related-stories
# block is not the article's, and "candidates" is no date mark.
field() {
  "$exe" "$@" -t xml 2>/dev/null |
    sed -n '/<meta>/,/<\/meta>/s/^ *<entry key="\(title\|description\|author\|date\)">\(.*\)<\/entry>$/\1=\2/p'
}
for strip in "" --strip; do
  want="title=New locks for the north quay
description=The harbour board's plan, in brief.
author=Jane Doe"
  [ -n "$strip" ] && want="$want
date=2026-04-05"
  check "cleaned.html ${strip:-without --strip}: title, excerpt, author and date cleaned" \
    "$want" "$(field $strip "$fixtures/cleaned.html")"
done
# fixtures/metadata/excerpt.html has no description: the excerpt is the
# first real paragraph, a short whole sentence, not the caption or the
# list above it. A page of nothing but a list gives its first item.
check "excerpt.html --strip: the first real paragraph is the excerpt" \
  "description=The harbour board voted for the locks." \
  "$(field --strip "$fixtures/excerpt.html" | grep '^description=')"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' '<html><head><title>Ten things</title></head><body><article>' \
  '<h1>Ten things</h1><ol><li><p>AI has not changed much in security so far, and phishing is still done by hand.</p></li>' \
  '<li><p>Most breaches still start with a password that was reused on another site.</p></li></ol>' \
  '</article></body></html>' >"$tmp/list.html"
check "a page of one list --strip: its first item is the excerpt" \
  "description=AI has not changed much in security so far, and phishing is still done by hand." \
  "$(field --strip "$tmp/list.html" | grep '^description=')"
echo "1..$n"
[ "$failed" -eq 0 ]
