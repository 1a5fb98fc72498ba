/* The text writer: wrapping, headings, lists, tables, references, notes. */
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

#define DOC(body) "<document xmlns=\"urn:galley:tree:1\">" body "</document>"
#define P(text) "<paragraph><text>" text "</text></paragraph>"

/* The tree in the xml form `xml`, written as text with `opts`. */
static char *from_xml(const char *xml, const char *const *opts) {
  char *err = NULL;
  char *out = tu_convert("xml", "text", xml, strlen(xml), opts, &err);
  if (!out)
    fail_msg("conversion failed: %s", err ? err : "");
  free(err);
  return out;
}

static size_t utf8_width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    w += ((unsigned char)s[i] & 0xC0) != 0x80;
  return w;
}

/* Every line of `text` is at most `max` code points, except lines made of
 * one word longer than that. */
static void assert_lines_fit(const char *text, size_t max) {
  const char *line = text;
  while (*line) {
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);
    if (utf8_width(line, n) > max && memchr(line, ' ', n))
      fail_msg("line longer than %zu: %.*s", max, (int)n, line);
    line += n + (end ? 1 : 0);
  }
}

static const char lorem[] =
    "Tide pools are small worlds. Twice a day the sea fills them and twice a "
    "day it leaves them, and everything that lives in them must cope with "
    "sun, rain, waves and the feet of curious visitors. Counting them is "
    "slow work, but it tells us how the coast is changing over the years.";

static void paragraphs_wrap_at_72_columns_by_default(void **state) {
  (void)state;
  char xml[2048];
  snprintf(xml, sizeof xml, DOC(P("%s")), lorem);
  char *out = from_xml(xml, NULL);
  assert_lines_fit(out, 72);
  assert_non_null(strchr(out, '\n'));
  assert_true(strchr(out, '\n')[1] != '\0'); /* more than one line */
  /* No word was split: joining the lines gives the text back. */
  for (char *p = out; *p; p++)
    if (*p == '\n' && p[1])
      *p = ' ';
  out[strlen(out) - 1] = '\0';
  assert_string_equal(out, lorem);
  free(out);
}

static void wrap_option_sets_the_width_and_0_turns_it_off(void **state) {
  (void)state;
  char xml[2048];
  snprintf(xml, sizeof xml, DOC(P("%s") P("%s")), lorem, lorem);
  const char *const narrow[] = {"wrap=40", NULL};
  char *out = from_xml(xml, narrow);
  assert_lines_fit(out, 40);
  free(out);
  const char *const none[] = {"wrap=0", NULL};
  out = from_xml(xml, none);
  char expected[2048];
  snprintf(expected, sizeof expected, "%s\n\n%s\n", lorem, lorem);
  assert_string_equal(out, expected);
  free(out);
}

static void columns_are_counted_in_code_points(void **state) {
  (void)state;
  /* 30 words of "\xc3\xa9t\xc3\xa9" (été): 3 columns, 5 bytes each. */
  char text[1024] = "";
  for (int i = 0; i < 30; i++)
    strcat(text, i ? " \xc3\xa9t\xc3\xa9" : "\xc3\xa9t\xc3\xa9");
  char xml[2048];
  snprintf(xml, sizeof xml, DOC(P("%s")), text);
  char *out = from_xml(xml, NULL);
  /* 18 words and 17 spaces make 71 columns (107 bytes); a 19th would
   * pass 72. */
  const char *nl = strchr(out, '\n');
  assert_int_equal(utf8_width(out, (size_t)(nl - out)), 71);
  free(out);
}

static void wide_characters_take_two_columns(void **state) {
  (void)state;
  /* A heading's rule is as wide as the heading shows: 日本語の見出し is 7
   * characters and 14 columns. */
  char *out = from_xml(
      DOC("<heading level=\"1\"><text>日本語の見出し</text></heading>"), NULL);
  assert_string_equal(out, "日本語の見出し\n==============\n");
  free(out);
  /* Table columns line up on screen: 東京 (4 columns) pads like "Kyoto"
   * less one. */
  out = from_xml(
      DOC("<table><table_row part=\"head\">"
          "<table_cell header=\"true\"><text>City</text></table_cell>"
          "<table_cell header=\"true\"><text>Ward</text></table_cell>"
          "</table_row><table_row><table_cell><text>東京</text></table_cell>"
          "<table_cell><text>23</text></table_cell></table_row>"
          "<table_row><table_cell><text>Kyoto</text></table_cell>"
          "<table_cell><text>11</text></table_cell></table_row></table>"),
      NULL);
  assert_string_equal(out, "City   Ward\n"
                           "-----  ----\n"
                           "東京   23\n"
                           "Kyoto  11\n");
  /* And the text reader takes the table back. */
  char *err = NULL;
  char *xml = tu_convert("text", "xml", out, strlen(out), NULL, &err);
  assert_non_null(xml);
  assert_non_null(strstr(xml, "<table_cell"));
  assert_non_null(strstr(xml, "<text>東京</text>")); /* a cell of its own */
  assert_non_null(strstr(xml, "<text>23</text>"));
  free(xml);
  free(err);
  free(out);
  /* Words of two wide characters (4 columns) wrap by what they show: 14
   * of them and 13 spaces make 69 columns; a 15th would pass 72. */
  char text[1024] = "";
  for (int i = 0; i < 30; i++)
    strcat(text, i ? " 東京" : "東京");
  char doc[2048];
  snprintf(doc, sizeof doc, DOC(P("%s")), text);
  out = from_xml(doc, NULL);
  const char *nl = strchr(out, '\n');
  assert_int_equal(galley_display_width(out, (size_t)(nl - out)), 69);
  free(out);
}

static void urls_and_long_words_are_never_broken(void **state) {
  (void)state;
  const char *url = "https://example.com/a/very/long/path/that/goes/on/and/on/"
                    "well/past/the/seventy-second/column?x=1";
  char xml[1024];
  snprintf(xml, sizeof xml, DOC(P("Read it at %s today, please.")), url);
  char *out = from_xml(xml, NULL);
  char expected[1024];
  snprintf(expected, sizeof expected, "Read it at\n%s\ntoday, please.\n", url);
  assert_string_equal(out, expected);
  free(out);
}

static void no_line_starts_with_what_reads_as_a_marker(void **state) {
  (void)state;
  /* At 20 columns "-", "2." and ">" would each begin a line. */
  const char *const opts[] = {"wrap=20", NULL};
  char *out = from_xml(
      DOC(P("aaaa bbbb cccc ddd - eeee ffff gggg hhh 2. iiii jjjj kkkk "
            "lll &gt; mmmm")),
      opts);
  for (const char *line = out; *line;) {
    assert_false(line[0] == '-' && line[1] == ' ');
    assert_false(line[0] == '>');
    assert_false(line[0] == '2' && line[1] == '.');
    const char *end = strchr(line, '\n');
    line = end ? end + 1 : line + strlen(line);
  }
  free(out);
}

static void headings_are_underlined_by_level(void **state) {
  (void)state;
  char *out = from_xml(DOC("<heading level=\"1\"><text>Top</text></heading>"
                           "<heading level=\"2\"><text>Section</text></heading>"
                           "<heading level=\"3\"><text>Sub</text></heading>"
                           "<heading level=\"6\"><text>Deep</text></heading>"),
                       NULL);
  assert_string_equal(out, "Top\n===\n\nSection\n-------\n\nSub\n~~~\n\n"
                           "Deep\n''''\n");
  free(out);
}

static void lists_have_markers_and_nested_indentation(void **state) {
  (void)state;
  char *out = from_xml(
      DOC("<list><item>" P(
          "one") "<list ordered=\"true\" start=\"9\">"
                 "<item>" P("nine") "</item><item>" P(
                     "ten") "</item></list></item>"
                            "<item task=\"open\">" P(
                                "todo") "</item></list>"
                                        "<list ordered=\"true\" "
                                        "tight=\"false\"><attr "
                                        "key=\"delim\">paren"
                                        "</attr><item>" P(
                                            "a") "</item><item>" P("b") "</"
                                                                        "item><"
                                                                        "/list"
                                                                        ">"),
      NULL);
  assert_string_equal(out, "- one\n  9. nine\n  10. ten\n- [ ] todo\n\n"
                           "1) a\n\n2) b\n");
  free(out);
}

static void wrapped_item_text_is_indented_under_the_marker(void **state) {
  (void)state;
  char xml[2048];
  snprintf(xml, sizeof xml,
           DOC("<list ordered=\"true\"><item>" P("%s") "</item></list>"),
           lorem);
  char *out = from_xml(xml, NULL);
  assert_lines_fit(out, 72);
  assert_memory_equal(out, "1. Tide", 7);
  for (const char *l = strchr(out, '\n') + 1; *l; l = strchr(l, '\n') + 1)
    assert_memory_equal(l, "   ", 3);
  free(out);
}

static void quotes_and_code_blocks(void **state) {
  (void)state;
  char *out = from_xml(
      DOC("<block_quote>" P("Said.") "<block_quote>" P(
          "Deeper.") "</block_quote></block_quote>"
                     "<code_block info=\"c\">int x;\n\n  x = 1;\n</code_block>"
                     "<thematic_break/>"),
      NULL);
  assert_string_equal(out, "> Said.\n>\n> > Deeper.\n\n    int x;\n\n"
                           "      x = 1;\n\n* * *\n");
  free(out);
}

static void tables_are_aligned_columns(void **state) {
  (void)state;
  char *out = from_xml(
      DOC("<table><table_row part=\"head\">"
          "<table_cell header=\"true\"><text>Fruit</text></table_cell>"
          "<table_cell header=\"true\" align=\"right\"><text>Qty</text>"
          "</table_cell></table_row>"
          "<table_row><table_cell><text>Apples</text></table_cell>"
          "<table_cell align=\"right\"><text>12</text></table_cell>"
          "</table_row><table_row><table_cell><text>\xc3\x89pices</text>"
          "</table_cell><table_cell align=\"right\"><text>3</text>"
          "</table_cell></table_row></table>"),
      NULL);
  assert_string_equal(out, "Fruit    Qty\n"
                           "------  ----\n"
                           "Apples    12\n"
                           "\xc3\x89pices     3\n");
  free(out);
}

static void a_table_without_header_has_rules_above_and_below(void **state) {
  (void)state;
  char *out = from_xml(DOC("<table><table_row><table_cell><text>a</text>"
                           "</table_cell><table_cell><text>b</text>"
                           "</table_cell></table_row></table>"),
                       NULL);
  assert_string_equal(out, "---  ---\na    b\n---  ---\n");
  free(out);
}

/* A table wider than the wrap width wraps its cells in narrower columns;
 * no line is longer than the width, every word is still there. */
static void a_wide_table_stays_within_the_wrap_width(void **state) {
  (void)state;
  const char *opts[] = {"wrap=40", NULL};
  char *out = from_xml(
      DOC("<table><table_row part=\"head\">"
          "<table_cell header=\"true\"><text>Name</text></table_cell>"
          "<table_cell header=\"true\"><text>Description</text></table_cell>"
          "</table_row><table_row><table_cell><text>alpha</text></table_cell>"
          "<table_cell><text>The first letter of the Greek alphabet, used "
          "everywhere</text></table_cell></table_row>"
          "<table_row><table_cell><text>beta</text></table_cell>"
          "<table_cell><text>Second</text></table_cell></table_row>"
          "</table>"),
      opts);
  assert_string_equal(out, "Name   Description\n"
                           "-----  ---------------------------------\n"
                           "alpha  The first letter of the Greek\n"
                           "       alphabet, used everywhere\n"
                           "\n"
                           "beta   Second\n");
  free(out);
  /* A word wider than its column is cut at the column's edge. */
  out = from_xml(DOC("<table><table_row><table_cell><text>a</text>"
                     "</table_cell><table_cell><text>"
                     "Supercalifragilisticexpialidocious-and-more-words"
                     "</text></table_cell></table_row></table>"),
                 opts);
  for (const char *l = out; *l;) {
    const char *e = strchr(l, '\n');
    assert_true(e - l <= 40);
    l = e + 1;
  }
  assert_non_null(strstr(out, "Supercalifragilisticexpialido"));
  free(out);
}

/* Footer rows come last, once, wherever the page put them. */
static void footer_rows_are_written_last(void **state) {
  (void)state;
  char *err = NULL;
  const char *html = "<table><tfoot><tr><td>Total</td><td>3</td></tr></tfoot>"
                     "<thead><tr><th>Item</th><th>N</th></tr></thead>"
                     "<tbody><tr><td>a</td><td>1</td></tr></tbody></table>";
  const char *opts[] = {"standalone=false", NULL};
  char *out = tu_convert("html", "text", html, strlen(html), opts, &err);
  assert_non_null(out);
  assert_string_equal(out, "Item   N\n-----  ---\na      1\nTotal  3\n");
  free(out);
}

static void a_layout_table_is_written_as_its_blocks(void **state) {
  (void)state;
  char *out = from_xml(
      DOC("<table><table_row><table_cell>" P(
          "Menu") "</table_cell><table_cell>"
                  "<heading level=\"2\"><text>Story</text>"
                  "</heading>" P(
                      "Body text.") "</table_cell></table_row></table>"),
      NULL);
  assert_string_equal(out, "Menu\n\nStory\n-----\n\nBody text.\n");
  free(out);
}

static void
blocks_of_one_item_are_apart_but_items_of_a_tight_list_not(void **state) {
  (void)state;
  char *out = from_xml(
      DOC("<list><item>" P("one")
              P("one, more") "<list><item>" P("nested") "</item></list>" P(
                  "after nested") "</item><item>" P("two") "</item></list>"),
      NULL);
  assert_string_equal(out, "- one\n\n  one, more\n  - nested\n\n"
                           "  after nested\n- two\n");
  free(out);
}

static void links_become_numbered_references(void **state) {
  (void)state;
  char *out = from_xml(
      DOC("<paragraph><text>See </text><link url=\"https://a.example/x\">"
          "<text>this</text></link><text>, </text>"
          "<link url=\"https://b.example/\"><text>that</text></link>"
          "<text>, </text><link url=\"https://a.example/x\"><text>this again"
          "</text></link><text>, </text><link url=\"https://c.example/\">"
          "<text>https://c.example/</text></link><text> and </text>"
          "<link url=\"#top\"><text>the top</text></link><text>.</text>"
          "</paragraph>"),
      NULL);
  assert_string_equal(out,
                      "See this[1], that[2], this again[1], https://c.example/ "
                      "and the top.\n\n"
                      "References\n----------\n\n"
                      "[1] https://a.example/x\n[2] https://b.example/\n");
  free(out);
}

static void references_false_writes_links_as_their_text(void **state) {
  (void)state;
  const char *const opts[] = {"references=false", NULL};
  char *out = from_xml(DOC("<paragraph><text>See </text>"
                           "<link url=\"https://a.example/x\"><text>this"
                           "</text></link><text>.</text></paragraph>"),
                       opts);
  assert_string_equal(out, "See this.\n");
  free(out);
}

static void images_are_their_alt_text_in_brackets(void **state) {
  (void)state;
  char *out = from_xml(DOC("<paragraph><text>A </text><image url=\"c.png\">"
                           "<text>sleeping cat</text></image><text>.</text>"
                           "</paragraph><paragraph><image url=\"x.png\"/>"
                           "</paragraph>" P("End.")),
                       NULL);
  assert_string_equal(out, "A [sleeping cat].\n\nEnd.\n");
  free(out);
}

/* Alt text that says nothing is left out: file names, "image", a repeat
 * of the caption (the figure's, or the block after a lone image), alt
 * text inside a heading. */
static void alt_text_that_says_nothing_is_left_out(void **state) {
  (void)state;
  const char *const cases[][2] = {
      {"<paragraph><image url=\"a/010_Clymer-1.jpg\"><text>010_Clymer-1"
       "</text></image></paragraph>" P("End."),
       "End.\n"},
      {"<paragraph><image url=\"x.png\"><text>IMG 2034.JPG</text></image>"
       "</paragraph>" P("End."),
       "End.\n"},
      {"<paragraph><image url=\"x.png\"><text>DSC01234</text></image>"
       "</paragraph>" P("End."),
       "End.\n"},
      {"<paragraph><image url=\"/img/harbour.webp?w=80\"><text>harbour</text>"
       "</image></paragraph>" P("End."),
       "End.\n"},
      {"<paragraph><image url=\"x.png\"><text>Photo</text></image>"
       "</paragraph>" P("End."),
       "End.\n"},
      /* The file name written out, its size suffix left out. */
      {"<paragraph><image url=\"https://a.example/up/7th-Light-Festival-"
       "2019Spider-on-the-Bridge-_-Groupe-LAPS-1024x683.jpg\"><text>7th "
       "Light Festival 2019Spider on the Bridge _ Groupe LAPS</text></image>"
       "</paragraph>" P("End."),
       "End.\n"},
      {"<paragraph><image url=\"/img/Harbour-at-dawn-scaled.jpeg\"><text>"
       "Harbour at dawn</text></image></paragraph>" P("End."),
       "End.\n"},
      {"<figure><paragraph><image url=\"x.png\"><text>Hori Parata at his "
       "farm.</text></image></paragraph><caption><paragraph><text>Hori "
       "Parata at his farm. Photograph: Jane Doe</text></paragraph>"
       "</caption></figure>",
       "Hori Parata at his farm. Photograph: Jane Doe\n"},
      {"<figure><paragraph><link url=\"#i\"><image url=\"x.png\"><text>"
       "Kauri (Tekaurinui Robert) Parata, watched by his father</text>"
       "</image></link></paragraph></figure>"
       "<list><item><paragraph><text>Kauri (Te Kaurinui Robert) Parata, "
       "watched by his father, Hori Parata</text></paragraph></item></list>",
       "- Kauri (Te Kaurinui Robert) Parata, watched by his father, Hori "
       "Parata\n"},
      {"<heading level=\"2\"><image url=\"x.png\"><text>A red arrow</text>"
       "</image><text>Results</text></heading>",
       "Results\n-------\n"},
      /* The words beside it in its own block already say it: a video's
       * title over its poster, a credit line with the caption in it. */
      {"<paragraph><span><text>'We Got Her!' Video Shows Rescue</text>"
       "</span><image url=\"v.jpg\"><text>'We Got Her!' Video Shows "
       "Rescue</text></image></paragraph>",
       "'We Got Her!' Video Shows Rescue\n"},
      {"<paragraph><image url=\"v.jpg\"><text>a hand: Needle poking skin "
       "during a flu shot</text></image><text>\xC2\xA9 John Brecher Needle "
       "poking skin during a flu shot at a clinic.</text></paragraph>",
       "\xC2\xA9 John Brecher Needle poking skin during a flu shot at a "
       "clinic.\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char xml[2048];
    snprintf(xml, sizeof xml, DOC("%s"), cases[i][0]);
    char *out = from_xml(xml, NULL);
    if (strcmp(out, cases[i][1]) != 0)
      fail_msg("case %zu:\n%s\nwant:\n%s", i, out, cases[i][1]);
    free(out);
  }
  /* A link that holds only such an image keeps its number: its address
   * is still in the references. */
  char *linked =
      from_xml(DOC("<paragraph><link url=\"https://a.example/\"><image url=\""
                   "IMG_2034.jpg\"><text>IMG_2034</text></image></link>"
                   "</paragraph>" P("End.")),
               NULL);
  assert_string_equal(linked, "[1]\n\nEnd.\n\nReferences\n----------\n\n"
                              "[1] https://a.example/\n");
  free(linked);
  linked =
      from_xml(DOC("<paragraph><link url=\"https://a.example/\"><image url=\""
                   "m.jpg\"><text>A map of the bay</text></image></link>"
                   "</paragraph>" P("End.")),
               NULL);
  assert_string_equal(linked, "[A map of the bay][1]\n\nEnd.\n\nReferences\n"
                              "----------\n\n[1] https://a.example/\n");
  free(linked);
  /* Alt text that says something stays, beside a caption that does not
   * repeat it, and a short name with digits (COVID-19) is no file name. */
  char *out = from_xml(
      DOC("<figure><paragraph><image url=\"x.png\"><text>A bin of small whale "
          "bones</text></image></paragraph><caption><paragraph><text>Clockwise"
          " from top: squid beaks</text></paragraph></caption></figure>"
          "<paragraph><image url=\"v.png\"><text>COVID-19</text></image>"
          "</paragraph>"
          "<paragraph><text>The chart: </text><image url=\"c.png\"><text>"
          "Cases by week, 2020</text></image></paragraph>"),
      NULL);
  assert_string_equal(out, "[A bin of small whale bones]\n\nClockwise from "
                           "top: squid beaks\n\n[COVID-19]\n\nThe chart: "
                           "[Cases by week, 2020]\n");
  free(out);
}

/* The title block: the title, then byline, humane date and site. */
static void the_title_comes_with_its_credits(void **state) {
  (void)state;
  char *out = from_xml(
      "<document xmlns=\"urn:galley:tree:1\"><meta>"
      "<entry key=\"title\">Whales</entry><entry key=\"author\">Eleanor "
      "Roy</entry><entry key=\"date\">2019-01-03T07:00:02.000Z</entry>"
      "<entry key=\"language\">en</entry><entry key=\"source\">Iran Press "
      "TV</entry></meta>" P("Body.") "</document>",
      NULL);
  assert_string_equal(out, "Whales\n======\n\nBy Eleanor Roy \xC2\xB7 3 "
                           "January 2019 \xC2\xB7 Iran Press TV\n\nBody.\n");
  free(out);
  const char *const body_only[] = {"standalone=false", NULL};
  out = from_xml("<document xmlns=\"urn:galley:tree:1\"><meta>"
                 "<entry key=\"title\">Whales</entry><entry key=\"date\">"
                 "2019-01-03</entry></meta>" P("Body.") "</document>",
                 body_only);
  assert_string_equal(out, "Body.\n");
  free(out);
}

/* figures=false (the default with standalone=false): the running text
 * only: no alt text, no picture's caption, no number for a link that
 * held only a picture; a quotation's attribution stays. */
static void standalone_false_leaves_pictures_out(void **state) {
  (void)state;
  static const char xml[] = DOC(
      "<paragraph><text>See </text><link url=\"https://a.example/big.jpg\">"
      "<image url=\"s.jpg\"><text>A harbour at dusk</text></image></link>"
      "<text> and more.</text></paragraph>"
      "<figure><paragraph><image url=\"c.jpg\"><text>A cat on a mat</text>"
      "</image></paragraph><caption><paragraph><text>The cat in 2019. "
      "Photo: Ana Lee</text></paragraph></caption></figure>"
      "<figure><block_quote>" P("To be, or not to be.") "</block_quote>"
      "<caption><paragraph><text>Hamlet</text></paragraph></caption>"
      "</figure>" P("End."));
  const char *const body_only[] = {"standalone=false", NULL};
  char *out = from_xml(xml, body_only);
  assert_string_equal(out, "See and more.\n\n> To be, or not to be.\n\n"
                           "Hamlet\n\nEnd.\n");
  free(out);
  static const char with_pictures[] =
      "See [A harbour at dusk][1] and more.\n\n[A cat on a mat]\n\n"
      "The cat in 2019. Photo: Ana Lee\n\n> To be, or not to be.\n\n"
      "Hamlet\n\nEnd.\n\nReferences\n----------\n\n"
      "[1] https://a.example/big.jpg\n";
  const char *const body_figures[] = {"standalone=false", "figures=true",
                                      NULL};
  out = from_xml(xml, body_figures);
  assert_string_equal(out, with_pictures);
  free(out);
  out = from_xml(xml, NULL); /* standalone: figures by default */
  assert_string_equal(out, with_pictures);
  free(out);
  const char *const no_figures[] = {"figures=false", NULL};
  out = from_xml(xml, no_figures);
  assert_string_equal(out, "See and more.\n\n> To be, or not to be.\n\n"
                           "Hamlet\n\nEnd.\n");
  free(out);
}

static void footnotes_are_written_where_the_tree_has_them(void **state) {
  (void)state;
  char *out =
      from_xml(DOC("<paragraph><text>Claim</text><footnote_ref label=\"1\"/>"
                   "<text>.</text></paragraph>"
                   "<footnote label=\"1\">" P(
                       "Where it comes from, told at some "
                       "length so that it must wrap onto a "
                       "second line.") "</footnote>" P("More text.")),
               NULL);
  assert_string_equal(out, "Claim[^1].\n\n"
                           "[^1] Where it comes from, told at some length so "
                           "that it must wrap onto\n"
                           "     a second line.\n\nMore text.\n");
  free(out);
}

static void
the_title_is_written_first_unless_the_body_starts_with_it(void **state) {
  (void)state;
  char *out = from_xml(DOC("<meta><entry key=\"title\">The  Title</entry>"
                           "</meta>" P("Body.")),
                       NULL);
  assert_string_equal(out, "The Title\n=========\n\nBody.\n");
  free(out);
  out = from_xml(
      DOC("<meta><entry key=\"title\">The Title</entry></meta>"
          "<heading level=\"1\"><text>The Title</text></heading>" P("Body.")),
      NULL);
  assert_string_equal(out, "The Title\n=========\n\nBody.\n");
  free(out);
}

static void output_ends_with_exactly_one_newline(void **state) {
  (void)state;
  char *out = from_xml(DOC("<code_block>x\n\n\n</code_block>"), NULL);
  assert_string_equal(out, "    x\n");
  free(out);
  out = from_xml(DOC(""), NULL);
  assert_string_equal(out, "");
  free(out);
}

static void line_breaks_start_new_lines(void **state) {
  (void)state;
  char *out = from_xml(DOC("<paragraph><text>one</text><line_break/>"
                           "<text>two</text></paragraph>"),
                       NULL);
  assert_string_equal(out, "one\ntwo\n");
  free(out);
}

static void a_tree_built_through_the_api_is_written(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node *em = galley_doc_new_node(doc, GALLEY_NODE_EMPH);
  assert_int_equal(galley_node_append_child(galley_doc_root(doc), p), 0);
  assert_int_equal(
      galley_node_append_child(p, galley_doc_new_text(doc, "plain ", 6)), 0);
  assert_int_equal(galley_node_append_child(p, em), 0);
  assert_int_equal(
      galley_node_append_child(em, galley_doc_new_text(doc, "styled", 6)), 0);
  char *out = tt_write(doc, "text", NULL);
  assert_string_equal(out, "plain styled\n");
  free(out);
  galley_doc_free(doc);
}

/* What the writer got wrong before it wrote through the layout layer. */
static void
lines_under_a_task_box_or_after_a_lone_word_fit_the_width(void **state) {
  (void)state;
  const char *const opts[] = {"wrap=30", NULL};
  /* A task item's later lines start under its box, two columns in: they
   * take the whole width, not 4 columns less; a ">" after a word as wide
   * as the line stays on that line rather than start a quote. */
  char *out = from_xml(
      DOC("<list><item task=\"open\">" P(
          "one two three four five abcdefghijklmnopqrst uvwxyz") "</item>"
                                                                 "</list>" P(
                                                                     "abcdef"
                                                                     "ghijklm"
                                                                     "nopqrst"
                                                                     "uvwxyz0"
                                                                     "123 "
                                                                     "&gt; "
                                                                     "quoted")),
      opts);
  assert_string_equal(out, "- [ ] one two three four five\n"
                           "  abcdefghijklmnopqrst uvwxyz\n\n"
                           "abcdefghijklmnopqrstuvwxyz0123 >\nquoted\n");
  free(out);
  /* A code block that opens a quote with an empty line: that line is the
   * quote's (">"), not an empty line outside it; an empty row of a
   * narrowed table adds no second blank line. */
  out = from_xml(
      DOC("<block_quote><code_block>\nx</code_block></block_quote>"
          "<table><table_row part=\"head\"><table_cell header=\"true\">"
          "<text>alpha beta gamma delta</text></table_cell>"
          "<table_cell header=\"true\"><text>epsilon zeta eta theta</text>"
          "</table_cell></table_row><table_row><table_cell><text>a</text>"
          "</table_cell><table_cell><text>b</text></table_cell></table_row>"
          "<table_row/></table>" P("end")),
      opts);
  assert_string_equal(out, ">\n>     x\n\n"
                           "alpha beta      epsilon zeta\n"
                           "gamma delta     eta theta\n"
                           "--------------  --------------\n"
                           "a               b\n\nend\n");
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(paragraphs_wrap_at_72_columns_by_default),
      cmocka_unit_test(wrap_option_sets_the_width_and_0_turns_it_off),
      cmocka_unit_test(columns_are_counted_in_code_points),
      cmocka_unit_test(urls_and_long_words_are_never_broken),
      cmocka_unit_test(no_line_starts_with_what_reads_as_a_marker),
      cmocka_unit_test(headings_are_underlined_by_level),
      cmocka_unit_test(lists_have_markers_and_nested_indentation),
      cmocka_unit_test(wrapped_item_text_is_indented_under_the_marker),
      cmocka_unit_test(quotes_and_code_blocks),
      cmocka_unit_test(tables_are_aligned_columns),
      cmocka_unit_test(a_table_without_header_has_rules_above_and_below),
      cmocka_unit_test(a_wide_table_stays_within_the_wrap_width),
      cmocka_unit_test(footer_rows_are_written_last),
      cmocka_unit_test(a_layout_table_is_written_as_its_blocks),
      cmocka_unit_test(
          blocks_of_one_item_are_apart_but_items_of_a_tight_list_not),
      cmocka_unit_test(links_become_numbered_references),
      cmocka_unit_test(references_false_writes_links_as_their_text),
      cmocka_unit_test(images_are_their_alt_text_in_brackets),
      cmocka_unit_test(alt_text_that_says_nothing_is_left_out),
      cmocka_unit_test(the_title_comes_with_its_credits),
      cmocka_unit_test(standalone_false_leaves_pictures_out),
      cmocka_unit_test(footnotes_are_written_where_the_tree_has_them),
      cmocka_unit_test(
          the_title_is_written_first_unless_the_body_starts_with_it),
      cmocka_unit_test(output_ends_with_exactly_one_newline),
      cmocka_unit_test(wide_characters_take_two_columns),
      cmocka_unit_test(line_breaks_start_new_lines),
      cmocka_unit_test(a_tree_built_through_the_api_is_written),
      cmocka_unit_test(
          lines_under_a_task_box_or_after_a_lone_word_fit_the_width),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
