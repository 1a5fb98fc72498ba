/* The html writer: standalone documents, fragments, XHTML, escaping,
 * footnotes, and round trips through the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "htmltest.h"
#include "testutil.h"

static char *conv(const char *src, const char *const *opts) {
  char *err = NULL;
  char *out = tu_convert("html", "html", src, strlen(src), opts, &err);
  if (!out)
    fail_msg("convert failed: %s", err);
  return out;
}

/* Writes a document built in the test. */
static char *write_doc(galley_doc *doc, const char *const *opts) {
  galley_registry *reg = tu_registry();
  const galley_plugin *html = galley_registry_find(reg, "html");
  assert_non_null(html);
  galley_job *job = galley_job_new(reg);
  for (size_t i = 0; opts && opts[i]; i++) {
    const char *eq = strchr(opts[i], '=');
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(eq - opts[i]), opts[i]);
    galley_job_set_option(job, key, eq + 1);
  }
  galley_sink *sink = galley_sink_new_memory();
  assert_int_equal(galley_plugin_write(job, html, doc, sink), GALLEY_OK);
  size_t n;
  char *out = strdup(galley_sink_data(sink, &n));
  galley_sink_free(sink);
  galley_job_free(job);
  return out;
}

static xmlDoc *parse_xml(const char *s) {
  return xmlReadMemory(s, (int)strlen(s), NULL, "UTF-8",
                       XML_PARSE_NONET | XML_PARSE_NOERROR |
                           XML_PARSE_NOWARNING);
}

static void
a_standalone_document_has_doctype_charset_title_and_meta(void **state) {
  (void)state;
  char *out = conv("<html lang=fr><head><title>Le titre</title>"
                   "<meta name=author content='A &amp; B'>"
                   "<meta name=description content=Desc></head>"
                   "<body><p>x</p></body></html>",
                   NULL);
  assert_true(strncmp(out, "<!DOCTYPE html>\n<html lang=\"fr\">", 31) == 0);
  assert_non_null(strstr(out, "<meta charset=\"utf-8\">"));
  assert_non_null(strstr(out, "<title>Le titre</title>"));
  assert_non_null(strstr(out, "<meta name=\"author\" content=\"A &amp; B\">"));
  assert_non_null(strstr(out, "<meta name=\"description\" content=\"Desc\">"));
  assert_non_null(strstr(out, "<style>"));
  /* The body opens with the title block (no "By" in French). */
  assert_non_null(strstr(out, "<body>\n<header class=\"title-block\">\n"
                              "<h1 class=\"title\">Le titre</h1>\n"
                              "<p class=\"credits\"><span class=\"byline\">"
                              "A &amp; B</span></p>\n</header>\n"
                              "<p>x</p>\n</body>\n</html>\n"));
  free(out);
}

/* A document with the metadata of an article and a paragraph. */
static galley_doc *article(const char *lang) {
  galley_doc *doc = galley_doc_new();
  assert_non_null(doc);
  if (lang)
    galley_doc_set_meta(doc, GALLEY_META_LANGUAGE, lang);
  galley_doc_set_meta(doc, GALLEY_META_TITLE, "Whales & the sea");
  galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Eleanor Roy");
  galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Tim Lee");
  galley_doc_set_meta(doc, GALLEY_META_DATE, "2019-01-03T07:00:02.000Z");
  galley_doc_set_meta(doc, GALLEY_META_PUBLISHER, "The Guardian");
  galley_doc_set_meta(doc, GALLEY_META_URL,
                      "https://www.theguardian.com/a?b=1");
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node_append_child(p, galley_doc_new_text(doc, "Body.", 5));
  galley_node_append_child(galley_doc_root(doc), p);
  return doc;
}

static void the_title_block_shows_site_title_byline_and_date(void **state) {
  (void)state;
  galley_doc *doc = article("en-GB");
  char *out = write_doc(doc, NULL);
  assert_non_null(strstr(
      out, "<body>\n<header class=\"title-block\">\n"
           "<p class=\"site\"><a href=\"https://www.theguardian.com/a?b=1\">"
           "The Guardian</a></p>\n"
           "<h1 class=\"title\">Whales &amp; the sea</h1>\n"
           "<p class=\"credits\"><span class=\"byline\">By Eleanor Roy, Tim "
           "Lee</span> \xC2\xB7 <time class=\"date\" datetime=\"2019-01-03\">3 "
           "January 2019</time></p>\n</header>\n<p>Body.</p>\n"));
  free(out);
  /* A credited source other than the site joins the credits; without a
   * publisher the URL's host names the site. */
  galley_doc_remove_meta(doc, GALLEY_META_PUBLISHER);
  galley_doc_set_meta(doc, GALLEY_META_SOURCE, "Reuters");
  out = write_doc(doc, NULL);
  assert_non_null(strstr(out, ">Reuters</a></p>\n<h1"));
  galley_doc_set_meta(doc, GALLEY_META_PUBLISHER, "The Guardian");
  free(out);
  out = write_doc(doc, NULL);
  assert_non_null(
      strstr(out, "</time> \xC2\xB7 <span class=\"source\">Reuters</span>"));
  free(out);
  galley_doc_remove_meta(doc, GALLEY_META_PUBLISHER);
  galley_doc_remove_meta(doc, GALLEY_META_SOURCE);
  out = write_doc(doc, NULL);
  assert_non_null(strstr(out, ">theguardian.com</a></p>\n<h1"));
  free(out);
  galley_doc_free(doc);
}

static void the_date_is_written_in_the_article_language(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"fr", ">Eleanor Roy, Tim Lee</span> \xC2\xB7 <time class=\"date\" "
             "datetime=\"2019-01-03\">3 janvier 2019</time>"},
      {"de", ">3. Januar 2019</time>"},
      {"pt-BR", ">3 de janeiro de 2019</time>"},
      {"zh", ">2019-01-03</time>"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    galley_doc *doc = article(cases[i][0]);
    char *out = write_doc(doc, NULL);
    if (!strstr(out, cases[i][1]))
      fail_msg("%s: no %s in\n%s", cases[i][0], cases[i][1], out);
    assert_null(strstr(out, ">By "));
    free(out);
    galley_doc_free(doc);
  }
  /* A date that is not ISO 8601 is shown as it is. */
  galley_doc *doc = article("en");
  galley_doc_set_meta(doc, GALLEY_META_DATE, "Spring 2019");
  char *out = write_doc(doc, NULL);
  assert_non_null(strstr(out, "<span class=\"date\">Spring 2019</span>"));
  assert_null(strstr(out, "<time"));
  free(out);
  galley_doc_free(doc);
}

static void
the_title_block_is_left_out_when_the_body_shows_the_title(void **state) {
  (void)state;
  /* The page's own first heading is the title (or the title is it with the
   * site's name after it). */
  char *out = conv("<title>Locks | Gazette</title><meta name=author content=A>"
                   "<div><h1>Locks</h1><p>x</p></div>",
                   NULL);
  assert_null(strstr(out, "title-block\""));
  free(out);
  out = conv("<title>Locks</title><h2>Locks</h2><p>x</p>", NULL);
  assert_null(strstr(out, "title-block\""));
  free(out);
  /* Another first heading: the block comes first. */
  out = conv("<title>Locks</title><h2>Gates</h2><p>x</p>", NULL);
  assert_non_null(strstr(out, "title-block\""));
  free(out);
  /* Fragments have none; title-block=false turns it off. */
  galley_doc *doc = article("en");
  const char *frag[] = {"fragment=true", NULL};
  out = write_doc(doc, frag);
  assert_string_equal(out, "<p>Body.</p>\n");
  free(out);
  const char *off[] = {"title-block=false", NULL};
  out = write_doc(doc, off);
  assert_null(strstr(out, "<header"));
  assert_non_null(strstr(out, "<body>\n<p>Body.</p>"));
  free(out);
  galley_doc_free(doc);
  /* Written, read and written again: one block, the same output. */
  out = conv("<html lang=en><title>T</title><meta name=author content=A>"
             "<p>x</p>",
             NULL);
  char *err = NULL;
  char *twice = tu_convert("html", "html", out, strlen(out), NULL, &err);
  assert_non_null(twice);
  assert_string_equal(out, twice);
  free(twice);
  free(out);
}

static void the_stylesheet_sets_a_reading_measure(void **state) {
  (void)state;
  char *out = conv("<p>x</p>", NULL);
  assert_non_null(strstr(out, "body { max-width: 55ch; margin: 2em auto;"));
  assert_non_null(strstr(out, "line-height: 1.6;"));
  free(out);
}

static void a_fragment_is_the_body_content_only(void **state) {
  (void)state;
  const char *opts[] = {"fragment=true", NULL};
  char *out = conv("<title>T</title><h1>H</h1><p>x</p>", opts);
  assert_string_equal(out, "<h1>H</h1>\n<p>x</p>\n");
  free(out);
}

static void the_css_option_replaces_the_default_stylesheet(void **state) {
  (void)state;
  char path[] = "/tmp/galley-html-css-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char css[] = "body { color: red; }\n/* </style> */\n";
  assert_int_equal(write(fd, css, sizeof css - 1), (ssize_t)(sizeof css - 1));
  close(fd);
  char opt[64];
  snprintf(opt, sizeof opt, "css=%s", path);
  const char *opts[] = {opt, NULL};
  char *out = conv("<p>x</p>", opts);
  assert_non_null(strstr(out, "body { color: red; }"));
  assert_null(strstr(out, "max-width: 55ch"));
  /* The sheet cannot close the element early. */
  assert_null(strstr(out, "/* </style>"));
  free(out);
  const char *bad[] = {"css=/nonexistent/galley.css", NULL};
  char *err = NULL;
  assert_null(tu_convert("html", "html", "<p>x</p>", 8, bad, &err));
  assert_non_null(strstr(err, "stylesheet"));
  free(err);
  unlink(path);
}

static void text_and_attributes_are_escaped(void **state) {
  (void)state;
  const char *opts[] = {"fragment=true", NULL};
  char *out =
      conv("<p title=x>a &amp; &lt;b&gt; \"q\" <a href='?a=1&amp;b=\"2\"' "
           "title='&lt;t&gt;'>l</a><img src=i.png alt='1 < 2 & \"3\"'>"
           "</p>",
           opts);
  assert_string_equal(out,
                      "<p>a &amp; &lt;b&gt; \"q\" <a href=\"?a=1&amp;b=%222"
                      "%22\" title=\"&lt;t&gt;\">l</a><img src=\"i.png\" "
                      "alt=\"1 &lt; 2 &amp; &quot;3&quot;\"></p>\n");
  free(out);
}

static void xhtml_parses_as_xml_with_every_id_unique(void **state) {
  (void)state;
  const char *opts[] = {"xhtml=true", NULL};
  char *out = conv("<p id=a>x&nbsp;y<br>z</p><p id=a>dup</p><div id='a b'>"
                   "<img src=i.png alt=''><hr></div><p>&copy; &mdash;</p>",
                   opts);
  xmlDoc *d = parse_xml(out);
  assert_non_null(d);
  assert_non_null(strstr(out, "xmlns=\"http://www.w3.org/1999/xhtml\""));
  assert_non_null(strstr(out, "<br />"));
  assert_non_null(strstr(out, "id=\"a\""));
  assert_non_null(strstr(out, "id=\"a-2\""));
  assert_non_null(strstr(out, "id=\"a-b\""));
  assert_null(strstr(out, "&nbsp;"));
  assert_null(strstr(out, "&copy;"));
  xmlFreeDoc(d);
  free(out);
}

static void raw_html_stays_well_formed_in_xhtml(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *raw = galley_doc_new_node(doc, GALLEY_NODE_RAW_BLOCK);
  galley_node_set_format(raw, "html");
  galley_node_set_literal(raw, "<p>a<br>b &nbsp; <img src=x>");
  galley_node_append_child(galley_doc_root(doc), raw);
  const char *opts[] = {"xhtml=true", NULL};
  char *out = write_doc(doc, opts);
  xmlDoc *d = parse_xml(out);
  assert_non_null(d);
  xmlFreeDoc(d);
  free(out);
  out = write_doc(doc, NULL);
  assert_non_null(strstr(out, "<p>a<br>b &nbsp; <img src=x>"));
  free(out);
  galley_doc_free(doc);
}

static void bad_bytes_and_controls_never_reach_the_output(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node_append_child(galley_doc_root(doc), p);
  galley_node_set_attr(p, "onclick", "evil()");
  galley_node_set_attr(p, "bad name", "x");
  galley_node_set_attr(p, "data-ok", "1");
  galley_node_append_child(p, galley_doc_new_text(doc,
                                                  "a\x01"
                                                  "b\xFF\xC3(c\xEF\xBF\xBE",
                                                  (size_t)-1));
  const char *opts[] = {"xhtml=true", "fragment=true", NULL};
  char *out = write_doc(doc, opts);
  assert_string_equal(out, "<p data-ok=\"1\">a b\xEF\xBF\xBD\xEF\xBF\xBD(c"
                           "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD</p>\n");
  xmlDoc *d = parse_xml(out);
  assert_non_null(d);
  xmlFreeDoc(d);
  free(out);
  galley_doc_free(doc);
}

static void footnotes_are_numbered_with_back_links(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node_append_child(root, p);
  galley_node_append_child(p, galley_doc_new_text(doc, "See", (size_t)-1));
  const char *labels[] = {"second", "first", "second"};
  for (size_t i = 0; i < 3; i++) {
    galley_node *ref = galley_doc_new_node(doc, GALLEY_NODE_FOOTNOTE_REF);
    galley_node_set_label(ref, labels[i]);
    galley_node_append_child(p, ref);
  }
  const char *defs[][2] = {{"first", "First note."}, {"second", "Second."}};
  for (size_t i = 0; i < 2; i++) {
    galley_node *fn = galley_doc_new_node(doc, GALLEY_NODE_FOOTNOTE);
    galley_node_set_label(fn, defs[i][0]);
    galley_node *fp = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
    galley_node_append_child(fp,
                             galley_doc_new_text(doc, defs[i][1], (size_t)-1));
    galley_node_append_child(fn, fp);
    galley_node_append_child(root, fn);
  }
  const char *opts[] = {"fragment=true", NULL};
  char *out = write_doc(doc, opts);
  /* Numbered by first reference: "second" is 1. */
  assert_non_null(strstr(out,
                         "<sup><a href=\"#fn-1\" class=\"footnote-ref\" "
                         "id=\"fnref-1\" role=\"doc-noteref\">1</a></sup>"));
  assert_non_null(strstr(out, "id=\"fnref-1-2\""));
  const char *notes = strstr(out, "<section");
  assert_non_null(notes);
  const char *one =
      strstr(notes, "<li id=\"fn-1\">\n<p>Second. <a href=\"#fnref-1\" "
                    "class=\"footnote-back\"");
  const char *two = strstr(notes, "<li id=\"fn-2\">\n<p>First note.");
  assert_non_null(one);
  assert_non_null(two);
  assert_true(one < two);
  free(out);
  /* And the reader takes them back as notes. */
  out = write_doc(doc, NULL);
  galley_doc *back = ht_read(out, strlen(out), NULL, NULL);
  assert_non_null(back);
  galley_node *fn =
      galley_node_find(galley_doc_root(back), GALLEY_NODE_FOOTNOTE);
  assert_non_null(fn);
  char *t = galley_node_text(back, fn);
  assert_string_equal(t, "Second.");
  galley_doc_free(back);
  free(out);
  galley_doc_free(doc);
}

static void tight_lists_write_items_without_paragraphs(void **state) {
  (void)state;
  const char *opts[] = {"fragment=true", NULL};
  char *out = conv("<ul><li>a<li>b</ul><ol start=4><li><p>c</p></ol>", opts);
  assert_string_equal(out, "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
                           "<ol start=\"4\">\n<li>\n<p>c</p>\n</li>\n</ol>\n");
  free(out);
}

static void table_rows_are_grouped_by_part(void **state) {
  (void)state;
  const char *opts[] = {"fragment=true", NULL};
  char *out = conv("<table><thead><tr><th>h</th></tr></thead><tr><td "
                   "colspan=2 align=right>b</td></tr></table>",
                   opts);
  assert_string_equal(out, "<table>\n<thead>\n<tr>\n<th>h</th>\n</tr>\n"
                           "</thead>\n<tbody>\n<tr>\n<td colspan=\"2\" "
                           "style=\"text-align: right\">b</td>\n</tr>\n"
                           "</tbody>\n</table>\n");
  free(out);
}

static void output_read_again_writes_the_same(void **state) {
  (void)state;
  size_t len;
  char *src = tu_read_file(tu_fixture("html/sample.html"), &len);
  assert_non_null(src);
  char *err = NULL;
  char *once = tu_convert("html", "html", src, len, NULL, &err);
  assert_non_null(once);
  char *twice = tu_convert("html", "html", once, strlen(once), NULL, &err);
  assert_non_null(twice);
  assert_string_equal(once, twice);
  tu_assert_golden(once, "html/sample.out.html");
  const char *x[] = {"xhtml=true", NULL};
  char *xh = tu_convert("html", "html", src, len, x, &err);
  tu_assert_golden(xh, "html/sample.out.xhtml");
  xmlDoc *d = parse_xml(xh);
  assert_non_null(d);
  xmlFreeDoc(d);
  char *tree = tu_convert("html", "xml", src, len, NULL, &err);
  if (tree)
    tu_assert_golden(tree, "html/sample.tree.xml");
  free(tree);
  free(xh);
  free(once);
  free(twice);
  free(src);
}

static void output_keeps_every_visible_word(void **state) {
  (void)state;
  size_t len;
  char *src = tu_read_file(tu_fixture("html/sample.html"), &len);
  char *out = conv(src, NULL);
  ht_words in, got;
  ht_visible_words(src, len, &in);
  ht_visible_words(out, strlen(out), &got);
  char sample[200];
  assert_true(in.n > 50);
  size_t missing = ht_missing_words(&in, &got, sample, sizeof sample);
  if (missing)
    fail_msg("missing words: %s", sample);
  ht_words_free(&in);
  ht_words_free(&got);
  free(out);
  free(src);
}

/* A paragraph holding one IMAGE with `url` and alt text "alt". */
static galley_doc *doc_with_image(const char *url) {
  galley_doc *doc = galley_doc_new();
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node *img = galley_doc_new_node(doc, GALLEY_NODE_IMAGE);
  assert_int_equal(galley_node_set_url(img, url), GALLEY_OK);
  assert_int_equal(
      galley_node_append_child(img, galley_doc_new_text(doc, "alt", 3)),
      GALLEY_OK);
  assert_int_equal(galley_node_append_child(p, img), GALLEY_OK);
  assert_int_equal(galley_node_append_child(galley_doc_root(doc), p),
                   GALLEY_OK);
  return doc;
}

static void self_contained_writes_resources_as_data_uris(void **state) {
  (void)state;
  const char *url = "https://example.org/a b.png";
  /* 8 bytes: base64 pads the last group of two with one '='. */
  const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  galley_doc *doc = doc_with_image(url);
  assert_int_equal(
      galley_doc_add_resource(doc, url, "image/png", png, sizeof png),
      GALLEY_OK);
  const char *on[] = {"self-contained=true", "fragment=true", NULL};
  char *out = write_doc(doc, on);
  assert_string_equal(
      out,
      "<p><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"alt\"></p>\n");
  free(out);
  /* Off (the default), the URL stays. */
  const char *off[] = {"fragment=true", NULL};
  out = write_doc(doc, off);
  assert_non_null(strstr(out, "src=\"https://example.org/a%20b.png\""));
  free(out);
  galley_doc_free(doc);
  /* An image that names no resource keeps its URL. */
  doc = doc_with_image("pics/local.png");
  out = write_doc(doc, on);
  assert_non_null(strstr(out, "src=\"pics/local.png\""));
  free(out);
  galley_doc_free(doc);
}

static void self_contained_declares_what_it_embeds(void **state) {
  (void)state;
  galley_registry *reg = tu_registry();
  const galley_plugin *html = galley_registry_find(reg, "html");
  assert_non_null(html);
  assert_non_null(html->embeds);
  galley_job *job = galley_job_new(reg);
  /* Called directly (core calls it with the writer in scope). */
  assert_int_equal(galley_job_set_option(job, "self-contained", "true"),
                   GALLEY_OK);
  assert_true(html->embeds(job, "image/webp"));
  assert_true(html->embeds(job, NULL));
  assert_false(html->embeds(job, "image/tiff"));
  assert_false(html->embeds(job, "text/html"));
  assert_int_equal(galley_job_set_option(job, "self-contained", "false"),
                   GALLEY_OK);
  assert_false(html->embeds(job, NULL));
  galley_job_free(job);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          a_standalone_document_has_doctype_charset_title_and_meta),
      cmocka_unit_test(a_fragment_is_the_body_content_only),
      cmocka_unit_test(the_css_option_replaces_the_default_stylesheet),
      cmocka_unit_test(text_and_attributes_are_escaped),
      cmocka_unit_test(xhtml_parses_as_xml_with_every_id_unique),
      cmocka_unit_test(raw_html_stays_well_formed_in_xhtml),
      cmocka_unit_test(bad_bytes_and_controls_never_reach_the_output),
      cmocka_unit_test(footnotes_are_numbered_with_back_links),
      cmocka_unit_test(tight_lists_write_items_without_paragraphs),
      cmocka_unit_test(table_rows_are_grouped_by_part),
      cmocka_unit_test(output_read_again_writes_the_same),
      cmocka_unit_test(the_title_block_shows_site_title_byline_and_date),
      cmocka_unit_test(the_date_is_written_in_the_article_language),
      cmocka_unit_test(
          the_title_block_is_left_out_when_the_body_shows_the_title),
      cmocka_unit_test(the_stylesheet_sets_a_reading_measure),
      cmocka_unit_test(output_keeps_every_visible_word),
      cmocka_unit_test(self_contained_writes_resources_as_data_uris),
      cmocka_unit_test(self_contained_declares_what_it_embeds),
  };
  return cmocka_run_group_tests_name("html write", tests, NULL, NULL);
}
