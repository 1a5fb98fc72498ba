#!/bin/bash
# Language and direction end to end (fixtures/lang/, pages written for
# these tests): a page that declares no language gets the one its text is
# in (German, Arabic, Korean, Chinese; a table's cells count only when
# there is little else), a declared tag is made regular
# BCP 47 (and a template's lang="en" over a German article gives way to
# the text), -M language wins, right-to-left pages get dir="rtl" in HTML and
# EPUB and page-progression-direction="rtl" on the spine, and an EPUB of a
# page whose language cannot be told says und with a warning, never en.
# Reported as TAP.
set -u
exe=${GALLEY_EXE:?GALLEY_EXE is not set}
fixtures=${GALLEY_FIXTURES:?GALLEY_FIXTURES is not set}/lang
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0
failed=0
# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
  local name=$1
  shift
  n=$((n + 1))
  if "$@"; then
    echo "ok $n - $name"
  else
    failed=$((failed + 1))
    echo "not ok $n - $name"
  fi
}
# html_tag FILE ARGS...: the <html ...> line of the HTML output.
html_tag() {
  local file=$1
  shift
  "$exe" "$@" -t html "$fixtures/$file" 2>/dev/null | grep -m1 '^<html'
}
# opf FILE ARGS...: the package document of the EPUB made from FILE.
opf() {
  local file=$1
  shift
  rm -f "$work/b.epub"
  "$exe" "$@" "$fixtures/$file" -o "$work/b.epub" 2>"$work/stderr" &&
    unzip -p "$work/b.epub" EPUB/package.opf
}
has() { grep -q -- "$2" <<<"$1"; }
hasnt() { ! grep -q -- "$2" <<<"$1"; }

t=$(html_tag german.html)
check "german without lang: lang=\"de\"" has "$t" 'lang="de"'
check "german: no dir attribute" hasnt "$t" 'dir='
t=$(html_tag german.html --strip)
check "german after --strip: lang=\"de\"" has "$t" 'lang="de"'
# A table of English book titles over a German article: the cells say
# little of the page's language, the prose does.
t=$(html_tag table-english-titles.html)
check "a table of English titles over German prose: lang=\"de\"" \
  has "$t" 'lang="de"'
# A menu of English links over a short German article: the sample is
# the prose paragraphs first.
t=$(html_tag menu-before-article.html)
check "an English menu over German prose: lang=\"de\"" has "$t" 'lang="de"'
t=$(html_tag german.html -M language=fr)
check "-M language=fr wins over the guess" has "$t" 'lang="fr"'
t=$(html_tag german.html -M language=pt_BR)
check "-M language=pt_BR is written pt-BR" has "$t" 'lang="pt-BR"'
t=$(html_tag locale-tag.html)
check "lang=\"pt_BR\" is written pt-BR" has "$t" 'lang="pt-BR"'
t=$(html_tag arabic.html)
check "arabic without lang or dir: lang=\"ar\" dir=\"rtl\"" \
  has "$t" 'lang="ar" dir="rtl"'
t=$(html_tag rtl-declared.html)
check "dir=\"RTL\" on <html> is kept as rtl" has "$t" 'dir="rtl"'
t=$(html_tag korean.html)
check "korean without lang: lang=\"ko\"" has "$t" 'lang="ko"'
t=$(html_tag chinese.html)
check "chinese without lang: lang=\"zh-Hans\"" has "$t" 'lang="zh-Hans"'
# A template's lang="en" over a German article: the text wins, -M still
# wins over both; a short text cannot overrule a declaration.
t=$(html_tag german-declared-en.html)
check "lang=\"en\" over a German article: lang=\"de\"" has "$t" 'lang="de"'
t=$(html_tag german-declared-en.html -M language=en)
check "-M language=en wins over the text" has "$t" 'lang="en"'
t=$(html_tag locale-tag.html -M language=en)
check "-M language=en kept on a short Portuguese page" has "$t" 'lang="en"'
# The same in the tree: metadata language and direction.
x=$("$exe" -t xml "$fixtures/arabic.html" 2>/dev/null)
check "arabic: metadata direction rtl" has "$x" '<entry key="direction">rtl</entry>'
x=$("$exe" -t xml "$fixtures/german.html" 2>/dev/null)
check "german: no direction entry (left to right goes without saying)" \
  hasnt "$x" 'key="direction"'

o=$(opf arabic.html)
check "arabic EPUB: dc:language ar" has "$o" '<dc:language>ar</dc:language>'
check "arabic EPUB: spine page-progression-direction rtl" \
  has "$o" '<spine toc="ncx" page-progression-direction="rtl">'
ch=$(unzip -Z1 "$work/b.epub" | grep -c '\.xhtml$')
rtl=0
for f in $(unzip -Z1 "$work/b.epub" | grep '\.xhtml$'); do
  unzip -p "$work/b.epub" "$f" | grep -q '<html [^>]*dir="rtl"' && rtl=$((rtl + 1))
done
check "arabic EPUB: dir=\"rtl\" on all $ch XHTML documents" test "$rtl" -eq "$ch" -a "$ch" -gt 0
# A digest: each article keeps the direction its page gave, even one of
# a left-to-right language (rtl-latin.html: English set right to left).
rm -f "$work/d.epub"
"$exe" -q "$fixtures/german.html" "$fixtures/rtl-latin.html" -o "$work/d.epub" 2>/dev/null
check "digest EPUB: the German chapter has no dir" \
  bash -c 'unzip -p "$1" EPUB/ch001.xhtml | grep "<html " | grep -qv "dir="' _ "$work/d.epub"
check "digest EPUB: the page set right to left has dir=\"rtl\"" \
  bash -c 'unzip -p "$1" EPUB/ch002.xhtml | grep -q "<html [^>]*lang=\"en\"[^>]*dir=\"rtl\""' _ "$work/d.epub"
d=$("$exe" -q -t html "$fixtures/german.html" "$fixtures/rtl-latin.html" 2>/dev/null | grep '<article id=')
check "digest HTML: the German article has lang=\"de\" and no dir" \
  has "$d" '<article id="article-1" lang="de">'
check "digest HTML: the page set right to left has dir=\"rtl\"" \
  has "$d" '<article id="article-2" lang="en" dir="rtl">'
check "digest HTML: no metadata attributes (base, author, language...)" \
  hasnt "$d" 'base=\|galley-article\|language='
o=$(opf korean.html)
check "korean EPUB: dc:language ko" has "$o" '<dc:language>ko</dc:language>'
check "korean EPUB: no page-progression-direction" hasnt "$o" 'page-progression'
o=$(opf german.html)
check "german EPUB: dc:language de, no warning" \
  bash -c '[[ $1 == *"<dc:language>de</dc:language>"* ]] && ! grep -q language "$2"' _ "$o" "$work/stderr"
o=$(opf too-short.html)
check "too little text: dc:language und" has "$o" '<dc:language>und</dc:language>'
check "too little text: a warning says so" grep -q 'using und' "$work/stderr"
# The models' folder missing: the script still answers, nothing breaks.
t=$(GALLEY_TEXTCAT_DIR="$work/none" html_tag korean.html)
check "no models found: korean still ko" has "$t" 'lang="ko"'
t=$(GALLEY_TEXTCAT_DIR= html_tag german.html)
check "models turned off: long german still de (function words)" has "$t" 'lang="de"'

echo "1..$n"
[ "$failed" -eq 0 ]
