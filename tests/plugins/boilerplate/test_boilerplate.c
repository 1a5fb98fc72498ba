/* Unit tests of the boilerplate transform on trees built through the API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

/* ---- Building trees ---------------------------------------------------- */

static galley_node *add(galley_node *parent, galley_kind kind) {
  galley_node *n = galley_doc_new_node(galley_node_doc(parent), kind);
  assert_non_null(n);
  assert_int_equal(galley_node_append_child(parent, n), GALLEY_OK);
  return n;
}

static galley_node *div_(galley_node *parent, const char *tag, const char *id,
                         const char *cls) {
  galley_node *d = add(parent, GALLEY_NODE_DIV);
  if (tag)
    galley_node_set_tag(d, tag);
  if (id)
    galley_node_set_id(d, id);
  if (cls)
    galley_node_set_classes(d, cls);
  return d;
}

static galley_node *text_(galley_node *parent, const char *s) {
  galley_node *t = galley_doc_new_text(galley_node_doc(parent), s, (size_t)-1);
  assert_int_equal(galley_node_append_child(parent, t), GALLEY_OK);
  return t;
}

static galley_node *para(galley_node *parent, const char *s) {
  galley_node *p = add(parent, GALLEY_NODE_PARAGRAPH);
  text_(p, s);
  return p;
}

static galley_node *heading(galley_node *parent, int level, const char *s) {
  galley_node *h = add(parent, GALLEY_NODE_HEADING);
  galley_node_set_level(h, level);
  text_(h, s);
  return h;
}

static galley_node *link_para(galley_node *parent, const char *s) {
  galley_node *p = add(parent, GALLEY_NODE_PARAGRAPH);
  galley_node *a = add(p, GALLEY_NODE_LINK);
  galley_node_set_url(a, "https://example.org/x");
  text_(a, s);
  return p;
}

static galley_node *link_list(galley_node *parent, int n) {
  galley_node *l = add(parent, GALLEY_NODE_LIST);
  static const char *const words[] = {"Home",    "World",   "Politics", "Sport",
                                      "Culture", "Science", "Opinion"};
  for (int i = 0; i < n; i++)
    link_para(add(l, GALLEY_NODE_ITEM), words[i % 7]);
  return l;
}

/* Article paragraphs of prose: long, with commas and full stops. */
static const char *const prose[] = {
    "The council met on Tuesday evening, for the third time this month, to "
    "decide whether the old library on Mill Street should be sold, "
    "restored, or turned into a community hall.",
    "Residents who spoke at the meeting, many of them retired teachers, "
    "argued that the building was part of the town's history and that "
    "selling it would be a mistake the town could not undo.",
    "The treasurer, however, said that the roof alone would cost more than "
    "the council spends on roads in a year, and that the money would have "
    "to come from somewhere.",
    "A decision is expected in the spring, after an independent survey of "
    "the building, which the council agreed to pay for, has been completed "
    "and published.",
};

static galley_doc *news_page(galley_node **article_out) {
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_doc_set_meta(doc, GALLEY_META_TITLE, "Council weighs library's fate");
  galley_node *header = div_(root, "header", "top", "site-header");
  link_list(header, 7);
  galley_node *nav = div_(root, "nav", NULL, "main-nav");
  link_list(nav, 6);
  galley_node *main = div_(root, "main", NULL, NULL);
  galley_node *article = div_(main, "article", NULL, "story");
  heading(article, 1, "Council weighs library's fate");
  para(article, "By Jane Doe");
  for (size_t i = 0; i < 4; i++)
    para(article, prose[i]);
  galley_node *share = div_(article, "div", NULL, "share-buttons");
  link_para(share, "Share on Facebook");
  link_para(share, "Share on Twitter");
  galley_node *aside = div_(main, "aside", NULL, "sidebar");
  heading(aside, 2, "Most read");
  link_list(aside, 5);
  galley_node *footer = div_(root, "footer", NULL, NULL);
  para(footer, "Copyright 2026 The Town Crier. All rights reserved.");
  if (article_out)
    *article_out = article;
  return doc;
}

static int run(galley_doc *doc, const char *const *opts, galley_job **jobp) {
  galley_registry *reg = tu_registry();
  const galley_plugin *bp = galley_registry_find(reg, "boilerplate");
  assert_non_null(bp);
  assert_true(bp->caps & GALLEY_CAN_TRANSFORM);
  galley_job *job = galley_job_new(reg);
  for (size_t i = 0; opts && opts[i]; i += 2)
    galley_job_set_option(job, opts[i], opts[i + 1]);
  int rc = galley_plugin_transform(job, bp, doc);
  if (jobp)
    *jobp = job;
  else
    galley_job_free(job);
  return rc;
}

static char *doc_text(galley_doc *doc) {
  return galley_node_text(doc, galley_doc_root(doc));
}

static bool contains(const char *hay, const char *needle) {
  return hay && strstr(hay, needle) != NULL;
}

/* ---- Tests --------------------------------------------------------------- */

static void keeps_article_and_drops_navigation_sidebar_footer(void **state) {
  (void)state;
  galley_doc *doc = news_page(NULL);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  char *t = doc_text(doc);
  for (size_t i = 0; i < 4; i++)
    assert_true(contains(t, prose[i]));
  assert_false(contains(t, "Politics"));
  assert_false(contains(t, "Most read"));
  assert_false(contains(t, "Copyright"));
  assert_false(contains(t, "Share on Facebook"));
  galley_doc_free(doc);
}

static void moves_byline_into_metadata(void **state) {
  (void)state;
  galley_doc *doc = news_page(NULL);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_AUTHOR), "Jane Doe");
  assert_false(contains(doc_text(doc), "By Jane Doe"));
  galley_doc_free(doc);
}

static void never_overwrites_an_author_already_set(void **state) {
  (void)state;
  galley_doc *doc = news_page(NULL);
  galley_doc_set_meta(doc, GALLEY_META_AUTHOR, "Given Name");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_int_equal(galley_doc_meta_count(doc, GALLEY_META_AUTHOR), 1);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_AUTHOR),
                      "Given Name");
  galley_doc_free(doc);
}

static void drops_headline_that_repeats_the_title(void **state) {
  (void)state;
  galley_doc *doc = news_page(NULL);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_null(galley_node_find(galley_doc_root(doc), GALLEY_NODE_HEADING));
  galley_doc_free(doc);
  doc = news_page(NULL);
  const char *const keep[] = {"keep-title", "true", NULL};
  assert_int_equal(run(doc, keep, NULL), GALLEY_OK);
  assert_non_null(galley_node_find(galley_doc_root(doc), GALLEY_NODE_HEADING));
  galley_doc_free(doc);
}

static void
keeps_figures_tables_code_lists_and_quotes_of_the_article(void **state) {
  (void)state;
  galley_node *article;
  galley_doc *doc = news_page(&article);
  galley_node *fig = add(article, GALLEY_NODE_FIGURE);
  galley_node *ip = add(fig, GALLEY_NODE_PARAGRAPH);
  galley_node *img = add(ip, GALLEY_NODE_IMAGE);
  galley_node_set_url(img, "library.png");
  galley_node *cap = add(fig, GALLEY_NODE_CAPTION);
  text_(cap, "The library on Mill Street in 1920.");
  heading(article, 2, "What it would cost");
  galley_node *table = add(article, GALLEY_NODE_TABLE);
  galley_node *row = add(table, GALLEY_NODE_TABLE_ROW);
  text_(add(row, GALLEY_NODE_TABLE_CELL), "Roof repairs");
  text_(add(row, GALLEY_NODE_TABLE_CELL), "120,000");
  galley_node *list = add(article, GALLEY_NODE_LIST);
  para(add(list, GALLEY_NODE_ITEM), "Sell the building to a developer.");
  para(add(list, GALLEY_NODE_ITEM), "Restore it as a library.");
  galley_node *code = add(article, GALLEY_NODE_CODE_BLOCK);
  galley_node_set_literal(code, "cost = roof + walls\n");
  galley_node *q = add(article, GALLEY_NODE_BLOCK_QUOTE);
  para(q, "We cannot sell our history, one resident said.");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  galley_node *root = galley_doc_root(doc);
  assert_non_null(galley_node_find(root, GALLEY_NODE_FIGURE));
  assert_non_null(galley_node_find(root, GALLEY_NODE_IMAGE));
  assert_non_null(galley_node_find(root, GALLEY_NODE_CAPTION));
  assert_non_null(galley_node_find(root, GALLEY_NODE_TABLE));
  assert_non_null(galley_node_find(root, GALLEY_NODE_CODE_BLOCK));
  assert_non_null(galley_node_find(root, GALLEY_NODE_BLOCK_QUOTE));
  char *t = doc_text(doc);
  assert_true(contains(t, "What it would cost"));
  assert_true(contains(t, "Restore it as a library."));
  galley_doc_free(doc);
}

static void drops_comment_section_even_when_it_is_long(void **state) {
  (void)state;
  galley_node *article;
  galley_doc *doc = news_page(&article);
  galley_node *comments =
      div_(galley_node_parent(article), "section", "comments", "comments");
  for (int i = 0; i < 12; i++)
    para(comments, "I have lived here for forty years, and I think the "
                   "council should keep the library, whatever it costs.");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  char *t = doc_text(doc);
  assert_false(contains(t, "forty years"));
  assert_true(contains(t, prose[0]));
  galley_doc_free(doc);
}

static void
keeps_article_wrapper_whose_class_names_an_advert_layout(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *wrap = div_(root, "div", NULL, "advertisement-pusher");
  link_list(div_(wrap, "nav", NULL, NULL), 6);
  galley_node *article = div_(wrap, "article", NULL, NULL);
  for (size_t i = 0; i < 4; i++)
    para(article, prose[i]);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  char *t = doc_text(doc);
  assert_true(contains(t, prose[3]));
  assert_false(contains(t, "Politics"));
  galley_doc_free(doc);
}

static void reads_negated_class_words_as_content(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *col = div_(root, "section", NULL, "non-ad-column");
  for (size_t i = 0; i < 4; i++)
    para(col, prose[i]);
  galley_node *ads = div_(root, "section", NULL, "ad-column");
  link_list(ads, 5);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  char *t = doc_text(doc);
  assert_true(contains(t, prose[0]));
  assert_false(contains(t, "Culture"));
  galley_doc_free(doc);
}

static void joins_article_split_over_sibling_containers(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  link_list(div_(root, "nav", NULL, NULL), 7);
  galley_node *body = div_(root, "div", NULL, "story-body");
  for (size_t i = 0; i < 4; i++)
    para(div_(body, "div", NULL, "card"), prose[i]);
  galley_node *rel = div_(root, "div", NULL, "related-stories");
  link_list(rel, 4);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  char *t = doc_text(doc);
  for (size_t i = 0; i < 4; i++)
    assert_true(contains(t, prose[i]));
  assert_false(contains(t, "Home"));
  galley_doc_free(doc);
}

static void drops_hidden_blocks(void **state) {
  (void)state;
  galley_node *article;
  galley_doc *doc = news_page(&article);
  galley_node *h = div_(article, "div", NULL, NULL);
  galley_node_set_attr(h, "aria-hidden", "true");
  para(h, "Text only screen readers were meant to skip.");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_false(contains(doc_text(doc), "screen readers"));
  galley_doc_free(doc);
}

static void
drops_calls_to_action_and_link_lines_inside_the_article(void **state) {
  (void)state;
  galley_node *article;
  galley_doc *doc = news_page(&article);
  para(article, "Sign up for our daily newsletter");
  link_para(article, "Read more about the library");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  char *t = doc_text(doc);
  assert_false(contains(t, "newsletter"));
  assert_false(contains(t, "Read more"));
  assert_true(contains(t, prose[2]));
  galley_doc_free(doc);
}

static galley_doc *scraped_text(void) {
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_doc_set_meta(doc, GALLEY_META_TITLE, "Council weighs library's fate");
  para(root, "Support local news - Make a charitable donation today!");
  para(root, "Local Politics");
  para(root, "Town Crier");
  heading(root, 1, "Council weighs library's fate");
  para(root, "Town Crier");
  para(root, prose[0]);
  para(root, prose[1]);
  heading(root, 2, "What happens next");
  para(root, prose[2]);
  para(root, prose[3]);
  para(root, "Join the Town Crier mailing list");
  return doc;
}

static void
strips_banner_label_and_mailing_list_lines_from_plain_text(void **state) {
  (void)state;
  galley_doc *doc = scraped_text();
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  galley_node *root = galley_doc_root(doc);
  char *t = doc_text(doc);
  assert_false(contains(t, "donation"));
  assert_false(contains(t, "Local Politics"));
  assert_false(contains(t, "mailing list"));
  for (size_t i = 0; i < 4; i++)
    assert_true(contains(t, prose[i]));
  /* Headline, credit line, four paragraphs, a subheading. */
  assert_int_equal(galley_node_child_count(root), 7);
  galley_node *h = galley_node_first_child(root);
  assert_int_equal(galley_node_kind(h), GALLEY_NODE_HEADING);
  assert_string_equal(galley_node_text(doc, galley_node_next(h)), "Town Crier");
  galley_doc_free(doc);
}

static void keeps_subheadings_of_plain_text(void **state) {
  (void)state;
  galley_doc *doc = scraped_text();
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  galley_node *root = galley_doc_root(doc);
  int headings = 0;
  for (galley_node *n = galley_node_first_child(root); n;
       n = galley_node_next(n))
    if (galley_node_kind(n) == GALLEY_NODE_HEADING)
      headings++;
  assert_int_equal(headings, 2);
  galley_doc_free(doc);
}

static void explain_lists_every_removed_block_with_its_rule(void **state) {
  (void)state;
  /* The transform hands the report to the host and writes no file. */
  char path[] = "/tmp/bp-explain-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  unlink(path);
  galley_doc *doc = news_page(NULL);
  const char *const opts[] = {"explain", path, NULL};
  galley_job *job;
  assert_int_equal(run(doc, opts, &job), GALLEY_OK);
  assert_int_equal(access(path, F_OK), -1);
  assert_int_equal(galley_job_report_count(job), 1);
  const galley_report *r = galley_job_report_at(job, 0);
  assert_string_equal(r->plugin, "boilerplate");
  assert_string_equal(r->kind, "explain");
  assert_string_equal(r->path, path);
  char *report = strndup((const char *)r->data, r->size);
  assert_non_null(report);
  assert_true(contains(report, "chrome-tag\tdiv<nav>"));
  assert_true(contains(report, "chrome-class\tdiv<div>.share-buttons"));
  assert_true(contains(report, "byline\tparagraph"));
  assert_true(contains(report, "# content: div<"));
  free(report);
  galley_job_free(job);
  galley_doc_free(doc);
}

static void without_explain_no_report_is_made(void **state) {
  (void)state;
  galley_doc *doc = news_page(NULL);
  galley_job *job;
  assert_int_equal(run(doc, NULL, &job), GALLEY_OK);
  assert_int_equal(galley_job_report_count(job), 0);
  assert_null(galley_job_report_at(job, 0));
  galley_job_free(job);
  galley_doc_free(doc);
}

static void warns_and_keeps_everything_when_no_content_is_found(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *d = div_(root, "div", NULL, "box");
  para(d, "Short.");
  para(d, "Lines.");
  galley_job *job;
  assert_int_equal(run(doc, NULL, &job), GALLEY_OK);
  bool warned = false;
  for (size_t i = 0; i < galley_job_diag_count(job); i++)
    if (galley_job_diag_at(job, i)->level == GALLEY_LEVEL_WARNING &&
        contains(galley_job_diag_at(job, i)->message, "no content block"))
      warned = true;
  assert_true(warned);
  assert_true(contains(doc_text(doc), "Short."));
  galley_job_free(job);
  galley_doc_free(doc);
}

static void survives_very_deep_trees_without_recursion(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *n = galley_doc_root(doc);
  for (int i = 0; i < 100000; i++)
    n = div_(n, "div", NULL, i % 2 ? "comment" : "content");
  for (size_t i = 0; i < 4; i++)
    para(n, prose[i]);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  galley_doc_free(doc);
}

/* ---- Site templates (batch hooks) --------------------------------------- */

/* A job with the boilerplate transform, and a batch for it. */
static galley_batch *new_batch(galley_job **jobp) {
  galley_registry *reg = tu_registry();
  const galley_plugin *bp = galley_registry_find(reg, "boilerplate");
  assert_non_null(bp);
  galley_job *job = galley_job_new(reg);
  assert_int_equal(galley_job_add_transform(job, bp), GALLEY_OK);
  galley_batch *b = galley_batch_new(job);
  assert_non_null(b);
  *jobp = job;
  return b;
}

/* The news page with a support box after the article whose text is cut
 * into pieces differently on each page (nested containers, emphasis, odd
 * white space and case); `style` picks the cut. */
static galley_doc *page_with_box(int style, int page) {
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *article = div_(root, "div", NULL, NULL);
  char buf[400];
  snprintf(buf, sizeof buf, "Story %d", page);
  heading(article, 1, buf);
  for (size_t i = 0; i < 3; i++) {
    snprintf(buf, sizeof buf, "In story %d: %s", page, prose[i]);
    para(article, buf);
  }
  galley_node *box = div_(article, "div", NULL, "note");
  if (style == 0) {
    galley_node *q = add(box, GALLEY_NODE_BLOCK_QUOTE);
    galley_node *p = add(q, GALLEY_NODE_PARAGRAPH);
    text_(p, "  Our small newsroom is ");
    text_(add(p, GALLEY_NODE_EMPH), "funded\n by");
    text_(p, " readers, and every gift helps our reporters cover the "
             "stories that matter to the valley.  ");
  } else if (style == 1) {
    galley_node *l = add(box, GALLEY_NODE_LIST);
    galley_node *p = add(add(l, GALLEY_NODE_ITEM), GALLEY_NODE_PARAGRAPH);
    text_(p, "Our small NEWSROOM");
    add(p, GALLEY_NODE_SOFT_BREAK);
    text_(p, "is funded by readers,");
    text_(add(add(p, GALLEY_NODE_STRONG), GALLEY_NODE_EMPH), "\tand every gift");
    text_(p, " helps our reporters cover the stories that matter to the "
             "valley.");
  } else {
    para(box, "Our small newsroom is funded by readers, and every gift "
              "helps our reporters cover the stories that matter to the "
              "valley.");
  }
  snprintf(buf, sizeof buf, "In story %d: %s", page, prose[3]);
  para(article, buf);
  return doc;
}

static void learns_a_template_from_blocks_cut_any_way(void **state) {
  (void)state;
  galley_job *job;
  galley_batch *b = new_batch(&job);
  for (int i = 0; i < 3; i++) {
    galley_doc *d = page_with_box(i % 2, i);
    assert_int_equal(galley_batch_learn_doc(b, job, d), GALLEY_OK);
    galley_doc_free(d);
  }
  /* The box's text, learnt from trees, is the template of a page where
   * it is one string. */
  galley_doc *doc = page_with_box(2, 3);
  galley_job_set_batch(job, b);
  assert_true(contains(doc_text(doc), "every gift helps"));
  assert_int_equal(galley_plugin_transform(job, galley_job_transform_at(job, 0), doc), GALLEY_OK);
  char *text = doc_text(doc);
  assert_false(contains(text, "every gift helps"));
  assert_true(contains(text, "In story 3: A decision is expected"));
  galley_doc_free(doc);
  /* Alone, the page keeps it. */
  doc = page_with_box(2, 3);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_true(contains(doc_text(doc), "every gift helps"));
  galley_doc_free(doc);
  galley_batch_free(b);
  galley_job_free(job);
}

static void learns_very_deep_pages_in_one_walk(void **state) {
  (void)state;
  /* 100,000 nested blocks: hashing each block's text apart would walk
   * 5e9 nodes; the bottom-up walk visits each once. */
  galley_job *job;
  galley_batch *b = new_batch(&job);
  for (int k = 0; k < 3; k++) {
    galley_doc *doc = galley_doc_new();
    galley_node *n = galley_doc_root(doc);
    for (int i = 0; i < 100000; i++)
      n = div_(n, "div", NULL, NULL);
    for (size_t i = 0; i < 4; i++)
      para(n, prose[i]);
    assert_int_equal(galley_batch_learn_doc(b, job, doc), GALLEY_OK);
    galley_doc_free(doc);
  }
  galley_batch_free(b);
  galley_job_free(job);
}

static void parses_dates_in_common_forms(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *d = div_(root, "div", NULL, "article-body");
  para(d, "Sunday, 19 July 2020 6:10 AM");
  for (size_t i = 0; i < 4; i++)
    para(d, prose[i]);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  /* The time on the line is kept, as the text reader keeps it. */
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DATE),
                      "2020-07-19T06:10");
  galley_doc_free(doc);
  doc = galley_doc_new();
  root = galley_doc_root(doc);
  d = div_(root, "div", NULL, "article-body");
  galley_node *t = div_(d, "time", NULL, NULL);
  galley_node_set_attr(t, "datetime", "2019-11-18T07:45:00Z");
  para(t, "Nov. 18, 2019");
  for (size_t i = 0; i < 4; i++)
    para(d, prose[i]);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DATE),
                      "2019-11-18T07:45:00Z");
  galley_doc_free(doc);
}

static galley_doc *article_with_line(const char *line, const char *cls) {
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *d = div_(root, "div", NULL, "article-body");
  galley_node *p = para(d, line);
  if (cls)
    galley_node_set_classes(p, cls);
  for (size_t i = 0; i < 4; i++)
    para(d, prose[i]);
  return doc;
}

static void reads_dates_with_month_names_in_other_languages(void **state) {
  (void)state;
  static const char *const lines[][2] = {
      {"segunda-feira, 22 de janeiro de 2018 \xc3\xa0s 0:13",
       "2018-01-22T00:13"},
      {"Publi\xc3\xa9 le 3 d\xc3\xa9"
       "cembre 2019",
       "2019-12-03"},
      {"14. M\xc3\xa4rz 2021", "2021-03-14"},
      {"Updated Sept. 9, 2020 at 4:05 pm", "2020-09-09T16:05"},
  };
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
    galley_doc *doc = article_with_line(lines[i][0], "date");
    assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
    const char *date = galley_doc_get_meta(doc, GALLEY_META_DATE);
    assert_non_null(date);
    assert_string_equal(date, lines[i][1]);
    galley_doc_free(doc);
  }
  /* "Mary" is not May or March. */
  galley_doc *doc = article_with_line("By Mary Smith", NULL);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_null(galley_doc_get_meta(doc, GALLEY_META_DATE));
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_AUTHOR),
                      "Mary Smith");
  galley_doc_free(doc);
}

static void cleans_byline_of_title_and_date(void **state) {
  (void)state;
  galley_doc *doc =
      article_with_line("By Jane Doe | Staff Writer, March 3, 2026", "byline");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_AUTHOR), "Jane Doe");
  galley_doc_free(doc);
  /* A reader's value that still carries the date is replaced... */
  doc = article_with_line("Jane Doe March 3, 2026", "byline");
  galley_doc_set_meta(doc, GALLEY_META_AUTHOR, "Jane Doe March 3, 2026");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_AUTHOR), "Jane Doe");
  galley_doc_free(doc);
  /* ...but a different name is not. */
  doc = article_with_line("By Jane Doe", NULL);
  galley_doc_set_meta(doc, GALLEY_META_AUTHOR, "John Roe");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_AUTHOR), "John Roe");
  galley_doc_free(doc);
}

/* A page that lists stories, each with its own byline (a front page, a
 * weekly edition): the bylines belong to the stories and stay, in any
 * language the recogniser reads. */
static void keeps_the_bylines_of_a_listings_stories(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *d = div_(galley_doc_root(doc), "div", NULL, "article-body");
  heading(d, 2, "The library");
  para(d, "By Jane Doe");
  para(d, prose[0]);
  para(d, prose[1]);
  heading(d, 2, "The treasurer");
  para(d, "Por Mar\xc3\xad"
          "a Garc\xc3\xad"
          "a y Juan P\xc3\xa9rez");
  para(d, prose[2]);
  para(d, prose[3]);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  char *t = doc_text(doc);
  assert_true(contains(t, "By Jane Doe"));
  assert_true(contains(t, "Por Mar\xc3\xad"
                          "a Garc\xc3\xad"
                          "a"));
  galley_doc_free(doc);
  /* One article that gives its byline twice still loses both. */
  doc = galley_doc_new();
  d = div_(galley_doc_root(doc), "div", NULL, "article-body");
  para(d, "By Jane Doe");
  for (size_t i = 0; i < 4; i++)
    para(d, prose[i]);
  para(d, "By Jane Doe");
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_false(contains(doc_text(doc), "By Jane Doe"));
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_AUTHOR), "Jane Doe");
  galley_doc_free(doc);
}

/* The date-line rule drops what the recogniser calls a dateline, not every
 * short line that mentions a date: a quoted post's signature and a
 * "posted by" line of user names stay. */
static void drops_datelines_not_lines_that_mention_a_date(void **state) {
  (void)state;
  static const struct {
    const char *line;
    bool dropped;
  } cases[] = {
      {"5:45 AM PST 11/19/2019 by Patrick Shanley", true},
      {"Publicado el 12 de marzo de 2024, 09:30", true},
      {"\xe2\x80\x94 Shay Friedman (@ironshay) August 22, 2013", false},
      {"Posted by kovarex, TOGos, Ernestas, Albert on 2019-02-15, all posts",
       false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    galley_doc *doc = galley_doc_new();
    galley_node *d = div_(galley_doc_root(doc), "div", NULL, "article-body");
    para(d, prose[0]);
    para(d, prose[1]);
    para(d, cases[i].line);
    para(d, prose[2]);
    para(d, prose[3]);
    assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
    bool kept = contains(doc_text(doc), cases[i].line);
    if (kept == cases[i].dropped)
      fail_msg("\"%s\" should be %s", cases[i].line,
               cases[i].dropped ? "dropped" : "kept");
    galley_doc_free(doc);
  }
}

static void fills_excerpt_from_first_paragraph(void **state) {
  (void)state;
  galley_doc *doc = news_page(NULL);
  assert_int_equal(run(doc, NULL, NULL), GALLEY_OK);
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DESCRIPTION),
                      prose[0]);
  galley_doc_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(keeps_article_and_drops_navigation_sidebar_footer),
      cmocka_unit_test(moves_byline_into_metadata),
      cmocka_unit_test(never_overwrites_an_author_already_set),
      cmocka_unit_test(drops_headline_that_repeats_the_title),
      cmocka_unit_test(
          keeps_figures_tables_code_lists_and_quotes_of_the_article),
      cmocka_unit_test(drops_comment_section_even_when_it_is_long),
      cmocka_unit_test(
          keeps_article_wrapper_whose_class_names_an_advert_layout),
      cmocka_unit_test(reads_negated_class_words_as_content),
      cmocka_unit_test(joins_article_split_over_sibling_containers),
      cmocka_unit_test(drops_hidden_blocks),
      cmocka_unit_test(drops_calls_to_action_and_link_lines_inside_the_article),
      cmocka_unit_test(
          strips_banner_label_and_mailing_list_lines_from_plain_text),
      cmocka_unit_test(keeps_subheadings_of_plain_text),
      cmocka_unit_test(explain_lists_every_removed_block_with_its_rule),
      cmocka_unit_test(without_explain_no_report_is_made),
      cmocka_unit_test(warns_and_keeps_everything_when_no_content_is_found),
      cmocka_unit_test(survives_very_deep_trees_without_recursion),
      cmocka_unit_test(learns_a_template_from_blocks_cut_any_way),
      cmocka_unit_test(learns_very_deep_pages_in_one_walk),
      cmocka_unit_test(parses_dates_in_common_forms),
      cmocka_unit_test(fills_excerpt_from_first_paragraph),
      cmocka_unit_test(reads_dates_with_month_names_in_other_languages),
      cmocka_unit_test(cleans_byline_of_title_and_date),
      cmocka_unit_test(keeps_the_bylines_of_a_listings_stories),
      cmocka_unit_test(drops_datelines_not_lines_that_mention_a_date),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
