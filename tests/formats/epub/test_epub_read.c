/* The epub reader: round trips through EPUB keep the content; EPUB 2 and 3
 * packages give metadata, chapters, titles, links and resources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "epubtest.h"
#include "testutil.h"

static char fixture_dir[4096];

static void assert_same_flat(const char *want, const char *got,
                             const char *what) {
  if (strcmp(want, got) == 0)
    return;
  size_t i = 0;
  while (want[i] && want[i] == got[i])
    i++;
  size_t from = i > 60 ? i - 60 : 0;
  fail_msg("%s differs at %zu:\n  want: ...%.160s\n  got:  ...%.160s", what, i,
           want + from, got + from);
}

/* Reads `name` with `from`, and again after a trip through EPUB, and
 * compares the flattened trees. */
static void round_trip(const char *from, const char *name) {
  size_t len;
  char *src = tu_read_file(tu_fixture(name), &len);
  assert_non_null(src);
  char *err = NULL;
  galley_doc *direct = et_read_doc(from, src, len, fixture_dir, &err);
  assert_non_null(direct);
  et_result epub = et_convert(from, "epub", src, len, fixture_dir, NULL, NULL);
  assert_int_equal(epub.rc, GALLEY_OK);
  galley_doc *back = et_read_doc("epub", epub.data, epub.len, NULL, &err);
  if (!back)
    fail_msg("reading the EPUB back: %s", err ? err : "?");
  char *a = et_flatten(direct, true);
  char *b = et_flatten(back, true);
  assert_same_flat(a, b, name);
  /* Metadata survives too. */
  assert_string_equal(galley_doc_get_meta(direct, "title"),
                      galley_doc_get_meta(back, "title"));
  assert_string_equal(galley_doc_get_meta(direct, "author"),
                      galley_doc_get_meta(back, "author"));
  free(a);
  free(b);
  galley_doc_free(direct);
  galley_doc_free(back);
  et_free(&epub);
  free(src);
}

static void markdown_through_epub_keeps_the_content(void **state) {
  (void)state;
  round_trip("markdown", "epub/article.md");
  round_trip("markdown", "epub/chapters.md");
}

static void html_through_epub_keeps_the_content(void **state) {
  (void)state;
  round_trip("html", "epub/page.html");
}

static void images_are_kept_as_resources_and_written_again(void **state) {
  (void)state;
  size_t len;
  char *md = tu_read_file(tu_fixture("epub/article.md"), &len);
  const char *opts[] = {"cover=auto", NULL};
  et_result a =
      et_convert("markdown", "epub", md, len, fixture_dir, opts, NULL);
  assert_int_equal(a.rc, GALLEY_OK);
  galley_doc *doc = et_read_doc("epub", a.data, a.len, NULL, NULL);
  assert_non_null(doc);
  const galley_resource *r =
      galley_doc_find_resource(doc, "images/img-001.png");
  assert_non_null(r);
  assert_string_equal(r->media_type, "image/png");
  galley_node *img = galley_node_find(galley_doc_root(doc), GALLEY_NODE_IMAGE);
  assert_non_null(img);
  assert_string_equal(galley_node_get_url(img), "images/img-001.png");
  et_result b = et_write_doc(doc, "epub", NULL);
  assert_int_equal(b.rc, GALLEY_OK);
  assert_int_equal(et_zip_count(b.data, b.len, "EPUB/images/"), 1);
  galley_doc_free(doc);
  et_free(&a);
  et_free(&b);
  free(md);
}

/* A PNG header that claims 800x600 pixels: enough for sniffing and sizing. */
static const unsigned char big_png[] = {
    0x89, 'P',  'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0, 0,
    13,   'I',  'H', 'D', 'R',  0,    0,    3,    0x20, 0, 0,
    2,    0x58, 8,   2,   0,    0,    0,    0,    0,    0};

static void the_cover_survives_epub_to_epub(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_doc_set_meta(doc, "title", "Covered");
  galley_doc_set_meta(doc, "language", "en");
  galley_doc_add_resource(doc, "big.png", "image/png", big_png, sizeof big_png);
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node *img = galley_doc_new_node(doc, GALLEY_NODE_IMAGE);
  galley_node_set_url(img, "big.png");
  galley_node_append_child(p, img);
  galley_node_append_child(galley_doc_root(doc), p);
  const char *opts[] = {"cover=auto", NULL};
  et_result a = et_write_doc(doc, "epub", opts);
  assert_int_equal(a.rc, GALLEY_OK);
  galley_doc *back = et_read_doc("epub", a.data, a.len, NULL, NULL);
  assert_non_null(back);
  assert_string_equal(galley_doc_get_meta(back, "cover"), "images/img-001.png");
  /* The cover and title pages are not content: one chapter remains. */
  assert_int_equal(galley_node_child_count(galley_doc_root(back)), 1);
  et_result b = et_write_doc(back, "epub", NULL);
  assert_int_equal(b.rc, GALLEY_OK);
  char *opf = et_zip_entry(b.data, b.len, "EPUB/package.opf", NULL);
  assert_non_null(strstr(opf, "properties=\"cover-image\""));
  assert_non_null(strstr(opf, "<itemref idref=\"cover-page\"/>"));
  free(opf);
  galley_doc_free(back);
  galley_doc_free(doc);
  et_free(&a);
  et_free(&b);
}

/* ---- Hand-made packages
 * ------------------------------------------------------ */

typedef struct file {
  const char *name, *text;
} file;

static unsigned char *make_zip(const file *files, size_t n, size_t *len) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
  zip_source_keep(mem);
  zip_t *za = zip_open_from_source(mem, ZIP_TRUNCATE, &ze);
  assert_non_null(za);
  for (size_t i = 0; i < n; i++) {
    zip_source_t *s =
        zip_source_buffer(za, files[i].text, strlen(files[i].text), 0);
    assert_true(zip_file_add(za, files[i].name, s, 0) >= 0);
  }
  assert_int_equal(zip_close(za), 0);
  zip_stat_t st;
  zip_source_open(mem);
  zip_source_stat(mem, &st);
  unsigned char *out = malloc(st.size);
  assert_int_equal(zip_source_read(mem, out, st.size), (zip_int64_t)st.size);
  zip_source_close(mem);
  zip_source_free(mem);
  *len = st.size;
  return out;
}

static const char container[] =
    "<?xml version=\"1.0\"?><container version=\"1.0\" "
    "xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles>"
    "<rootfile full-path=\"OEBPS/content.opf\" "
    "media-type=\"application/oebps-package+xml\"/></rootfiles></container>";

static void epub3_titles_links_and_missing_files(void **state) {
  (void)state;
  const file files[] = {
      {"mimetype", "application/epub+zip"},
      {"META-INF/container.xml", container},
      {"OEBPS/content.opf",
       "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" "
       "version=\"3.0\" unique-identifier=\"u\"><metadata "
       "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:identifier "
       "id=\"u\">urn:x:1</dc:identifier><dc:title>Hand Made</dc:title>"
       "<dc:language>de</dc:language><dc:creator>A. Author</dc:creator>"
       "<dc:creator>B. Author</dc:creator></metadata><manifest>"
       "<item id=\"nav\" href=\"nav.xhtml\" "
       "media-type=\"application/xhtml+xml\" "
       "properties=\"nav\"/>"
       "<item id=\"c1\" href=\"text/c1.xhtml\" "
       "media-type=\"application/xhtml+xml\"/>"
       "<item id=\"gone\" href=\"text/gone.xhtml\" "
       "media-type=\"application/xhtml+xml\"/>"
       "<item id=\"c2\" href=\"text/c2.xhtml\" "
       "media-type=\"application/xhtml+xml\"/>"
       "</manifest><spine><itemref idref=\"nav\"/><itemref idref=\"c1\"/>"
       "<itemref idref=\"gone\"/><itemref idref=\"c2\"/></spine></package>"},
      {"OEBPS/nav.xhtml",
       "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\" "
       "xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>t</title>"
       "</head><body><nav epub:type=\"toc\"><ol><li><a "
       "href=\"text/c1.xhtml\">Prologue</a></li><li><a "
       "href=\"text/c2.xhtml\">Second</a></li></ol></nav></body></html>"},
      {"OEBPS/text/c1.xhtml",
       "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">"
       "<head><title>c1</title></head><body><p id=\"x\">Opening words, see "
       "<a href=\"c2.xhtml#x\">the other x</a> and <a "
       "href=\"c2.xhtml\">chapter two</a>.</p></body></html>"},
      {"OEBPS/text/c2.xhtml",
       "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">"
       "<head><title>c2</title></head><body><h2>Second</h2><p id=\"x\">Also "
       "x.</p></body></html>"},
  };
  size_t len;
  unsigned char *zip = make_zip(files, sizeof files / sizeof files[0], &len);
  et_result r = et_convert("epub", "xml", zip, len, NULL, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  assert_non_null(
      strstr(r.diags, "spine file OEBPS/text/gone.xhtml is missing"));
  galley_doc *doc = et_read_doc("epub", zip, len, NULL, NULL);
  assert_non_null(doc);
  assert_string_equal(galley_doc_get_meta(doc, "title"), "Hand Made");
  assert_string_equal(galley_doc_get_meta(doc, "language"), "de");
  assert_int_equal(galley_doc_meta_count(doc, "author"), 2);
  assert_string_equal(galley_doc_get_meta(doc, "identifier"), "urn:x:1");
  galley_node *root = galley_doc_root(doc);
  /* Two chapters (the nav is not content), each a DIV named by its file. */
  assert_int_equal(galley_node_child_count(root), 2);
  galley_node *c1 = galley_node_first_child(root);
  assert_string_equal(galley_node_get_id(c1), "c1.xhtml");
  galley_node *h = galley_node_first_child(c1);
  assert_int_equal(galley_node_kind(h), GALLEY_NODE_HEADING);
  assert_string_equal(galley_node_text(doc, h), "Prologue");
  galley_node *c2 = galley_node_next(c1);
  assert_string_equal(galley_node_get_id(c2), "c2.xhtml");
  /* The second x was renamed; links point at what they meant. */
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  const char *urls[2] = {NULL, NULL};
  int k = 0;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE)
    if (ev == GALLEY_EVENT_ENTER &&
        galley_node_kind(galley_iter_node(&it)) == GALLEY_NODE_LINK && k < 2)
      urls[k++] = galley_node_get_url(galley_iter_node(&it));
  assert_string_equal(urls[0], "#x-2");
  assert_string_equal(urls[1], "#c2.xhtml");
  galley_doc_free(doc);
  et_free(&r);
  free(zip);
}

static void epub2_takes_titles_from_the_ncx(void **state) {
  (void)state;
  const file files[] = {
      {"mimetype", "application/epub+zip"},
      {"META-INF/container.xml", container},
      {"OEBPS/content.opf",
       "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" "
       "version=\"2.0\" unique-identifier=\"u\"><metadata "
       "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
       "xmlns:opf=\"http://www.idpf.org/2007/opf\"><dc:identifier "
       "id=\"u\">urn:x:2</dc:identifier><dc:title>Old Style</dc:title>"
       "<dc:date opf:event=\"modification\">2020-01-01</dc:date>"
       "<dc:date opf:event=\"publication\">1999-05-01</dc:date>"
       "<dc:source>https://example.org/old</dc:source>"
       "<meta name=\"cover\" content=\"pic\"/></metadata><manifest>"
       "<item id=\"ncx\" href=\"toc.ncx\" "
       "media-type=\"application/x-dtbncx+xml\"/>"
       "<item id=\"pic\" href=\"p%20ic.gif\" media-type=\"image/gif\"/>"
       "<item id=\"c1\" href=\"c1.html\" media-type=\"application/xhtml+xml\"/>"
       "</manifest><spine toc=\"ncx\"><itemref idref=\"c1\"/></spine>"
       "</package>"},
      {"OEBPS/toc.ncx",
       "<?xml version=\"1.0\"?><ncx "
       "xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\">"
       "<head/><docTitle><text>Old Style</text></docTitle><navMap><navPoint "
       "id=\"n1\" playOrder=\"1\"><navLabel><text>From the NCX</text>"
       "</navLabel><content src=\"c1.html\"/></navPoint></navMap></ncx>"},
      {"OEBPS/p ic.gif", "GIF89a\x01\0\x01\0\0\0\0;"},
      {"OEBPS/c1.html",
       "<html><head><title>c</title></head><body><p>Only text, <img "
       "src=\"p%20ic.gif\" alt=\"pic\"/>.</p></body></html>"},
  };
  size_t len;
  unsigned char *zip = make_zip(files, sizeof files / sizeof files[0], &len);
  char *err = NULL;
  galley_doc *doc = et_read_doc("epub", zip, len, NULL, &err);
  if (!doc)
    fail_msg("%s", err);
  assert_string_equal(galley_doc_get_meta(doc, "date"), "1999-05-01");
  assert_string_equal(galley_doc_get_meta(doc, "url"),
                      "https://example.org/old");
  assert_string_equal(galley_doc_get_meta(doc, "cover"), "p ic.gif");
  galley_node *h = galley_node_find(galley_doc_root(doc), GALLEY_NODE_HEADING);
  assert_non_null(h);
  assert_string_equal(galley_node_text(doc, h), "From the NCX");
  galley_node *img = galley_node_find(galley_doc_root(doc), GALLEY_NODE_IMAGE);
  assert_string_equal(galley_node_get_url(img), "p ic.gif");
  galley_doc_free(doc);
  free(zip);
}


/* Issue 17's EPUB reading: notes, page breaks, verse, calibre's cover page
 * and HTML output without made-up attributes. */
#define XH(body)                                                              \
  "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\" "      \
  "xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>x</title>"        \
  "</head><body>" body "</body></html>"

static void notes_verse_page_breaks_and_the_cover_page(void **state) {
  (void)state;
  const file files[] = {
      {"mimetype", "application/epub+zip"},
      {"META-INF/container.xml", container},
      {"OEBPS/content.opf",
       "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" "
       "version=\"3.0\" unique-identifier=\"u\"><metadata "
       "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:identifier "
       "id=\"u\">urn:x:2</dc:identifier><dc:title>Notes</dc:title>"
       "<dc:language>en</dc:language></metadata><manifest>"
       "<item id=\"tp\" href=\"titlepage.xhtml\" "
       "media-type=\"application/xhtml+xml\"/>"
       "<item id=\"cov\" href=\"cover.svg\" media-type=\"image/svg+xml\"/>"
       "<item id=\"c1\" href=\"c1.xhtml\" "
       "media-type=\"application/xhtml+xml\"/>"
       "<item id=\"c2\" href=\"c2.xhtml\" "
       "media-type=\"application/xhtml+xml\"/>"
       "</manifest><spine><itemref idref=\"tp\"/><itemref idref=\"c1\"/>"
       "<itemref idref=\"c2\"/></spine></package>"},
      {"OEBPS/cover.svg",
       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\">"
       "<rect width=\"4\" height=\"4\"/></svg>"},
      /* calibre's cover page: one svg, one image, no words. */
      {"OEBPS/titlepage.xhtml",
       XH("<div><svg xmlns=\"http://www.w3.org/2000/svg\" "
          "xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 1 1\">"
          "<image width=\"1\" height=\"1\" xlink:href=\"cover.svg\"/></svg>"
          "</div>")},
      {"OEBPS/c1.xhtml",
       XH("<h1>One</h1><p>Text<a epub:type=\"noteref\" href=\"#n1\">1</a> "
          "and<a epub:type=\"noteref\" href=\"c2.xhtml#n2\">2</a>.</p>"
          "<span epub:type=\"pagebreak\" id=\"page7\" title=\"7\"/>"
          "<div epub:type=\"pagebreak\" id=\"page8\" title=\"8\">8</div>"
          "<p>After <a href=\"#page8\">page eight</a>.</p>"
          "<div class=\"poem\"><p class=\"line\"><span "
          "class=\"linenum\">5</span>First of poem</p><p class=\"line\" "
          "id=\"l6\">Second of poem</p><p class=\"line\">Third of poem "
          "<span class=\"lnum\">10</span></p></div>"
          "<aside epub:type=\"footnote\" id=\"n1\"><p>Note one.</p></aside>"
          "<p>Calibre<a href=\"#note-3\" id=\"ref3\"><sup>3</sup></a> "
          "style.</p><div class=\"notes\"><p id=\"note-3\"><a "
          "href=\"#ref3\">3</a>. The third note.</p></div>")},
      {"OEBPS/c2.xhtml",
       XH("<h1>Two</h1><section epub:type=\"endnotes\"><ol><li id=\"n2\" "
          "epub:type=\"endnote\"><p>Note two.</p></li></ol></section>")},
  };
  size_t len;
  unsigned char *zip = make_zip(files, sizeof files / sizeof files[0], &len);
  galley_doc *doc = et_read_doc("epub", zip, len, NULL, NULL);
  assert_non_null(doc);
  /* The cover page is the cover, not a chapter. */
  assert_string_equal(galley_doc_get_meta(doc, "cover"), "cover.svg");
  assert_int_equal(galley_node_child_count(galley_doc_root(doc)), 2);
  /* Three references, three notes; no link is left pointing at a note. */
  size_t refs = 0, notes = 0, paras_with_breaks = 0;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *x = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    if (galley_node_kind(x) == GALLEY_NODE_FOOTNOTE_REF)
      refs++;
    if (galley_node_kind(x) == GALLEY_NODE_FOOTNOTE)
      notes++;
    if (galley_node_kind(x) == GALLEY_NODE_PARAGRAPH &&
        galley_node_find(x, GALLEY_NODE_LINE_BREAK))
      paras_with_breaks++;
  }
  assert_int_equal(refs, 3);
  assert_int_equal(notes, 3);
  assert_int_equal(paras_with_breaks, 1);
  galley_doc_free(doc);

  et_result md = et_convert("epub", "markdown", zip, len, NULL, NULL, NULL);
  assert_int_equal(md.rc, GALLEY_OK);
  const char *m = (const char *)md.data;
  /* Verse: one line block, numbers not glued to the words. */
  assert_non_null(strstr(m, "First of poem  \nSecond of poem  \nThird of poem"));
  assert_null(strstr(m, "5First"));
  assert_null(strstr(m, "poem 10"));
  assert_null(strstr(m, "poem10"));
  /* Notes: the note text once, its leading number gone. */
  assert_non_null(strstr(m, "]:\n    The third note."));
  assert_non_null(strstr(m, "]:\n    Note two."));
  assert_non_null(strstr(m, "Text[^"));
  /* The page break is no paragraph "8"; the linked one is an anchor. */
  assert_null(strstr(m, "\n8\n"));
  et_result h = et_convert("epub", "html", zip, len, NULL, NULL, NULL);
  assert_int_equal(h.rc, GALLEY_OK);
  const char *html = (const char *)h.data;
  assert_null(strstr(html, "epub-chapter"));
  assert_null(strstr(html, "page7"));
  assert_non_null(strstr(html, "<div id=\"page8\">\n</div>"));
  assert_non_null(strstr(html, "href=\"#page8\""));
  assert_non_null(strstr(html, "<span id=\"l6\"></span>Second of poem"));
  et_free(&md);
  et_free(&h);
  free(zip);
}

int main(void) {
  snprintf(fixture_dir, sizeof fixture_dir, "%s", tu_fixture("epub"));
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(markdown_through_epub_keeps_the_content),
      cmocka_unit_test(html_through_epub_keeps_the_content),
      cmocka_unit_test(images_are_kept_as_resources_and_written_again),
      cmocka_unit_test(the_cover_survives_epub_to_epub),
      cmocka_unit_test(epub3_titles_links_and_missing_files),
      cmocka_unit_test(epub2_takes_titles_from_the_ncx),
      cmocka_unit_test(notes_verse_page_breaks_and_the_cover_page),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
