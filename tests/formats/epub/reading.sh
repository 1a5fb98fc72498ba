#!/bin/bash
# EPUB reading end to end (issue 17), as TAP:
#  - --extract-media DIR writes an EPUB's images into DIR and points the
#    HTML at them; -O self-contained=true makes them data: URIs; no src
#    names a file that does not exist; a DIR that cannot be made is an
#    error with no output;
#  - html -> epub -> html keeps every table and list item, over the html
#    fixtures and, when present, the Readability corpus pages.
#
# environment: GALLEY_EXE, GALLEY_FIXTURES, GALLEY_CORPORA (may be empty).
set -u
exe=${GALLEY_EXE:?GALLEY_EXE is not set}
fixtures=${GALLEY_FIXTURES:?GALLEY_FIXTURES is not set}
corpora=${GALLEY_CORPORA:-}
command -v python3 >/dev/null || { echo "1..0 # SKIP no python3"; exit 0; }

work=$(mktemp -d "${TMPDIR:-/tmp}/galley-epubread-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -f err ] && sed 's/^/#   stderr: /' err | head -5; }
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }

# A small EPUB 3 with two PNG images, one in a subfolder.
python3 - <<'PY'
import base64, zipfile
png = base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==')
png2 = png[:-12] + b'\x00\x00\x00\x00IEND\xaeB`\x82'
z = zipfile.ZipFile('pics.epub', 'w')
z.writestr('mimetype', 'application/epub+zip', compress_type=zipfile.ZIP_STORED)
z.writestr('META-INF/container.xml', '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
z.writestr('OEBPS/content.opf', '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="u"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="u">urn:x:3</dc:identifier><dc:title>Pictures</dc:title><dc:language>en</dc:language></metadata><manifest><item id="c1" href="text/c1.xhtml" media-type="application/xhtml+xml"/><item id="a" href="images/a.png" media-type="image/png"/><item id="b" href="b.png" media-type="image/png"/></manifest><spine><itemref idref="c1"/></spine></package>')
z.writestr('OEBPS/text/c1.xhtml', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title></head><body><h1>Pictures</h1><p><img src="../images/a.png" alt="first"/></p><p><img src="../b.png" alt="second"/></p></body></html>')
z.writestr('OEBPS/images/a.png', png)
z.writestr('OEBPS/b.png', png2)
z.close()
open('a.png', 'wb').write(png)
PY

"$exe" pics.epub -o out.html --extract-media media 2>err
rc=$?
check $? "--extract-media: the conversion succeeds"
[ $rc = 0 ] && cmp -s media/images/a.png a.png && [ -s media/b.png ]
check $? "--extract-media: the images are written under their names"
grep -qF 'src="media/images/a.png"' out.html && grep -qF 'src="media/b.png"' out.html
check $? "--extract-media: the img src values point at the written files"
missing=0
for src in $(grep -o 'src="[^"]*"' out.html | sed 's/^src="//; s/"$//'); do
  [ -f "$src" ] || missing=$((missing + 1))
done
check $missing "--extract-media: every img src names a file that exists"

"$exe" pics.epub -t html -O self-contained=true -o sc.html 2>err
[ $? = 0 ] && [ "$(grep -o '<img [^>]*src="data:image/png;base64,' sc.html | wc -l)" = 2 ]
check $? "self-contained=true: an EPUB's images become data: URIs"

: >blocker
"$exe" pics.epub -o bad.html --extract-media blocker/sub 2>err
rc=$?
[ $rc != 0 ] && [ ! -e bad.html ] && [ "$(wc -l <err)" -ge 1 ] && grep -q '^galley: ' err
check $? "--extract-media into a folder that cannot be made: one error, no output"

"$exe" pics.epub -t html -o plain.html 2>err
grep -q 'epub-chapter' plain.html
[ $? != 0 ]
check $? "epub -> html: no made-up epub-chapter attribute"

# html -> epub -> html keeps every table and list item.
count() { # count FILE KIND: nodes of KIND in galley's tree of FILE (xml)
  grep -o "<$2[ >/]" "$1" | wc -l
}
# A list item that is a note (Wikipedia's references: a marker link to an
# item that links back) comes back as a footnote: it counts as kept.
items() { echo $(($(count "$1" item) + $(count "$1" footnote))); }
pages=("$fixtures"/html/*.html "$fixtures"/epub/*.html)
if [ -n "$corpora" ] && [ -d "$corpora/readability" ]; then
  for d in "$corpora"/readability/*/; do
    [ -f "$d/source.html" ] && pages+=("$d/source.html")
  done
fi
lost=0 tried=0
for page in "${pages[@]}"; do
  [ -f "$page" ] || continue
  "$exe" "$page" -f html -t xml -o direct.xml 2>/dev/null || continue
  "$exe" "$page" -f html -t epub -o via.epub 2>/dev/null || continue
  "$exe" via.epub -t xml -o back.xml 2>/dev/null || { lost=$((lost + 1)); echo "# unreadable: $page"; continue; }
  tried=$((tried + 1))
  for kind in table item table_row table_cell; do
    if [ $kind = item ]; then
      a=$(items direct.xml) b=$(items back.xml)
    else
      a=$(count direct.xml "$kind") b=$(count back.xml "$kind")
    fi
    # Paragraph notes the EPUB reader recognises add footnotes: an item
    # count may grow, never shrink; tables, rows and cells stay equal.
    if [ "$a" != "$b" ] && { [ $kind != item ] || [ "$b" -lt "$a" ]; }; then
      echo "# $page: $kind $a -> $b"
      lost=$((lost + 1))
    fi
  done
done
echo "# html -> epub -> html: $tried pages"
[ "$tried" -gt 0 ] && [ $lost = 0 ]
check $? "html -> epub -> html keeps every table, row, cell and list item"

echo "1..$n"
