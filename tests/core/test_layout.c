/* The layout layer (galley/layout.h): prefixes, list markers, blank lines,
 * wrapping by display width without breaking a word or URL, raw lines and
 * the escaping hook, each checked on the exact bytes written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <galley/galley.h>

typedef struct fx {
  galley_sink *sink;
  galley_layout *l;
} fx;

static fx start(size_t width) {
  fx f;
  f.sink = galley_sink_new_memory();
  assert_non_null(f.sink);
  f.l = galley_layout_new(f.sink, width);
  assert_non_null(f.l);
  return f;
}

/* Finishes `f` and checks the output is exactly `want`. */
static void expect(fx *f, const char *want) {
  assert_int_equal(galley_layout_finish(f->l), GALLEY_OK);
  size_t len;
  const char *got = galley_sink_data(f->sink, &len);
  if (strlen(want) != len || memcmp(got, want, len) != 0)
    fail_msg("layout wrote\n[%.*s]\nwanted\n[%s]", (int)len, got, want);
  galley_layout_free(f->l);
  galley_sink_free(f->sink);
}

static void text(fx *f, const char *s) {
  assert_int_equal(galley_layout_text(f->l, s, strlen(s)), GALLEY_OK);
}

static void blank_lines_collapse_and_never_lead_or_trail(void **state) {
  (void)state;
  fx f = start(0);
  galley_layout_blank(f.l); /* nothing before the first line */
  text(&f, "one");
  galley_layout_blank(f.l);
  galley_layout_blank(f.l);
  galley_layout_blank(f.l); /* three asks, one blank line */
  text(&f, "two");
  galley_layout_cr(f.l);
  galley_layout_cr(f.l); /* a second cr on an ended line adds nothing */
  text(&f, "three");
  galley_layout_blank(f.l); /* none at the end */
  expect(&f, "one\n\ntwo\nthree\n");
}

static void text_wraps_at_spaces_and_never_inside_a_word(void **state) {
  (void)state;
  fx f = start(20);
  text(&f, "The quick brown fox jumps over the lazy dog and "
           "https://example.org/a/very/long/address/that/is/longer end");
  expect(&f, "The quick brown fox\n"
             "jumps over the lazy\n"
             "dog and\n"
             "https://example.org/a/very/long/address/that/is/longer\n"
             "end\n");
  /* Text given in pieces wraps as one text. */
  f = start(10);
  text(&f, "aaa bbb");
  text(&f, " ccc");
  text(&f, "dd eee");
  expect(&f, "aaa bbb\ncccdd eee\n");
}

static void quote_prefixes_start_every_line_and_the_blank_ones(void **state) {
  (void)state;
  fx f = start(16);
  text(&f, "Before.");
  galley_layout_blank(f.l);
  galley_layout_push(f.l, "> ");
  text(&f, "quoted words that wrap here");
  galley_layout_blank(f.l);
  text(&f, "second");
  galley_layout_push(f.l, "> "); /* a quote in a quote */
  galley_layout_blank(f.l); /* the inner quote has no line yet: not in it */
  text(&f, "deep");
  galley_layout_pop(f.l);
  galley_layout_pop(f.l);
  galley_layout_blank(f.l);
  text(&f, "After.");
  expect(&f, "Before.\n\n"
             "> quoted words\n"
             "> that wrap here\n"
             ">\n"
             "> second\n"
             ">\n"
             "> > deep\n\n"
             "After.\n");
}

static void list_markers_give_their_width_to_the_lines_after(void **state) {
  (void)state;
  fx f = start(24);
  galley_layout_marker(f.l, "- ");
  text(&f, "an item long enough to wrap twice over");
  galley_layout_pop(f.l);
  galley_layout_cr(f.l);
  galley_layout_marker(f.l, "10. ");
  text(&f, "a numbered item that wraps");
  galley_layout_blank(f.l);
  galley_layout_marker(f.l, "* "); /* nested, after a blank line */
  text(&f, "nested item text wraps");
  galley_layout_pop(f.l);
  galley_layout_pop(f.l);
  galley_layout_cr(f.l);
  /* An item whose first block is a list: the markers share a line. */
  galley_layout_marker(f.l, "- ");
  galley_layout_marker(f.l, "- ");
  text(&f, "a");
  galley_layout_pop(f.l);
  galley_layout_cr(f.l);
  text(&f, "b");
  galley_layout_pop(f.l);
  expect(&f, "- an item long enough to\n"
             "  wrap twice over\n"
             "10. a numbered item that\n"
             "    wraps\n"
             "\n"
             "    * nested item text\n"
             "      wraps\n"
             "- - a\n"
             "  b\n");
}

static void wide_characters_count_two_columns(void **state) {
  (void)state;
  assert_int_equal(galley_display_width("abc", 3), 3);
  assert_int_equal(galley_display_width("日本語", strlen("日本語")), 6);
  assert_int_equal(galley_display_width("한국", strlen("한국")), 4);
  assert_int_equal(galley_display_width("ｆｕｌｌ", strlen("ｆｕｌｌ")), 8);
  /* e and a combining acute: one column; an emoji: two. */
  assert_int_equal(galley_display_width("e\xcc\x81", 3), 1);
  assert_int_equal(galley_display_width("\xf0\x9f\x98\x80", 4), 2);
  assert_int_equal(galley_display_width("caf\xc3\xa9", 5), 4);
  /* A stray byte counts one. */
  assert_int_equal(galley_display_width("a\xff", 2), 2);
  /* Six wide words of two characters (4 columns each) at width 10: two
   * words a line (4 + 1 + 4), where a count of characters would put three
   * (2 + 1 + 2 + 1 + 2). */
  fx f = start(10);
  text(&f, "日本 中国 韓国 台湾 香港 澳門");
  expect(&f, "日本 中国\n韓国 台湾\n香港 澳門\n");
  assert_int_equal(galley_display_width("日本 中国", strlen("日本 中国")), 9);
}

static void raw_text_is_not_wrapped_and_its_lines_get_the_prefix(void **state) {
  (void)state;
  fx f = start(10);
  galley_layout_push(f.l, "> ");
  galley_layout_puts(f.l, "```\ncode that is long and stays\n\nend\n```");
  galley_layout_cr(f.l);
  galley_layout_pop(f.l);
  /* A raw piece inside text: no break inside it; it is part of the word
   * it touches, which goes to the next line when the line passes the
   * width. */
  text(&f, "see ");
  galley_layout_puts(f.l, "[a link](u)");
  text(&f, " then more");
  assert_true(galley_layout_column(f.l) > 0);
  expect(&f, "> ```\n> code that is long and stays\n> \n> end\n> ```\n"
             "see\n[a link](u)\nthen more\n");
}

/* A text writer's check: "-" alone and "1." may not start a line. */
static bool no_marker(const char *s, size_t len, void *data) {
  (*(int *)data)++;
  if (len == 1 && s[0] == '-')
    return false;
  return !(len == 2 && s[0] >= '0' && s[0] <= '9' && s[1] == '.');
}

static void the_break_check_keeps_a_marker_off_a_line_start(void **state) {
  (void)state;
  int asked = 0;
  fx f = start(12);
  galley_layout_set_break_check(f.l, no_marker, &asked);
  /* "9." would start the second line: the break moves back a word. */
  text(&f, "see page 12 9. and more");
  galley_layout_blank(f.l);
  /* The word is judged whole, given in pieces: "1" alone may start a
   * line, "1." may not. */
  text(&f, "abcdefghij 1");
  text(&f, ". x");
  galley_layout_blank(f.l);
  /* No break may be taken: the line stays long until one may. */
  text(&f, "abcdefghijk - - - ok");
  galley_layout_blank(f.l);
  /* After a run of spaces the word is judged when it is there, not
   * before: "9." stays on the line. */
  text(&f, "abcdefghij  9. x");
  expect(&f, "see page\n12 9. and\nmore\n\nabcdefghij 1.\nx\n\n"
             "abcdefghijk - - -\nok\n\nabcdefghij  9.\nx\n");
  assert_true(asked > 0);
}

/* Markdown-like: '*' escaped everywhere, '#' only at a line's start. */
static int md_escape(galley_buf *out, const char *s, size_t len,
                     bool line_start, void *data) {
  (*(int *)data)++;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '*' || (s[i] == '#' && i == 0 && line_start))
      galley_buf_putc(out, '\\');
    galley_buf_putc(out, s[i]);
  }
  return out->failed ? GALLEY_ENOMEM : GALLEY_OK;
}

static void the_escape_hook_sees_text_and_where_it_starts(void **state) {
  (void)state;
  int calls = 0;
  fx f = start(0);
  galley_layout_set_escape(f.l, md_escape, &calls);
  text(&f, "#1 is *not* a heading");
  galley_layout_cr(f.l);
  text(&f, "a #hash");
  galley_layout_puts(f.l, " **raw** ");
  text(&f, "#tag");
  expect(&f, "\\#1 is \\*not\\* a heading\na #hash **raw** #tag\n");
  assert_int_equal(calls, 3);
}

static void width_changes_and_a_zero_width_never_wraps(void **state) {
  (void)state;
  fx f = start(0);
  text(&f, "a long line that is never wrapped however long it grows to be");
  galley_layout_cr(f.l);
  galley_layout_set_width(f.l, 12);
  text(&f, "but this one is wrapped");
  expect(&f, "a long line that is never wrapped however long it grows to be\n"
             "but this one\nis wrapped\n");
  assert_null(galley_layout_new(NULL, 10));
  assert_int_equal(galley_layout_text(NULL, "x", 1), GALLEY_EINVALID);
}

static void a_marker_waits_for_its_items_first_line(void **state) {
  (void)state;
  fx f = start(16);
  text(&f, "Intro.");
  galley_layout_cr(f.l);
  galley_layout_marker(f.l, "- ");
  assert_true(galley_layout_fresh(f.l));
  galley_layout_blank(f.l); /* asked inside the item, before its first line */
  text(&f, "loose item");
  assert_false(galley_layout_fresh(f.l));
  galley_layout_blank(f.l);
  text(&f, "second block");
  galley_layout_pop(f.l);
  galley_layout_cr(f.l);
  /* A task item: the box on the first line, later lines under it. */
  galley_layout_marker_rest(f.l, "- [ ] ", "  ");
  text(&f, "a task that wraps under its box");
  galley_layout_pop(f.l);
  galley_layout_cr(f.l);
  /* An empty item: its marker alone, the space taken off with trimming. */
  galley_layout_set_trim(f.l, true);
  galley_layout_marker(f.l, "10. ");
  assert_true(galley_layout_fresh(f.l));
  galley_layout_puts(f.l, "\n");
  galley_layout_pop(f.l);
  assert_false(galley_layout_fresh(f.l)); /* outside any container */
  expect(&f, "Intro.\n\n"
             "- loose item\n"
             "\n"
             "  second block\n"
             "- [ ] a task\n"
             "  that wraps\n"
             "  under its box\n"
             "10.\n");
}

static void deep_prefixes_leave_text_its_minimum_width(void **state) {
  (void)state;
  const char *words = "one two three four five six";
  /* Twelve quotes take 24 of 30 columns: without a minimum, a word a
   * line; with 12, text gets 12 columns after the prefixes. */
  for (int min = 0; min <= 12; min += 12) {
    fx f = start(30);
    galley_layout_set_min_width(f.l, (size_t)min);
    for (int i = 0; i < 12; i++)
      galley_layout_push(f.l, "> ");
    assert_int_equal(galley_layout_text_width(f.l), min ? 12 : 6);
    text(&f, words);
    for (int i = 0; i < 12; i++)
      galley_layout_pop(f.l);
    galley_layout_cr(f.l);
    text(&f, "at the top the width is thirty");
    const char *q = "> > > > > > > > > > > > ";
    char want[512];
    if (min)
      snprintf(want, sizeof want,
               "%sone two\n%sthree four\n%sfive six\n"
               "at the top the width is thirty\n",
               q, q, q);
    else
      snprintf(want, sizeof want,
               "%sone\n%stwo\n%sthree\n%sfour\n%sfive\n"
               "%ssix\nat the top the width is thirty\n",
               q, q, q, q, q, q);
    expect(&f, want);
  }
  /* The room for text on the next line, the first-line markers counted. */
  fx f = start(20);
  galley_layout_push(f.l, "> ");
  galley_layout_marker_rest(f.l, "- [ ] ", "  ");
  assert_int_equal(galley_layout_text_width(f.l), 12);
  text(&f, "x");
  galley_layout_cr(f.l);
  assert_int_equal(galley_layout_text_width(f.l), 16);
  galley_layout_set_width(f.l, 0);
  assert_int_equal(galley_layout_text_width(f.l), 0); /* never wraps */
  expect(&f, "> - [ ] x\n");
}

static void
trimming_takes_trailing_spaces_and_the_empty_lines_at_the_end(void **state) {
  (void)state;
  for (int trim = 0; trim <= 1; trim++) {
    fx f = start(0);
    galley_layout_set_trim(f.l, trim);
    galley_layout_push(f.l, "    ");
    galley_layout_puts(f.l, "code  \n\nmore\n\n");
    galley_layout_pop(f.l);
    galley_layout_puts(f.l, "| a | b |   \n\n\n");
    expect(&f, trim ? "    code\n\n    more\n\n| a | b |\n"
                    : "    code  \n    \n    more\n    \n| a | b |   \n\n\n");
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(blank_lines_collapse_and_never_lead_or_trail),
      cmocka_unit_test(text_wraps_at_spaces_and_never_inside_a_word),
      cmocka_unit_test(quote_prefixes_start_every_line_and_the_blank_ones),
      cmocka_unit_test(list_markers_give_their_width_to_the_lines_after),
      cmocka_unit_test(wide_characters_count_two_columns),
      cmocka_unit_test(raw_text_is_not_wrapped_and_its_lines_get_the_prefix),
      cmocka_unit_test(the_escape_hook_sees_text_and_where_it_starts),
      cmocka_unit_test(the_break_check_keeps_a_marker_off_a_line_start),
      cmocka_unit_test(width_changes_and_a_zero_width_never_wraps),
      cmocka_unit_test(a_marker_waits_for_its_items_first_line),
      cmocka_unit_test(deep_prefixes_leave_text_its_minimum_width),
      cmocka_unit_test(
          trimming_takes_trailing_spaces_and_the_empty_lines_at_the_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
