/* Helpers for the text plugin's tests. */
#include "texttest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static void set_options(galley_job *job, const char *const *opts) {
  for (size_t i = 0; opts && opts[i]; i++) {
    const char *eq = strchr(opts[i], '=');
    char key[128];
    size_t klen = eq ? (size_t)(eq - opts[i]) : strlen(opts[i]);
    assert_true(klen < sizeof key);
    memcpy(key, opts[i], klen);
    key[klen] = '\0';
    assert_int_equal(galley_job_set_option(job, key, eq ? eq + 1 : "true"),
                     GALLEY_OK);
  }
}

galley_doc *tt_read(const char *text, size_t len, const char *const *opts,
                    int *rc, char **err) {
  galley_registry *reg = tu_registry();
  const galley_plugin *text_plugin = galley_registry_find(reg, "text");
  assert_non_null(text_plugin);
  galley_job *job = galley_job_new(reg);
  assert_non_null(job);
  set_options(job, opts);
  galley_doc *doc = galley_doc_new();
  assert_non_null(doc);
  galley_input in = {(const unsigned char *)text, len, "input", NULL};
  int status = galley_job_build(job, &in, text_plugin, NULL, 0, doc);
  if (rc)
    *rc = status;
  if (err)
    *err = NULL;
  if (status != GALLEY_OK) {
    if (err) {
      const char *msg = galley_job_errmsg(job);
      *err = strdup(msg ? msg : "");
    }
    galley_doc_free(doc);
    doc = NULL;
  }
  galley_job_free(job);
  return doc;
}

galley_doc *tt_read_ok(const char *text, const char *const *opts) {
  int rc;
  char *err;
  galley_doc *doc = tt_read(text, strlen(text), opts, &rc, &err);
  if (!doc)
    fail_msg("reading failed (%d): %s", rc, err ? err : "");
  return doc;
}

char *tt_write(const galley_doc *doc, const char *format,
               const char *const *opts) {
  galley_registry *reg = tu_registry();
  const galley_plugin *writer = galley_registry_find(reg, format);
  if (!writer)
    fail_msg("no %s plugin", format);
  galley_job *job = galley_job_new(reg);
  set_options(job, opts);
  galley_sink *sink = galley_sink_new_memory();
  int rc = galley_plugin_write(job, writer, doc, sink);
  if (rc != GALLEY_OK)
    fail_msg("writing %s failed: %s", format,
             galley_job_errmsg(job) ? galley_job_errmsg(job) : "");
  size_t n;
  const char *data = galley_sink_data(sink, &n);
  char *out = malloc(n + 1);
  assert_non_null(out);
  memcpy(out, data ? data : "", n);
  out[n] = '\0';
  galley_sink_free(sink);
  galley_job_free(job);
  return out;
}

char *tt_xml(const galley_doc *doc) {
  char *xml = tt_write(doc, "xml", NULL);
  /* Drop line="N": where a block starts differs between rewrapped texts. */
  char *w = xml;
  for (const char *r = xml; *r;) {
    if (strncmp(r, " line=\"", 7) == 0) {
      const char *q = strchr(r + 7, '"');
      if (q) {
        r = q + 1;
        continue;
      }
    }
    *w++ = *r++;
  }
  *w = '\0';
  return xml;
}

galley_node *tt_child(const galley_node *n, size_t i) {
  assert_non_null(n);
  galley_node *c = galley_node_first_child(n);
  for (size_t k = 0; c && k < i; k++)
    c = galley_node_next(c);
  if (!c)
    fail_msg("%s has no child %zu", galley_kind_name(galley_node_kind(n)), i);
  return c;
}

char *tt_text(const galley_node *n) {
  galley_doc *doc = galley_node_doc(n);
  char *t = galley_node_text(doc, n);
  assert_non_null(t);
  return strdup(t);
}

char *tt_text_to_text(const char *text, const char *const *opts) {
  galley_doc *doc = tt_read_ok(text, opts);
  char *out = tt_write(doc, "text", opts);
  galley_doc_free(doc);
  return out;
}

/* A growable string for tt_shape. */
typedef struct sbuf {
  char *data;
  size_t len, cap;
} sbuf;

static void sput(sbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + n + 1 > cap)
      cap *= 2;
    b->data = realloc(b->data, cap);
    assert_non_null(b->data);
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void sputs(sbuf *b, const char *s) { sput(b, s, strlen(s)); }

static void sprintf_(sbuf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  sput(b, tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Text with runs of white space made one space. */
static void sput_collapsed(sbuf *b, const char *s, bool *space) {
  for (; *s; s++) {
    if (*s == ' ' || *s == '\n' || *s == '\t') {
      *space = true;
      continue;
    }
    if (*space)
      sputs(b, " ");
    *space = false;
    sput(b, s, 1);
  }
}

char *tt_shape(const galley_doc *doc) {
  sbuf b = {0};
  sputs(&b, "");
  const char *key, *value;
  for (size_t i = 0; galley_doc_meta_entry(doc, i, &key, &value); i++)
    sprintf_(&b, "meta %s=%s\n", key, value);
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  size_t depth = 0;
  bool in_text = false, space = false;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    bool textual = k == GALLEY_NODE_TEXT || k == GALLEY_NODE_SOFT_BREAK;
    if (in_text && (!textual || ev == GALLEY_EVENT_EXIT)) {
      sputs(&b, "\"\n");
      in_text = false;
    }
    if (ev == GALLEY_EVENT_EXIT) {
      depth--;
      continue;
    }
    if (textual) {
      if (!in_text) {
        for (size_t d = 0; d < depth; d++)
          sputs(&b, "  ");
        sputs(&b, "\"");
        in_text = true;
        space = false;
      }
      if (k == GALLEY_NODE_TEXT)
        sput_collapsed(&b, galley_node_get_literal(n), &space);
      else
        space = true;
      continue;
    }
    for (size_t d = 0; d < depth; d++)
      sputs(&b, "  ");
    sputs(&b, galley_kind_name(k));
    switch (k) {
    case GALLEY_NODE_HEADING:
      sprintf_(&b, " level=%d", galley_node_get_level(n));
      break;
    case GALLEY_NODE_LIST:
      sprintf_(&b, " ordered=%d start=%d tight=%d",
               galley_node_get_list_ordered(n), galley_node_get_list_start(n),
               galley_node_get_list_tight(n));
      break;
    case GALLEY_NODE_ITEM:
      sprintf_(&b, " task=%d", (int)galley_node_get_task(n));
      break;
    case GALLEY_NODE_LINK:
    case GALLEY_NODE_IMAGE:
      sprintf_(&b, " url=%s", galley_node_get_url(n));
      break;
    case GALLEY_NODE_FOOTNOTE:
    case GALLEY_NODE_FOOTNOTE_REF:
      sprintf_(&b, " label=%s", galley_node_get_label(n));
      break;
    case GALLEY_NODE_TABLE_ROW:
      sprintf_(&b, " part=%d", (int)galley_node_get_row_part(n));
      break;
    case GALLEY_NODE_TABLE_CELL:
      sprintf_(&b, " header=%d align=%d", galley_node_get_cell_header(n),
               (int)galley_node_get_cell_align(n));
      break;
    case GALLEY_NODE_CODE_BLOCK:
    case GALLEY_NODE_CODE:
      sputs(&b, " ");
      sputs(&b, galley_node_get_literal(n));
      break;
    default: break;
    }
    if (galley_node_get_classes(n))
      sprintf_(&b, " class=%s", galley_node_get_classes(n));
    for (size_t i = 0; galley_node_attr_at(n, i, &key, &value); i++)
      sprintf_(&b, " %s=%s", key, value);
    sputs(&b, "\n");
    if (!galley_kind_is_leaf(k))
      depth++;
  }
  return b.data;
}
