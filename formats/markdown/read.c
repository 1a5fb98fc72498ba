/* The markdown reader: cmark-gfm parses, and its tree is mapped onto ours. */
#include <stdlib.h>
#include <string.h>

#include "markdown.h"

typedef struct reader {
  galley_job *job;
  galley_doc *doc;
  int line_offset;     /* lines of front matter before the Markdown body */
  galley_node **stack; /* the node to return to at each EXIT */
  size_t depth, cap;
  galley_node **raw; /* RAW_* nodes for the html reader (raw-html=parse) */
  size_t n_raw, cap_raw;
  galley_buf text; /* a run of adjacent cmark TEXT nodes, joined */
  const char *web; /* the address the input was fetched from, or NULL */
  /* The footnote definitions at the end of cmark's tree, in their order,
   * and their labels (see footnote_labels). */
  cmark_node **fn_defs;
  const char **fn_labels;
  size_t n_fn, fn_seen;
  bool fn_checked, fn_by_number;
  cmark_node **kids; /* scratch for def_label */
  size_t n_kids, cap_kids;
} reader;

/* A link's or image's address: a relative one resolves against the
 * address a document from the web was fetched from (RFC 3986); one within
 * the document ("#note") and everything of a local file stay as written. */
static int set_url(reader *r, galley_node *g, const char *url) {
  char *abs = NULL;
  if (r->web && url && *url && url[0] != '#' && !galley_url_has_scheme(url) &&
      galley_url_resolve(&abs, r->web, url) == GALLEY_ENOMEM)
    return GALLEY_ENOMEM;
  int rc = galley_node_set_url(g, abs ? abs : url);
  free(abs);
  return rc;
}

/*
 * cmark splits text at every special character; one TEXT per run reads
 * better. The run is joined here rather than by cmark_consolidate_text_nodes,
 * which would walk the whole tree once more.
 */
static int join_text(reader *r, const char *s) {
  return galley_buf_puts(&r->text, s);
}

static int push(galley_node ***items, size_t *n, size_t *cap,
                galley_node *node) {
  if (galley_array_grow((void **)items, cap, *n + 1, sizeof **items) !=
      GALLEY_OK)
    return GALLEY_ENOMEM;
  (*items)[(*n)++] = node;
  return GALLEY_OK;
}

/*
 * A footnote's label. cmark-gfm keeps it in a field that its public API
 * does not reach, but its CommonMark renderer writes it verbatim: `[^label]`
 * for a reference, `[^label]:` first for a definition.
 */
static const char *render_label(reader *r, cmark_node *n) {
  char *s = cmark_render_commonmark(n, CMARK_OPT_DEFAULT, 0);
  const char *label = NULL;
  if (s && strncmp(s, "[^", 2) == 0) {
    size_t len = strcspn(s + 2, "]\n");
    label = galley_doc_strndup(r->doc, s + 2, len);
  }
  md_arena_release(s);
  return label;
}

/* A definition's label, rendered without its content (taken out for the
 * time of the call): the renderer would write all of it. */
static const char *def_label(reader *r, cmark_node *def) {
  r->n_kids = 0;
  for (cmark_node *c = cmark_node_first_child(def); c;
       c = cmark_node_first_child(def)) {
    if (galley_array_grow((void **)&r->kids, &r->cap_kids, r->n_kids + 1,
                          sizeof *r->kids) != GALLEY_OK)
      break;
    cmark_node_unlink(c);
    r->kids[r->n_kids++] = c;
  }
  const char *label = render_label(r, def);
  for (size_t i = 0; i < r->n_kids; i++)
    cmark_node_append_child(def, r->kids[i]);
  r->n_kids = 0;
  return label;
}

/*
 * cmark-gfm puts every footnote definition that something refers to at the
 * end of the document, in the order of their first references, and gives
 * each reference the number of its definition as its literal ("1", "2",
 * ...). The labels of those definitions are read once here; a reference
 * then finds its label by its number rather than by a render of its own
 * (a render costs some 5,000 instructions; 40,000 notes). The first
 * reference is checked against its render, and should a cmark-gfm number
 * them otherwise, every reference is rendered.
 */
static int footnote_labels(reader *r, cmark_node *root) {
  size_t n = 0;
  for (cmark_node *c = cmark_node_last_child(root);
       c && cmark_node_get_type(c) == CMARK_NODE_FOOTNOTE_DEFINITION;
       c = cmark_node_previous(c))
    n++;
  if (!n)
    return GALLEY_OK;
  r->fn_defs = malloc(n * sizeof *r->fn_defs);
  r->fn_labels = calloc(n, sizeof *r->fn_labels);
  if (!r->fn_defs || !r->fn_labels)
    return GALLEY_ENOMEM;
  cmark_node *c = cmark_node_last_child(root);
  for (size_t i = n; i-- > 0; c = cmark_node_previous(c)) {
    r->fn_defs[i] = c;
    r->fn_labels[i] = def_label(r, c);
  }
  r->n_fn = n;
  return GALLEY_OK;
}

static const char *ref_label(reader *r, cmark_node *n) {
  const char *lit = cmark_node_get_literal(n);
  char *end = NULL;
  unsigned long k =
      lit && *lit >= '1' && *lit <= '9' ? strtoul(lit, &end, 10) : 0;
  const char *label =
      k && end && !*end && k <= r->n_fn ? r->fn_labels[k - 1] : NULL;
  if (!r->fn_checked) {
    r->fn_checked = true;
    const char *rendered = render_label(r, n);
    r->fn_by_number = label && rendered && strcmp(label, rendered) == 0;
    return rendered;
  }
  return r->fn_by_number && label ? label : render_label(r, n);
}

static const char *footnote_label(reader *r, cmark_node *n) {
  if (cmark_node_get_type(n) == CMARK_NODE_FOOTNOTE_REFERENCE)
    return ref_label(r, n);
  if (r->fn_seen < r->n_fn && r->fn_defs[r->fn_seen] == n)
    return r->fn_labels[r->fn_seen++];
  return render_label(r, n);
}

static galley_align align_of(uint8_t a) {
  switch (a) {
  case 'l': return GALLEY_ALIGN_LEFT;
  case 'c': return GALLEY_ALIGN_CENTER;
  case 'r': return GALLEY_ALIGN_RIGHT;
  default: return GALLEY_ALIGN_NONE;
  }
}

static galley_node *new_raw(reader *r, galley_kind kind, const char *literal) {
  galley_node *g = galley_doc_new_node(r->doc, kind);
  if (g && (galley_node_set_format(g, "html") ||
            galley_node_set_literal(g, literal)))
    return NULL;
  if (g && push(&r->raw, &r->n_raw, &r->cap_raw, g))
    return NULL;
  return g;
}

/* Table state while its rows and cells are mapped (GFM tables do not nest). */
typedef struct table_state {
  const uint8_t *aligns;
  uint16_t columns;
  uint16_t column;
  bool header_row;
} table_state;

/* One cmark node (on ENTER) as a new galley node; NULL with *rc set on failure.
 */
static galley_node *map_node(reader *r, cmark_node *n, table_state *ts,
                             int *rc) {
  cmark_node_type t = cmark_node_get_type(n);
  galley_doc *doc = r->doc;
  galley_node *g = NULL;
  *rc = GALLEY_OK;

  /* Extension kinds are variables, not constants, so they come before the
   * switch. */
  if (t == CMARK_NODE_TABLE) {
    ts->aligns = cmark_gfm_extensions_get_table_alignments(n);
    ts->columns = cmark_gfm_extensions_get_table_columns(n);
    g = galley_doc_new_node(doc, GALLEY_NODE_TABLE);
  } else if (t == CMARK_NODE_TABLE_ROW) {
    ts->column = 0;
    ts->header_row = cmark_gfm_extensions_get_table_row_is_header(n) != 0;
    g = galley_doc_new_node(doc, GALLEY_NODE_TABLE_ROW);
    if (g && ts->header_row)
      *rc = galley_node_set_row_part(g, GALLEY_ROW_HEAD);
  } else if (t == CMARK_NODE_TABLE_CELL) {
    g = galley_doc_new_node(doc, GALLEY_NODE_TABLE_CELL);
    if (g) {
      *rc = galley_node_set_cell_header(g, ts->header_row);
      if (!*rc && ts->aligns && ts->column < ts->columns)
        *rc = galley_node_set_cell_align(g, align_of(ts->aligns[ts->column]));
      ts->column++;
    }
  } else if (t == CMARK_NODE_STRIKETHROUGH) {
    g = galley_doc_new_node(doc, GALLEY_NODE_STRIKE);
  } else {
    switch (t) {
    case CMARK_NODE_BLOCK_QUOTE:
      g = galley_doc_new_node(doc, GALLEY_NODE_BLOCK_QUOTE);
      break;
    case CMARK_NODE_LIST:
      g = galley_doc_new_node(doc, GALLEY_NODE_LIST);
      if (g) {
        bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
        *rc = galley_node_set_list_ordered(g, ordered);
        if (!*rc && ordered)
          *rc = galley_node_set_list_start(g, cmark_node_get_list_start(n));
        if (!*rc)
          *rc =
              galley_node_set_list_tight(g, cmark_node_get_list_tight(n) != 0);
      }
      break;
    case CMARK_NODE_ITEM:
      g = galley_doc_new_node(doc, GALLEY_NODE_ITEM);
      if (g && strcmp(cmark_node_get_type_string(n), "tasklist") == 0)
        *rc = galley_node_set_task(
            g, cmark_gfm_extensions_get_tasklist_item_checked(n)
                   ? GALLEY_TASK_DONE
                   : GALLEY_TASK_OPEN);
      break;
    case CMARK_NODE_CODE_BLOCK: {
      g = galley_doc_new_node(doc, GALLEY_NODE_CODE_BLOCK);
      const char *info = cmark_node_get_fence_info(n);
      if (g)
        *rc = galley_node_set_literal(g, cmark_node_get_literal(n));
      if (g && !*rc && info && info[0])
        *rc = galley_node_set_info(g, info);
      break;
    }
    case CMARK_NODE_HTML_BLOCK:
      g = new_raw(r, GALLEY_NODE_RAW_BLOCK, cmark_node_get_literal(n));
      break;
    case CMARK_NODE_CUSTOM_BLOCK:
      /* Never made by the parser; an extension that made one gets a container.
       */
      g = galley_doc_new_node(doc, GALLEY_NODE_DIV);
      break;
    case CMARK_NODE_PARAGRAPH:
      g = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
      break;
    case CMARK_NODE_HEADING:
      g = galley_doc_new_node(doc, GALLEY_NODE_HEADING);
      if (g)
        *rc = galley_node_set_level(g, cmark_node_get_heading_level(n));
      break;
    case CMARK_NODE_THEMATIC_BREAK:
      g = galley_doc_new_node(doc, GALLEY_NODE_THEMATIC_BREAK);
      break;
    case CMARK_NODE_FOOTNOTE_DEFINITION:
      g = galley_doc_new_node(doc, GALLEY_NODE_FOOTNOTE);
      if (g) {
        const char *label = footnote_label(r, n);
        if (label)
          *rc = galley_node_set_label(g, label);
      }
      break;
    case CMARK_NODE_TEXT:
      /* The run (see join_text) ends here: map_tree joined its start. A
       * run of one node goes straight to the arena: a 200 MB line is then
       * one copy fewer (the hostile suite reads one within 1 GiB). */
      if (r->text.len == 0) {
        const char *lit = cmark_node_get_literal(n);
        g = galley_doc_new_text(doc, lit, strlen(lit));
        break;
      }
      if ((*rc = join_text(r, cmark_node_get_literal(n))))
        return NULL;
      g = galley_doc_new_text(doc, r->text.data, r->text.len);
      galley_buf_clear(&r->text);
      break;
    case CMARK_NODE_SOFTBREAK:
      g = galley_doc_new_node(doc, GALLEY_NODE_SOFT_BREAK);
      break;
    case CMARK_NODE_LINEBREAK:
      g = galley_doc_new_node(doc, GALLEY_NODE_LINE_BREAK);
      break;
    case CMARK_NODE_CODE:
      g = galley_doc_new_node(doc, GALLEY_NODE_CODE);
      if (g)
        *rc = galley_node_set_literal(g, cmark_node_get_literal(n));
      break;
    case CMARK_NODE_HTML_INLINE:
      g = new_raw(r, GALLEY_NODE_RAW_INLINE, cmark_node_get_literal(n));
      break;
    case CMARK_NODE_CUSTOM_INLINE:
      g = galley_doc_new_node(doc, GALLEY_NODE_SPAN);
      break;
    case CMARK_NODE_EMPH: g = galley_doc_new_node(doc, GALLEY_NODE_EMPH); break;
    case CMARK_NODE_STRONG:
      g = galley_doc_new_node(doc, GALLEY_NODE_STRONG);
      break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE: {
      g = galley_doc_new_node(doc, t == CMARK_NODE_LINK ? GALLEY_NODE_LINK
                                                        : GALLEY_NODE_IMAGE);
      const char *title = cmark_node_get_title(n);
      if (g)
        *rc = set_url(r, g, cmark_node_get_url(n));
      if (g && !*rc && title && title[0])
        *rc = galley_node_set_title(g, title);
      break;
    }
    case CMARK_NODE_FOOTNOTE_REFERENCE:
      g = galley_doc_new_node(doc, GALLEY_NODE_FOOTNOTE_REF);
      if (g) {
        const char *label = footnote_label(r, n);
        if (label)
          *rc = galley_node_set_label(g, label);
      }
      break;
    default:
      *rc = galley_job_error(
          r->job, GALLEY_EPARSE, "unknown cmark node type %s on line %d",
          cmark_node_get_type_string(n), cmark_node_get_start_line(n));
      return NULL;
    }
  }
  if (!g && !*rc)
    *rc = GALLEY_ENOMEM;
  if (*rc)
    return NULL;
  if (galley_kind_is_block(galley_node_kind(g)) &&
      cmark_node_get_start_line(n) > 0)
    galley_node_set_line(g, cmark_node_get_start_line(n) + r->line_offset);
  return g;
}

/*
 * Maps cmark node `n` onto ours under *cur. Sets *entered when `n` is a
 * container made current (its children go into it): the caller then owes
 * it an exit, which returns *cur to what was current before.
 */
static int enter_node(reader *r, cmark_node *n, galley_node **cur,
                      table_state *ts, size_t max_depth, bool *entered) {
  int rc = GALLEY_OK;
  *entered = false;
  if (cmark_node_get_type(n) == CMARK_NODE_TEXT) {
    cmark_node *next = cmark_node_next(n);
    if (next && cmark_node_get_type(next) == CMARK_NODE_TEXT)
      return join_text(r, cmark_node_get_literal(n)); /* mapped with the
                                                          last of its run */
    /* cmark-gfm's autolink extension can leave an empty text node. */
    if (r->text.len == 0 && !cmark_node_get_literal(n)[0])
      return GALLEY_OK;
  }
  galley_node *g = map_node(r, n, ts, &rc);
  if (!g)
    return rc;
  if (galley_node_append_child(*cur, g) != GALLEY_OK)
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "cannot place a %s inside a %s (line %d)",
                            galley_kind_name(galley_node_kind(g)),
                            galley_kind_name(galley_node_kind(*cur)),
                            cmark_node_get_start_line(n) + r->line_offset);
  if (md_cmark_is_leaf(cmark_node_get_type(n)))
    return GALLEY_OK;
  if ((rc = push(&r->stack, &r->depth, &r->cap, *cur)))
    return rc;
  *entered = true;
  if (max_depth && r->depth > max_depth)
    return galley_job_error(
        r->job, GALLEY_ELIMIT,
        "the Markdown nests deeper than the depth limit (%zu) at line %d",
        max_depth, cmark_node_get_start_line(n) + r->line_offset);
  /* A footnote reference is a container to cmark but a leaf to us. */
  if (!galley_kind_is_leaf(galley_node_kind(g)))
    *cur = g;
  if ((r->depth & 1023) == 0 && galley_job_cancelled(r->job))
    return GALLEY_ECANCELLED;
  return GALLEY_OK;
}

/*
 * Walks cmark's tree in document order (no recursion) and builds ours,
 * freeing each cmark node once it and its children are mapped, so the two
 * trees are never both whole (1 MB of `a` lines to xml: 213 MB at the
 * peak, was 368 MB). Footnote definitions stay until the root is freed: a
 * reference elsewhere may point at its definition.
 */
static int map_tree(reader *r, cmark_node *root) {
  const galley_limits *limits = galley_job_limits(r->job);
  size_t max_depth = limits ? limits->max_depth : 0;
  galley_node *cur = galley_doc_root(r->doc);
  table_state ts = {0};
  int rc = GALLEY_OK;
  cmark_node *n = cmark_node_first_child(root);
  while (n) {
    bool entered;
    if ((rc = enter_node(r, n, &cur, &ts, max_depth, &entered)))
      break;
    cmark_node *child = entered ? cmark_node_first_child(n) : NULL;
    if (child) {
      n = child;
      continue;
    }
    /* `n` is done, and so is each parent whose last child it is. */
    for (;;) {
      if (entered)
        cur = r->stack[--r->depth];
      cmark_node *next = cmark_node_next(n), *parent = cmark_node_parent(n);
      if (cmark_node_get_type(n) != CMARK_NODE_FOOTNOTE_DEFINITION)
        cmark_node_free(n);
      if (next || parent == root) {
        n = next;
        break;
      }
      n = parent;
      entered = true;
    }
  }
  return rc;
}

/* ---- raw-html=parse: hand raw HTML to the html reader ---- */

/* True for raw inline HTML that stands alone: a void element such as <br>. */
static bool is_void_inline(const char *s) {
  static const char *const voids[] = {"br", "img", "wbr"};
  if (!s || s[0] != '<')
    return false;
  for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++) {
    size_t n = strlen(voids[i]);
    if (strncmp(s + 1, voids[i], n) == 0 &&
        (s[1 + n] == '>' || s[1 + n] == ' ' || s[1 + n] == '/' ||
         s[1 + n] == '\n'))
      return true;
  }
  return false;
}

/*
 * Replaces one raw node by what the html reader makes of it. Blocks are
 * replaced whole; inline HTML only when it stands alone (<br>, <img>), since
 * an opening tag in one raw node and its closing tag in another cannot be
 * parsed apart. Anything the html reader cannot take stays raw.
 */
static int parse_raw(reader *r, const galley_plugin *html, galley_node *raw) {
  bool block = galley_node_kind(raw) == GALLEY_NODE_RAW_BLOCK;
  const char *lit = galley_node_get_literal(raw);
  if (!lit || (!block && !is_void_inline(lit)))
    return GALLEY_OK;
  galley_doc *tmp = galley_doc_new();
  if (!tmp)
    return GALLEY_ENOMEM;
  /* Inline HTML alone is no document: it goes in a paragraph. */
  char *wrapped = NULL;
  if (!block) {
    size_t n = strlen(lit);
    wrapped = malloc(n + 8);
    if (!wrapped) {
      galley_doc_free(tmp);
      return GALLEY_ENOMEM;
    }
    memcpy(wrapped, "<p>", 3);
    memcpy(wrapped + 3, lit, n);
    memcpy(wrapped + 3 + n, "</p>", 5);
    lit = wrapped;
  }
  galley_input in = {(const unsigned char *)lit, strlen(lit), "raw HTML", NULL};
  int rc = galley_plugin_read(r->job, html, &in, tmp);
  free(wrapped);
  if (rc != GALLEY_OK) {
    galley_doc_free(tmp);
    if (rc == GALLEY_ENOMEM || rc == GALLEY_ECANCELLED)
      return rc;
    galley_job_warn(r->job,
                    "raw HTML on line %d could not be parsed; kept as raw HTML",
                    galley_node_get_line(raw));
    return GALLEY_OK;
  }
  galley_node *from = galley_doc_root(tmp);
  if (!block) {
    /* The inlines of the one paragraph the fragment became. */
    galley_node *p = galley_node_first_child(from);
    while (p && galley_node_kind(p) == GALLEY_NODE_DIV &&
           galley_node_child_count(p) == 1)
      p = galley_node_first_child(p);
    if (!p || galley_node_next(p) != NULL ||
        galley_node_kind(p) != GALLEY_NODE_PARAGRAPH) {
      galley_doc_free(tmp);
      return GALLEY_OK;
    }
    from = p;
  }
  /* Copy first, then splice, so a failure leaves the raw node in place. */
  galley_node *copies[256];
  size_t n = 0;
  bool ok = true;
  for (galley_node *c = galley_node_first_child(from); c && ok;
       c = galley_node_next(c)) {
    if (n == sizeof copies / sizeof copies[0]) {
      ok = false;
      break;
    }
    copies[n] = galley_node_copy(r->doc, c);
    ok = copies[n++] != NULL;
  }
  for (size_t i = 0; ok && i < n; i++)
    ok = galley_node_insert_before(raw, copies[i]) == GALLEY_OK;
  if (ok)
    galley_node_unlink(raw);
  else
    for (size_t i = 0; i < n; i++)
      if (copies[i])
        galley_node_unlink(copies[i]);
  galley_doc_free(tmp);
  return GALLEY_OK;
}

static int parse_raw_nodes(reader *r) {
  const char *mode = galley_job_option(r->job, "raw-html");
  if (!mode || strcmp(mode, "parse") != 0 || r->n_raw == 0)
    return GALLEY_OK;
  const galley_plugin *html =
      galley_registry_find(galley_job_registry(r->job), "html");
  if (!html || !(html->caps & GALLEY_CAN_READ) || !html->read) {
    galley_job_warn(
        r->job, "raw-html=parse needs the html reader, which is not loaded; "
                "raw HTML kept as it is");
    return GALLEY_OK;
  }
  for (size_t i = 0; i < r->n_raw; i++) {
    int rc = parse_raw(r, html, r->raw[i]);
    if (rc)
      return rc;
  }
  return GALLEY_OK;
}

int md_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  reader r = {.job = job, .doc = doc};
  /* The runner gives a fetched document's address as its base or as its
   * url metadata; both are read before the front matter, which may name a
   * url of its own (a copy: the front matter may replace it). */
  const char *base = galley_doc_get_base(doc);
  const char *url = galley_doc_get_meta(doc, GALLEY_META_URL);
  const char *web = galley_url_is_web(base)  ? base
                    : galley_url_is_web(url) ? url
                                             : NULL;
  if (web && !(r.web = galley_doc_strndup(doc, web, (size_t)-1)))
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  const char *data = (const char *)in->data;
  size_t len = in->size, body = 0;
  int rc = md_front_matter_read(job, data, len, doc, &body, &r.line_offset);
  if (rc)
    return rc;
  /* cmark puts U+FFFD in place of bad bytes and NULs: say so, once. */
  size_t bad;
  galley_utf8_valid(data, len, &bad);
  const char *nul = bad ? memchr(data, '\0', bad) : NULL;
  if (nul)
    bad = (size_t)(nul - data);
  if (bad < len)
    galley_job_warn(job,
                    in->data[bad] ? "not valid UTF-8 at byte %zu; such bytes "
                                    "read as U+FFFD"
                                  : "a NUL byte at byte %zu; NUL bytes read "
                                    "as U+FFFD",
                    bad);
  bool gfm = galley_job_option_bool(job, "gfm", true);
  size_t cells = 0;
  bool tables = gfm && !md_tables_too_costly(data + body, len - body, &cells);
  /* Unless told otherwise, the parse may take 8 times the input plus
   * 128 MiB: with galley's own 45 MiB and the input that keeps a
   * conversion within 10 times its input plus 192 MiB (the hostile suite
   * holds it to that), and cmark aborts when an allocation fails. Without
   * a limit (0) there is nothing to estimate. */
  long mib = galley_job_option_int(job, "max-parse-memory", -1);
  size_t need = mib == 0 ? 0
                         : md_parse_estimate(data + body, len - body, gfm,
                                             cells, bad == len);
  double limit = mib >= 0 ? (double)mib * 1048576.0
                          : 8.0 * (double)len + 128.0 * 1048576.0;
  if (mib != 0 && (double)need > limit)
    return galley_job_error(
        job, GALLEY_ELIMIT,
        "the Markdown would need about %zu MiB to parse, over the parse "
        "memory limit of %.0f MiB (%s-O max-parse-memory)",
        need >> 20, limit / 1048576.0,
        mib >= 0 ? "" : "8 times its size plus 128 MiB; ");
  if (gfm && !tables)
    galley_job_warn(job, "tables too wide or too long for their size; "
                         "read as text");
  /* Input known to be UTF-8 without NUL bytes is not checked again by
   * cmark (CMARK_OPT_VALIDATE_UTF8: 3% of a parse). */
  md_arena *arena = NULL;
  cmark_node *root =
      md_parse(gfm, tables, bad == len, data + body, len - body, &arena);
  if (!root) {
    md_arena_free(arena);
    return GALLEY_ENOMEM;
  }
  rc = footnote_labels(&r, root);
  if (!rc)
    rc = map_tree(&r, root);
  md_arena_free(arena);
  if (!rc)
    rc = parse_raw_nodes(&r);
  free(r.stack);
  free(r.raw);
  free(r.fn_defs);
  free(r.fn_labels);
  free(r.kids);
  galley_buf_free(&r.text);
  return rc;
}
