/* lines: every non-empty line of the input is a paragraph. */
#include <galley/galley.h>

#include <string.h>

static int lines_read(galley_job *job, const galley_input *in,
                      galley_doc *doc) {
  const char *s = (const char *)in->data; /* not NUL-terminated */
  size_t pos = 0;
  while (pos < in->size) {
    const char *nl = memchr(s + pos, '\n', in->size - pos);
    size_t end = nl ? (size_t)(nl - s) : in->size;
    if (end > pos) {
      galley_node *para = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
      galley_node *text = galley_doc_new_text(doc, s + pos, end - pos);
      if (!para || !text ||
          galley_node_append_child(galley_doc_root(doc), para) != GALLEY_OK ||
          galley_node_append_child(para, text) != GALLEY_OK)
        return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    }
    pos = end + 1;
  }
  return GALLEY_OK;
}

static int lines_write(galley_job *job, const galley_doc *doc,
                       galley_sink *out) {
  (void)job;
  galley_citer it; /* the read-only view: const nodes only */
  galley_citer_init(&it, galley_doc_root_const(doc));
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    galley_kind kind = galley_node_kind(n);
    const char *text = galley_node_get_literal(n); /* text, code */
    if (ev == GALLEY_EVENT_ENTER && text && kind != GALLEY_NODE_RAW_BLOCK &&
        kind != GALLEY_NODE_RAW_INLINE) {
      for (const char *c = text; *c; c++)
        galley_sink_write(out, *c == '\n' ? " " : c, 1);
    }
    if (galley_kind_is_block(kind) &&
        (ev == GALLEY_EVENT_EXIT || galley_kind_is_leaf(kind)))
      galley_sink_puts(out, "\n");
  }
  return GALLEY_OK;
}

static const char *const lines_extensions[] = {"lines", NULL};

GALLEY_PLUGIN_DEFINE(lines_plugin,
                     .name = "lines",
                     .version = "1.0",
                     .summary = "one paragraph per line",
                     .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE,
                     .extensions = lines_extensions,
                     .media_type = "text/x-lines",
                     .read = lines_read,
                     .write = lines_write);
