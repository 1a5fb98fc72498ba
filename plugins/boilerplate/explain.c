/* The explain report: one line per removed block, with its rule, handed to
 * the host, which writes it where the user asked. */
#include <stdio.h>
#include <string.h>

#include "boilerplate.h"

/* A short description of a block: kind, tag, id and classes. */
static void describe(galley_sink *s, const galley_node *n) {
  const char *tag = galley_node_get_tag(n);
  const char *id = galley_node_get_id(n);
  const char *cls = galley_node_get_classes(n);
  galley_sink_puts(s, galley_kind_name(galley_node_kind(n)));
  if (tag)
    galley_sink_printf(s, "<%s>", tag);
  if (id && *id)
    galley_sink_printf(s, "#%s", id);
  if (cls && *cls) {
    galley_sink_puts(s, ".");
    for (const char *p = cls; *p; p++)
      galley_sink_write(s, *p == ' ' ? "." : p, 1);
  }
}

int bp_explain_report(bp_ctx *c, const char *path) {
  galley_sink *s = galley_sink_new_memory();
  if (!s)
    return galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  galley_sink_printf(s, "# galley boilerplate: %zu blocks removed%s\n",
                     c->n_drops, c->flat ? " (flat text: line rules)" : "");
  if (c->top_node) {
    galley_sink_puts(s, "# content: ");
    describe(s, c->top_node);
    galley_sink_puts(s, "\n");
  }
  galley_sink_puts(s, "# rule\tblock\tchars\ttext\n");
  for (size_t i = 0; i < c->n_drops; i++) {
    const bp_drop *d = &c->drops[i];
    galley_sink_printf(s, "%s\t", d->rule);
    describe(s, d->node);
    galley_sink_printf(s, "\t%u\t", d->chars);
    char *t = bp_node_text(c->doc, d->node);
    size_t len = t ? strlen(t) : 0, cut = galley_utf8_truncate(t, len, 72);
    if (t)
      galley_sink_write(s, t, cut);
    galley_sink_puts(s, cut < len ? "…\n" : "\n");
  }
  size_t len;
  const char *data = galley_sink_data(s, &len);
  int rc = galley_sink_write(s, "", 0) == GALLEY_OK
               ? galley_job_add_report(c->job, "explain", path, data, len)
               : galley_job_error(c->job, GALLEY_ENOMEM, "out of memory");
  galley_sink_free(s);
  return rc;
}
