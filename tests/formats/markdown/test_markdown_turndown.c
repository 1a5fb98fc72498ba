/*
 * turndown's and turndown-plugin-gfm's test cases (the corpus's
 * turndown/ pages, 147 + 18) through galley: each case's input HTML ->
 * galley -> Markdown, rendered by cmark-gfm with the table, strikethrough,
 * autolink and tasklist extensions, compared with the input HTML by
 * structure (the normal form and its rules are in mdstruct.h). turndown's
 * own expected Markdown is rendered and compared the same way, as a check
 * of the rules (the issue counts 156 for it). Fails when galley passes
 * fewer than BAR cases. Skips when the corpus is absent. A case's
 * data-options (turndown's heading, fence, bullet, link-reference styles)
 * choose among Markdown spellings of one structure, so galley runs with its
 * defaults and the comparison, by structure, is the same for every case.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>

#include "mdstruct.h"
#include "cmarkhtml.h"
#include "testutil.h"

#define BAR 160

static const char *const extensions[] = {"table", "strikethrough", "autolink", "tasklist", NULL};

static char *render(const char *md) { return cmark_gfm_html(md, extensions); }

static bool has_class(xmlNode *n, const char *cls) {
  xmlChar *c = xmlGetProp(n, BAD_CAST "class");
  bool yes = c && !strcmp((char *)c, cls);
  xmlFree(c);
  return yes;
}

static xmlNode *child_with_class(xmlNode *n, const char *cls) {
  for (xmlNode *c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && has_class(c, cls))
      return c;
  return NULL;
}

static size_t total, galley_pass, turndown_pass;

static void show(const char *who, const mds *want, const mds *got, long at) {
  printf("    %s: token %ld: want [%s] got [%s]\n", who, at,
         mds_at(want, (size_t)at), mds_at(got, (size_t)at));
}

static void run_case(xmlNode *c) {
  xmlChar *name = xmlGetProp(c, BAD_CAST "data-name");
  xmlNode *input = child_with_class(c, "input");
  xmlNode *expected = child_with_class(c, "expected");
  if (!input || !expected) {
    xmlFree(name);
    return;
  }
  total++;
  mds want = {0};
  mds_of_node(&want, input, 0);

  /* the input's HTML, serialised back from the parsed case */
  xmlBufferPtr buf = xmlBufferCreate();
  for (xmlNode *k = input->children; k; k = k->next)
    htmlNodeDump(buf, input->doc, k);
  const char *html = (const char *)xmlBufferContent(buf);
  char *err = NULL;
  char *md = tu_convert("html", "markdown", html, strlen(html), NULL, &err);
  mds got = {0};
  if (md) {
    char *out = render(md);
    mds_of_html(&got, out);
    free(out);
  }
  long dg = md ? mds_diff(&want, &got) : 0;

  xmlChar *exp = xmlNodeGetContent(expected);
  char *out = render((const char *)exp);
  mds theirs = {0};
  mds_of_html(&theirs, out);
  free(out);
  long dt = mds_diff(&want, &theirs);

  if (dg < 0)
    galley_pass++;
  if (dt < 0)
    turndown_pass++;
  if (dg >= 0 || dt >= 0) {
    printf("case \"%s\": galley %s, turndown %s\n", (char *)name,
           dg < 0 ? "ok" : "DIFFERS", dt < 0 ? "ok" : "differs");
    if (!md)
      printf("    galley: error: %s\n", err ? err : "?");
    else if (dg >= 0) {
      show("galley", &want, &got, dg);
      printf("    galley markdown: %.300s\n", md);
    }
    if (dt >= 0)
      show("turndown", &want, &theirs, dt);
  }
  mds_free(&want);
  mds_free(&got);
  mds_free(&theirs);
  xmlFree(exp);
  free(md);
  free(err);
  xmlBufferFree(buf);
  xmlFree(name);
}

static void walk(xmlNode *n) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (!strcmp((char *)n->name, "div") && has_class(n, "case"))
      run_case(n);
    else
      walk(n->children);
  }
}

int main(void) {
  const char *files[] = {"turndown/turndown-index.html",
                         "turndown/turndown-plugin-gfm-index.html"};
  for (size_t f = 0; f < 2; f++) {
    const char *path = tu_corpus(files[f]);
    if (!path) {
      printf("SKIP: %s is not in the corpora\n", files[f]);
      return 77;
    }
    size_t len;
    char *data = tu_read_file(path, &len);
    htmlDocPtr d = htmlReadMemory(data, (int)len, NULL, "UTF-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                      HTML_PARSE_NONET);
    walk(xmlDocGetRootElement(d));
    xmlFreeDoc(d);
    free(data);
  }
  printf("\nturndown cases, html -> galley -> markdown -> cmark-gfm, same "
         "structure as the input: %zu/%zu (bar %d)\n",
         galley_pass, total, BAR);
  printf("turndown's own expected markdown, rendered the same way: %zu/%zu\n",
         turndown_pass, total);
  if (total != 165) {
    printf("FAIL: expected 165 cases, found %zu\n", total);
    return 1;
  }
  return galley_pass >= BAR ? 0 : 1;
}
