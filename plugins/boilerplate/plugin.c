/* The boilerplate transform: keeps a page's article, drops the rest, and
 * fills in the metadata the page shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boilerplate.h"

static const galley_option options[] = {
    {"explain", GALLEY_OPT_PATH, NULL, NULL,
     "write what was removed and why (rule, block, size) to this file"},
    {"min-paragraph", GALLEY_OPT_INT, "25", NULL,
     "characters a paragraph needs to count towards a content block"},
    {"keep-title", GALLEY_OPT_BOOL, "false", NULL,
     "keep the heading that repeats the page's title in the body"},
    {"template", GALLEY_OPT_BOOL, "true", NULL,
     "in a batch, drop the blocks that repeat on most pages of a site "
     "(false: each page is stripped alone)"},
    {0},
};

/* The headline: the page title, or, for a title like "Headline | Site"
 * (or with - – — : » ·), the part of it that is the text of a heading in
 * the page (rule `site-title`). The metadata keeps the page's own title,
 * as Readability does; the headline only tells which heading repeats it. */
static int find_headline(bp_ctx *c) {
  const char *title = galley_doc_get_meta(c->doc, GALLEY_META_TITLE);
  c->headline = title;
  if (!title)
    return GALLEY_OK;
  static const char *const seps[] = {
      " | ",  " - ",        " \xe2\x80\x93 ", " \xe2\x80\x94 ",
      " :: ", " \xc2\xbb ", " \xc2\xb7 ",     ": "};
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(c->doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER ||
        galley_node_kind(n) != GALLEY_NODE_HEADING ||
        galley_node_get_level(n) > 2)
      continue;
    const char *h = galley_node_text(c->doc, n);
    if (!h || bp_same_text(h, title))
      return GALLEY_OK; /* the title is a heading as it is */
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
      const char *sep = strstr(title, seps[i]);
      if (!sep)
        continue;
      char *left = galley_doc_strndup(c->doc, title, (size_t)(sep - title));
      const char *right = sep + strlen(seps[i]);
      if (!left)
        return GALLEY_ENOMEM;
      if (bp_same_text(h, left) || bp_same_text(h, right)) {
        c->headline = h;
        return GALLEY_OK;
      }
    }
  }
  return GALLEY_OK;
}

static int bp_transform(galley_job *job, galley_doc *doc) {
  bp_ctx c;
  memset(&c, 0, sizeof c);
  c.job = job;
  c.doc = doc;
  c.min_para = (int)galley_job_option_int(job, "min-paragraph", 25);
  c.keep_title = galley_job_option_bool(job, "keep-title", false);
  c.batch = galley_job_batch_state(job);
  int rc = find_headline(&c);
  if (rc == GALLEY_OK)
    rc = bp_strip(&c);
  if (rc == GALLEY_OK)
    rc = bp_meta_excerpt(&c);
  const char *explain = galley_job_option(job, "explain");
  if (rc == GALLEY_OK && explain && *explain)
    rc = bp_explain_report(&c, explain);
  if (rc == GALLEY_OK && c.n_drops)
    galley_job_info(job, "boilerplate: %zu blocks removed", c.n_drops);
  free(c.rec);
  free(c.tc[0]);
  free(c.tc[1]);
  free(c.drops);
  free(c.sigs);
  if (rc == GALLEY_ENOMEM && !galley_job_errmsg(job))
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  return rc;
}

GALLEY_PLUGIN_DEFINE(
    boilerplate_plugin, .name = "boilerplate",
    .summary = "keep a page's article, drop navigation, ads and other page "
               "furniture; fill in title, byline and date",
    .caps = GALLEY_CAN_TRANSFORM, .options = options,
    .transform = bp_transform, .batch_begin = bp_batch_begin,
    .batch_learn = bp_batch_learn, .batch_end = bp_batch_end);
