/* A broken writer for the tests: it writes the text of every paragraph and
 * dereferences NULL on the first table, as a writer with an unhandled node
 * kind might. galley must name it when it crashes (exit 3, one line). */
#include <galley/galley.h>

static int walk(const galley_node *n, galley_sink *out) {
  for (const galley_node *c = galley_node_first_child(n); c;
       c = galley_node_next(c)) {
    if (galley_node_kind(c) == GALLEY_NODE_TABLE) {
      volatile int *nowhere = (volatile int *)0;
      return *nowhere;
    }
    const char *t = galley_node_get_literal(c);
    if (galley_node_kind(c) == GALLEY_NODE_TEXT && t)
      galley_sink_puts(out, t);
    int rc = walk(c, out);
    if (rc != GALLEY_OK)
      return rc;
  }
  return GALLEY_OK;
}

static int write_doc(galley_job *job, const galley_doc *doc, galley_sink *out) {
  (void)job;
  return walk(galley_doc_root(doc), out);
}

static const char *const extensions[] = {"tsegv", NULL};

GALLEY_PLUGIN_DEFINE(table_segv_plugin, .name = "table_segv",
                     .summary = "crashes on any table (a test)",
                     .caps = GALLEY_CAN_WRITE, .extensions = extensions,
                     .write = write_doc);
