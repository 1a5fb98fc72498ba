/* The epub writer's accessibility (issue 20): package metadata that is true
 * for the book at hand, ARIA roles for epub:type, text alternatives,
 * header scopes, heading levels, link names, languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "epubtest.h"
#include "testutil.h"

static char fixture_dir[4096];

static et_result md_to_epub(const char *md, const char *const *opts,
                            const char *const *meta) {
  return et_convert("markdown", "epub", md, strlen(md), fixture_dir, opts,
                    meta);
}

static et_result html_to_epub(const char *html, const char *const *opts,
                              const char *const *meta) {
  return et_convert("html", "epub", html, strlen(html), fixture_dir, opts,
                    meta);
}

static void has(const char *hay, const char *needle) {
  if (!strstr(hay, needle))
    fail_msg("missing: %s\nin:\n%s", needle, hay);
}

static void lacks(const char *hay, const char *needle) {
  if (strstr(hay, needle))
    fail_msg("unexpected: %s\nin:\n%s", needle, hay);
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
    n++;
  return n;
}

#define META(p, v) "<meta property=\"" p "\">" v "</meta>\n"

/* The fixture article: text, one described image, a table, footnotes.
 * Its metadata block as a whole. */
static void article_gets_the_whole_metadata_block(void **state) {
  (void)state;
  size_t len;
  char *md = tu_read_file(tu_fixture("epub/article.md"), &len);
  assert_non_null(md);
  et_result r = md_to_epub(md, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *opf = et_entry(&r, "EPUB/package.opf");
  has(opf,
      META("schema:accessMode", "textual") META("schema:accessMode", "visual")
          META("schema:accessModeSufficient",
               "textual") META("schema:accessModeSufficient", "textual,visual")
              META("schema:accessibilityFeature", "tableOfContents") META(
                  "schema:accessibilityFeature",
                  "readingOrder") META("schema:accessibilityFeature",
                                       "structuralNavigation")
                  META("schema:accessibilityFeature", "alternativeText") META(
                      "schema:accessibilityFeature", "displayTransformability")
                      META("schema:accessibilityHazard",
                           "none") "<meta "
                                   "property=\"schema:accessibilitySummary\">"
                                   "This publication "
                                   "meets EPUB Accessibility 1.1 and WCAG 2.1 "
                                   "Level AA as far as galley "
                                   "checks it");
  has(opf,
      "Every image has a text alternative. No hazards are "
      "known.</meta>\n" META("dcterms:conformsTo",
                             "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"));
  lacks(r.diags, "text alternative");
  free(opf);
  et_free(&r);
  free(md);
}

static void text_only_book_is_textual_only(void **state) {
  (void)state;
  et_result r = md_to_epub("---\nlanguage: en\n---\n# Words\n\nOnly words "
                           "here.\n",
                           NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *opf = et_entry(&r, "EPUB/package.opf");
  has(opf, META("schema:accessMode", "textual")
               META("schema:accessModeSufficient", "textual"));
  lacks(opf, "visual");
  lacks(opf, "alternativeText");
  has(opf, "It has no images.");
  has(opf,
      META("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"));
  free(opf);
  et_free(&r);
}

/* Images without alt, with an empty one, and with their file name for one,
 * beside a described image: the book says what is missing and claims
 * neither textual sufficiency nor conformance (a reader's tree cannot tell
 * an empty alt from none); an image without alt text is marked decorative
 * (alt="", role="presentation") so the page itself is not broken. */
static void images_without_alternatives_withdraw_the_claims(void **state) {
  (void)state;
  const char *html =
      "<html lang=\"en\"><head><title>Pictures</title></head><body>"
      "<h1>Pictures</h1><p>Four pictures.</p>"
      "<p><img src=\"images/library.png\" alt=\"Oak shelves\"></p>"
      "<p><img src=\"images/library.png\"></p>"
      "<p><img src=\"images/library.png\" alt=\"library.png\"></p>"
      "<p><img src=\"images/library.png\" alt=\"\"></p>"
      "</body></html>";
  et_result r = html_to_epub(html, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  has(r.diags, "3 of 4 images have no text alternative (2 empty or none, 1 "
               "only a file name");
  char *opf = et_entry(&r, "EPUB/package.opf");
  has(opf, META("schema:accessModeSufficient", "textual,visual"));
  lacks(opf, META("schema:accessModeSufficient", "textual"));
  lacks(opf, "conformsTo");
  has(opf, META("schema:accessibilityFeature", "alternativeText"));
  has(opf, "3 of its 4 images have no meaningful text alternative");
  lacks(opf, "meets EPUB Accessibility");
  free(opf);
  char *c = et_entry(&r, "EPUB/ch001.xhtml");
  assert_int_equal(count(c, "alt=\"\" role=\"presentation\""), 2);
  has(c, "alt=\"library.png\" />");
  lacks(c, "galley-src");
  free(c);
  et_free(&r);
}

static void unknown_language_is_not_claimed_to_conform(void **state) {
  (void)state;
  et_result r = md_to_epub("# 123\n\n456 789\n", NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *opf = et_entry(&r, "EPUB/package.opf");
  has(opf, "<dc:language>und</dc:language>");
  lacks(opf, "conformsTo");
  has(opf, "Its language is not known.");
  free(opf);
  et_free(&r);
}

/* -O a11y-summary replaces the summary; -M wins over both, property by
 * property. */
static void summary_option_and_metadata_override(void **state) {
  (void)state;
  const char *md = "---\nlanguage: en\n---\n# Words\n\nText.\n";
  const char *opts[] = {"a11y-summary=Read by a person & checked.", NULL};
  et_result r = md_to_epub(md, opts, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *opf = et_entry(&r, "EPUB/package.opf");
  has(opf,
      META("schema:accessibilitySummary", "Read by a person &amp; checked."));
  assert_int_equal(count(opf, "schema:accessibilitySummary"), 1);
  free(opf);
  et_free(&r);

  const char *meta[] = {"accessibilitySummary=From -M.",
                        "accessibilityHazard=flashing, sound",
                        "accessibilityFeature=largePrint", NULL};
  r = md_to_epub(md, opts, meta);
  assert_int_equal(r.rc, GALLEY_OK);
  opf = et_entry(&r, "EPUB/package.opf");
  has(opf, META("schema:accessibilitySummary", "From -M."));
  lacks(opf, "Read by a person");
  has(opf, META("schema:accessibilityHazard", "flashing")
               META("schema:accessibilityHazard", "sound"));
  lacks(opf, META("schema:accessibilityHazard", "none"));
  has(opf, META("schema:accessibilityFeature", "largePrint"));
  lacks(opf, "tableOfContents");
  free(opf);
  et_free(&r);
}

/* Every epub:type galley writes has its ARIA role. */
static void epub_types_have_their_roles(void **state) {
  (void)state;
  size_t len;
  char *md = tu_read_file(tu_fixture("epub/article.md"), &len);
  assert_non_null(md);
  const char *opts[] = {"cover=auto", NULL};
  et_result r = md_to_epub(md, opts, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *c = et_entry(&r, "EPUB/ch001.xhtml");
  has(c, "epub:type=\"noteref\" role=\"doc-noteref\"");
  has(c, "epub:type=\"footnote\" role=\"doc-footnote\"");
  has(c, "role=\"doc-backlink\"");
  /* Every epub:type of the chapter is followed by its role, except the
   * notes' section (no role matches it one to one). */
  assert_int_equal(count(c, "epub:type="),
                   count(c, "role=\"doc-") - count(c, "role=\"doc-backlink\"") +
                       count(c, "epub:type=\"footnotes\""));
  free(c);
  char *nav = et_entry(&r, "EPUB/nav.xhtml");
  has(nav, "<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\">");
  has(nav, "<nav epub:type=\"landmarks\"");
  free(nav);
  et_free(&r);
  free(md);
}

static void tables_headings_links_and_languages(void **state) {
  (void)state;
  const char *html =
      "<html lang=\"fr\"><head><title>Tableaux</title></head><body>"
      "<h1>Tableaux</h1><p>Un texte en français pour le livre.</p>"
      "<h2>Deux</h2><h4>Quatre</h4><p>a</p><h5>Cinq</h5><h3>Trois</h3>"
      "<h2>  </h2>"
      "<table><tr><th>Jour</th><th>Heures</th></tr>"
      "<tr><th>Lundi</th><td>9–17</td></tr></table>"
      "<p><a href=\"https://example.org/x\"><img src=\"images/library.png\" "
      "alt=\"\"></a> <a href=\"https://example.org/y\"></a></p>"
      "</body></html>";
  et_result r = html_to_epub(html, NULL, NULL);
  assert_int_equal(r.rc, GALLEY_OK);
  char *c = et_entry(&r, "EPUB/ch001.xhtml");
  /* h2 h4 h5 h3 becomes h2 h3 h4 h3; the empty heading is a paragraph. */
  has(c, "<h2 id=\"h-1-2\">Deux</h2>");
  has(c, ">Quatre</h3>");
  has(c, ">Cinq</h4>");
  has(c, ">Trois</h3>");
  lacks(c, "<h5");
  assert_int_equal(count(c, "<h2"), 1);
  has(c, "<th scope=\"col\">Jour</th>");
  has(c, "<th scope=\"col\">Heures</th>");
  has(c, "<th scope=\"row\">Lundi</th>");
  /* An image-only link with a decorative image is named by its address;
   * a link showing nothing is no link. */
  has(c, "<a href=\"https://example.org/x\" aria-label=\"example.org/x\">");
  lacks(c, "example.org/y");
  has(c, "xml:lang=\"fr\" lang=\"fr\"");
  free(c);
  const char *docs[] = {"EPUB/nav.xhtml", "EPUB/title.xhtml"};
  for (size_t i = 0; i < 2; i++) {
    char *d = et_entry(&r, docs[i]);
    has(d, "xml:lang=\"fr\" lang=\"fr\"");
    free(d);
  }
  et_free(&r);
}

int main(void) {
  snprintf(fixture_dir, sizeof fixture_dir, "%s", tu_fixture("epub"));
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(article_gets_the_whole_metadata_block),
      cmocka_unit_test(text_only_book_is_textual_only),
      cmocka_unit_test(images_without_alternatives_withdraw_the_claims),
      cmocka_unit_test(unknown_language_is_not_claimed_to_conform),
      cmocka_unit_test(summary_option_and_metadata_override),
      cmocka_unit_test(epub_types_have_their_roles),
      cmocka_unit_test(tables_headings_links_and_languages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
