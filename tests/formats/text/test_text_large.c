/* Large inputs take linear time: 50 MB of article text, one 16 MB line,
 * one 16 MB word, and many short lines in deep containers are read and
 * written within a bound far below what quadratic work would need. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testutil.h"
#include "texttest.h"

/* CPU seconds allowed for reading plus writing one input. A linear pass
 * over 50 MB takes about a second here; quadratic work would take hours.
 * The bound is loose for sanitizer and debug builds. CPU time, not wall
 * time: a busy machine must not fail the test. */
#define BOUND_SECONDS 30.0

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct big {
  char *data;
  size_t len, cap;
} big;

static void add(big *b, const char *s) {
  size_t n = strlen(s);
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->data = realloc(b->data, b->cap);
    assert_non_null(b->data);
  }
  memcpy(b->data + b->len, s, n + 1);
  b->len += n;
}

/* Reads and writes `b`, checks the time and that the output is not empty. */
static void timed_round(const char *what, const big *b,
                        const char *const *opts) {
  double t0 = now();
  int rc;
  char *err = NULL;
  galley_doc *doc = tt_read(b->data, b->len, opts, &rc, &err);
  if (!doc)
    fail_msg("%s: reading failed: %s", what, err ? err : "");
  double t1 = now();
  char *out = tt_write(doc, "text", opts);
  double t2 = now();
  print_message("%s: %.1f MB read in %.2f s, %.1f MB written in %.2f s (CPU)\n",
                what, (double)b->len / 1e6, t1 - t0, (double)strlen(out) / 1e6,
                t2 - t1);
  assert_true(strlen(out) > b->len / 2);
  assert_true(t2 - t0 < BOUND_SECONDS);
  free(out);
  galley_doc_free(doc);
}

static void
fifty_megabytes_of_articles_are_read_and_written_in_linear_time(void **state) {
  (void)state;
  static const char chunk[] =
      "A headline about the coast\n\n"
      "By Jane Doe | July 19, 2020\n\n"
      "More than two hundred volunteers spent the summer walking the rocky\n"
      "northern shore at low tide, recording every pool they found, see\n"
      "https://example.org/tidepools/2020/report.html for the data[^n].\n\n"
      "- a colony of star ascidians near the old harbour wall,\n"
      "- two juvenile octopuses, photographed and left in place,\n"
      "  1. one nested item\n\n"
      "> A quoted passage that goes on for a while, long enough to\n"
      "> be wrapped again by the writer.\n\n"
      "    code stays as it is\n\n"
      "Pool    Count  Note\n"
      "------  -----  ----\n"
      "North      12  ok\n\n"
      "What the volunteers found\n\n"
      "Tide pools are sensitive to changes in sea temperature and to\n"
      "trampling; a second count next summer will show which recover.\n\n";
  big b = {0};
  while (b.len < 50u * 1000 * 1000)
    add(&b, chunk);
  add(&b, "[^n] The note.\n");
  timed_round("articles", &b, NULL);
  free(b.data);
}

static void one_huge_line_and_one_huge_word_take_linear_time(void **state) {
  (void)state;
  big b = {0};
  while (b.len < 16u * 1000 * 1000)
    add(&b, "word and another word, then https://example.com/x more ");
  add(&b, "\n");
  timed_round("one line", &b, NULL);
  memset(b.data, 'x', b.len - 1);
  timed_round("one word", &b, NULL);
  const char *const nowrap[] = {"wrap=0", NULL};
  timed_round("one word, no wrap", &b, nowrap);
  /* A URL closed by millions of brackets it never opened. */
  memcpy(b.data, "see http://example.com/", 23);
  memset(b.data + 23, ')', b.len - 24);
  timed_round("one URL of brackets", &b, NULL);
  free(b.data);
}

static void many_lines_in_nested_containers_take_linear_time(void **state) {
  (void)state;
  big b = {0};
  /* Each line continues 100 open quotes and items. */
  char line[512] = "";
  for (int i = 0; i < 50; i++)
    strcat(line, "> ");
  strcat(line, "- ");
  for (int i = 0; i < 49; i++)
    strcat(line, "- ");
  strcat(line, "text\n");
  while (b.len < 8u * 1000 * 1000)
    add(&b, line);
  timed_round("nested", &b, NULL);
  free(b.data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          fifty_megabytes_of_articles_are_read_and_written_in_linear_time),
      cmocka_unit_test(one_huge_line_and_one_huge_word_take_linear_time),
      cmocka_unit_test(many_lines_in_nested_containers_take_linear_time),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
