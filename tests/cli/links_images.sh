#!/bin/bash
# The right image and resolved links, end to end (issue 15): the fixtures of
# fixtures/images and fixtures/links through the markdown, html and text
# writers, reported as TAP.
#
# environment: GALLEY_EXE (the galley program), GALLEY_FIXTURES (fixtures/);
# meson's test_env sets both.
set -u
exe=${GALLEY_EXE:?GALLEY_EXE is not set}
fixtures=${GALLEY_FIXTURES:?GALLEY_FIXTURES is not set}

work=$(mktemp -d "${TMPDIR:-/tmp}/galley-links-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

n=0
ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok() {
  n=$((n + 1))
  echo "not ok $n - $1"
  sed 's/^/#   out: /' out | head -40
  sed 's/^/#   stderr: /' err | head -10
}
# has NAME STRING...: every STRING is in ./out.
has() {
  local name=$1 s
  shift
  for s in "$@"; do
    grep -qF -- "$s" out || {
      echo "# missing: $s"
      not_ok "$name"
      return
    }
  done
  ok "$name"
}
# lacks NAME STRING...: no STRING is in ./out.
lacks() {
  local name=$1 s
  shift
  for s in "$@"; do
    if grep -qF -- "$s" out; then
      echo "# present: $s"
      not_ok "$name"
      return
    fi
  done
  ok "$name"
}
# times NAME COUNT STRING: STRING is in ./out exactly COUNT times.
times() {
  local got
  got=$(grep -oF -- "$3" out | wc -l | tr -d ' ')
  if [ "$got" = "$2" ]; then ok "$1"; else
    echo "# $3: $got times, want $2"
    not_ok "$1"
  fi
}
run() {
  "$exe" "$@" >out 2>err
  rc=$?
  [ $rc = 0 ] || echo "# galley $* exited $rc"
}

cdn=https://cdn.photos.example
img=$fixtures/images/page.html

# ---- The right image, in Markdown ---------------------------------------
run "$img" -t markdown
has "picture: the WebP source at 1600 px, not AVIF, not the fallback" \
  "](${cdn}/pool-1600.webp)"
has "picture: a source for narrow screens gives way to the img" \
  "](${cdn}/wide.jpg)"
has "srcset: the widest candidate up to 1600 px, the highest density" \
  "](${cdn}/crab-1200.jpg)" "](${cdn}/star@3x.jpg)" "](${cdn}/huge-2000.jpg)"
has "lazy: data-src, data-lazy-src, data-original, data-srcset" \
  "](${cdn}/anemone.jpg)" "](${cdn}/limpet.jpg)" "](${cdn}/mussel.jpg)" \
  "](${cdn}/kelp-960.jpg)"
lacks "no placeholder is kept" "data:image/gif" "blank.gif" "grey.gif"
has "a placeholder with nothing behind it keeps only its alt text" \
  "![Placeholder: the sponsor logo]()"
times "noscript: the copy of a placeholder shows once" 1 "](${cdn}/heron.jpg)"
times "noscript: the copy of a lazy image adds nothing" 1 "](${cdn}/gull.jpg)"
has "tracking pixels: dropped, the words around them kept" \
  "Before the pixels. After the pixels."
lacks "tracking pixels: nothing of them left" "tracker" "t.gif" "facebook" \
  "hidden.jpg"
has "an image-only link keeps its image and its link" \
  "[![](${cdn}/urchin-small.jpg)](${cdn}/full/urchin.jpg)" \
  "[![Local: the gallery](img/thumb.png)](https://photos.example/gallery/)"
has "a local image beside the page stays local" \
  "![Local: a photo beside the page](img/photo.png)"
has "a local image the page did not save is on the web, by its canonical" \
  "](https://photos.example/2025/tide/img/not-saved.jpg)"

# ---- The same in HTML and text ----------------------------------------------
run "$img" -t html -O fragment=true
has "html: the chosen images and resolved links" \
  "<img src=\"${cdn}/pool-1600.webp\"" "<img src=\"img/photo.png\"" \
  "<a href=\"https://photos.example/gallery/\"><img src=\"img/thumb.png\""
times "html: one heron" 1 "${cdn}/heron.jpg"
run "$img" -t text
has "text: links resolved in the references" \
  "https://photos.example/gallery/" "${cdn}/full/urchin.jpg" \
  "Before the pixels. After the pixels."

# ---- Links ------------------------------------------------------------------
run "$fixtures/links/base.html" -t markdown
has "base href: relative, up a level, protocol-relative, query, root" \
  "(https://news.example/world/europe/story.html)" \
  "(https://news.example/world/asia/)" "(https://cdn.example/files/map.pdf)" \
  "(https://news.example/world/europe/?page=2)" "(https://news.example/about)"
has "base href: absolute links and mailto as written" \
  "(https://other.example/abs)" "(mailto:desk@news.example)"
has "base href: in-document links and footnotes stay in the document" \
  "[the tides](#tides)" "[^fn1]"
lacks "base href wins over the canonical" "elsewhere.example"
has "base href: a saved image stays local, a missing one is on the web" \
  "](pictures/harbour.png)" "](https://news.example/world/europe/pictures/boats.jpg)"

run "$fixtures/links/canonical.html" -t markdown
has "canonical: a local file's links resolve against it" \
  "[sea](https://blog.example/tags/sea)" \
  "[an older post](https://blog.example/2025/02/older.html)"
has "canonical: a link to this same page stays in the document" \
  "[the comments](#comments)" "[the top](#top)"
lacks "canonical comes before og:url" "not-this-one"
run "$fixtures/links/canonical.html" -t text
has "canonical: text references carry absolute links" \
  "https://blog.example/tags/sea" "https://blog.example/2025/02/older.html"

run "$fixtures/links/ogurl.html" -t html -O fragment=true
has "og:url: a local file's links resolve against it" \
  'href="https://magazine.example/issue/7/contents"' \
  'href="https://magazine.example/issue/6/"'

run "$fixtures/links/local.html" -t markdown
has "a page that names no address keeps its links as written" \
  "[a neighbour](other.html)" "[the root](/root)"

echo "1..$n"
