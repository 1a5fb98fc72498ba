/* memo: plain text on galley's layout layer. Headings start with "=", text
 * wraps at -O width (72), quotes "| ", lists "- "/"1. ", code 4 spaces. */
#include <galley/galley.h>

#include <stdio.h>
#include <string.h>

typedef struct memo {
  galley_layout *l;
  int number[64]; /* next number of each open ordered list */
  size_t depth;   /* lists open */
} memo;

static void enter(memo *m, const galley_node *n, galley_citer *it) {
  galley_layout *l = m->l;
  switch (galley_node_kind(n)) {
  case GALLEY_NODE_HEADING: {
    galley_layout_blank(l);
    char marks[8] = "=======";
    marks[galley_node_get_level(n)] = '\0';
    galley_layout_puts(l, marks);
    galley_layout_puts(l, " ");
    break;
  }
  case GALLEY_NODE_PARAGRAPH:
    if (galley_node_kind(galley_node_parent_const(n)) != GALLEY_NODE_ITEM ||
        galley_node_prev_const(n))
      galley_layout_blank(l);
    break;
  case GALLEY_NODE_BLOCK_QUOTE:
    galley_layout_blank(l);
    galley_layout_push(l, "| ");
    break;
  case GALLEY_NODE_LIST:
    galley_layout_blank(l);
    if (m->depth < 64)
      m->number[m->depth] = galley_node_get_list_start(n);
    m->depth++;
    break;
  case GALLEY_NODE_ITEM: {
    const galley_node *list = galley_node_parent_const(n);
    char marker[32] = "- ";
    if (galley_node_get_list_ordered(list) && m->depth <= 64)
      snprintf(marker, sizeof marker, "%d. ", m->number[m->depth - 1]++);
    galley_layout_cr(l);
    galley_layout_marker(l, marker);
    break;
  }
  case GALLEY_NODE_CODE_BLOCK:
    galley_layout_blank(l);
    galley_layout_push(l, "    ");
    galley_layout_puts(l, galley_node_get_literal(n));
    galley_layout_cr(l);
    galley_layout_pop(l);
    break;
  case GALLEY_NODE_THEMATIC_BREAK:
    galley_layout_blank(l);
    galley_layout_puts(l, "* * *");
    break;
  case GALLEY_NODE_TABLE:
    galley_layout_blank(l);
    break;
  case GALLEY_NODE_TABLE_ROW:
    galley_layout_cr(l);
    break;
  case GALLEY_NODE_TABLE_CELL:
    if (galley_node_prev_const(n))
      galley_layout_puts(l, " | ");
    break;
  case GALLEY_NODE_TEXT:
    galley_layout_text(l, galley_node_get_literal(n),
                       strlen(galley_node_get_literal(n)));
    break;
  case GALLEY_NODE_CODE:
    galley_layout_puts(l, galley_node_get_literal(n));
    break;
  case GALLEY_NODE_SOFT_BREAK:
    galley_layout_text(l, " ", 1);
    break;
  case GALLEY_NODE_LINE_BREAK:
    galley_layout_cr(l);
    break;
  case GALLEY_NODE_IMAGE:
    galley_layout_puts(l, "[");
    break;
  case GALLEY_NODE_RAW_BLOCK: /* not for a reader: skipped */
    galley_citer_reset(it, n, GALLEY_EVENT_EXIT);
    break;
  default: break; /* emphasis, links, divs: their contents are written */
  }
}

static void leave(memo *m, const galley_node *n) {
  galley_layout *l = m->l;
  switch (galley_node_kind(n)) {
  case GALLEY_NODE_BLOCK_QUOTE:
  case GALLEY_NODE_ITEM:
    galley_layout_pop(l);
    break;
  case GALLEY_NODE_LIST:
    m->depth--;
    break;
  case GALLEY_NODE_IMAGE:
    galley_layout_puts(l, "]");
    break;
  case GALLEY_NODE_LINK:
    if (galley_node_get_url(n) && galley_node_first_child_const(n)) {
      galley_layout_text(l, " <", 2);
      galley_layout_puts(l, galley_node_get_url(n));
      galley_layout_puts(l, ">");
    }
    break;
  default: break;
  }
}

static int memo_write(galley_job *job, const galley_doc *doc,
                      galley_sink *out) {
  memo m = {.l = galley_layout_new(out, (size_t)galley_job_option_int(
                                             job, "width", 72))};
  if (!m.l)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  galley_citer it;
  galley_citer_init(&it, galley_doc_root_const(doc));
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    if (ev == GALLEY_EVENT_ENTER)
      enter(&m, n, &it);
    if (ev == GALLEY_EVENT_EXIT || galley_kind_is_leaf(galley_node_kind(n)))
      leave(&m, n);
  }
  int rc = galley_layout_finish(m.l);
  galley_layout_free(m.l);
  return rc;
}

static const char *const memo_extensions[] = {"memo", NULL};
static const galley_option memo_options[] = {
    {"width", GALLEY_OPT_INT, "72", NULL, "write: wrap lines at this width"},
    {NULL, 0, NULL, NULL, NULL},
};

GALLEY_PLUGIN_DEFINE(memo_plugin, .name = "memo", .version = "1.0",
                     .summary = "wrapped plain text (layout layer example)",
                     .caps = GALLEY_CAN_WRITE, .extensions = memo_extensions,
                     .media_type = "text/x-memo", .options = memo_options,
                     .write = memo_write);
