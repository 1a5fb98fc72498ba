/* The text reader: encodings, blocks, inlines and limits, checked on the
 * tree through the API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "texttest.h"

#define KIND(n) galley_node_kind(n)

static galley_node *root_of(galley_doc *doc) { return galley_doc_root(doc); }

static void assert_text(const galley_node *n, const char *expected) {
  char *t = tt_text(n);
  assert_string_equal(t, expected);
  free(t);
}

static void refused(const char *text, size_t len, const char *const *opts,
                    int status, const char *needle) {
  int rc;
  char *err;
  galley_doc *doc = tt_read(text, len, opts, &rc, &err);
  assert_null(doc);
  assert_int_equal(rc, status);
  if (!err || !strstr(err, needle))
    fail_msg("message \"%s\" lacks \"%s\"", err ? err : "(none)", needle);
  free(err);
}

/* ---- Encodings ----------------------------------------------------------- */

static void invalid_utf8_is_an_error_naming_the_byte_offset(void **state) {
  (void)state;
  char buf[1300];
  memset(buf, 'a', sizeof buf);
  buf[1234] = (char)0xFF;
  refused(buf, sizeof buf, NULL, GALLEY_EPARSE, "not valid UTF-8 at byte 1234");
}

static void
overlong_surrogate_and_truncated_sequences_are_refused(void **state) {
  (void)state;
  refused("ab\xC0\xAF", 4, NULL, GALLEY_EPARSE, "at byte 2");    /* overlong */
  refused("a\xED\xA0\x80", 4, NULL, GALLEY_EPARSE, "at byte 1"); /* surrogate */
  refused("abc\xE2\x82", 5, NULL, GALLEY_EPARSE, "at byte 3");   /* cut short */
  refused("\xF4\x90\x80\x80", 4, NULL, GALLEY_EPARSE,
          "at byte 0"); /* >10FFFF */
}

static void nul_byte_is_binary_not_text(void **state) {
  (void)state;
  refused("abc\0def", 7, NULL, GALLEY_EPARSE, "NUL byte at byte 3");
}

static void byte_order_mark_is_dropped(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("\xEF\xBB\xBFHello there.\n", NULL);
  galley_node *p = tt_child(root_of(doc), 0);
  assert_int_equal(KIND(p), GALLEY_NODE_PARAGRAPH);
  assert_text(p, "Hello there.");
  galley_doc_free(doc);
}

static void latin1_input_is_read_with_the_encoding_option(void **state) {
  (void)state;
  const char *const opts[] = {"encoding=latin1", NULL};
  galley_doc *doc = tt_read_ok("Caf\xE9 cr\xE8me, \xA3"
                               "5.\n",
                               opts);
  assert_text(tt_child(root_of(doc), 0), "Caf\xC3\xA9 cr\xC3\xA8me, \xC2\xA3"
                                         "5.");
  galley_doc_free(doc);
  const char *const dashed[] = {"encoding=ISO-8859-1", NULL};
  doc = tt_read_ok("na\xEFve text.\n", dashed);
  assert_text(tt_child(root_of(doc), 0), "na\xC3\xAFve text.");
  galley_doc_free(doc);
}

static void unknown_encoding_is_refused_by_name(void **state) {
  (void)state;
  const char *const opts[] = {"encoding=no-such-charset", NULL};
  refused("x\n", 2, opts, GALLEY_EINVALID, "no-such-charset");
}

static void bytes_invalid_in_the_named_encoding_name_the_offset(void **state) {
  (void)state;
  const char *const opts[] = {"encoding=ascii", NULL};
  refused("abcdef\xE9", 7, opts, GALLEY_EPARSE, "at byte 6");
}

static void utf16_with_a_byte_order_mark_is_converted(void **state) {
  (void)state;
  const char le[] = "\xFF\xFEH\0i\0\n\0";
  galley_doc *doc = tt_read(le, sizeof le - 1, NULL, NULL, NULL);
  assert_non_null(doc);
  assert_text(tt_child(root_of(doc), 0), "Hi");
  galley_doc_free(doc);
}

/* ---- Paragraphs and line ends ----------------------------------------------
 */

static void blank_lines_separate_paragraphs(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("One, long enough to be a sentence.\n\n\n"
                               "Two, also a sentence.\n   \nThree.\n",
                               NULL);
  galley_node *r = root_of(doc);
  assert_int_equal(galley_node_child_count(r), 3);
  assert_text(tt_child(r, 1), "Two, also a sentence.");
  assert_text(tt_child(r, 2), "Three.");
  galley_doc_free(doc);
}

static void hard_wrapped_lines_are_joined_with_soft_breaks(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("a line that was\n  wrapped by hand\nat the "
                               "margin.\n",
                               NULL);
  galley_node *p = tt_child(root_of(doc), 0);
  assert_int_equal(galley_node_child_count(p), 5);
  assert_int_equal(KIND(tt_child(p, 1)), GALLEY_NODE_SOFT_BREAK);
  assert_string_equal(galley_node_get_literal(tt_child(p, 2)),
                      "wrapped by hand");
  assert_int_equal(KIND(tt_child(p, 3)), GALLEY_NODE_SOFT_BREAK);
  galley_doc_free(doc);
}

static void crlf_and_lone_cr_end_lines(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("first para.\r\nstill first.\r\n\r\nsecond.\r"
                               "\rthird.",
                               NULL);
  galley_node *r = root_of(doc);
  assert_int_equal(galley_node_child_count(r), 3);
  assert_text(tt_child(r, 0), "first para. still first.");
  assert_text(tt_child(r, 2), "third.");
  galley_doc_free(doc);
}

static void empty_input_gives_an_empty_document(void **state) {
  (void)state;
  galley_doc *doc = tt_read("", 0, NULL, NULL, NULL);
  assert_non_null(doc);
  assert_null(galley_node_first_child(root_of(doc)));
  galley_doc_free(doc);
}

/* ---- Lists
 * ------------------------------------------------------------------- */

static void each_bullet_marker_makes_a_list(void **state) {
  (void)state;
  const char *inputs[] = {"- a\n- b\n", "* a\n* b\n",
                          "\xE2\x80\xA2 a\n\xE2\x80\xA2 b\n"};
  for (size_t i = 0; i < 3; i++) {
    galley_doc *doc = tt_read_ok(inputs[i], NULL);
    galley_node *list = tt_child(root_of(doc), 0);
    assert_int_equal(KIND(list), GALLEY_NODE_LIST);
    assert_false(galley_node_get_list_ordered(list));
    assert_true(galley_node_get_list_tight(list));
    assert_int_equal(galley_node_child_count(list), 2);
    assert_text(tt_child(list, 1), "b");
    galley_doc_free(doc);
  }
}

static void numbered_lists_keep_their_start_and_delimiter(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("3) three\n4) four\n\n1. one\n2. two\n", NULL);
  galley_node *a = tt_child(root_of(doc), 0);
  galley_node *b = tt_child(root_of(doc), 1);
  assert_true(galley_node_get_list_ordered(a));
  assert_int_equal(galley_node_get_list_start(a), 3);
  assert_string_equal(galley_node_get_attr(a, "delim"), "paren");
  assert_int_equal(galley_node_child_count(a), 2);
  assert_int_equal(galley_node_get_list_start(b), 1);
  assert_null(galley_node_get_attr(b, "delim"));
  assert_int_equal(galley_node_child_count(b), 2);
  galley_doc_free(doc);
}

static void nested_lists_follow_indentation(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("- outer\n  - inner one\n  - inner two\n"
                               "    1. deeper\n- outer two\n",
                               NULL);
  galley_node *list = tt_child(root_of(doc), 0);
  assert_int_equal(galley_node_child_count(list), 2);
  galley_node *inner = tt_child(tt_child(list, 0), 1);
  assert_int_equal(KIND(inner), GALLEY_NODE_LIST);
  assert_int_equal(galley_node_child_count(inner), 2);
  galley_node *deeper = tt_child(tt_child(inner, 1), 1);
  assert_true(galley_node_get_list_ordered(deeper));
  assert_text(deeper, "deeper");
  galley_doc_free(doc);
}

static void a_blank_line_between_items_makes_the_list_loose(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("- a\n\n- b\n\nafter\n", NULL);
  galley_node *list = tt_child(root_of(doc), 0);
  assert_false(galley_node_get_list_tight(list));
  assert_int_equal(galley_node_child_count(list), 2);
  assert_int_equal(KIND(tt_child(root_of(doc), 1)), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void unindented_wrapped_item_text_continues_the_item(void **state) {
  (void)state;
  galley_doc *doc =
      tt_read_ok("* a first item that\nwas wrapped\n* second\n", NULL);
  galley_node *list = tt_child(root_of(doc), 0);
  assert_int_equal(galley_node_child_count(list), 2);
  assert_text(tt_child(list, 0), "a first item that was wrapped");
  galley_doc_free(doc);
}

static void a_year_in_wrapped_prose_starts_no_list(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("It happened in\n1984. Nobody knew.\n\n"
                               "2019. A four-digit number is no marker.\n",
                               NULL);
  galley_node *r = root_of(doc);
  assert_int_equal(galley_node_child_count(r), 2);
  assert_int_equal(KIND(tt_child(r, 0)), GALLEY_NODE_PARAGRAPH);
  assert_int_equal(KIND(tt_child(r, 1)), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void
empty_items_and_blocks_inside_an_item_keep_a_list_tight(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("1. one\n2.\n3. three\n\n   more of three\n"
                               "4. four\n   -\n",
                               NULL);
  galley_node *list = tt_child(root_of(doc), 0);
  assert_true(galley_node_get_list_tight(list));
  assert_int_equal(galley_node_child_count(list), 4);
  assert_null(galley_node_first_child(tt_child(list, 1)));
  assert_int_equal(galley_node_child_count(tt_child(list, 2)), 2);
  galley_node *nested = tt_child(tt_child(list, 3), 1);
  assert_int_equal(KIND(nested), GALLEY_NODE_LIST);
  galley_doc_free(doc);
}

static void
numbers_flush_right_under_an_empty_header_are_right_aligned(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("Name         \n"
                               "------  -----\n"
                               "Apples     12\n"
                               "Pears    1200\n",
                               NULL);
  galley_node *t = tt_child(root_of(doc), 0);
  assert_int_equal(galley_node_get_cell_align(tt_child(tt_child(t, 1), 1)),
                   GALLEY_ALIGN_RIGHT);
  assert_int_equal(galley_node_get_cell_align(tt_child(tt_child(t, 1), 0)),
                   GALLEY_ALIGN_NONE);
  galley_doc_free(doc);
}

static void task_boxes_set_the_item_task(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("- [ ] open\n- [x] done\n- plain\n", NULL);
  galley_node *list = tt_child(root_of(doc), 0);
  assert_int_equal(galley_node_get_task(tt_child(list, 0)), GALLEY_TASK_OPEN);
  assert_int_equal(galley_node_get_task(tt_child(list, 1)), GALLEY_TASK_DONE);
  assert_int_equal(galley_node_get_task(tt_child(list, 2)), GALLEY_TASK_NONE);
  assert_text(tt_child(list, 1), "done");
  galley_doc_free(doc);
}

/* ---- Other blocks
 * ---------------------------------------------------------------- */

static void block_quotes_nest_and_hold_paragraphs(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("> quoted\n> text\n>\n> > inner\n", NULL);
  galley_node *q = tt_child(root_of(doc), 0);
  assert_int_equal(KIND(q), GALLEY_NODE_BLOCK_QUOTE);
  assert_text(tt_child(q, 0), "quoted text");
  galley_node *inner = tt_child(q, 1);
  assert_int_equal(KIND(inner), GALLEY_NODE_BLOCK_QUOTE);
  assert_text(inner, "inner");
  galley_doc_free(doc);
}

static void indented_code_is_kept_verbatim(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("Code:\n\n    int x;\n\n      y = 2;  \n\n"
                               "After.\n",
                               NULL);
  galley_node *code = tt_child(root_of(doc), 1);
  assert_int_equal(KIND(code), GALLEY_NODE_CODE_BLOCK);
  assert_string_equal(galley_node_get_literal(code), "int x;\n\n  y = 2;\n");
  galley_doc_free(doc);
}

static void an_indented_first_line_is_a_paragraph_not_code(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("Title line here\n\n    It was a dark night,\n"
                               "and the wind blew.\n",
                               NULL);
  galley_node *p = tt_child(root_of(doc), 1);
  assert_int_equal(KIND(p), GALLEY_NODE_PARAGRAPH);
  assert_text(p, "It was a dark night, and the wind blew.");
  galley_doc_free(doc);
}

static void centred_lines_are_a_title_and_headings_not_code(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(
      "                    THE COASTAL SURVEY\n"
      "                       Annual Report\n\n"
      "First paragraph of the report, which is long enough to be the body "
      "of the text and so ends the header zone right here.\n\n"
      "                          Methods\n\n"
      "Second paragraph of the report, which is also long enough to be a "
      "body paragraph.\n\n"
      "            x = f(y);\n",
      NULL);
  galley_node *r = root_of(doc);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_TITLE),
                      "THE COASTAL SURVEY Annual Report");
  assert_int_equal(KIND(tt_child(r, 2)), GALLEY_NODE_HEADING);
  assert_text(tt_child(r, 2), "Methods");
  assert_int_equal(KIND(tt_child(r, 4)), GALLEY_NODE_CODE_BLOCK);
  galley_doc_free(doc);
}

static void text_indented_as_a_whole_is_not_code(void **state) {
  (void)state;
  galley_doc *doc =
      tt_read_ok("        One paragraph.\n\n        Another.\n", NULL);
  galley_node *r = root_of(doc);
  assert_int_equal(KIND(tt_child(r, 0)), GALLEY_NODE_PARAGRAPH);
  assert_int_equal(KIND(tt_child(r, 1)), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void underlines_make_headings_of_each_level(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("One\n===\n\nTwo\n---\n\nThree\n~~~~~\n\n"
                               "Four\n^^^^\n\nFive\n\"\"\"\"\n\nSix\n'''\n",
                               NULL);
  galley_node *r = root_of(doc);
  assert_int_equal(galley_node_child_count(r), 6);
  for (int i = 0; i < 6; i++) {
    galley_node *h = tt_child(r, (size_t)i);
    assert_int_equal(KIND(h), GALLEY_NODE_HEADING);
    assert_int_equal(galley_node_get_level(h), i + 1);
  }
  assert_text(tt_child(r, 2), "Three");
  galley_doc_free(doc);
}

static void lines_of_stars_or_dashes_alone_are_thematic_breaks(void **state) {
  (void)state;
  galley_doc *doc =
      tt_read_ok("Para.\n\n* * *\n\nMore.\n\n-----\n\nEnd.\n", NULL);
  galley_node *r = root_of(doc);
  assert_int_equal(KIND(tt_child(r, 1)), GALLEY_NODE_THEMATIC_BREAK);
  assert_int_equal(KIND(tt_child(r, 3)), GALLEY_NODE_THEMATIC_BREAK);
  galley_doc_free(doc);
}

static void a_header_over_dash_runs_makes_a_table(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("Name    Qty   Note\n"
                               "-----  ----  ------\n"
                               "Apples   12   ripe\n"
                               "Pears     3\n",
                               NULL);
  galley_node *t = tt_child(root_of(doc), 0);
  assert_int_equal(KIND(t), GALLEY_NODE_TABLE);
  assert_int_equal(galley_node_child_count(t), 3);
  galley_node *head = tt_child(t, 0);
  assert_int_equal(galley_node_get_row_part(head), GALLEY_ROW_HEAD);
  assert_true(galley_node_get_cell_header(tt_child(head, 0)));
  assert_int_equal(galley_node_get_cell_align(tt_child(head, 0)),
                   GALLEY_ALIGN_NONE);
  assert_int_equal(galley_node_get_cell_align(tt_child(head, 1)),
                   GALLEY_ALIGN_RIGHT);
  assert_int_equal(galley_node_get_cell_align(tt_child(head, 2)),
                   GALLEY_ALIGN_CENTER);
  galley_node *row = tt_child(t, 1);
  assert_text(tt_child(row, 0), "Apples");
  assert_text(tt_child(row, 1), "12");
  assert_text(tt_child(row, 2), "ripe");
  galley_node *last = tt_child(t, 2);
  assert_int_equal(galley_node_child_count(last), 3);
  assert_null(galley_node_first_child(tt_child(last, 2)));
  galley_doc_free(doc);
}

static void rows_between_two_dash_lines_make_a_headerless_table(void **state) {
  (void)state;
  galley_doc *doc =
      tt_read_ok("---  ---\na    b\nc    d\n---  ---\n\nAfter.\n", NULL);
  galley_node *t = tt_child(root_of(doc), 0);
  assert_int_equal(KIND(t), GALLEY_NODE_TABLE);
  assert_int_equal(galley_node_child_count(t), 2);
  assert_int_equal(galley_node_get_row_part(tt_child(t, 0)), GALLEY_ROW_BODY);
  assert_text(tt_child(tt_child(t, 1), 1), "d");
  assert_int_equal(KIND(tt_child(root_of(doc), 1)), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void footnote_labels_define_and_refer(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("A claim[^1] and [^nope].\n\n"
                               "[^1] The source of it,\n"
                               "     on two lines.\n",
                               NULL);
  galley_node *p = tt_child(root_of(doc), 0);
  galley_node *ref = tt_child(p, 1);
  assert_int_equal(KIND(ref), GALLEY_NODE_FOOTNOTE_REF);
  assert_string_equal(galley_node_get_label(ref), "1");
  assert_text(tt_child(p, 2), " and [^nope].");
  galley_node *note = tt_child(root_of(doc), 1);
  assert_int_equal(KIND(note), GALLEY_NODE_FOOTNOTE);
  assert_string_equal(galley_node_get_label(note), "1");
  assert_text(note, "The source of it, on two lines.");
  galley_doc_free(doc);
}

/* ---- Inlines
 * ---------------------------------------------------------------------- */

static void bare_urls_become_links_without_trailing_punctuation(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("See https://example.com/a_(b), or "
                               "www.example.org. Not httpx://no.\n",
                               NULL);
  galley_node *p = tt_child(root_of(doc), 0);
  galley_node *a = tt_child(p, 1);
  assert_int_equal(KIND(a), GALLEY_NODE_LINK);
  assert_string_equal(galley_node_get_url(a), "https://example.com/a_(b)");
  galley_node *b = tt_child(p, 3);
  assert_string_equal(galley_node_get_url(b), "http://www.example.org");
  assert_text(b, "www.example.org");
  assert_text(tt_child(p, 4), ". Not httpx://no.");
  galley_doc_free(doc);
}

/* ---- Limits
 * ----------------------------------------------------------------------- */

static void quotes_nested_past_max_depth_are_refused(void **state) {
  (void)state;
  size_t n = 100000;
  char *buf = malloc(n + 3);
  memset(buf, '>', n);
  memcpy(buf + n, " x", 2);
  refused(buf, n + 2, NULL, GALLEY_ELIMIT, "max-depth");
  free(buf);
}

static void lists_nested_past_max_depth_are_refused(void **state) {
  (void)state;
  size_t levels = 600, cap = levels * (levels * 2 + 8);
  char *buf = malloc(cap), *p = buf;
  for (size_t i = 0; i < levels; i++) {
    memset(p, ' ', 2 * i);
    p += 2 * i;
    memcpy(p, "- x\n", 4);
    p += 4;
  }
  refused(buf, (size_t)(p - buf), NULL, GALLEY_ELIMIT, "max-depth");
  free(buf);
}

/* ---- Structure recovery
 * ------------------------------------------------------------- */

static const char article[] =
    "Donate now to keep us going!\n\n"
    "Science\n\n"
    "Daily Planet Wire\n\n"
    "Glaciers retreat faster than models predicted\n\n"
    "Daily Planet Wire\n\n"
    "Tuesday, 3 March 2026 14:05\n\n"
    "Researchers measuring forty glaciers found that the ice retreated "
    "almost twice as fast as the best models had predicted for the decade.\n\n"
    "Short stand-alone line\n\n"
    "The team says the difference comes from meltwater that lubricates the "
    "base of the ice, something the models handle poorly.\n\n"
    "Subscribe to our newsletter\n";

static void article_title_source_and_date_go_to_metadata(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(article, NULL);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_TITLE),
                      "Glaciers retreat faster than models predicted");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_SOURCE),
                      "Daily Planet Wire");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DATE),
                      "2026-03-03T14:05");
  galley_node *r = root_of(doc);
  /* The banner stays a paragraph (the boilerplate transform drops it). */
  assert_int_equal(KIND(tt_child(r, 0)), GALLEY_NODE_PARAGRAPH);
  galley_node *title = tt_child(r, 3);
  assert_int_equal(KIND(title), GALLEY_NODE_HEADING);
  assert_int_equal(galley_node_get_level(title), 1);
  assert_string_equal(galley_node_get_classes(tt_child(r, 4)), "source");
  assert_string_equal(galley_node_get_classes(tt_child(r, 5)), "dateline");
  galley_node *sub = tt_child(r, 7);
  assert_int_equal(KIND(sub), GALLEY_NODE_HEADING);
  assert_int_equal(galley_node_get_level(sub), 2);
  /* The last line has no longer paragraph after it. */
  assert_int_equal(KIND(tt_child(r, 9)), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void structure_false_keeps_every_line_a_paragraph(void **state) {
  (void)state;
  const char *const opts[] = {"structure=false", NULL};
  galley_doc *doc = tt_read_ok(article, opts);
  assert_null(galley_doc_get_meta(doc, GALLEY_META_TITLE));
  assert_null(galley_doc_get_meta(doc, GALLEY_META_DATE));
  for (galley_node *n = galley_node_first_child(root_of(doc)); n;
       n = galley_node_next(n))
    assert_int_equal(KIND(n), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void dates_in_common_english_forms_are_recognized(void **state) {
  (void)state;
  static const struct {
    const char *line, *iso;
  } cases[] = {
      {"19 July 2020", "2020-07-19"},
      {"July 19, 2020", "2020-07-19"},
      {"2020-07-19", "2020-07-19"},
      {"Sunday, 19 July 2020 6:10 AM", "2020-07-19T06:10"},
      {"Sun 19th of July, 2020", "2020-07-19"},
      {"Published: Jul. 19, 2020 at 11:30 p.m. EDT", "2020-07-19T23:30"},
      {"Updated 12:05 GMT, Monday, 20 July 2020", "2020-07-20T12:05"},
      {"2020-07-19T06:10:05", "2020-07-19T06:10:05"},
      {"Sept 1, 2021 | 12 AM", "2021-09-01T00:00"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char text[512];
    snprintf(text, sizeof text,
             "A headline about something\n\n%s\n\nThe article begins here "
             "with a paragraph long enough to count as the body of the "
             "story, well past one hundred and twenty characters.\n",
             cases[i].line);
    galley_doc *doc = tt_read_ok(text, NULL);
    const char *date = galley_doc_get_meta(doc, GALLEY_META_DATE);
    if (!date || strcmp(date, cases[i].iso) != 0)
      fail_msg("\"%s\" gave %s, not %s", cases[i].line, date ? date : "none",
               cases[i].iso);
    assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_TITLE),
                        "A headline about something");
    galley_doc_free(doc);
  }
}

static void lines_that_only_mention_a_date_are_not_datelines(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(
      "A headline about something\n\nThe meeting on 19 July 2020 went well\n\n"
      "The article begins here with a paragraph long enough to count as the "
      "body of the story, well past one hundred and twenty characters.\n",
      NULL);
  assert_null(galley_doc_get_meta(doc, GALLEY_META_DATE));
  galley_doc_free(doc);
}

static void a_byline_gives_the_authors(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(
      "A headline about something\n\nBy Jane Doe, Ana de la Cruz and "
      "John Smith | July 19, 2020\n\n"
      "The article begins here with a paragraph long enough to count as the "
      "body of the story, well past one hundred and twenty characters.\n",
      NULL);
  assert_int_equal(galley_doc_meta_count(doc, GALLEY_META_AUTHOR), 3);
  assert_string_equal(galley_doc_meta_value(doc, GALLEY_META_AUTHOR, 0),
                      "Jane Doe");
  assert_string_equal(galley_doc_meta_value(doc, GALLEY_META_AUTHOR, 1),
                      "Ana de la Cruz");
  assert_string_equal(galley_doc_meta_value(doc, GALLEY_META_AUTHOR, 2),
                      "John Smith");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DATE), "2020-07-19");
  assert_string_equal(galley_node_get_classes(tt_child(root_of(doc), 1)),
                      "byline");
  galley_doc_free(doc);
}

static void a_sentence_starting_with_by_is_no_byline(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(
      "A headline about something\n\nBy the end of the year we will know\n\n"
      "The article begins here with a paragraph long enough to count as the "
      "body of the story, well past one hundred and twenty characters.\n",
      NULL);
  assert_null(galley_doc_get_meta(doc, GALLEY_META_AUTHOR));
  galley_doc_free(doc);
}

static void an_underlined_title_is_the_title(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("The Real Title\n==============\n\nA subtitle "
                               "line\n\nBody text that runs on and on.\n",
                               NULL);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_TITLE),
                      "The Real Title");
  galley_doc_free(doc);
}

static void sentences_and_dialogue_are_not_subheadings(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(
      "First paragraph of the text, which is long enough to be the body of "
      "an article and so ends the header zone right here.\n\n"
      "\"Yes,\" she said\n\n"
      "Second paragraph of the text, which is also long enough to be a body "
      "paragraph of the article.\n\n"
      "This one ends with a period.\n\n"
      "Third paragraph of the text, which is also long enough to be a body "
      "paragraph of the article.\n\n"
      "lower-case start\n\n"
      "Fourth paragraph of the text, which is also long enough to be a body "
      "paragraph of the article.\n\n"
      "Followed by a short one\n\nShort.\n",
      NULL);
  for (galley_node *n = galley_node_first_child(root_of(doc)); n;
       n = galley_node_next(n))
    assert_int_equal(KIND(n), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void explicit_subheadings_turn_the_guessing_off(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(
      "Marked\n------\n\nFirst paragraph of the text, which is long enough "
      "to be the body of an article and so ends the header zone.\n\n"
      "Looks like a heading\n\nSecond paragraph of the text, which is also "
      "long enough to be a body paragraph of the article.\n",
      NULL);
  assert_int_equal(KIND(tt_child(root_of(doc), 2)), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

static void a_lone_line_is_not_made_a_title(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok("Hello world\n", NULL);
  assert_null(galley_doc_get_meta(doc, GALLEY_META_TITLE));
  assert_int_equal(KIND(tt_child(root_of(doc), 0)), GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

/* ---- The descriptor ------------------------------------------------------ */

static const galley_plugin *text_plugin(void) {
  const galley_plugin *p = galley_registry_find(tu_registry(), "text");
  assert_non_null(p);
  return p;
}

static int probe(const char *s, size_t n) {
  return text_plugin()->probe((const unsigned char *)s, n);
}

static void probe_scores_text_low_and_binary_zero(void **state) {
  (void)state;
  assert_int_equal(probe("Plain words.\n", 13), 10);
  assert_int_equal(probe("caf\xc3\xa9\n", 6), 10);
  assert_int_equal(probe("abc\0def", 7), 0);
  assert_int_equal(probe("\x01\x02\x03\x04x", 5), 0);
  assert_true(probe("  <html><body>", 14) < 10);
  assert_true(probe("caf\xe9 au lait", 13) < 10);
  /* A head cut inside a character is still text. */
  assert_int_equal(probe("ab\xe2\x80", 4), 10);
}

static void extensions_media_type_and_options_are_declared(void **state) {
  (void)state;
  const galley_plugin *p = text_plugin();
  assert_string_equal(p->extensions[0], "txt");
  assert_string_equal(p->extensions[1], "text");
  assert_null(p->extensions[2]);
  assert_string_equal(p->media_type, "text/plain");
  assert_true(galley_registry_find_ext(tu_registry(), "TXT", GALLEY_CAN_READ) ==
              p);
  const galley_option *o = galley_plugin_option(p, "wrap");
  assert_non_null(o);
  assert_int_equal(o->type, GALLEY_OPT_INT);
  assert_string_equal(o->default_value, "72");
  o = galley_plugin_option(p, "encoding");
  assert_int_equal(o->type, GALLEY_OPT_STRING);
  assert_string_equal(o->default_value, "utf-8");
  o = galley_plugin_option(p, "references");
  assert_int_equal(o->type, GALLEY_OPT_BOOL);
  assert_string_equal(o->default_value, "true");
  o = galley_plugin_option(p, "structure");
  assert_int_equal(o->type, GALLEY_OPT_BOOL);
  assert_string_equal(o->default_value, "true");
}

/* "[1]" in the text and "[1] …" lines at the end are notes. */
static void numbered_notes_at_the_end_become_footnotes(void **state) {
  (void)state;
  galley_doc *doc = tt_read_ok(
      "The river rose fast[1] and the town slept.[2]\n\nMore text.\n\n"
      "Notes\n-----\n\n[1] It rose four metres in a night.\n"
      "[2] Most of it, anyway.\n",
      NULL);
  char *xml = tt_xml(doc);
  assert_non_null(strstr(xml, "<text>The river rose fast</text>"));
  assert_non_null(strstr(xml, "<footnote_ref label=\"1\"/>"));
  assert_non_null(strstr(xml, "<footnote_ref label=\"2\"/>"));
  assert_non_null(strstr(xml, "<footnote label=\"2\">"));
  assert_non_null(strstr(xml, "Most of it, anyway."));
  assert_null(strstr(xml, "Notes</text>"));
  assert_null(strstr(xml, "<list"));
  /* A marker at the end of a text leaves no empty text behind (the
   * round trip --check-plugin makes would differ). */
  assert_null(strstr(xml, "<text/>"));
  assert_null(strstr(xml, "<text></text>"));
  free(xml);
  galley_doc_free(doc);
  /* Without a heading, only when every note is referred to. */
  doc = tt_read_ok("Prices rose [1] and fell.\n\n[1] First.\n[2] Second.\n",
                   NULL);
  xml = tt_xml(doc);
  assert_null(strstr(xml, "<footnote"));
  assert_non_null(strstr(xml, "<list"));
  free(xml);
  galley_doc_free(doc);
  doc = tt_read_ok("Prices rose [1] and fell [2].\n\n[1] First.\n[2] Second.\n",
                   NULL);
  xml = tt_xml(doc);
  assert_non_null(strstr(xml, "<footnote label=\"1\">"));
  free(xml);
  galley_doc_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(numbered_notes_at_the_end_become_footnotes),
      cmocka_unit_test(invalid_utf8_is_an_error_naming_the_byte_offset),
      cmocka_unit_test(overlong_surrogate_and_truncated_sequences_are_refused),
      cmocka_unit_test(nul_byte_is_binary_not_text),
      cmocka_unit_test(byte_order_mark_is_dropped),
      cmocka_unit_test(latin1_input_is_read_with_the_encoding_option),
      cmocka_unit_test(unknown_encoding_is_refused_by_name),
      cmocka_unit_test(bytes_invalid_in_the_named_encoding_name_the_offset),
      cmocka_unit_test(utf16_with_a_byte_order_mark_is_converted),
      cmocka_unit_test(blank_lines_separate_paragraphs),
      cmocka_unit_test(hard_wrapped_lines_are_joined_with_soft_breaks),
      cmocka_unit_test(crlf_and_lone_cr_end_lines),
      cmocka_unit_test(empty_input_gives_an_empty_document),
      cmocka_unit_test(each_bullet_marker_makes_a_list),
      cmocka_unit_test(numbered_lists_keep_their_start_and_delimiter),
      cmocka_unit_test(nested_lists_follow_indentation),
      cmocka_unit_test(a_blank_line_between_items_makes_the_list_loose),
      cmocka_unit_test(unindented_wrapped_item_text_continues_the_item),
      cmocka_unit_test(a_year_in_wrapped_prose_starts_no_list),
      cmocka_unit_test(task_boxes_set_the_item_task),
      cmocka_unit_test(empty_items_and_blocks_inside_an_item_keep_a_list_tight),
      cmocka_unit_test(
          numbers_flush_right_under_an_empty_header_are_right_aligned),
      cmocka_unit_test(block_quotes_nest_and_hold_paragraphs),
      cmocka_unit_test(indented_code_is_kept_verbatim),
      cmocka_unit_test(an_indented_first_line_is_a_paragraph_not_code),
      cmocka_unit_test(text_indented_as_a_whole_is_not_code),
      cmocka_unit_test(centred_lines_are_a_title_and_headings_not_code),
      cmocka_unit_test(underlines_make_headings_of_each_level),
      cmocka_unit_test(lines_of_stars_or_dashes_alone_are_thematic_breaks),
      cmocka_unit_test(a_header_over_dash_runs_makes_a_table),
      cmocka_unit_test(rows_between_two_dash_lines_make_a_headerless_table),
      cmocka_unit_test(footnote_labels_define_and_refer),
      cmocka_unit_test(bare_urls_become_links_without_trailing_punctuation),
      cmocka_unit_test(quotes_nested_past_max_depth_are_refused),
      cmocka_unit_test(lists_nested_past_max_depth_are_refused),
      cmocka_unit_test(article_title_source_and_date_go_to_metadata),
      cmocka_unit_test(structure_false_keeps_every_line_a_paragraph),
      cmocka_unit_test(dates_in_common_english_forms_are_recognized),
      cmocka_unit_test(lines_that_only_mention_a_date_are_not_datelines),
      cmocka_unit_test(a_byline_gives_the_authors),
      cmocka_unit_test(a_sentence_starting_with_by_is_no_byline),
      cmocka_unit_test(an_underlined_title_is_the_title),
      cmocka_unit_test(sentences_and_dialogue_are_not_subheadings),
      cmocka_unit_test(explicit_subheadings_turn_the_guessing_off),
      cmocka_unit_test(a_lone_line_is_not_made_a_title),
      cmocka_unit_test(probe_scores_text_low_and_binary_zero),
      cmocka_unit_test(extensions_media_type_and_options_are_declared),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
