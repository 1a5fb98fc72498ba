/* Helpers for the text plugin's tests. */
#include "texttest.h"

#include <setjmp.h>
#include <stdarg.h>
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
