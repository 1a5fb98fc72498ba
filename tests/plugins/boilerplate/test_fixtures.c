/* One fixture per rule of the boilerplate transform: each page goes through
 * its reader and the transform, and the explain report (what was removed,
 * by which rule) must equal fixtures/boilerplate/<name>.explain. Rewrite the
 * goldens with GALLEY_UPDATE_GOLDEN=1 and review the diff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

typedef struct fixture {
  const char *name;   /* file name without extension */
  const char *reader; /* html, text or xml */
  const char *ext;
  const char *rule; /* the rule the fixture shows; NULL: nothing removed */
} fixture;

static const fixture fixtures[] = {
    {"chrome-tag", "html", "html", "chrome-tag"},
    {"standfirst", "html", "html", "chrome-tag"},
    {"chrome-class", "html", "html", "chrome-class"},
    {"chrome-class-joined", "html", "html", "chrome-class"},
    {"keeps-article-in-layer", "html", "html", "outside-content"},
    {"claim-box", "html", "html", "chrome-class"},
    {"hidden", "xml", "xml", "hidden"},
    {"aria-hidden", "html", "html", "hidden"},
    {"outside-content", "html", "html", "outside-content"},
    {"split-article", "html", "html", "headline-in-metadata"},
    {"link-list", "html", "html", "link-list"},
    {"link-dense", "html", "html", "link-dense"},
    {"teaser-block", "html", "html", "teaser-block"},
    {"image-strip", "html", "html", "image-strip"},
    {"headline-in-metadata", "html", "html", "headline-in-metadata"},
    {"call-to-action", "html", "html", "call-to-action"},
    {"link-line", "html", "html", "link-line"},
    {"byline", "html", "html", "byline"},
    {"label-line", "html", "html", "label-line"},
    {"empty-list", "html", "html", "empty-list"},
    {"stray-break", "html", "html", "stray-break"},
    {"chart-labels", "html", "html", "chart-labels"},
    {"credit-line", "html", "html", "credit-line"},
    {"date-line", "html", "html", "date-line"},
    {"image-credit", "html", "html", "image-credit"},
    {"caption-credit", "html", "html", "caption-credit"},
    {"list-heading", "html", "html", "list-heading"},
    {"alt-repeats-text", "html", "html", "alt-repeats-text"},
    {"about-blurb", "html", "html", "about-blurb"},
    {"about-blurb-heading", "html", "html", "about-blurb"},
    {"end-promo", "html", "html", "end-promo"},
    {"url-line", "html", "html", "url-line"},
    {"hover-card", "html", "html", "hover-card"},
    {"edit-link", "html", "html", "edit-link"},
    {"headline-paragraph", "html", "html", "headline-in-metadata"},
    {"keeps-article-parts", "html", "html", "headline-in-metadata"},
    {"metadata", "html", "html", "chrome-class"},
    {"same-class", "html", "html", "outside-content"},
    {"caption-box", "html", "html", "repeated-caption"},
    {"off-site-links", "html", "html", "link-list"},
    {"labelled-list", "html", "html", "labelled-list"},
    {"labelled-links", "html", "html", "labelled-list"},
    {"promo-figure", "html", "html", "promo-figure"},
    {"copyright-line", "html", "html", "copyright-line"},
    {"comment-policy", "html", "html", "comment-policy"},
    {"share-label", "html", "html", "share-label"},
    {"mathjax", "html", "html", "chrome-tag"},
    {"before-headline", "text", "txt", "before-headline"},
    {"after-article", "text", "txt", "after-article"},
    {"call-to-action-text", "text", "txt", "call-to-action"},
};

static void run_fixture(void **state) {
  const fixture *f = *state;
  galley_registry *reg = tu_registry();
  const galley_plugin *reader = galley_registry_find(reg, f->reader);
  const galley_plugin *bp = galley_registry_find(reg, "boilerplate");
  if (!reader || !(reader->caps & GALLEY_CAN_READ))
    skip();
  assert_non_null(bp);
  char rel[256], path[4096];
  snprintf(rel, sizeof rel, "boilerplate/%s.%s", f->name, f->ext);
  snprintf(path, sizeof path, "%s", tu_fixture(rel));
  size_t len;
  char *data = tu_read_file(path, &len);
  assert_non_null(data);
  galley_job *job = galley_job_new(reg);
  galley_job_set_option(job, "explain", "explain.tsv");
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)data, len, f->name, NULL};
  assert_int_equal(galley_plugin_read(job, reader, &in, doc), GALLEY_OK);
  assert_int_equal(galley_plugin_transform(job, bp, doc), GALLEY_OK);
  /* The report is handed to the host, never written by the transform. */
  assert_int_equal(galley_job_report_count(job), 1);
  const galley_report *r = galley_job_report_at(job, 0);
  assert_string_equal(r->path, "explain.tsv");
  char *report = strndup((const char *)r->data, r->size);
  assert_non_null(report);
  char want[128];
  snprintf(want, sizeof want, "\n%s\t", f->rule);
  if (!strstr(report, want))
    fail_msg("%s: no block removed by rule %s:\n%s", f->name, f->rule, report);
  snprintf(rel, sizeof rel, "boilerplate/%s.explain", f->name);
  tu_assert_golden(report, rel);
  free(report);
  galley_doc_free(doc);
  galley_job_free(job);
  free(data);
}

static void metadata_fixture_fills_author_date_and_site(void **state) {
  (void)state;
  const galley_plugin *html = galley_registry_find(tu_registry(), "html");
  if (!html)
    skip();
  size_t len;
  char *data = tu_read_file(tu_fixture("boilerplate/metadata.html"), &len);
  assert_non_null(data);
  galley_job *job = galley_job_new(tu_registry());
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)data, len, "metadata", NULL};
  assert_int_equal(galley_plugin_read(job, html, &in, doc), GALLEY_OK);
  assert_int_equal(
      galley_plugin_transform(
          job, galley_registry_find(tu_registry(), "boilerplate"), doc),
      GALLEY_OK);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_AUTHOR),
                      "Morwenna Trelawny");
  /* The date, with the time when the page's <time> gives one. */
  const char *date = galley_doc_get_meta(doc, GALLEY_META_DATE);
  assert_non_null(date);
  assert_memory_equal(date, "2026-03-03", 10);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_PUBLISHER),
                      "The Coastal Gazette");
  assert_non_null(galley_doc_get_meta(doc, GALLEY_META_DESCRIPTION));
  galley_doc_free(doc);
  galley_job_free(job);
  free(data);
}

/* Rule caption-box: a block named a caption beside a picture becomes the
 * caption of a figure (in a box, after the picture's own block, or a span
 * in the picture's paragraph), and a
 * caption whose only block a rule removes goes whole. */
static void caption_box_fixture_makes_figures_with_captions(void **state) {
  (void)state;
  const galley_plugin *html = galley_registry_find(tu_registry(), "html");
  if (!html)
    skip();
  size_t len;
  char *data = tu_read_file(tu_fixture("boilerplate/caption-box.html"), &len);
  assert_non_null(data);
  galley_job *job = galley_job_new(tu_registry());
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)data, len, "caption-box", NULL};
  assert_int_equal(galley_plugin_read(job, html, &in, doc), GALLEY_OK);
  assert_int_equal(
      galley_plugin_transform(
          job, galley_registry_find(tu_registry(), "boilerplate"), doc),
      GALLEY_OK);
  static const char *const want[] = {
      "The refurbished sleeper carriages at the coast terminus",
      "Photos of the new night service, courtesy of the operator.",
      "Passengers waiting on the high platform at Carrow Halt",
      "The guard checks the couplings before the climb.",
      "The line climbs 900 metres between the coast and the last station.",
      "The new quay at the terminus at low tide"};
  size_t figures = 0, captions = 0, found = 0;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    if (galley_node_kind(n) == GALLEY_NODE_FIGURE)
      figures++;
    if (galley_node_kind(n) != GALLEY_NODE_CAPTION)
      continue;
    assert_int_equal(galley_node_kind(galley_node_parent(n)),
                     GALLEY_NODE_FIGURE);
    char *t = galley_node_text(doc, n);
    assert_non_null(t);
    assert_true(*t); /* never an empty caption */
    assert_null(strstr(t, "Media playback"));
    captions++;
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
      if (strstr(t, want[i]))
        found |= (size_t)1 << i;
  }
  /* Eight pictures in boxes or beside captions (two of them with the
   * caption inline, after the picture in its paragraph), six captions
   * left. */
  assert_int_equal(figures, 8);
  assert_int_equal(captions, 6);
  assert_int_equal(found, 63);
  galley_doc_free(doc);
  galley_job_free(job);
  free(data);
}

/* The command line: --strip is -x boilerplate, and -O explain writes the
 * report beside the output. */
static void command_line_strip_writes_explain_report(void **state) {
  (void)state;
  const char *exe = getenv("GALLEY_EXE");
  if (!exe || !galley_registry_find(tu_registry(), "html") ||
      !galley_registry_find(tu_registry(), "text"))
    skip();
  char dir[] = "/tmp/bp-cli-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char cmd[16384], out[64], rep[64];
  snprintf(out, sizeof out, "%s/out.txt", dir);
  snprintf(rep, sizeof rep, "%s/explain.tsv", dir);
  snprintf(cmd, sizeof cmd,
           "'%s' --strip -O explain='%s' -t text -o '%s' '%s' 2>/dev/null", exe,
           rep, out, tu_fixture("boilerplate/chrome-tag.html"));
  assert_int_equal(system(cmd), 0);
  size_t len;
  char *text = tu_read_file(out, &len);
  char *report = tu_read_file(rep, &len);
  assert_non_null(text);
  assert_non_null(report);
  assert_non_null(strstr(text, "The harbour authority voted on Monday"));
  assert_null(strstr(text, "Ferry timetable"));
  assert_non_null(strstr(report, "chrome-tag\tdiv<aside>"));
  free(text);
  free(report);
  unlink(out);
  unlink(rep);
  rmdir(dir);
}

int main(void) {
  enum { N = sizeof fixtures / sizeof *fixtures };
  struct CMUnitTest tests[N + 3];
  for (size_t i = 0; i < N; i++) {
    tests[i] = (struct CMUnitTest){fixtures[i].name, run_fixture, NULL, NULL,
                                   (void *)&fixtures[i]};
  }
  tests[N] = (struct CMUnitTest)cmocka_unit_test(
      metadata_fixture_fills_author_date_and_site);
  tests[N + 1] = (struct CMUnitTest)cmocka_unit_test(
      command_line_strip_writes_explain_report);
  tests[N + 2] = (struct CMUnitTest)cmocka_unit_test(
      caption_box_fixture_makes_figures_with_captions);
  return _cmocka_run_group_tests("boilerplate fixtures", tests, N + 3, NULL,
                                 NULL);
}
