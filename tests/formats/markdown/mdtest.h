/* Helpers for the markdown plugin's unit tests. */
#ifndef MD_TEST_H
#define MD_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

/* Reads `md` with the markdown reader into a new document (NULL on failure,
 * *err set). */
static inline galley_doc *md_read_doc(const char *md, const char *const *opts,
                                      int *status, char **err) {
  galley_registry *reg = tu_registry();
  const galley_plugin *reader = galley_registry_find(reg, "markdown");
  assert_non_null(reader);
  galley_job *job = galley_job_new(reg);
  for (size_t i = 0; opts && opts[i]; i++) {
    char key[64];
    const char *eq = strchr(opts[i], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - opts[i]), opts[i]);
    galley_job_set_option(job, key, eq + 1);
  }
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)md, strlen(md), "test.md", NULL};
  int rc = galley_job_build(job, &in, reader, NULL, 0, doc);
  if (status)
    *status = rc;
  if (err)
    *err = rc == GALLEY_OK || !galley_job_errmsg(job)
               ? NULL
               : strdup(galley_job_errmsg(job));
  galley_job_free(job);
  if (rc != GALLEY_OK) {
    galley_doc_free(doc);
    return NULL;
  }
  return doc;
}

/* Writes `doc` with the markdown writer; malloc'd result. */
static inline char *md_write_doc(const galley_doc *doc,
                                 const char *const *opts) {
  galley_registry *reg = tu_registry();
  const galley_plugin *writer = galley_registry_find(reg, "markdown");
  assert_non_null(writer);
  galley_job *job = galley_job_new(reg);
  for (size_t i = 0; opts && opts[i]; i++) {
    char key[64];
    const char *eq = strchr(opts[i], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - opts[i]), opts[i]);
    galley_job_set_option(job, key, eq + 1);
  }
  galley_sink *sink = galley_sink_new_memory();
  int rc = galley_plugin_write(job, writer, doc, sink);
  if (rc != GALLEY_OK)
    print_error("write failed: %s\n",
                galley_job_errmsg(job) ? galley_job_errmsg(job) : "?");
  assert_int_equal(rc, GALLEY_OK);
  size_t n;
  const char *data = galley_sink_data(sink, &n);
  char *out = strndup(data, n);
  galley_sink_free(sink);
  galley_job_free(job);
  return out;
}

/* markdown -> markdown through the tree. */
static inline char *md_round(const char *md, const char *const *opts) {
  char *err = NULL;
  char *out = tu_convert("markdown", "markdown", md, strlen(md), opts, &err);
  if (!out)
    print_error("conversion failed: %s\n", err ? err : "?");
  assert_non_null(out);
  free(err);
  return out;
}

/* The first node of `kind` under the document's root. */
static inline galley_node *md_find(galley_doc *doc, galley_kind kind) {
  return galley_node_find(galley_doc_root(doc), kind);
}

#endif
