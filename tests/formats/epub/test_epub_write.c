/* The epub writer: package structure, metadata, chapters, links, notes,
 * images, cover, reproducibility, digests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "epubtest.h"
#include "testutil.h"

static char fixture_dir[4096];

static char *fixture(const char *name, size_t *len) {
  char *data = tu_read_file(tu_fixture(name), len);
  assert_non_null(data);
  return data;
}

static et_result md_to_epub(const char *md, const char *const *opts,
                            const char *const *meta) {
  return et_convert("markdown", "epub", md, strlen(md), fixture_dir, opts,
                    meta);
}

static void writes_mimetype_first_and_uncompressed(void **state) {
  (void)state;
  et_result r = md_to_epub("# Hi\n\nText.\n", NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  assert_true(r.len > 60);
  assert_memory_equal(r.data, "PK\3\4", 4);
  assert_int_equal(r.data[8] | r.data[9] << 8, 0);   /* stored */
  assert_int_equal(r.data[28] | r.data[29] << 8, 0); /* no extra field */
  assert_memory_equal(r.data + 30, "mimetypeapplication/epub+zip", 28);
  char *c = et_entry(&r, "META-INF/container.xml");
  assert_non_null(strstr(c, "full-path=\"EPUB/package.opf\""));
  free(c);
  et_free(&r);
}

static void probe_scores_an_epub_100(void **state) {
  (void)state;
  et_result r = md_to_epub("# Hi\n", NULL, NULL);
  const galley_plugin *p = galley_registry_find(tu_registry(), "epub");
  assert_non_null(p);
  assert_int_equal(p->probe(r.data, r.len), 100);
  assert_int_equal(p->probe((const unsigned char *)"PK\3\4rest", 8), 10);
  assert_int_equal(p->probe((const unsigned char *)"<html>", 6), 0);
  et_free(&r);
}

static void two_runs_give_identical_bytes(void **state) {
  (void)state;
  size_t len;
  char *md = fixture("epub/article.md", &len);
  et_result a = md_to_epub(md, NULL, NULL);
  et_result b = md_to_epub(md, NULL, NULL);
  assert_int_equal(a.rc, GALLEY_OK);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  et_free(&a);
  et_free(&b);
  free(md);
}

static void package_holds_the_metadata(void **state) {
  (void)state;
  size_t len;
  char *md = fixture("epub/article.md", &len);
  const char *meta[] = {"url=https://example.org/reading-room",
                        "publisher=Quiet Press", "description=A short article.",
                        NULL};
  et_result r = md_to_epub(md, NULL, meta);
  assert_int_equal(r.rc, GALLEY_OK);
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, "<dc:title>The Reading Room</dc:title>"));
  assert_non_null(strstr(opf, "<dc:language>en</dc:language>"));
  assert_non_null(strstr(opf, ">Ada Quill</dc:creator>"));
  assert_non_null(strstr(opf, "<dc:date>2025-06-14</dc:date>"));
  assert_non_null(strstr(opf, "<dc:publisher>Quiet Press</dc:publisher>"));
  assert_non_null(
      strstr(opf, "<dc:source>https://example.org/reading-room</dc:source>"));
  assert_non_null(strstr(opf, "<dc:description>A short article."));
  assert_non_null(strstr(
      opf, "<meta property=\"dcterms:modified\">2025-06-14T00:00:00Z</meta>"));
  /* The NCX carries the same identifier as the package. */
  char *id = strstr(opf, "id=\"bookid\">");
  assert_non_null(id);
  id += strlen("id=\"bookid\">");
  assert_memory_equal(id, "urn:uuid:", 9);
  char uid[128];
  size_t n = strcspn(id, "<");
  assert_true(n < sizeof uid);
  memcpy(uid, id, n);
  uid[n] = '\0';
  char *ncx = et_entry(&r, "EPUB/toc.ncx");
  char want[200];
  snprintf(want, sizeof want, "<meta name=\"dtb:uid\" content=\"%s\"/>", uid);
  assert_non_null(strstr(ncx, want));
  free(ncx);
  free(opf);
  et_free(&r);
  free(md);
}

static void identifier_from_metadata_wins(void **state) {
  (void)state;
  const char *meta[] = {"identifier=isbn:9780000000001", NULL};
  et_result r = md_to_epub("# A\n\nB\n", NULL, meta);
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, ">isbn:9780000000001</dc:identifier>"));
  free(opf);
  et_free(&r);
}

static void modified_comes_from_source_date_epoch(void **state) {
  (void)state;
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  et_result r = md_to_epub("# A\n\nB\n", NULL, NULL);
  unsetenv("SOURCE_DATE_EPOCH");
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, ">2023-11-14T22:13:20Z</meta>"));
  free(opf);
  et_free(&r);
  /* Without it and without a date: a fixed epoch. */
  r = md_to_epub("# A\n\nB\n", NULL, NULL);
  opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, ">1980-01-01T00:00:00Z</meta>"));
  free(opf);
  et_free(&r);
}

static void missing_language_and_title_are_filled_with_a_warning(void **state) {
  (void)state;
  /* Too little text to tell its language: "und", never a silent "en". */
  et_result r = md_to_epub("## Only a heading\n\nText.\n", NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  assert_non_null(strstr(r.diags, "warning: no language given"));
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, "<dc:language>und</dc:language>"));
  assert_non_null(strstr(opf, "<dc:title>Only a heading</dc:title>"));
  free(opf);
  et_free(&r);
}

static void metadata_overrides_win(void **state) {
  (void)state;
  size_t len;
  char *md = fixture("epub/article.md", &len);
  const char *meta[] = {"title=Another Title", "language=fr", NULL};
  et_result r = md_to_epub(md, NULL, meta);
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, "<dc:title>Another Title</dc:title>"));
  assert_non_null(strstr(opf, "<dc:language>fr</dc:language>"));
  free(opf);
  et_free(&r);
  free(md);
}

static void chapters_split_at_level_one_headings(void **state) {
  (void)state;
  size_t len;
  char *md = fixture("epub/chapters.md", &len);
  et_result r = md_to_epub(md, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/ch0"), 3);
  char *nav = et_entry(&r, "EPUB/nav.xhtml");
  const char *morning = strstr(nav, ">Morning</a>");
  const char *first = strstr(nav, ">The first customers</a>");
  const char *noon = strstr(nav, ">Noon</a>");
  assert_non_null(morning);
  assert_non_null(first);
  assert_non_null(noon);
  assert_true(morning < first && first < noon);
  assert_non_null(strstr(nav, "epub:type=\"landmarks\""));
  free(nav);
  et_free(&r);
  const char *depth1[] = {"toc-depth=1", NULL};
  r = md_to_epub(md, depth1, NULL);
  nav = et_entry(&r, "EPUB/nav.xhtml");
  assert_null(strstr(nav, "The first customers"));
  free(nav);
  et_free(&r);
  const char *one[] = {"chapter-level=0", NULL};
  r = md_to_epub(md, one, NULL);
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/ch0"), 1);
  et_free(&r);
  free(md);
}

static void links_are_rewritten_across_chapter_files(void **state) {
  (void)state;
  const char *html =
      "<html lang=\"en\"><body><h1>One</h1><p><a href=\"#two\">to two</a> "
      "<a href=\"#nowhere\">dangling</a> <a href=\"other.html\">relative</a> "
      "<a href=\"javascript:alert(1)\">script</a></p>"
      "<h1 id=\"two\">Two</h1><p id=\"two\">Same id again.</p>"
      "<p><a href=\"#two\">back</a></p></body></html>";
  et_result r =
      et_convert("html", "epub", html, strlen(html), fixture_dir, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *c1 = et_entry(&r, "EPUB/ch001.xhtml");
  char *c2 = et_entry(&r, "EPUB/ch002.xhtml");
  assert_non_null(strstr(c1, "href=\"ch002.xhtml#two\""));
  /* Links that lead nowhere in the book keep their text only. */
  assert_null(strstr(c1, "#nowhere"));
  assert_null(strstr(c1, "other.html"));
  assert_null(strstr(c1, "javascript"));
  assert_non_null(strstr(c1, "dangling"));
  /* Ids stay unique; the later duplicate is renamed. */
  assert_non_null(strstr(c2, "id=\"two\""));
  assert_non_null(strstr(c2, "id=\"two-2\""));
  assert_non_null(strstr(c2, "href=\"#two\""));
  free(c1);
  free(c2);
  et_free(&r);
}

static void footnotes_become_noterefs_and_asides(void **state) {
  (void)state;
  size_t len;
  char *md = fixture("epub/article.md", &len);
  et_result r = md_to_epub(md, NULL, NULL);
  char *c = et_entry(&r, "EPUB/ch001.xhtml");
  assert_non_null(strstr(c, "epub:type=\"noteref\""));
  assert_non_null(strstr(c, "href=\"#gfn-1\""));
  assert_non_null(strstr(c, "<aside id=\"gfn-1\" class=\"footnote\" "
                            "epub:type=\"footnote\" role=\"doc-footnote\">"));
  assert_non_null(strstr(c, "the children's corner is loud"));
  assert_non_null(strstr(c, "<aside id=\"gfn-2\""));
  free(c);
  et_free(&r);
  free(md);
}

/* A task list keeps its ticks: a disabled checkbox, named, in each item. */
static void task_items_keep_their_checkboxes(void **state) {
  (void)state;
  const char *md = "# Tasks\n\n- [x] done one\n- [ ] open one\n";
  et_result r = md_to_epub(md, NULL, NULL);
  char *c = et_entry(&r, "EPUB/ch001.xhtml");
  assert_non_null(strstr(c, "<li><input type=\"checkbox\" disabled=\"\" "
                            "checked=\"\" aria-label=\"done\" /> done one"));
  assert_non_null(strstr(c, "<li><input type=\"checkbox\" disabled=\"\" "
                            "aria-label=\"not done\" /> open one"));
  free(c);
  et_free(&r);
  /* Any other form control still goes. */
  r = md_to_epub("# F\n\nA <input type=\"text\"> box.\n", NULL, NULL);
  c = et_entry(&r, "EPUB/ch001.xhtml");
  assert_null(strstr(c, "<input"));
  free(c);
  et_free(&r);
}

static void local_images_are_embedded_once_with_their_type(void **state) {
  (void)state;
  const char *md = "# Pictures\n\n![one](images/library.png)\n\n"
                   "![two](images/library.png)\n\n![three](./images/../images/"
                   "library.png)\n";
  et_result r = md_to_epub(md, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/images/"), 1);
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, "href=\"images/img-001.png\" "
                              "media-type=\"image/png\""));
  free(opf);
  char *c = et_entry(&r, "EPUB/ch001.xhtml");
  assert_non_null(strstr(c, "<img src=\"images/img-001.png\" alt=\"three\""));
  free(c);
  et_free(&r);
}

static void remote_images_are_dropped_with_their_alt_text_kept(void **state) {
  (void)state;
  const char *md =
      "# Remote\n\n![a distant photo](https://example.org/p.jpg)\n";
  et_result r = md_to_epub(md, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  /* Offline (epubtest's jobs are): one warning counts them. */
  assert_non_null(strstr(r.diags, "warning: 1 remote image not fetched "
                                  "(offline); kept their alt text"));
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/images/"), 0);
  char *c = et_entry(&r, "EPUB/ch001.xhtml");
  assert_non_null(strstr(c, "a distant photo"));
  assert_null(strstr(c, "<img"));
  free(c);
  et_free(&r);
}

static void images_outside_the_input_folder_are_refused(void **state) {
  (void)state;
  /* A folder with a symlink that points out of it. */
  char dir[] = "/tmp/galley-epub-root-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char link[4200], outside[4200];
  snprintf(link, sizeof link, "%s/escape.png", dir);
  snprintf(outside, sizeof outside, "%s/images/library.png", fixture_dir);
  assert_int_equal(symlink(outside, link), 0);
  const char *md = "# Escapes\n\n![up](../epub/images/library.png)\n\n"
                   "![abs](/etc/hostname)\n\n![link](escape.png)\n";
  et_result r = et_convert("markdown", "epub", md, strlen(md), dir, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/images/"), 0);
  assert_non_null(strstr(r.diags, "../epub/images/library.png is outside"));
  assert_non_null(strstr(r.diags, "/etc/hostname is outside"));
  assert_non_null(strstr(r.diags, "escape.png leaves the input folder"));
  et_free(&r);
  unlink(link);
  rmdir(dir);
}

static void resource_path_is_a_second_root(void **state) {
  (void)state;
  const char *md = "# Elsewhere\n\n![pic](library.png)\n";
  galley_registry *reg = tu_registry();
  galley_job *job = galley_job_new(reg);
  char images[4200];
  snprintf(images, sizeof images, "%s/images", fixture_dir);
  galley_job_add_resource_path(job, images);
  galley_sink *sink = galley_sink_new_memory();
  galley_input in = {(const unsigned char *)md, strlen(md), "in",
                     "/nonexistent"};
  assert_int_equal(
      galley_job_convert(job, &in, galley_registry_find(reg, "markdown"), NULL,
                         0, galley_registry_find(reg, "epub"), sink),
      GALLEY_OK);
  size_t n;
  const unsigned char *data = (const unsigned char *)galley_sink_data(sink, &n);
  assert_int_equal(et_zip_count(data, n, "EPUB/images/"), 1);
  galley_sink_free(sink);
  galley_job_free(job);
}

/* A PNG header that claims 800x600 pixels: enough for sniffing and sizing. */
static const unsigned char big_png[] = {
    0x89, 'P',  'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0, 0,
    13,   'I',  'H', 'D', 'R',  0,    0,    3,    0x20, 0, 0,
    2,    0x58, 8,   2,   0,    0,    0,    0,    0,    0};

static galley_doc *doc_with_images(void) {
  galley_doc *doc = galley_doc_new();
  galley_doc_set_meta(doc, "title", "Images");
  galley_doc_set_meta(doc, "language", "en");
  galley_node *root = galley_doc_root(doc);
  size_t len;
  char *small = tu_read_file(tu_fixture("epub/images/library.png"), &len);
  assert_non_null(small);
  galley_doc_add_resource(doc, "small.png", "image/png", small, len);
  galley_doc_add_resource(doc, "big.png", "image/png", big_png, sizeof big_png);
  free(small);
  const char *names[] = {"small.png", "big.png"};
  for (int i = 0; i < 2; i++) {
    galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
    galley_node *img = galley_doc_new_node(doc, GALLEY_NODE_IMAGE);
    galley_node_set_url(img, names[i]);
    galley_node_append_child(img,
                             galley_doc_new_text(doc, names[i], (size_t)-1));
    galley_node_append_child(p, img);
    galley_node_append_child(root, p);
  }
  return doc;
}

static void cover_auto_takes_the_first_large_image(void **state) {
  (void)state;
  galley_doc *doc = doc_with_images();
  const char *opts[] = {"cover=auto", NULL};
  et_result r = et_write_doc(doc, "epub", opts);
  assert_int_equal(r.rc, GALLEY_OK);
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf,
                         "<item id=\"img-002\" href=\"images/img-002.png\" "
                         "media-type=\"image/png\" "
                         "properties=\"cover-image\"/>"));
  assert_non_null(strstr(opf, "<meta name=\"cover\" content=\"img-002\"/>"));
  assert_non_null(strstr(opf, "<itemref idref=\"cover-page\"/>"));
  assert_non_null(strstr(opf, "<reference type=\"cover\""));
  free(opf);
  char *cover = et_entry(&r, "EPUB/cover.xhtml");
  assert_non_null(strstr(cover, "epub:type=\"cover\""));
  assert_non_null(strstr(cover, "src=\"images/img-002.png\""));
  free(cover);
  et_free(&r);
  /* Without the option: no cover. */
  r = et_write_doc(doc, "epub", NULL);
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/cover.xhtml"), 0);
  et_free(&r);
  galley_doc_free(doc);
}

static void cover_option_names_a_file(void **state) {
  (void)state;
  char path[4200];
  snprintf(path, sizeof path, "cover=%s/images/library.png", fixture_dir);
  const char *opts[] = {path, NULL};
  et_result r = md_to_epub("# Covered\n\nText.\n", opts, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, "properties=\"cover-image\""));
  free(opf);
  et_free(&r);
  const char *bad[] = {"cover=/nonexistent/cover.png", NULL};
  r = md_to_epub("# Covered\n\nText.\n", bad, NULL);
  assert_int_equal(r.rc, GALLEY_EIO);
  et_free(&r);
}

/* The contents of one article: its title first (the top of the first
 * file), then its sections beside each other, subsections under them. */
static void one_article_lists_its_title_then_its_sections(void **state) {
  (void)state;
  const char *md = "---\ntitle: Mozilla\n---\n"
                   "Intro.\n\n## History\n\nA.\n\n### Eich\n\nB.\n\n"
                   "## Values\n\nC.\n\n### Pledge\n\nD.\n\n## Software\n\nE.\n";
  et_result r = md_to_epub(md, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *nav = et_entry(&r, "EPUB/nav.xhtml");
  const char *want =
      "<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\">\n<h1>Contents</h1>\n"
      "<ol>\n"
      "<li><a href=\"ch001.xhtml\">Mozilla</a></li>\n"
      "<li><a href=\"ch001.xhtml#h-1-1\">History</a>\n<ol>\n"
      "<li><a href=\"ch001.xhtml#h-1-2\">Eich</a></li>\n</ol>\n</li>\n"
      "<li><a href=\"ch001.xhtml#h-1-3\">Values</a>\n<ol>\n"
      "<li><a href=\"ch001.xhtml#h-1-4\">Pledge</a></li>\n</ol>\n</li>\n"
      "<li><a href=\"ch001.xhtml#h-1-5\">Software</a></li>\n</ol>\n</nav>";
  if (!strstr(nav, want))
    fail_msg("nav:\n%s\nwant:\n%s", nav, want);
  free(nav);
  char *ncx = et_entry(&r, "EPUB/toc.ncx");
  /* The same in the NCX: five top-level points, the title's first. */
  const char *t = strstr(ncx, "<navLabel><text>Mozilla</text>");
  const char *v = strstr(ncx, "<navLabel><text>Values</text>");
  assert_non_null(t);
  assert_non_null(v);
  assert_non_null(strstr(ncx, "<navPoint id=\"np-4\" playOrder=\"4\">\n"
                              "<navLabel><text>Values</text>"));
  free(ncx);
  et_free(&r);
  /* A first heading that repeats the title is the title's entry; chapters
   * that open with a heading are entries beside it. */
  const char *md2 = "---\ntitle: Day\n---\n# Day\n\nA.\n\n# Noon\n\nB.\n\n"
                    "## Lunch\n\nC.\n\n# Night\n\nD.\n";
  r = md_to_epub(md2, NULL, NULL);
  nav = et_entry(&r, "EPUB/nav.xhtml");
  want = "<ol>\n<li><a href=\"ch001.xhtml\">Day</a></li>\n"
         "<li><a href=\"ch002.xhtml\">Noon</a>\n<ol>\n"
         "<li><a href=\"ch002.xhtml#h-2-2\">Lunch</a></li>\n</ol>\n</li>\n"
         "<li><a href=\"ch003.xhtml\">Night</a></li>\n</ol>";
  if (!strstr(nav, want))
    fail_msg("nav:\n%s\nwant:\n%s", nav, want);
  free(nav);
  et_free(&r);
}

/* The title page: the date as a reader writes it, "By" only in English
 * and never twice, the credited source. */
static void title_page_shows_humane_date_byline_and_source(void **state) {
  (void)state;
  const char *meta[] = {"date=2019-11-18T18:54:53.000Z", "author=Jane Doe",
                        "source=Iran Press TV", "language=en", NULL};
  et_result r = md_to_epub("# T\n\nText.\n", NULL, meta);
  assert_int_equal(r.rc, GALLEY_OK);
  char *page = et_entry(&r, "EPUB/title.xhtml");
  assert_non_null(strstr(page, "<p class=\"byline\">By Jane Doe</p>\n"
                               "<p class=\"dateline\">18 November 2019</p>\n"
                               "<p class=\"source\">Iran Press TV</p>\n"));
  assert_null(strstr(page, "2019-11-18"));
  free(page);
  et_free(&r);
  const char *by[] = {"author=By Jane Doe", "language=en-US", NULL};
  r = md_to_epub("# T\n\nText.\n", NULL, by);
  page = et_entry(&r, "EPUB/title.xhtml");
  assert_non_null(strstr(page, "<p class=\"byline\">By Jane Doe</p>"));
  free(page);
  et_free(&r);
  const char *fr[] = {"author=Jeanne Dupont", "author=Luc Martin",
                      "date=2015-05-01", "language=fr", NULL};
  r = md_to_epub("# T\n\nTexte.\n", NULL, fr);
  page = et_entry(&r, "EPUB/title.xhtml");
  assert_non_null(strstr(page, "<p class=\"byline\">Jeanne Dupont, Luc "
                               "Martin</p>\n<p class=\"dateline\">1er mai "
                               "2015</p>"));
  free(page);
  et_free(&r);
}

static void title_page_can_be_left_out(void **state) {
  (void)state;
  et_result r = md_to_epub("# T\n\nText.\n", NULL, NULL);
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/title.xhtml"), 1);
  et_free(&r);
  const char *opts[] = {"title-page=false", NULL};
  r = md_to_epub("# T\n\nText.\n", opts, NULL);
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/title.xhtml"), 0);
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_null(strstr(opf, "title.xhtml"));
  free(opf);
  et_free(&r);
}

static void css_option_replaces_the_stylesheet(void **state) {
  (void)state;
  const char css[] = "body { color: black; }\n";
  char *path = et_temp_file(css, sizeof css - 1, ".css");
  assert_non_null(path);
  char opt[4200];
  snprintf(opt, sizeof opt, "css=%s", path);
  const char *opts[] = {opt, NULL};
  et_result r = md_to_epub("# T\n\nText.\n", opts, NULL);
  char *got = et_entry(&r, "EPUB/style.css");
  assert_string_equal(got, css);
  free(got);
  et_free(&r);
  unlink(path);
  free(path);
}

/* Every option of a job as "scope.name=value" lines, in order. */
static char *options_of(const galley_job *job) {
  size_t cap = 4096, len = 0;
  char *out = calloc(1, cap);
  assert_non_null(out);
  for (size_t i = 0; i < galley_job_option_count(job); i++) {
    const char *scope, *name, *value;
    assert_int_equal(galley_job_option_at(job, i, &scope, &name, &value),
                     GALLEY_OK);
    len += (size_t)snprintf(out + len, cap - len, "%s%s%s=%s\n",
                            scope ? scope : "", scope ? "." : "", name, value);
    assert_true(len < cap);
  }
  return out;
}

/* The writer renders chapters with the html writer's XHTML mode through
 * values of its own: the user's options (unscoped css, which the html
 * writer also declares, and html's own) are the same before and after. */
static void the_users_options_are_unchanged_by_an_epub_write(void **state) {
  (void)state;
  const char css[] = "p { margin: 0; }\n";
  char *path = et_temp_file(css, sizeof css - 1, ".css");
  assert_non_null(path);
  galley_registry *reg = tu_registry();
  galley_job *job = galley_job_new(reg);
  assert_int_equal(galley_job_set_option(job, "css", path), GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, "html.xhtml", "false"),
                   GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, "html.fragment", "false"),
                   GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, "epub.toc-depth", "2"),
                   GALLEY_OK);
  assert_int_equal(
      galley_job_set_writer(job, galley_registry_find(reg, "epub")), GALLEY_OK);
  char *before = options_of(job);
  const char *md = "# One\n\nText.\n\n# Two\n\nMore <b>text</b>.\n";
  galley_input in = {(const unsigned char *)md, strlen(md), "in.md", NULL};
  galley_sink *sink = galley_sink_new_memory();
  assert_int_equal(galley_job_run(job, &in, sink), GALLEY_OK);
  char *after = options_of(job);
  assert_string_equal(after, before);
  /* The chapters are still XHTML fragments whatever the user set for html,
   * and the book's stylesheet is the user's. */
  size_t n;
  const char *data = galley_sink_data(sink, &n);
  et_result r = {0};
  r.data = malloc(n + 1);
  assert_non_null(r.data);
  memcpy(r.data, data, n);
  r.len = n;
  char *ch = et_entry(&r, "EPUB/ch001.xhtml");
  assert_non_null(strstr(ch, "<?xml"));
  assert_non_null(strstr(ch, "<p>Text.</p>"));
  char *style = et_entry(&r, "EPUB/style.css");
  assert_string_equal(style, css);
  free(ch);
  free(style);
  et_free(&r);
  free(before);
  free(after);
  galley_sink_free(sink);
  galley_job_free(job);
  unlink(path);
  free(path);
}

static void deep_nesting_is_written_whole(void **state) {
  (void)state;
  char md[1024] = "";
  for (int i = 0; i < 400; i++)
    strcat(md, "> ");
  strcat(md, "deep\n");
  et_result r = md_to_epub(md, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *c = et_entry(&r, "EPUB/ch001.xhtml");
  size_t n = 0;
  for (const char *p = c; (p = strstr(p, "<blockquote>")); p++)
    n++;
  assert_int_equal(n, 400);
  free(c);
  et_free(&r);
}

/* ---- Digests ---------------------------------------------------------------
 */

static galley_doc *read_fixture(const char *from, const char *name) {
  size_t len;
  char *data = fixture(name, &len);
  char *err = NULL;
  galley_doc *d = et_read_doc(from, data, len, fixture_dir, &err);
  if (!d)
    fail_msg("cannot read %s: %s", name, err ? err : "?");
  free(data);
  return d;
}

/*
 * The digest contract: top-level DIVs with attribute galley-article="1",
 * each carrying its article's title, author, date, url, language and base
 * (the folder its images resolve under) as attributes; the book's own
 * metadata on the document.
 */
static galley_doc *digest_of(const char *const *froms, const char *const *names,
                             size_t n) {
  galley_doc *book = galley_doc_new();
  galley_doc_set_meta(book, "title", "Weekend Reading");
  for (size_t i = 0; i < n; i++) {
    galley_doc *a = read_fixture(froms[i], names[i]);
    galley_node *div = galley_doc_new_node(book, GALLEY_NODE_DIV);
    galley_node_set_attr(div, "galley-article", "1");
    /* Each article's images resolve under its own folder. */
    galley_node_set_attr(div, "base", fixture_dir);
    const char *keys[] = {"title", "author", "date", "url", "language"};
    for (size_t k = 0; k < 5; k++) {
      const char *v = galley_doc_get_meta(a, keys[k]);
      if (v)
        galley_node_set_attr(div, keys[k], v);
    }
    for (galley_node *c = galley_node_first_child(galley_doc_root(a)); c;
         c = galley_node_next(c))
      assert_int_equal(et_copy_tree(div, c), GALLEY_OK);
    assert_int_equal(galley_node_append_child(galley_doc_root(book), div),
                     GALLEY_OK);
    galley_doc_free(a);
  }
  return book;
}

/* A digest article's header: its authors as a reader reads them (the CLI
 * joins them with "; "), no "By" in French, the date in French; the title
 * page lists it with that date. */
static void digest_article_header_is_written_for_readers(void **state) {
  (void)state;
  galley_doc *book = galley_doc_new();
  galley_doc_set_meta(book, "title", "Revue");
  const char *langs[] = {"fr", "en"};
  for (size_t i = 0; i < 2; i++) {
    galley_node *div = galley_doc_new_node(book, GALLEY_NODE_DIV);
    galley_node_set_attr(div, "galley-article", "1");
    galley_node_set_attr(div, "title", i ? "Tides" : "Marées");
    galley_node_set_attr(div, "author", "Bo Lindqvist; Mara Ibe");
    galley_node_set_attr(div, "date", "2024-11-02T08:00:00Z");
    galley_node_set_attr(div, "language", langs[i]);
    galley_node *p = galley_doc_new_node(book, GALLEY_NODE_PARAGRAPH);
    galley_node_append_child(p, galley_doc_new_text(book, "Texte.", 6));
    galley_node_append_child(div, p);
    galley_node_append_child(galley_doc_root(book), div);
  }
  et_result r = et_write_doc_from(book, "epub", NULL, fixture_dir);
  assert_int_equal(r.rc, GALLEY_OK);
  char *ch = et_entry(&r, "EPUB/ch001.xhtml");
  assert_non_null(strstr(ch, "<p class=\"byline\">Bo Lindqvist, Mara Ibe</p>\n"
                             "<p class=\"dateline\">2 novembre 2024</p>"));
  free(ch);
  ch = et_entry(&r, "EPUB/ch002.xhtml");
  assert_non_null(strstr(ch,
                         "<p class=\"byline\">By Bo Lindqvist, Mara Ibe</p>\n"
                         "<p class=\"dateline\">2 November 2024</p>"));
  free(ch);
  char *page = et_entry(&r, "EPUB/title.xhtml");
  assert_non_null(strstr(page, ">Marées</a> <span class=\"dateline\">2 "
                               "novembre 2024</span>"));
  free(page);
  et_free(&r);
  galley_doc_free(book);
}

static void digest_of_three_fixtures_is_one_valid_book(void **state) {
  (void)state;
  const char *froms[] = {"markdown", "markdown", "html"};
  const char *names[] = {"epub/article.md", "epub/chapters.md",
                         "epub/page.html"};
  galley_doc *book = digest_of(froms, names, 3);
  /* The articles' folder, as the CLI's digest gives each input's. */
  et_result r = et_write_doc_from(book, "epub", NULL, fixture_dir);
  assert_int_equal(r.rc, GALLEY_OK);
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/ch0"), 3);
  /* Two articles show the same picture: embedded once. */
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/images/"), 1);
  /* Two articles show the same picture: embedded once. */
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/images/"), 1);
  char *nav = et_entry(&r, "EPUB/nav.xhtml");
  const char *a = strstr(nav, ">The Reading Room</a>");
  const char *b = strstr(nav, ">Three Small Chapters</a>");
  const char *c = strstr(nav, ">Notes on Tide Pools</a>");
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(c);
  assert_true(a < b && b < c);
  free(nav);
  char *opf = et_entry(&r, "EPUB/package.opf");
  assert_non_null(strstr(opf, "<dc:title>Weekend Reading</dc:title>"));
  assert_non_null(strstr(opf, ">Ada Quill</dc:creator>"));
  assert_non_null(strstr(opf, ">Bo Lindqvist</dc:creator>"));
  assert_non_null(strstr(opf, ">Ines Paredes</dc:creator>"));
  free(opf);
  char *ch2 = et_entry(&r, "EPUB/ch002.xhtml");
  assert_non_null(strstr(ch2, "xml:lang=\"en-GB\""));
  assert_non_null(strstr(ch2, "<p class=\"byline\">By Bo Lindqvist</p>"));
  assert_non_null(strstr(ch2, "<p class=\"dateline\">2 November 2024</p>"));
  free(ch2);
  /* The title page lists the articles, each with its own date. */
  char *page = et_entry(&r, "EPUB/title.xhtml");
  assert_non_null(strstr(
      page, "<ol class=\"articles\">\n<li><a href=\"ch001.xhtml\">The "
            "Reading Room</a> <span class=\"dateline\">14 June 2025</span>"
            "</li>\n<li><a href=\"ch002.xhtml\">Three Small Chapters</a> "
            "<span class=\"dateline\">2 November 2024</span></li>\n"
            "<li><a href=\"ch003.xhtml\">Notes on Tide Pools</a></li>\n"
            "</ol>"));
  free(page);
  if (et_epubcheck(r.data, r.len) > 0)
    fail_msg("epubcheck failed on the digest");
  et_free(&r);
  galley_doc_free(book);
}

static void fixtures_pass_epubcheck(void **state) {
  (void)state;
  const char *names[] = {"epub/article.md", "epub/chapters.md",
                         "epub/page.html"};
  const char *froms[] = {"markdown", "markdown", "html"};
  for (size_t i = 0; i < 3; i++) {
    size_t len;
    char *data = fixture(names[i], &len);
    const char *opts[] = {"cover=auto", NULL};
    et_result r =
        et_convert(froms[i], "epub", data, len, fixture_dir, opts, NULL);
    assert_int_equal(r.rc, GALLEY_OK);
    if (et_epubcheck(r.data, r.len) > 0)
      fail_msg("epubcheck failed on %s", names[i]);
    et_free(&r);
    free(data);
  }
}

int main(void) {
  snprintf(fixture_dir, sizeof fixture_dir, "%s", tu_fixture("epub"));
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(writes_mimetype_first_and_uncompressed),
      cmocka_unit_test(probe_scores_an_epub_100),
      cmocka_unit_test(two_runs_give_identical_bytes),
      cmocka_unit_test(package_holds_the_metadata),
      cmocka_unit_test(identifier_from_metadata_wins),
      cmocka_unit_test(modified_comes_from_source_date_epoch),
      cmocka_unit_test(missing_language_and_title_are_filled_with_a_warning),
      cmocka_unit_test(metadata_overrides_win),
      cmocka_unit_test(chapters_split_at_level_one_headings),
      cmocka_unit_test(one_article_lists_its_title_then_its_sections),
      cmocka_unit_test(title_page_shows_humane_date_byline_and_source),
      cmocka_unit_test(digest_article_header_is_written_for_readers),
      cmocka_unit_test(links_are_rewritten_across_chapter_files),
      cmocka_unit_test(footnotes_become_noterefs_and_asides),
      cmocka_unit_test(task_items_keep_their_checkboxes),
      cmocka_unit_test(local_images_are_embedded_once_with_their_type),
      cmocka_unit_test(remote_images_are_dropped_with_their_alt_text_kept),
      cmocka_unit_test(images_outside_the_input_folder_are_refused),
      cmocka_unit_test(resource_path_is_a_second_root),
      cmocka_unit_test(cover_auto_takes_the_first_large_image),
      cmocka_unit_test(cover_option_names_a_file),
      cmocka_unit_test(title_page_can_be_left_out),
      cmocka_unit_test(css_option_replaces_the_stylesheet),
      cmocka_unit_test(the_users_options_are_unchanged_by_an_epub_write),
      cmocka_unit_test(deep_nesting_is_written_whole),
      cmocka_unit_test(digest_of_three_fixtures_is_one_valid_book),
      cmocka_unit_test(fixtures_pass_epubcheck),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
