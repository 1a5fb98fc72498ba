/* The markdown writer: galley's renderer on the layout layer, fallbacks keep
 * what Markdown lacks. */
#include <pthread.h>

#include "mdtest.h"

/* Small tree builders; each returns the new node, appended to `parent`. */
static galley_node *add(galley_node *parent, galley_kind kind) {
  galley_node *n = galley_doc_new_node(galley_node_doc(parent), kind);
  assert_non_null(n);
  assert_int_equal(galley_node_append_child(parent, n), GALLEY_OK);
  return n;
}

static galley_node *add_text(galley_node *parent, const char *text) {
  galley_node *n =
      galley_doc_new_text(galley_node_doc(parent), text, (size_t)-1);
  assert_int_equal(galley_node_append_child(parent, n), GALLEY_OK);
  return n;
}

static galley_node *add_cell(galley_node *row, bool header, const char *text) {
  galley_node *c = add(row, GALLEY_NODE_TABLE_CELL);
  galley_node_set_cell_header(c, header);
  if (text)
    add_text(c, text);
  return c;
}

static void assert_contains(const char *haystack, const char *needle) {
  assert_non_null(haystack);
  if (!strstr(haystack, needle))
    fail_msg("expected to find\n%s\nin\n%s", needle, haystack);
}

static void writes_the_golden_markdown_for_every_feature(void **state) {
  (void)state;
  size_t len;
  char *md = tu_read_file(tu_fixture("markdown/features.md"), &len);
  assert_non_null(md);
  const char *opts[] = {"standalone=true", NULL};
  char *out = md_round(md, opts);
  tu_assert_golden(out, "markdown/features.out.md");
  /* Written again, the output is a fixed point. */
  char *again = md_round(out, opts);
  assert_string_equal(out, again);
  free(again);
  free(out);
  free(md);
}

static void simple_tables_become_pipe_tables_with_alignment(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *t = add(galley_doc_root(doc), GALLEY_NODE_TABLE);
  galley_node *r = add(t, GALLEY_NODE_TABLE_ROW);
  galley_node_set_row_part(r, GALLEY_ROW_HEAD);
  galley_node_set_cell_align(add_cell(r, true, "L"), GALLEY_ALIGN_LEFT);
  galley_node_set_cell_align(add_cell(r, true, "R"), GALLEY_ALIGN_RIGHT);
  r = add(t, GALLEY_NODE_TABLE_ROW);
  galley_node *p = add(add_cell(r, false, NULL), GALLEY_NODE_PARAGRAPH);
  add_text(p, "a|b");
  add(p, GALLEY_NODE_LINE_BREAK);
  add_text(p, "c");
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(out, "| L | R |\n| :-- | --: |\n| a\\|b<br />c |  |\n");
  free(out);
  galley_doc_free(doc);
}

static void tables_without_a_header_row_are_html_tables(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *t = add(galley_doc_root(doc), GALLEY_NODE_TABLE);
  galley_node *r = add(t, GALLEY_NODE_TABLE_ROW);
  add_cell(r, false, "x");
  add_cell(r, false, "y");
  char *out = md_write_doc(doc, NULL);
  /* No made-up empty header row: the table as it is, in HTML. */
  assert_string_equal(out, "<table>\n<tbody>\n<tr>\n<td>x</td>\n<td>y</td>\n"
                           "</tr>\n</tbody>\n</table>\n");
  free(out);
  /* A first row of header cells is a header row: a pipe table. */
  galley_node_set_cell_header(galley_node_first_child(r), true);
  galley_node_set_cell_header(galley_node_last_child(r), true);
  r = add(t, GALLEY_NODE_TABLE_ROW);
  add_cell(r, false, "1");
  add_cell(r, false, "2");
  out = md_write_doc(doc, NULL);
  assert_string_equal(out, "| x | y |\n| --- | --- |\n| 1 | 2 |\n");
  free(out);
  galley_doc_free(doc);
}

/* A footer row that comes first in the page is written last, once. */
static void footer_rows_come_last(void **state) {
  (void)state;
  const char *html = "<table><tfoot><tr><td>Total</td><td>3</td></tr></tfoot>"
                     "<thead><tr><th>Item</th><th>N</th></tr></thead>"
                     "<tbody><tr><td>a</td><td>1</td></tr></tbody></table>";
  char *err = NULL;
  char *out = tu_convert("html", "markdown", html, strlen(html), NULL, &err);
  assert_non_null(out);
  assert_string_equal(out, "| Item | N |\n| --- | --- |\n| a | 1 |\n"
                           "| Total | 3 |\n");
  free(out);
}

static void tables_with_block_cells_or_spans_become_html(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *t = add(galley_doc_root(doc), GALLEY_NODE_TABLE);
  galley_node *cap = add(t, GALLEY_NODE_CAPTION);
  add_text(cap, "The caption");
  galley_node *r = add(t, GALLEY_NODE_TABLE_ROW);
  galley_node_set_row_part(r, GALLEY_ROW_HEAD);
  galley_node_set_colspan(add_cell(r, true, "wide *head*"), 2);
  r = add(t, GALLEY_NODE_TABLE_ROW);
  galley_node *c = add_cell(r, false, NULL);
  galley_node *list = add(c, GALLEY_NODE_LIST);
  add_text(add(add(list, GALLEY_NODE_ITEM), GALLEY_NODE_PARAGRAPH), "item");
  galley_node *code = add(c, GALLEY_NODE_CODE_BLOCK);
  galley_node_set_literal(code, "a\n\nb\n");
  add_cell(r, false, "plain");
  char *out = md_write_doc(doc, NULL);
  assert_contains(
      out, "<table>\n<caption>The caption</caption>\n<thead>\n<tr>\n"
           "<th colspan=\"2\">wide *head*</th>\n</tr>\n</thead>\n<tbody>\n");
  assert_contains(out, "<li>item</li>");
  assert_contains(out, "<td>plain</td>");
  assert_null(strstr(out, "\n\n<"));
  /* Read back, nothing is lost: the blank line in the code stays in one block.
   */
  char *err = NULL;
  galley_doc *back = md_read_doc(out, NULL, NULL, &err);
  assert_non_null(back);
  galley_node *raw = md_find(back, GALLEY_NODE_RAW_BLOCK);
  assert_non_null(raw);
  assert_null(galley_node_next(raw));
  assert_contains(galley_node_get_literal(raw), "<pre><code>a\n&#10;b");
  galley_doc_free(back);
  free(out);
  galley_doc_free(doc);
}

static void divs_and_spans_unwrap_to_their_content(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *div = add(galley_doc_root(doc), GALLEY_NODE_DIV);
  galley_node_set_tag(div, "section");
  galley_node *p = add(div, GALLEY_NODE_PARAGRAPH);
  add_text(p, "text in a div, ");
  galley_node *span = add(p, GALLEY_NODE_SPAN);
  add_text(span, "and a span");
  galley_node *inner = add(div, GALLEY_NODE_DIV);
  add_text(add(inner, GALLEY_NODE_PARAGRAPH), "a paragraph");
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(out, "text in a div, and a span\n\na paragraph\n");
  free(out);
  galley_doc_free(doc);
}

static void images_and_links_keep_their_titles(void **state) {
  (void)state;
  char *out = md_round("[a](/u \"T \\\"q\\\"\") ![b](/i.png 'I')\n", NULL);
  assert_string_equal(out, "[a](/u \"T \\\"q\\\"\") ![b](/i.png \"I\")\n");
  free(out);
}

/* A title without a destination (a share button's <a href="" title=…>):
 * "<>" holds the empty destination, so the title stays a title. */
static void a_title_without_a_destination_stays_a_title(void **state) {
  (void)state;
  char *out = md_round("[a](<> \"Share on Twitter: the story\") "
                       "![b](<> \"T\")\n",
                       NULL);
  assert_string_equal(out, "[a](<> \"Share on Twitter: the story\") "
                           "![b](<> \"T\")\n");
  free(out);
}

static void literal_markup_characters_stay_text(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  const char *text = "2 * 3 = 6, snake_case_name, [not a link](x), #hash, "
                     "<notatag>, 1. no list";
  galley_node *p = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  add_text(p, text);
  galley_node *p2 = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  add_text(p2, "# not a heading");
  galley_node *p3 = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  add_text(p3, "- not a list");
  char *out = md_write_doc(doc, NULL);
  galley_doc *back = md_read_doc(out, NULL, NULL, NULL);
  assert_non_null(back);
  galley_node *root = galley_doc_root(back);
  assert_int_equal(galley_node_child_count(root), 3);
  galley_node *b = galley_node_first_child(root);
  assert_int_equal(galley_node_kind(b), GALLEY_NODE_PARAGRAPH);
  assert_string_equal(galley_node_text(back, b), text);
  b = galley_node_next(b);
  assert_int_equal(galley_node_kind(b), GALLEY_NODE_PARAGRAPH);
  assert_string_equal(galley_node_text(back, b), "# not a heading");
  b = galley_node_next(b);
  assert_int_equal(galley_node_kind(b), GALLEY_NODE_PARAGRAPH);
  assert_string_equal(galley_node_text(back, b), "- not a list");
  galley_doc_free(back);
  free(out);
  galley_doc_free(doc);
}

static void edge_whitespace_never_becomes_markup(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  add_text(p, "      indented start");
  add(p, GALLEY_NODE_SOFT_BREAK);
  add_text(p, "x");
  add_text(add(p, GALLEY_NODE_EMPH), " spaced ");
  add_text(p, "y   ");
  add(p, GALLEY_NODE_SOFT_BREAK);
  add_text(p, "z");
  add(p, GALLEY_NODE_STRONG); /* empty */
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(out, "indented start\nx *spaced* y\nz\n");
  free(out);
  galley_doc_free(doc);
}

static void unsupported_inlines_use_raw_html(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  add_text(p, "H");
  add_text(add(p, GALLEY_NODE_SUBSCRIPT), "2");
  add_text(p, "O, x");
  add_text(add(p, GALLEY_NODE_SUPERSCRIPT), "2");
  const char *strict[] = {"gfm=false", NULL};
  add_text(add(p, GALLEY_NODE_STRIKE), "gone");
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(out, "H<sub>2</sub>O, x<sup>2</sup>~~gone~~\n");
  free(out);
  out = md_write_doc(doc, strict);
  assert_string_equal(out, "H<sub>2</sub>O, x<sup>2</sup><del>gone</del>\n");
  free(out);
  galley_doc_free(doc);
}

static void figures_definitions_and_terms_have_fallbacks(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *fig = add(galley_doc_root(doc), GALLEY_NODE_FIGURE);
  galley_node *img = add(add(fig, GALLEY_NODE_PARAGRAPH), GALLEY_NODE_IMAGE);
  galley_node_set_url(img, "a.png");
  galley_node_set_title(img, "t");
  add_text(img, "alt");
  add_text(add(fig, GALLEY_NODE_CAPTION), "Caption text");
  galley_node *dl = add(galley_doc_root(doc), GALLEY_NODE_DEFINITION_LIST);
  add_text(add(dl, GALLEY_NODE_TERM), "Term");
  add_text(add(add(dl, GALLEY_NODE_DEFINITION), GALLEY_NODE_PARAGRAPH),
           "Its meaning");
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(
      out, "![alt](a.png \"t\")\n\nCaption text\n\n**Term**\n\nIts meaning\n");
  free(out);
  galley_doc_free(doc);
}

static void footnotes_and_tasks_round_trip(void **state) {
  (void)state;
  const char *md =
      "- [ ] open\n- [x] done\n\nText[^a] and[^b].\n\n[^a]: One.\n\n"
      "[^b]: Two,\n    with more.\n\n    > quoted\n";
  char *out = md_round(md, NULL);
  assert_string_equal(
      out, "- [ ] open\n- [x] done\n\nText[^a] and[^b].\n\n[^a]:\n    One.\n\n"
           "[^b]:\n    Two,\n    with more.\n\n    > quoted\n");
  char *again = md_round(out, NULL);
  assert_string_equal(out, again);
  free(again);
  free(out);
  const char *strict[] = {"gfm=false", NULL};
  galley_doc *doc = md_read_doc("- [x] done\n", NULL, NULL, NULL);
  out = md_write_doc(doc, strict);
  assert_string_equal(out, "  - \\[x\\] done\n");
  free(out);
  galley_doc_free(doc);
}

static void raw_blocks_of_other_formats_become_fenced_code(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *raw = add(galley_doc_root(doc), GALLEY_NODE_RAW_BLOCK);
  galley_node_set_format(raw, "latex");
  galley_node_set_literal(raw, "\\emph{x}\n");
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(out, "``` {=latex}\n\\emph{x}\n```\n");
  free(out);
  galley_doc_free(doc);
}

static void wrap_sets_the_line_width(void **state) {
  (void)state;
  const char *opts[] = {"wrap=20", NULL};
  char *out =
      md_round("one two three four five six seven eight nine ten\n", opts);
  assert_string_equal(out,
                      "one two three four\nfive six seven eight\nnine ten\n");
  free(out);
  char *nowrap =
      md_round("one two three four five six seven eight nine ten\n", NULL);
  assert_string_equal(nowrap,
                      "one two three four five six seven eight nine ten\n");
  free(nowrap);
}

/* A wrap never moves a word to where a reader takes it for the start of a
 * block ("-", "+", "1." at a line's start: cmark-gfm's renderer wrote
 * "up\n- and", a list), nor breaks a heading, a table row or a code span:
 * the wrapped Markdown reads back as the same tree. Wide characters count
 * two columns. */
/* The HTML that Markdown `md` reads as, every run of blanks one space
 * (where soft line breaks fall is all a wrap changes). */
static char *read_as_html(const char *md) {
  char *err = NULL;
  char *html = tu_convert("markdown", "html", md, strlen(md), NULL, &err);
  assert_non_null(html);
  free(err);
  char *o = html;
  for (const char *p = html; *p; p++)
    if (!(*p == ' ' || *p == '\n') || (o > html && o[-1] != ' '))
      *o++ = *p == '\n' ? ' ' : *p;
  *o = '\0';
  return html;
}

static void wrapping_keeps_the_tree(void **state) {
  (void)state;
  const char *md = "Prices went up - and 1. then\nfell + rose. Total: 12 items "
                   "== ok\n\n# A heading longer than the width\n\n"
                   "| a long header cell | b |\n| --- | --- |\n"
                   "| x y z w | q |\n\nUse `a b c d e f g h` here.\n";
  const char *wrap[] = {"wrap=14", NULL};
  char *narrow = md_round(md, wrap);
  char *want = read_as_html(md), *got = read_as_html(narrow);
  assert_string_equal(got, want);
  free(want);
  free(got);
  assert_contains(narrow, "Prices went\nup - and 1.\nthen fell +\nrose. ");
  assert_contains(narrow, "\n# A heading longer than the width\n");
  assert_contains(narrow, "\n| a long header cell | b |\n");
  assert_contains(narrow, "Use\n`a b c d e f g h`\nhere.\n");
  free(narrow);
  char *wide = md_round("一二三四五六七 八九\n", wrap);
  assert_string_equal(wide, "一二三四五六七\n八九\n");
  free(wide);
}

/* Where cmark-gfm's renderer wrote Markdown that read back otherwise: the
 * blank line after raw HTML in a quote stays in the quote (it was empty,
 * and the rest came back as a second quote), and a pipe in strikethrough
 * in a table cell is escaped (it ended the cell). */
static void quotes_and_table_cells_hold_together(void **state) {
  (void)state;
  const char *md = "> <div>\n> x\n> </div>\n>\n> after\n\n"
                   "| h |\n| - |\n| ~~x\\|y~~ z |\n";
  char *out = md_round(md, NULL);
  assert_string_equal(out, "> \n> \n> <div>\n> x\n> </div>\n>\n> after\n\n"
                           "| h |\n| --- |\n| ~~x\\|y~~ z |\n");
  char *html = read_as_html(out);
  assert_contains(html, "</div> <p>after</p> </blockquote>");
  assert_contains(html, "<td><del>x|y</del> z</td>");
  free(html);
  free(out);
}

/* Standalone, the title block comes after the front matter: the title,
 * then byline, humane date and site in emphasis (escaped); not when the
 * body opens with the title, nor with title-block=false. */
static void standalone_opens_with_the_title_block(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_doc_set_meta(doc, GALLEY_META_TITLE, "Locks *and* weirs");
  galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Ann_Lee");
  galley_doc_set_meta(doc, GALLEY_META_DATE, "2026-12-05");
  galley_doc_set_meta(doc, GALLEY_META_LANGUAGE, "en");
  galley_doc_set_meta(doc, GALLEY_META_PUBLISHER, "The Gazette");
  add_text(add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH), "Body");
  const char *opts[] = {"standalone=true", NULL};
  char *out = md_write_doc(doc, opts);
  assert_contains(out, "---\n\n# Locks \\*and\\* weirs\n\n*By Ann\\_Lee "
                       "\xC2\xB7 5 December 2026 \xC2\xB7 The Gazette*\n\n"
                       "Body\n");
  /* Read back and written again: the body shows the title now, so no
   * second block. */
  char *again = md_round(out, opts);
  assert_string_equal(out, again);
  free(again);
  free(out);
  const char *off[] = {"standalone=true", "title-block=false", NULL};
  out = md_write_doc(doc, off);
  assert_null(strstr(out, "# Locks"));
  free(out);
  out = md_write_doc(doc, NULL);
  assert_string_equal(out, "Body\n");
  free(out);
  galley_doc_free(doc);
}

static void standalone_writes_front_matter_that_reads_back(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_doc_set_meta(doc, GALLEY_META_TITLE, "A \"title\": with colon");
  galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Ann");
  galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Bo");
  galley_doc_set_meta(doc, GALLEY_META_LANGUAGE, "fr");
  galley_doc_add_meta(doc, GALLEY_META_KEYWORD, "k1");
  add_text(add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH), "Body");
  const char *opts[] = {"standalone=true", NULL};
  char *out = md_write_doc(doc, opts);
  assert_string_equal(
      out, "---\ntitle: \"A \\\"title\\\": with colon\"\nauthor:\n  - \"Ann\"\n"
           "  - \"Bo\"\nlang: \"fr\"\ntags:\n  - \"k1\"\n---\n\n"
           "# A \"title\": with colon\n\n*Ann, Bo*\n\nBody\n");
  galley_doc *back = md_read_doc(out, NULL, NULL, NULL);
  assert_non_null(back);
  assert_string_equal(galley_doc_get_meta(back, GALLEY_META_TITLE),
                      "A \"title\": with colon");
  assert_int_equal(galley_doc_meta_count(back, GALLEY_META_AUTHOR), 2);
  assert_string_equal(galley_doc_get_meta(back, GALLEY_META_LANGUAGE), "fr");
  galley_doc_free(back);
  free(out);
  char *plain = md_write_doc(doc, NULL);
  assert_string_equal(plain, "Body\n");
  free(plain);
  galley_doc_free(doc);
}

static void links_around_images_keep_the_image(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  galley_node *link = add(p, GALLEY_NODE_LINK);
  galley_node_set_url(link, "https://x.test/a.jpg");
  galley_node *img = add(link, GALLEY_NODE_IMAGE);
  galley_node_set_url(img, "https://x.test/a.jpg");
  add_text(img, "the alt");
  galley_node *mail = add(p, GALLEY_NODE_LINK);
  galley_node_set_url(mail, "mailto:a@x.test");
  add_text(mail, "a@x.test");
  add(mail, GALLEY_NODE_LINE_BREAK);
  add_text(mail, "(555) 123");
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(out,
                      "[![the alt](https://x.test/a.jpg)](https://x.test/a.jpg)"
                      "[a@x.test  \n(555) 123](mailto:a@x.test)\n");
  free(out);
  galley_doc_free(doc);
}

static void lists_keep_blocks_apart(void **state) {
  (void)state;
  /* An item: text, a nested list, more text; and an item of two paragraphs. */
  galley_doc *doc = galley_doc_new();
  galley_node *list = add(galley_doc_root(doc), GALLEY_NODE_LIST);
  galley_node_set_list_tight(list, true);
  galley_node *item = add(list, GALLEY_NODE_ITEM);
  add_text(add(item, GALLEY_NODE_PARAGRAPH), "before");
  galley_node *inner = add(item, GALLEY_NODE_LIST);
  galley_node_set_list_tight(inner, true);
  add_text(add(add(inner, GALLEY_NODE_ITEM), GALLEY_NODE_PARAGRAPH), "nested");
  add_text(add(item, GALLEY_NODE_PARAGRAPH), "after");
  item = add(list, GALLEY_NODE_ITEM);
  galley_node *first = add(item, GALLEY_NODE_LIST);
  add_text(add(add(first, GALLEY_NODE_ITEM), GALLEY_NODE_PARAGRAPH),
           "inner first");
  add_text(add(item, GALLEY_NODE_PARAGRAPH), "then text");
  char *out = md_write_doc(doc, NULL);
  galley_doc *back = md_read_doc(out, NULL, NULL, NULL);
  assert_non_null(back);
  /* Read back, the outer list still has two items and every paragraph. */
  galley_node *l = md_find(back, GALLEY_NODE_LIST);
  assert_int_equal(galley_node_child_count(l), 2);
  galley_node *i1 = galley_node_first_child(l);
  assert_int_equal(galley_node_child_count(i1), 3);
  assert_string_equal(galley_node_text(back, galley_node_last_child(i1)),
                      "after");
  galley_node *i2 = galley_node_last_child(l);
  assert_string_equal(galley_node_text(back, galley_node_last_child(i2)),
                      "then text");
  assert_int_equal(galley_node_kind(galley_node_last_child(i2)),
                   GALLEY_NODE_PARAGRAPH);
  galley_doc_free(back);
  free(out);
  galley_doc_free(doc);
}

static void bare_urls_keep_their_underscores(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  add_text(p, "see http://x.test/a_b_c.jpg. and snake_case");
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(out, "see <http://x.test/a_b_c.jpg>. and snake\\_case\n");
  galley_doc *back = md_read_doc(out, NULL, NULL, NULL);
  char *text = galley_node_text(back, galley_doc_root(back));
  assert_string_equal(text, "see http://x.test/a_b_c.jpg. and snake_case");
  galley_doc_free(back);
  free(out);
  galley_doc_free(doc);
}

static void adjacent_emphasis_of_one_kind_merges(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  add_text(add(p, GALLEY_NODE_STRONG), "Game D");
  add_text(add(p, GALLEY_NODE_STRONG), "ay");
  char *out = md_write_doc(doc, NULL);
  assert_string_equal(out, "**Game Day**\n");
  free(out);
  galley_doc_free(doc);
}

static void deep_trees_are_written_without_recursion(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *cur = galley_doc_root(doc);
  for (int i = 0; i < 400; i++)
    cur = add(cur, i % 2 ? GALLEY_NODE_BLOCK_QUOTE : GALLEY_NODE_DIV);
  add_text(add(cur, GALLEY_NODE_PARAGRAPH), "deep");
  char *out = md_write_doc(doc, NULL);
  assert_non_null(strstr(out, "> deep"));
  free(out);
  galley_doc_free(doc);
}

typedef struct job_arg {
  const char *md;
  const char *want;
  int failures;
} job_arg;

static void *convert_many(void *p) {
  job_arg *a = p;
  for (int i = 0; i < 40; i++) {
    char *out =
        tu_convert("markdown", "markdown", a->md, strlen(a->md), NULL, NULL);
    if (!out || strcmp(out, a->want) != 0)
      a->failures++;
    free(out);
  }
  return NULL;
}

static void jobs_run_in_parallel_threads(void **state) {
  (void)state;
  size_t len;
  char *md = tu_read_file(tu_fixture("markdown/features.md"), &len);
  assert_non_null(md);
  char *want = md_round(md, NULL);
  pthread_t threads[8];
  job_arg args[8];
  for (int i = 0; i < 8; i++) {
    args[i] = (job_arg){md, want, 0};
    assert_int_equal(pthread_create(&threads[i], NULL, convert_many, &args[i]),
                     0);
  }
  for (int i = 0; i < 8; i++) {
    pthread_join(threads[i], NULL);
    assert_int_equal(args[i].failures, 0);
  }
  free(want);
  free(md);
}

/* html -> markdown -> html keeps every emphasis span where a reader could
 * only see asterisks: spaces of any kind and breaks at a span's edges, a
 * span that opens on punctuation right after a word, nesting at the edges,
 * spans inside words, in cells, links, headings and footnotes. */
static void emphasis_survives_where_markers_would_not_parse(void **state) {
  (void)state;
  static const struct {
    const char *html, *want;
  } cases[] = {
      {"<p><i>foo\xc2\xa0</i>bar</p>", "<em>foo</em>"},
      {"<p><i>\xe2\x80\x89"
       "foo</i>bar</p>",
       "<em>foo</em>"},
      {"<p><b>Title<br></b>Body</p>", "<strong>Title</strong><br"},
      {"<p><b><br>Title</b> Body</p>", "<strong>Title</strong>"},
      {"<p>Kotaku<em>. Warning</em> now</p>", "Kotaku<em>. Warning</em>"},
      {"<p>Kotaku<strong>. Warning</strong> now</p>",
       "Kotaku<strong>. Warning</strong>"},
      {"<p><b><i>x</i></b></p>", "<strong><em>x</em></strong>"},
      {"<p><i><b>y</b></i></p>", "<em><strong>y</strong></em>"},
      {"<p><i><i>z</i></i> w</p>", "<em><em>z</em></em>"},
      {"<p>snake<em>case</em>word</p>", "snake<em>case</em>word"},
      {"<p>snake<strong>case</strong>word</p>",
       "snake<strong>case</strong>word"},
      {"<p><em>a</em><strong>b</strong></p>", "<em>a</em><strong>b</strong>"},
      {"<p>\"<em>quoted</em>\"</p>", "<em>quoted</em>"},
      {"<p>(<em>x.</em>)y</p>", "<em>x.</em>"},
      {"<p>a<em>.b.</em>c</p>", "a<em>.b.</em>c"},
      {"<p>\xe2\x80\x9c<em>q</em>\xe2\x80\x9d"
       "x</p>",
       "<em>q</em>"},
      {"<h2>A <em>b </em>c</h2>", "<em>b</em>"},
      {"<p><a href=\"/u\"><em>.x</em></a></p>", "<em>.x</em>"},
      {"<table><tr><th>h</th></tr><tr><td>1<em>.2</em>3</td></tr></table>",
       "1<em>.2</em>3"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *err = NULL;
    char *md = tu_convert("html", "markdown", cases[i].html,
                          strlen(cases[i].html), NULL, &err);
    assert_non_null(md);
    char *html = tu_convert("markdown", "html", md, strlen(md), NULL, &err);
    assert_non_null(html);
    if (!strstr(html, cases[i].want))
      fail_msg("%s\nwrote\n%s\nwhich reads back without %s", cases[i].html, md,
               cases[i].want);
    /* No marker is left over as text. */
    const char *body = strstr(html, "<body>");
    assert_non_null(body);
    if (strchr(body, '*') || strstr(body, ">_") || strstr(body, "_<"))
      fail_msg("%s\nwrote\n%s\nwhich reads back with a stray marker:\n%s",
               cases[i].html, md, body);
    free(html);
    free(md);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(writes_the_golden_markdown_for_every_feature),
      cmocka_unit_test(simple_tables_become_pipe_tables_with_alignment),
      cmocka_unit_test(tables_without_a_header_row_are_html_tables),
      cmocka_unit_test(footer_rows_come_last),
      cmocka_unit_test(tables_with_block_cells_or_spans_become_html),
      cmocka_unit_test(divs_and_spans_unwrap_to_their_content),
      cmocka_unit_test(images_and_links_keep_their_titles),
      cmocka_unit_test(a_title_without_a_destination_stays_a_title),
      cmocka_unit_test(literal_markup_characters_stay_text),
      cmocka_unit_test(edge_whitespace_never_becomes_markup),
      cmocka_unit_test(unsupported_inlines_use_raw_html),
      cmocka_unit_test(figures_definitions_and_terms_have_fallbacks),
      cmocka_unit_test(footnotes_and_tasks_round_trip),
      cmocka_unit_test(raw_blocks_of_other_formats_become_fenced_code),
      cmocka_unit_test(wrap_sets_the_line_width),
      cmocka_unit_test(wrapping_keeps_the_tree),
      cmocka_unit_test(quotes_and_table_cells_hold_together),
      cmocka_unit_test(standalone_writes_front_matter_that_reads_back),
      cmocka_unit_test(standalone_opens_with_the_title_block),
      cmocka_unit_test(links_around_images_keep_the_image),
      cmocka_unit_test(lists_keep_blocks_apart),
      cmocka_unit_test(bare_urls_keep_their_underscores),
      cmocka_unit_test(adjacent_emphasis_of_one_kind_merges),
      cmocka_unit_test(emphasis_survives_where_markers_would_not_parse),
      cmocka_unit_test(deep_trees_are_written_without_recursion),
      cmocka_unit_test(jobs_run_in_parallel_threads),
  };
  return cmocka_run_group_tests_name("markdown writer", tests, NULL, NULL);
}
