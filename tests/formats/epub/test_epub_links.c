/* Links and images of saved web pages in EPUB (issue 15): external links
 * stay absolute links, in-book links (footnotes, headings) keep working,
 * images saved beside the page are embedded, an image-only link keeps
 * something to click, and the book passes epubcheck. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "epubtest.h"
#include "testutil.h"

/* `rel` under fixtures/ converted to EPUB with its folder as the input's. */
static et_result convert(const char *rel) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", tu_fixture(rel));
  char *slash = strrchr(dir, '/');
  assert_non_null(slash);
  *slash = '\0';
  size_t len;
  char *src = tu_read_file(tu_fixture(rel), &len);
  assert_non_null(src);
  et_result r = et_convert("html", "epub", src, len, dir, NULL, NULL);
  free(src);
  if (r.rc != GALLEY_OK)
    fail_msg("%s to EPUB failed: %s", rel, r.diags ? r.diags : "?");
  return r;
}

static char *chapter(const et_result *r) {
  char *e = et_zip_entry(r->data, r->len, "EPUB/ch001.xhtml", NULL);
  if (!e)
    fail_msg("no EPUB/ch001.xhtml in the EPUB");
  return e;
}

static void has(const char *text, const char *want) {
  if (!text || !strstr(text, want))
    fail_msg("missing from the chapter: %s\n%s", want,
             text ? text : "(no chapter)");
}

static void a_saved_pages_links_are_absolute_in_the_book(void **state) {
  (void)state;
  et_result r = convert("links/canonical.html");
  char *ch = chapter(&r);
  /* Relative links of a local file resolve against its canonical. */
  has(ch, "<a href=\"https://blog.example/tags/sea\">sea</a>");
  has(ch, "<a href=\"https://blog.example/2025/02/older.html\">");
  if (et_epubcheck(r.data, r.len) > 0)
    fail_msg("epubcheck failed on links/canonical.html");
  free(ch);
  et_free(&r);
}

static void base_href_links_footnotes_and_local_images(void **state) {
  (void)state;
  et_result r = convert("links/base.html");
  char *ch = chapter(&r);
  has(ch, "href=\"https://news.example/world/europe/story.html\"");
  has(ch, "href=\"https://news.example/world/asia/\"");
  has(ch, "href=\"https://cdn.example/files/map.pdf\"");
  has(ch, "href=\"https://news.example/world/europe/?page=2\"");
  has(ch, "href=\"mailto:desk@news.example\"");
  /* In-book links: a heading, a footnote and its way back. */
  has(ch, "<a href=\"#tides\">the tides</a>");
  has(ch, "<h2 id=\"tides\">");
  has(ch, "epub:type=\"noteref\"");
  has(ch, "class=\"footnote-back\" href=\"#gfnref-1\"");
  /* The note opens with its number, which leads back ("1. …"). */
  has(ch, "<p><a class=\"footnote-back\" href=\"#gfnref-1\" "
          "role=\"doc-backlink\">1</a>. ");
  /* The picture saved beside the page is in the book; the one it did not
   * save is on the web and stays its alt text. */
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/images/"), 1);
  has(ch, "alt=\"The harbour, saved beside the page\"");
  has(ch, "<p>Boats, not saved</p>");
  if (et_epubcheck(r.data, r.len) > 0)
    fail_msg("epubcheck failed on links/base.html");
  free(ch);
  et_free(&r);
}

static void an_image_only_link_keeps_something_to_click(void **state) {
  (void)state;
  et_result r = convert("images/page.html");
  char *ch = chapter(&r);
  /* Its image is remote (not fetched here): the link keeps a label. */
  has(ch, "<a href=\"https://cdn.photos.example/full/urchin.jpg\">[image]</a>");
  /* An image with no address, or only a placeholder, keeps its alt text. */
  has(ch, "With nothing behind it: Placeholder: the sponsor logo and No "
          "source: a diagram keep their alt text.");
  /* A local one is embedded inside its link. */
  has(ch, "<a href=\"https://photos.example/gallery/\"><img src=\"images/");
  assert_int_equal(et_zip_count(r.data, r.len, "EPUB/images/"), 2);
  if (et_epubcheck(r.data, r.len) > 0)
    fail_msg("epubcheck failed on images/page.html");
  free(ch);
  et_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_saved_pages_links_are_absolute_in_the_book),
      cmocka_unit_test(base_href_links_footnotes_and_local_images),
      cmocka_unit_test(an_image_only_link_keeps_something_to_click),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
