/* Test-only plugin: a valid plugin named "good" that reads and writes. */
#include <string.h>

#include <galley/galley.h>

static int good_probe(const unsigned char *head, size_t len) {
  return len >= 4 && memcmp(head, "GOOD", 4) == 0 ? 60 : 0;
}

static int good_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  galley_node *para = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node *text =
      galley_doc_new_text(doc, (const char *)in->data, in->size);
  if (!para || !text)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  galley_node_append_child(para, text);
  return galley_node_append_child(galley_doc_root(doc), para);
}

static int good_write(galley_job *job, const galley_doc *doc,
                      galley_sink *out) {
  (void)job;
  char *text = galley_node_text((galley_doc *)doc, galley_doc_root(doc));
  return galley_sink_puts(out, text ? text : "");
}

static const char *const good_extensions[] = {"good", "GD", NULL};

static const galley_option good_options[] = {
    {"width", GALLEY_OPT_INT, "72", NULL, "line width"},
    {NULL, 0, NULL, NULL, NULL},
};

GALLEY_PLUGIN_DEFINE(good_plugin, .name = "good", .version = "1.0",
                     .summary = "the good test plugin",
                     .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE,
                     .extensions = good_extensions, .media_type = "text/x-good",
                     .options = good_options, .probe = good_probe,
                     .read = good_read, .write = good_write);
