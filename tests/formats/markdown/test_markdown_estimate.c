/* md_parse_estimate against what cmark-gfm really allocates, shape by shape. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../formats/markdown/markdown.h"

/* ---- A counting allocator: the most cmark holds at once ---- */

static size_t live, peak;

static void count(void *p, int sign) {
  if (!p)
    return;
  size_t n = malloc_usable_size(p);
  live = sign > 0 ? live + n : live - n;
  if (live > peak)
    peak = live;
}

static void *counting_calloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  count(p, 1);
  return p;
}

static void *counting_realloc(void *old, size_t size) {
  count(old, -1);
  void *p = realloc(old, size);
  count(p ? p : old, 1);
  return p;
}

static void counting_free(void *p) {
  count(p, -1);
  free(p);
}

static cmark_mem counting = {counting_calloc, counting_realloc, counting_free};

/* The peak of a parse of `md` as the reader parses it (its extensions, its
 * table decision). */
static size_t parse_peak(const char *md, size_t len, bool gfm) {
  size_t cells = 0;
  bool tables = gfm && !md_tables_too_costly(md, len, &cells);
  const md_extensions *ext = md_extensions_get();
  live = peak = 0;
  cmark_parser *parser = cmark_parser_new_with_mem(
      CMARK_OPT_VALIDATE_UTF8 | (gfm ? CMARK_OPT_FOOTNOTES : 0), &counting);
  assert_non_null(parser);
  if (gfm) {
    cmark_syntax_extension *list[] = {tables ? ext->table : NULL,
                                      ext->strikethrough, ext->autolink,
                                      ext->tasklist};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
      if (list[i])
        cmark_parser_attach_syntax_extension(parser, list[i]);
  }
  cmark_parser_feed(parser, md, len);
  cmark_node *root = cmark_parser_finish(parser);
  assert_non_null(root);
  size_t most = peak;
  cmark_node_free(root);
  cmark_parser_free(parser);
  return most;
}

static size_t estimate(const char *md, size_t len, bool gfm) {
  size_t cells = 0;
  bool tables = gfm && !md_tables_too_costly(md, len, &cells);
  bool valid = true; /* as the reader judges it: UTF-8, no NUL */
  for (size_t i = 0; i < len; i++)
    valid = valid && md[i] != 0 && (unsigned char)md[i] < 0x80;
  return md_parse_estimate(md, len, gfm, tables ? cells : 0, valid);
}

/* `unit` repeated to about `size` bytes, after `head`. */
static char *repeat(const char *head, const char *unit, size_t size,
                    size_t *len) {
  size_t h = strlen(head), u = strlen(unit), n = size / u + 1;
  char *s = malloc(h + n * u + 1);
  assert_non_null(s);
  memcpy(s, head, h);
  for (size_t i = 0; i < n; i++)
    memcpy(s + h + i * u, unit, u);
  *len = h + n * u;
  s[*len] = 0;
  return s;
}

static const struct {
  const char *head, *unit;
} shapes[] = {
    {"", "a\n"},
    {"", "ab cd ef\n"},
    {"", "a\r\n"},
    {"", "a\n\n"},
    {"", "- a\n"},
    {"", "-\n"},
    {"", "- a\n* b\n"},
    {"", "1. a\n"},
    {"", "1.\n"},
    {"", "> a\n"},
    {"", "> a\n\n"},
    {"", "> > > > a\n"},
    {"", ">>>>a\n"},
    {"", "- - - - a\n"},
    {"", "1. 1. 1. 1. a\n"},
    {"", "- [ ] a\n"},
    {"| h | h |\n|---|---|\n", "| a | b |\n"},
    {"|"
     "a|a|a|a|a|a|a|a|a|a|\n|-|-|-|-|-|-|-|-|-|-|\n",
     "|x|\n"},
    {"", "[a]: b\n"},
    {"", "[^a]: b\n"},
    {"", "[^a] "},
    {"", "<div>\n"},
    {"", "<div></div>\n\n"},
    {"", "<!-- a -->\n"},
    {"", "***\n"},
    {"", "# a\n"},
    {"", "#\n"},
    {"", "a\n=\n"},
    {"", "a  \n"},
    {"", "a\\\n"},
    {"", "*a* "},
    {"", "**a** "},
    {"", "~~a~~ "},
    {"", "`a` "},
    {"", "[a](b) "},
    {"", "![a](b) "},
    {"", "<a> "},
    {"", "<http://a> "},
    {"", "&amp; "},
    {"", "\\* "},
    {"", "www.a.b "},
    {"", "http://a "},
    {"", "a@b.c "},
    {"", "a@b.c a@b.c\n"},
    {"", "[ "},
    {"", "w "},
    {"", "a: "},
    {"", "```\na\n```\n"},
    {"x\n\n", "    a\n"},
    {"", "abcde fghi"},
    {"", "<span>a *b*</span>\n"},
    {"", "[[[[a]]]] "},
    {"", "a_b"},
    {"", "[a](b \"t\") "},
    {"", "*a _"},
    {"", "- ```\n"},
    {"", "\xff"},
    {"", "a\x01\n"},
};

/* cmark aborts the process when an allocation fails, so the reader trusts
 * the estimate to refuse what would need more than the limit: it must never
 * be below what cmark-gfm allocates, whatever the input repeats. */
static void the_estimate_bounds_every_shape_from_above(void **state) {
  (void)state;
  int below = 0;
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    for (int gfm = 0; gfm <= 1; gfm++) {
      size_t len;
      char *md = repeat(shapes[i].head, shapes[i].unit, 200000, &len);
      size_t need = parse_peak(md, len, gfm);
      size_t est = estimate(md, len, gfm);
      if (est < need) {
        print_error("'%s' (gfm %d): estimate %zu, cmark-gfm allocated %zu\n",
                    shapes[i].unit, gfm, est, need);
        below++;
      }
      free(md);
    }
  }
  assert_int_equal(below, 0);
}

/* Issue 13, item 10: 6 MB of such lines passed the old estimate (480 MB)
 * while cmark-gfm allocated 1 GB. The shape scales: checked at 600 KB. */
static void one_letter_lines_estimate_at_their_cost(void **state) {
  (void)state;
  size_t len;
  char *md = repeat("", "a\n", 600000, &len);
  size_t need = parse_peak(md, len, true);
  size_t est = estimate(md, len, true);
  assert_true(est >= need);
  assert_true(est <= 2 * need);
  free(md);
}

int main(void) {
  /* The plugin's init registers cmark-gfm's extensions. */
  if (md_init() != GALLEY_OK) {
    fprintf(stderr, "cmark-gfm's extensions are missing\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_estimate_bounds_every_shape_from_above),
      cmocka_unit_test(one_letter_lines_estimate_at_their_cost),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
