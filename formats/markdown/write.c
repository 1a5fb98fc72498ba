/*
 * The markdown writer: our tree becomes a cmark-gfm tree, which galley's
 * own CommonMark renderer (render.c) writes on the layout layer, escaping
 * text by CommonMark's rules for where it stands; at width 0 its output is
 * byte for byte what cmark-gfm's renderer wrote. This file builds the tree
 * and adjusts it where the Markdown would read back as something else.
 * What Markdown cannot say gets the least lossy stand-in:
 *
 *   DIV, SPAN, FIGURE, DEFINITION_LIST, DEFINITION  their content, unwrapped
 *   CAPTION              a paragraph (after a pipe table; <caption> in HTML)
 *   TERM                 a paragraph in bold
 *   SUPERSCRIPT, SUBSCRIPT  raw <sup>…</sup>, <sub>…</sub> around the content
 *   STRIKE (gfm=false)   raw <del>…</del>
 *   task items (gfm=false)  "[ ] " or "[x] " before the item's text
 *   TABLE                a pipe table when its first row is a header row,
 *                        every cell holds one line of inlines and no cell
 *                        spans; else a raw HTML table
 *                        (always with gfm=false); never dropped
 *   RAW_* not html       a fenced code block with info {=format} / a code span
 *   FOOTNOTE             a [^label]: definition where it stands
 *   line breaks          <br /> in table cells, spaces in headings
 */
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"

/* ---- Writer state ---- */

typedef enum frame_mode {
  MODE_FLOW = 0, /* blocks or inlines go into `cm` */
  MODE_PTABLE,   /* a pipe table: rows go into `cm` */
  MODE_PROW,     /* a pipe table row: cells */
  MODE_PCELL,    /* a pipe table cell: inlines only */
  MODE_HTABLE,   /* an HTML table being written into a buffer */
  MODE_HROW,
  MODE_HCELL, /* an HTML table cell or caption: `cm` is a detached document */
  MODE_FOOTNOTE, /* `cm` is a detached document rendered into a definition */
} frame_mode;

typedef struct frame {
  const galley_node *g;
  cmark_node *cm; /* where children go */
  frame_mode mode;
  const char *close; /* raw inline HTML appended at EXIT ("</sup>") */
  bool owned;        /* `cm` is a detached document this frame frees */
} frame;

typedef struct htable {
  galley_buf html;
  int part; /* the open section (galley_row_part), or -1 */
} htable;

typedef struct writer {
  galley_job *job;
  const md_extensions *ext;
  bool gfm;
  int width;
  frame *frames;
  size_t n_frames, cap_frames;
  htable *tables;
  size_t n_tables, cap_tables;
  int in_heading; /* > 0 inside a heading */
  int in_pcell;   /* > 0 inside a pipe table cell */
  int in_link;    /* > 0 inside a link or image */
  bool unsafe;    /* raw HTML and script links as they are */
  size_t defused; /* links, images and raw HTML made safe */
} writer;

/* Marks a paragraph the writer made to hold inlines that sat among blocks. */
static const char implicit_mark = 'p';
#define IMPLICIT ((void *)(uintptr_t)&implicit_mark)

static int push_frame(writer *w, frame f) {
  if (galley_array_grow((void **)&w->frames, &w->cap_frames, w->n_frames + 1,
                        sizeof *w->frames) != GALLEY_OK)
    return GALLEY_ENOMEM;
  w->frames[w->n_frames++] = f;
  return GALLEY_OK;
}

static frame *top(writer *w) { return &w->frames[w->n_frames - 1]; }

static cmark_node *new_literal(cmark_node_type type, const char *text) {
  cmark_node *n = cmark_node_new(type);
  cmark_node_set_literal(n, text ? text : "");
  return n;
}

static bool holds_blocks(cmark_node *n) {
  switch (cmark_node_get_type(n)) {
  case CMARK_NODE_DOCUMENT:
  case CMARK_NODE_BLOCK_QUOTE:
  case CMARK_NODE_ITEM:
  case CMARK_NODE_FOOTNOTE_DEFINITION: return true;
  default: return false;
  }
}

static bool is_space_only(const char *s) {
  for (; s && *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
      return false;
  return true;
}

static int place_error(writer *w, cmark_node *parent, cmark_node *child) {
  const char *c = cmark_node_get_type_string(child);
  const char *p = cmark_node_get_type_string(parent);
  cmark_node_free(child);
  return galley_job_error(w->job, GALLEY_EINVALID,
                          "cannot write a Markdown %s inside a %s", c, p);
}

static int add_block(writer *w, cmark_node *node) {
  cmark_node *parent = top(w)->cm;
  if (!cmark_node_append_child(parent, node))
    return place_error(w, parent, node);
  return GALLEY_OK;
}

/*
 * Appends an inline. Inlines that sit among blocks (an ITEM's bare text, a
 * DIV's) share a paragraph the writer makes for them; whitespace alone does
 * not start one.
 */
static int add_inline(writer *w, cmark_node *node) {
  cmark_node *parent = top(w)->cm;
  if (holds_blocks(parent)) {
    cmark_node *last = cmark_node_last_child(parent);
    if (last && cmark_node_get_type(last) == CMARK_NODE_PARAGRAPH &&
        cmark_node_get_user_data(last) == IMPLICIT) {
      parent = last;
    } else {
      if (cmark_node_get_type(node) == CMARK_NODE_TEXT &&
          is_space_only(cmark_node_get_literal(node))) {
        cmark_node_free(node);
        return GALLEY_OK;
      }
      cmark_node *p = cmark_node_new(CMARK_NODE_PARAGRAPH);
      cmark_node_set_user_data(p, IMPLICIT);
      if (!cmark_node_append_child(parent, p))
        return place_error(w, parent, p);
      parent = p;
    }
  }
  if (!cmark_node_append_child(parent, node))
    return place_error(w, parent, node);
  return GALLEY_OK;
}

/* ---- Tables ---- */

typedef struct table_plan {
  bool pipe;       /* a pipe table can say it all */
  bool head_first; /* the first row serves as the header row */
  uint16_t columns;
  uint8_t *aligns; /* malloc'd, `columns` long */
} table_plan;

static bool has_pipe(const char *s) { return s && strchr(s, '|') != NULL; }

static uint8_t align_char(galley_align a) {
  switch (a) {
  case GALLEY_ALIGN_LEFT: return 'l';
  case GALLEY_ALIGN_CENTER: return 'c';
  case GALLEY_ALIGN_RIGHT: return 'r';
  default: return 0;
  }
}

/* Decides how `table` is written: a pipe table if nothing would be lost. */
static int plan_table(writer *w, const galley_node *table, table_plan *p) {
  memset(p, 0, sizeof *p);
  bool pipe = w->gfm && w->ext->table;
  size_t rows = 0, heads = 0, columns = 0;
  const galley_node *first_row = NULL;
  galley_citer it;
  galley_event ev;
  galley_citer_init(&it, table);
  while (pipe && (ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    if (ev != GALLEY_EVENT_ENTER || n == table)
      continue;
    switch (galley_node_kind(n)) {
    case GALLEY_NODE_CAPTION:
      /* Written as a paragraph after the table, so anything goes. */
      galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
      break;
    case GALLEY_NODE_TABLE_ROW:
      if (!first_row)
        first_row = n;
      if (galley_node_get_row_part(n) == GALLEY_ROW_HEAD &&
          (heads++ > 0 || rows > 0))
        pipe = false; /* a pipe table has one header row, first */
      rows++;
      if (galley_node_child_count(n) > columns)
        columns = galley_node_child_count(n);
      break;
    case GALLEY_NODE_TABLE_CELL: {
      if (galley_node_get_colspan(n) > 1 || galley_node_get_rowspan(n) > 1)
        pipe = false;
      size_t kids = galley_node_child_count(n);
      for (const galley_node *c = galley_node_first_child_const(n); c;
           c = galley_node_next_const(c))
        if (galley_kind_is_block(galley_node_kind(c)) &&
            !(kids == 1 && galley_node_kind(c) == GALLEY_NODE_PARAGRAPH))
          pipe = false;
      break;
    }
    case GALLEY_NODE_CODE:
    case GALLEY_NODE_RAW_INLINE:
      pipe = pipe && !has_pipe(galley_node_get_literal(n));
      break;
    case GALLEY_NODE_LINK:
    case GALLEY_NODE_IMAGE:
      pipe = pipe && !has_pipe(galley_node_get_url(n)) &&
             !has_pipe(galley_node_get_title(n));
      break;
    case GALLEY_NODE_FOOTNOTE_REF:
      pipe = pipe && !has_pipe(galley_node_get_label(n));
      break;
    default: break;
    }
  }
  if (!pipe || rows == 0 || columns == 0 || columns > 1000)
    return GALLEY_OK;
  p->aligns = calloc(columns, 1);
  if (!p->aligns)
    return GALLEY_ENOMEM;
  bool all_header = true;
  size_t i = 0;
  for (const galley_node *c = galley_node_first_child_const(first_row); c;
       c = galley_node_next_const(c), i++) {
    p->aligns[i] = align_char(galley_node_get_cell_align(c));
    all_header = all_header && galley_node_get_cell_header(c);
  }
  p->head_first =
      galley_node_get_row_part(first_row) == GALLEY_ROW_HEAD || all_header;
  if (!p->head_first) {
    /* A pipe table must have a header row; a made-up empty one reads as a
     * table of nothing, so a table without one is written in HTML. */
    free(p->aligns);
    p->aligns = NULL;
    return GALLEY_OK;
  }
  p->pipe = true;
  p->columns = (uint16_t)columns;
  return GALLEY_OK;
}

static cmark_node *new_ext(writer *w, cmark_node_type type,
                           cmark_syntax_extension *ext) {
  (void)w;
  return cmark_node_new_with_ext(type, ext);
}

/*
 * A table cell. cmark-gfm 0.29.0.gfm.6 allocates per-cell data when a cell
 * is made with cmark_node_new_with_ext and never frees it; its renderers do
 * not need that data, so the extension is attached after creation instead.
 */
static cmark_node *new_cell(writer *w) {
  cmark_node *cell = cmark_node_new(CMARK_NODE_TABLE_CELL);
  cmark_node_set_syntax_extension(cell, w->ext->table);
  return cell;
}

static void pad_row(writer *w, cmark_node *row, uint16_t columns) {
  size_t n = 0;
  for (cmark_node *c = cmark_node_first_child(row); c; c = cmark_node_next(c))
    n++;
  for (; n < columns; n++)
    cmark_node_append_child(row, new_cell(w));
}

static int enter_table(writer *w, const galley_node *g) {
  table_plan plan;
  int rc = plan_table(w, g, &plan);
  if (rc)
    return rc;
  if (plan.pipe) {
    cmark_node *t = new_ext(w, CMARK_NODE_TABLE, w->ext->table);
    cmark_gfm_extensions_set_table_columns(t, plan.columns);
    cmark_gfm_extensions_set_table_alignments(t, plan.columns, plan.aligns);
    free(plan.aligns);
    if ((rc = add_block(w, t)))
      return rc;
    return push_frame(w, (frame){.g = g, .cm = t, .mode = MODE_PTABLE});
  }
  if (galley_array_grow((void **)&w->tables, &w->cap_tables, w->n_tables + 1,
                        sizeof *w->tables) != GALLEY_OK)
    return GALLEY_ENOMEM;
  htable *h = &w->tables[w->n_tables++];
  *h = (htable){.part = -1};
  galley_buf_puts(&h->html, "<table>\n");
  return push_frame(w, (frame){.g = g, .cm = NULL, .mode = MODE_HTABLE});
}

static const char *part_tag(int part) {
  return part == GALLEY_ROW_HEAD   ? "thead"
         : part == GALLEY_ROW_FOOT ? "tfoot"
                                   : "tbody";
}

/* The HTML cmark-gfm renders for a detached document (a cell's content). */
static void render_cell_html(writer *w, cmark_node *doc, galley_buf *out) {
  (void)w;
  cmark_node *only = cmark_node_first_child(doc);
  bool bare = only && !cmark_node_next(only) &&
              cmark_node_get_type(only) == CMARK_NODE_PARAGRAPH &&
              cmark_node_get_user_data(only) == IMPLICIT;
  char *html = cmark_render_html(doc, CMARK_OPT_UNSAFE, NULL);
  if (!html)
    return;
  size_t n = strlen(html);
  const char *s = html;
  /* Bare inlines (the writer's own paragraph) need no <p> in a cell. */
  if (bare && n >= 8 && strncmp(s, "<p>", 3) == 0 &&
      strcmp(s + n - 5, "</p>\n") == 0) {
    s += 3;
    n -= 8;
  }
  while (n && s[n - 1] == '\n')
    n--;
  galley_buf_add(out, s, n);
  md_cmark_free(html);
}

/*
 * An HTML block ends at a blank line, so a blank line inside the table
 * (in a <pre>) becomes a newline character reference on the line before.
 */
static char *no_blank_lines(const galley_buf *in) {
  galley_buf out = GALLEY_BUF_INIT;
  bool blank = false;
  for (size_t i = 0; i < in->len; i++) {
    char c = in->data[i];
    if (c == '\n') {
      if (blank && i > 0) {
        galley_buf_puts(&out, "&#10;");
        blank = false;
        continue;
      }
      blank = true;
    } else if (c != ' ' && c != '\t') {
      blank = false;
    }
    galley_buf_add(&out, &c, 1);
  }
  return galley_buf_detach(&out, NULL);
}

/* ---- Footnotes ---- */

/* A label cmark-gfm reads back: no spaces, brackets or backslashes. */
static void put_label(galley_buf *b, const char *label) {
  if (!label || !label[0]) {
    galley_buf_puts(b, "note");
    return;
  }
  for (const char *p = label; *p; p++) {
    char c = *p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '[' ||
        c == ']' || c == '\\' || c == '^')
      c = '-';
    galley_buf_add(b, &c, 1);
  }
}

static int tidy_whitespace(cmark_node *root);
static int choose_delimiters(cmark_node *root);

static int exit_footnote(writer *w, const frame *f) {
  int rc = tidy_whitespace(f->cm);
  if (!rc)
    rc = choose_delimiters(f->cm);
  if (rc)
    return rc;
  galley_sink *sink = galley_sink_new_memory();
  if (!sink)
    return GALLEY_ENOMEM;
  rc = md_render(f->cm, sink, w->width);
  if (rc) {
    galley_sink_free(sink);
    return rc;
  }
  const char *body = galley_sink_data(sink, NULL);
  galley_buf b = GALLEY_BUF_INIT;
  galley_buf_puts(&b, "[^");
  put_label(&b, galley_node_get_label(f->g));
  galley_buf_puts(&b, "]:\n");
  size_t n = body ? strlen(body) : 0;
  while (n && body[n - 1] == '\n')
    n--;
  /* cmark-gfm's own layout: the content on the next lines, indented 4. */
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || body[i] == '\n') {
      if (i > start)
        galley_buf_puts(&b, "    ");
      galley_buf_add(&b, body + start, i - start);
      galley_buf_puts(&b, "\n");
      start = i + 1;
    }
  }
  galley_sink_free(sink);
  if (b.failed) {
    free(b.data);
    return GALLEY_ENOMEM;
  }
  rc = add_block(w, new_literal(CMARK_NODE_HTML_BLOCK, b.data));
  free(b.data);
  return rc;
}

/* ---- The walk ---- */

static cmark_node *raw_inline(const char *html) {
  return new_literal(CMARK_NODE_HTML_INLINE, html);
}

/* Length of the bare http(s) URL at s, as GFM's autolink extension ends it. */
static size_t bare_url_len(const char *s) {
  size_t n = 0;
  /* Stops where an autolink <…> could not go on, too. */
  while ((unsigned char)s[n] > 0x20 && s[n] != '<' && s[n] != '>' &&
         s[n] != '"')
    n++;
  /* Trailing punctuation and an unbalanced ')' are not part of it. */
  for (;;) {
    if (n && strchr("?!.,:*_~'\"", s[n - 1])) {
      n--;
      continue;
    }
    if (n && s[n - 1] == ')') {
      int open = 0, close = 0;
      for (size_t i = 0; i < n; i++)
        open += s[i] == '(', close += s[i] == ')';
      if (close > open) {
        n--;
        continue;
      }
    }
    break;
  }
  return n;
}

static bool needs_escaping(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strchr("*_[]#<>\\`~!&", s[i]))
      return true;
  return false;
}

/*
 * Text. With gfm, a bare http(s) URL in it is read back as a link by the
 * autolink extension, which keeps the backslashes the renderer put before
 * `_` or `*`; such a URL is written as an autolink <…> instead, whose
 * content is never escaped.
 */
static int add_text(writer *w, const char *text) {
  if (!text)
    text = "";
  if (!w->gfm || w->in_link)
    return add_inline(w, new_literal(CMARK_NODE_TEXT, text));
  const char *p = text, *start = text;
  while ((p = strstr(p, "http")) != NULL) {
    /* Where GFM looks for one: after a blank or one of * _ ~ (. */
    bool boundary = p == text || strchr(" \t\n*_~(", p[-1]) != NULL;
    size_t scheme = strncmp(p, "https://", 8) == 0  ? 8
                    : strncmp(p, "http://", 7) == 0 ? 7
                                                    : 0;
    size_t n = boundary && scheme ? bare_url_len(p) : 0;
    /* An autolink decodes entities, so one with & stays text. */
    if (n <= scheme || !needs_escaping(p, n) || memchr(p, '&', n)) {
      p++;
      continue;
    }
    if (p > start) {
      char *before = strndup(start, (size_t)(p - start));
      if (!before)
        return GALLEY_ENOMEM;
      int rc = add_inline(w, new_literal(CMARK_NODE_TEXT, before));
      free(before);
      if (rc)
        return rc;
    }
    char *url = strndup(p, n);
    if (!url)
      return GALLEY_ENOMEM;
    cmark_node *link = cmark_node_new(CMARK_NODE_LINK);
    cmark_node_set_url(link, url);
    cmark_node_append_child(link, new_literal(CMARK_NODE_TEXT, url));
    free(url);
    int rc = add_inline(w, link);
    if (rc)
      return rc;
    p += n;
    start = p;
  }
  return *start || start == text
             ? add_inline(w, new_literal(CMARK_NODE_TEXT, start))
             : GALLEY_OK;
}

/* Pushes a frame that puts children where the parent's go. */
static int unwrap(writer *w, const galley_node *g) {
  frame f = *top(w);
  f.g = g;
  f.close = NULL;
  f.owned = false;
  return push_frame(w, f);
}

/* The document's own raw HTML, its script defused unless -O unsafe=true
 * (NULL when out of memory, which add_* report). */
static cmark_node *raw_html(writer *w, cmark_node_type type, const char *lit) {
  if (w->unsafe || !lit)
    return new_literal(type, lit);
  galley_buf safe = GALLEY_BUF_INIT;
  galley_html_defuse(&safe, lit, strlen(lit));
  if (safe.failed) {
    free(safe.data);
    return NULL;
  }
  if (strcmp(safe.data ? safe.data : "", lit))
    w->defused++;
  cmark_node *n = new_literal(type, safe.data);
  free(safe.data);
  return n;
}

/* Opens an inline written as raw HTML tags around its content. */
static int enter_tagged(writer *w, const galley_node *g, const char *open,
                        const char *close) {
  cmark_node *tag = raw_inline(open);
  int rc = add_inline(w, tag);
  if (rc)
    return rc;
  frame f = {.g = g,
             .cm = cmark_node_parent(tag),
             .mode = top(w)->mode,
             .close = close};
  return push_frame(w, f);
}

static int enter_container(writer *w, const galley_node *g, cmark_node *n,
                           bool block) {
  int rc = block ? add_block(w, n) : add_inline(w, n);
  if (rc)
    return rc;
  return push_frame(w, (frame){.g = g, .cm = n, .mode = MODE_FLOW});
}

static int enter_detached(writer *w, const galley_node *g, frame_mode mode) {
  cmark_node *doc = cmark_node_new(CMARK_NODE_DOCUMENT);
  return push_frame(w, (frame){.g = g, .cm = doc, .mode = mode, .owned = true});
}

static int enter_node(writer *w, const galley_node *g) {
  frame *t = top(w);
  cmark_node *n;
  switch (galley_node_kind(g)) {
  case GALLEY_NODE_DOCUMENT:
  case GALLEY_NODE_DIV:
  case GALLEY_NODE_SPAN:
  case GALLEY_NODE_FIGURE:
  case GALLEY_NODE_DEFINITION_LIST:
  case GALLEY_NODE_DEFINITION: return unwrap(w, g);

  case GALLEY_NODE_CAPTION:
    if (t->mode == MODE_HTABLE)
      return enter_detached(w, g, MODE_HCELL);
    if (t->mode == MODE_PTABLE) {
      /* After the table: what follows the table in its parent. */
      frame f = {.g = g, .cm = cmark_node_parent(t->cm), .mode = MODE_FLOW};
      return push_frame(w, f);
    }
    return unwrap(w, g);

  case GALLEY_NODE_PARAGRAPH:
    if (t->mode == MODE_PCELL)
      return unwrap(w, g);
    return enter_container(w, g, cmark_node_new(CMARK_NODE_PARAGRAPH), true);

  case GALLEY_NODE_HEADING: {
    int level = galley_node_get_level(g);
    n = cmark_node_new(CMARK_NODE_HEADING);
    cmark_node_set_heading_level(n, level < 1 ? 1 : level > 6 ? 6 : level);
    w->in_heading++;
    return enter_container(w, g, n, true);
  }

  case GALLEY_NODE_BLOCK_QUOTE:
    return enter_container(w, g, cmark_node_new(CMARK_NODE_BLOCK_QUOTE), true);

  case GALLEY_NODE_LIST: {
    n = cmark_node_new(CMARK_NODE_LIST);
    bool ordered = galley_node_get_list_ordered(g);
    cmark_node_set_list_type(n,
                             ordered ? CMARK_ORDERED_LIST : CMARK_BULLET_LIST);
    if (ordered) {
      int start = galley_node_get_list_start(g);
      cmark_node_set_list_delim(n, CMARK_PERIOD_DELIM);
      cmark_node_set_list_start(n, start < 0           ? 0
                                   : start > 999999999 ? 999999999
                                                       : start);
    }
    cmark_node_set_list_tight(n, galley_node_get_list_tight(g));
    return enter_container(w, g, n, true);
  }

  case GALLEY_NODE_ITEM: {
    galley_task task = galley_node_get_task(g);
    if (task != GALLEY_TASK_NONE && w->gfm && w->ext->tasklist) {
      n = new_ext(w, CMARK_NODE_ITEM, w->ext->tasklist);
      cmark_gfm_extensions_set_tasklist_item_checked(n,
                                                     task == GALLEY_TASK_DONE);
    } else {
      n = cmark_node_new(CMARK_NODE_ITEM);
    }
    return enter_container(w, g, n, true);
  }

  case GALLEY_NODE_CODE_BLOCK: {
    n = new_literal(CMARK_NODE_CODE_BLOCK, galley_node_get_literal(g));
    const char *info = galley_node_get_info(g);
    cmark_node_set_fence_info(n, info ? info : "");
    return add_block(w, n);
  }

  case GALLEY_NODE_RAW_BLOCK: {
    const char *format = galley_node_get_format(g);
    if (format && strcmp(format, "html") == 0)
      return add_block(w, raw_html(w, CMARK_NODE_HTML_BLOCK,
                                   galley_node_get_literal(g)));
    /* Markdown has no raw blocks but HTML: keep the text, say what it is. */
    galley_buf info = GALLEY_BUF_INIT;
    galley_buf_puts(&info, "{=");
    galley_buf_puts(&info, format ? format : "raw");
    galley_buf_puts(&info, "}");
    n = new_literal(CMARK_NODE_CODE_BLOCK, galley_node_get_literal(g));
    cmark_node_set_fence_info(n, info.failed ? "" : info.data);
    free(info.data);
    galley_job_warn(w->job, "a raw %s block is written as a code block",
                    format ? format : "");
    return add_block(w, n);
  }

  case GALLEY_NODE_THEMATIC_BREAK:
    return add_block(w, cmark_node_new(CMARK_NODE_THEMATIC_BREAK));

  case GALLEY_NODE_TABLE: return enter_table(w, g);

  case GALLEY_NODE_TABLE_ROW:
    if (t->mode == MODE_PTABLE) {
      n = new_ext(w, CMARK_NODE_TABLE_ROW, w->ext->table);
      if (!cmark_node_first_child(t->cm))
        cmark_gfm_extensions_set_table_row_is_header(n, 1);
      cmark_node_append_child(t->cm, n);
      return push_frame(w, (frame){.g = g, .cm = n, .mode = MODE_PROW});
    } else {
      htable *h = &w->tables[w->n_tables - 1];
      int part = (int)galley_node_get_row_part(g);
      if (part != h->part) {
        if (h->part >= 0) {
          galley_buf_puts(&h->html, "</");
          galley_buf_puts(&h->html, part_tag(h->part));
          galley_buf_puts(&h->html, ">\n");
        }
        galley_buf_puts(&h->html, "<");
        galley_buf_puts(&h->html, part_tag(part));
        galley_buf_puts(&h->html, ">\n");
        h->part = part;
      }
      galley_buf_puts(&h->html, "<tr>\n");
      return push_frame(w, (frame){.g = g, .cm = NULL, .mode = MODE_HROW});
    }

  case GALLEY_NODE_TABLE_CELL:
    if (t->mode == MODE_PROW) {
      n = new_cell(w);
      cmark_node_append_child(t->cm, n);
      w->in_pcell++;
      return push_frame(w, (frame){.g = g, .cm = n, .mode = MODE_PCELL});
    }
    return enter_detached(w, g, MODE_HCELL);

  case GALLEY_NODE_TERM: {
    cmark_node *p = cmark_node_new(CMARK_NODE_PARAGRAPH);
    int rc = add_block(w, p);
    if (rc)
      return rc;
    n = cmark_node_new(CMARK_NODE_STRONG);
    cmark_node_append_child(p, n);
    return push_frame(w, (frame){.g = g, .cm = n, .mode = MODE_FLOW});
  }

  case GALLEY_NODE_FOOTNOTE: return enter_detached(w, g, MODE_FOOTNOTE);

  /* Inlines */
  case GALLEY_NODE_TEXT: return add_text(w, galley_node_get_literal(g));

  case GALLEY_NODE_SOFT_BREAK:
    if (w->in_pcell)
      return add_inline(w, new_literal(CMARK_NODE_TEXT, " "));
    return add_inline(w, cmark_node_new(CMARK_NODE_SOFTBREAK));

  case GALLEY_NODE_LINE_BREAK:
    if (w->in_pcell)
      return add_inline(w, raw_inline("<br />"));
    if (w->in_heading)
      return add_inline(w, cmark_node_new(CMARK_NODE_SOFTBREAK));
    return add_inline(w, cmark_node_new(CMARK_NODE_LINEBREAK));

  case GALLEY_NODE_EMPH:
    return enter_container(w, g, cmark_node_new(CMARK_NODE_EMPH), false);
  case GALLEY_NODE_STRONG:
    return enter_container(w, g, cmark_node_new(CMARK_NODE_STRONG), false);
  case GALLEY_NODE_STRIKE:
    if (w->gfm && w->ext->strikethrough)
      return enter_container(
          w, g, new_ext(w, CMARK_NODE_STRIKETHROUGH, w->ext->strikethrough),
          false);
    return enter_tagged(w, g, "<del>", "</del>");
  case GALLEY_NODE_SUPERSCRIPT: return enter_tagged(w, g, "<sup>", "</sup>");
  case GALLEY_NODE_SUBSCRIPT: return enter_tagged(w, g, "<sub>", "</sub>");

  case GALLEY_NODE_CODE: {
    /* A code span reads a line ending as a space; a raw one would end a table
     * row. */
    const char *lit = galley_node_get_literal(g);
    n = new_literal(CMARK_NODE_CODE, lit);
    if (lit && strchr(lit, '\n')) {
      char *copy = strdup(lit);
      if (!copy) {
        cmark_node_free(n);
        return GALLEY_ENOMEM;
      }
      for (char *p = copy; *p; p++)
        if (*p == '\n' || *p == '\r')
          *p = ' ';
      cmark_node_set_literal(n, copy);
      free(copy);
    }
    if (lit && lit[0] && lit[strspn(lit, " ")] == '\0') {
      /*
       * Only spaces: cmark-gfm pads them with one more on each side, which
       * a reader keeps (it strips the padding only around other text).
       * Written as it is, `   `, the span reads back the same.
       */
      cmark_node_free(n);
      galley_buf b = GALLEY_BUF_INIT;
      galley_buf_puts(&b, "`");
      galley_buf_puts(&b, lit);
      galley_buf_puts(&b, "`");
      if (b.failed) {
        free(b.data);
        return GALLEY_ENOMEM;
      }
      n = raw_inline(b.data);
      free(b.data);
    }
    return add_inline(w, n);
  }

  case GALLEY_NODE_LINK:
  case GALLEY_NODE_IMAGE: {
    bool link = galley_node_kind(g) == GALLEY_NODE_LINK;
    const char *url = galley_node_get_url(g), *title = galley_node_get_title(g);
    w->in_link++;
    if (url && !w->unsafe && !galley_url_is_safe(url, !link)) {
      w->defused++; /* the words stay (an image's alt), not what it runs */
      return unwrap(w, g);
    }
    n = cmark_node_new(link ? CMARK_NODE_LINK : CMARK_NODE_IMAGE);
    cmark_node_set_url(n, url ? url : "");
    cmark_node_set_title(n, title ? title : "");
    return enter_container(w, g, n, false);
  }

  case GALLEY_NODE_FOOTNOTE_REF: {
    /*
     * cmark-gfm renders a reference from the definition it was parsed with,
     * which a built tree lacks; the Markdown text is written as it is.
     */
    galley_buf b = GALLEY_BUF_INIT;
    galley_buf_puts(&b, "[^");
    put_label(&b, galley_node_get_label(g));
    galley_buf_puts(&b, "]");
    if (b.failed) {
      free(b.data);
      return GALLEY_ENOMEM;
    }
    int rc = add_inline(w, raw_inline(b.data));
    free(b.data);
    return rc;
  }

  case GALLEY_NODE_RAW_INLINE: {
    const char *format = galley_node_get_format(g);
    if (format && strcmp(format, "html") == 0)
      return add_inline(w, raw_html(w, CMARK_NODE_HTML_INLINE,
                                    galley_node_get_literal(g)));
    galley_job_warn(w->job, "raw %s inline content is written as a code span",
                    format ? format : "");
    return add_inline(w,
                      new_literal(CMARK_NODE_CODE, galley_node_get_literal(g)));
  }

  default:
    return galley_job_error(w->job, GALLEY_EUNSUPPORTED,
                            "the markdown writer has no form for a %s",
                            galley_kind_name(galley_node_kind(g)));
  }
}

static int leave_node(writer *w) {
  frame f = w->frames[--w->n_frames];
  int rc = GALLEY_OK;
  switch (galley_node_kind(f.g)) {
  case GALLEY_NODE_HEADING: w->in_heading--; break;
  case GALLEY_NODE_LINK:
  case GALLEY_NODE_IMAGE: w->in_link--; break;
  case GALLEY_NODE_ITEM: {
    /* Strict CommonMark has no task items: the box is written as text. */
    galley_task task = galley_node_get_task(f.g);
    if (task != GALLEY_TASK_NONE && !(w->gfm && w->ext->tasklist)) {
      cmark_node *p = cmark_node_first_child(f.cm);
      if (!p || cmark_node_get_type(p) != CMARK_NODE_PARAGRAPH) {
        cmark_node *np = cmark_node_new(CMARK_NODE_PARAGRAPH);
        if (p)
          cmark_node_insert_before(p, np);
        else
          cmark_node_append_child(f.cm, np);
        p = np;
      }
      cmark_node_prepend_child(
          p, new_literal(CMARK_NODE_TEXT,
                         task == GALLEY_TASK_DONE ? "[x] " : "[ ] "));
    }
    break;
  }
  case GALLEY_NODE_TABLE_ROW:
    if (f.mode == MODE_PROW)
      pad_row(w, f.cm,
              cmark_gfm_extensions_get_table_columns(cmark_node_parent(f.cm)));
    else
      galley_buf_puts(&w->tables[w->n_tables - 1].html, "</tr>\n");
    break;
  case GALLEY_NODE_TABLE_CELL:
  case GALLEY_NODE_CAPTION:
    if (f.mode == MODE_PCELL) {
      w->in_pcell--;
    } else if (f.mode == MODE_HCELL) {
      htable *h = &w->tables[w->n_tables - 1];
      bool caption = galley_node_kind(f.g) == GALLEY_NODE_CAPTION;
      const char *tag = caption                            ? "caption"
                        : galley_node_get_cell_header(f.g) ? "th"
                                                           : "td";
      char attrs[96] = "";
      if (!caption) {
        const char *al[] = {"", " align=\"left\"", " align=\"center\"",
                            " align=\"right\""};
        galley_align a = galley_node_get_cell_align(f.g);
        int cs = galley_node_get_colspan(f.g),
            rs = galley_node_get_rowspan(f.g);
        size_t used = (size_t)snprintf(attrs, sizeof attrs, "%s",
                                       (unsigned)a < 4 ? al[a] : "");
        if (cs > 1)
          used += (size_t)snprintf(attrs + used, sizeof attrs - used,
                                   " colspan=\"%d\"", cs);
        if (rs > 1 && used < sizeof attrs)
          snprintf(attrs + used, sizeof attrs - used, " rowspan=\"%d\"", rs);
      }
      galley_buf_puts(&h->html, "<");
      galley_buf_puts(&h->html, tag);
      galley_buf_puts(&h->html, attrs);
      galley_buf_puts(&h->html, ">");
      render_cell_html(w, f.cm, &h->html);
      galley_buf_puts(&h->html, "</");
      galley_buf_puts(&h->html, tag);
      galley_buf_puts(&h->html, ">\n");
    }
    break;
  case GALLEY_NODE_TABLE:
    if (f.mode == MODE_HTABLE) {
      htable h = w->tables[--w->n_tables];
      if (h.part >= 0) {
        galley_buf_puts(&h.html, "</");
        galley_buf_puts(&h.html, part_tag(h.part));
        galley_buf_puts(&h.html, ">\n");
      }
      galley_buf_puts(&h.html, "</table>\n");
      char *html = h.html.failed ? NULL : no_blank_lines(&h.html);
      free(h.html.data);
      if (!html)
        return GALLEY_ENOMEM;
      rc = add_block(w, new_literal(CMARK_NODE_HTML_BLOCK, html));
      free(html);
    }
    break;
  case GALLEY_NODE_FOOTNOTE: rc = exit_footnote(w, &f); break;
  default: break;
  }
  if (!rc && f.close)
    rc = cmark_node_append_child(f.cm, raw_inline(f.close)) ? GALLEY_OK
                                                            : GALLEY_EINVALID;
  if (f.owned)
    cmark_node_free(f.cm);
  return rc;
}

/* ---- Whitespace that Markdown would read as markup ---- */

static bool is_ws(char c) { return c == ' ' || c == '\t'; }

/* The length of the Unicode space (NBSP, thin space, ideographic space…)
 * that starts at s[i], or 0. */
static size_t uspace_at(const unsigned char *s, size_t i, size_t n) {
  if (is_ws((char)s[i]))
    return 1;
  if (i + 1 < n && s[i] == 0xc2 && s[i + 1] == 0xa0)
    return 2;
  if (i + 2 >= n)
    return 0;
  unsigned a = s[i], b = s[i + 1], c = s[i + 2];
  if ((a == 0xe2 && b == 0x80 && (c <= 0x8a || c == 0xaf)) ||
      (a == 0xe2 && b == 0x81 && c == 0x9f) ||
      (a == 0xe1 && b == 0x9a && c == 0x80) ||
      (a == 0xe3 && b == 0x80 && c == 0x80))
    return 3;
  return 0;
}

/* The length of the Unicode space that ends just before s[end], or 0. */
static size_t uspace_before(const unsigned char *s, size_t end) {
  for (size_t k = 1; k <= 3 && k <= end; k++)
    if (uspace_at(s, end - k, end) == k)
      return k;
  return 0;
}

/* Splits leading (or trailing) blanks off a TEXT node; returns them, malloc'd,
 * or NULL. With `unicode`, every space cmark-gfm's emphasis rules count
 * (no-break, thin, ideographic…) goes too. */
static char *split_ws(cmark_node *text, bool leading, bool unicode) {
  const char *s = cmark_node_get_literal(text);
  const unsigned char *u = (const unsigned char *)s;
  size_t n = s ? strlen(s) : 0, k = 0, step;
  if (leading)
    while (k < n && (step = unicode ? uspace_at(u, k, n) : is_ws(s[k])) > 0)
      k += step;
  else
    while (k < n &&
           (step = unicode ? uspace_before(u, n - k) : is_ws(s[n - 1 - k])) > 0)
      k += step;
  if (k == 0)
    return NULL;
  char *ws = strndup(leading ? s : s + n - k, k);
  char *rest = strndup(leading ? s + k : s, n - k);
  if (ws && rest)
    cmark_node_set_literal(text, rest);
  free(rest);
  return ws;
}

static bool is_emphasis(cmark_node *n) {
  cmark_node_type t = cmark_node_get_type(n);
  return t == CMARK_NODE_EMPH || t == CMARK_NODE_STRONG ||
         (CMARK_NODE_STRIKETHROUGH && t == CMARK_NODE_STRIKETHROUGH);
}

/*
 * A tight list puts no blank line between an item's blocks, and some pairs
 * then read back as one: a paragraph after a paragraph or after a nested
 * list (a lazy continuation line), an indented code block after a
 * paragraph, a list whose first item is empty after a paragraph. Such a
 * list is written loose: its blocks stay apart.
 */
static bool tight_is_safe(cmark_node *list) {
  for (cmark_node *item = cmark_node_first_child(list); item;
       item = cmark_node_next(item)) {
    for (cmark_node *c = cmark_node_first_child(item); c;
         c = cmark_node_next(c)) {
      cmark_node *prev = cmark_node_previous(c);
      if (!prev)
        continue;
      cmark_node_type t = cmark_node_get_type(c),
                      pt = cmark_node_get_type(prev);
      if (t == CMARK_NODE_PARAGRAPH &&
          (pt == CMARK_NODE_PARAGRAPH || pt == CMARK_NODE_LIST))
        return false;
      /* An empty first item cannot interrupt a paragraph: "-" underlines it. */
      if (t == CMARK_NODE_LIST && pt == CMARK_NODE_PARAGRAPH &&
          !cmark_node_first_child(cmark_node_first_child(c)))
        return false;
      if (t == CMARK_NODE_CODE_BLOCK && pt == CMARK_NODE_PARAGRAPH &&
          !cmark_node_get_fence_info(c)[0])
        return false;
    }
  }
  return true;
}

/*
 * The renderer (as cmark-gfm's did) writes a bullet item that starts with
 * a list as "  -   - x", and a reader takes the spaces between the markers
 * as the outer item's padding: its content column moves right, and a block
 * that follows the nested list at the column the renderer used falls out
 * of the item. An empty HTML comment first (as the renderer's own `<!--
 * end list -->`) puts the nested list on the next line instead; an empty
 * paragraph would not do, as "-" alone after a paragraph reads as a setext
 * underline.
 */
static void guard_nested_list(cmark_node *item) {
  cmark_node *first = cmark_node_first_child(item);
  cmark_node *list = cmark_node_parent(item);
  if (first && cmark_node_next(first) &&
      cmark_node_get_type(first) == CMARK_NODE_LIST && list &&
      cmark_node_get_list_type(list) == CMARK_BULLET_LIST) {
    /* In a paragraph, so that it goes on the marker's line. */
    cmark_node *p = cmark_node_new(CMARK_NODE_PARAGRAPH);
    cmark_node_append_child(p, new_literal(CMARK_NODE_HTML_INLINE, "<!-- -->"));
    cmark_node_prepend_child(item, p);
  }
}

/*
 * The renderer (as cmark-gfm's did) writes a link as <url> when its first
 * child's text is the URL, and then skips the link's other children:
 * `[x@y.z<br>phone](mailto:x@y.z)` would lose the phone number. Its test
 * also reads an IMAGE first child's URL as text, so `[![alt](u)](u)` would
 * lose the image. An empty raw inline first keeps the long form.
 */
static void guard_autolink(cmark_node *link) {
  cmark_node *first = cmark_node_first_child(link);
  if (!first)
    return;
  /* Only a lone TEXT child is the test's honest case. */
  if (cmark_node_get_type(first) == CMARK_NODE_TEXT && !cmark_node_next(first))
    return;
  if (cmark_node_get_type(first) == CMARK_NODE_HTML_INLINE &&
      !cmark_node_get_literal(first)[0])
    return; /* already guarded */
  cmark_node_prepend_child(link, new_literal(CMARK_NODE_HTML_INLINE, ""));
}

static int drop_later(cmark_node *n, cmark_node ***drop, size_t *n_drop,
                      size_t *cap) {
  if (galley_array_grow((void **)drop, cap, *n_drop + 1, sizeof **drop) !=
      GALLEY_OK)
    return GALLEY_ENOMEM;
  (*drop)[(*n_drop)++] = n;
  return GALLEY_OK;
}

/*
 * Blanks at the start of a line are indentation to a reader, so they go;
 * but a tab there came from the text itself (an entity in Markdown, say)
 * and stays, as a character reference, which no reader takes for indent.
 * Takes `ws` (malloc'd, may be NULL).
 */
static void keep_tabs(cmark_node *text, char *ws) {
  for (char *p = ws; p && *p; p++)
    if (*p == '\t')
      cmark_node_insert_before(text,
                               new_literal(CMARK_NODE_HTML_INLINE, "&#9;"));
  free(ws);
}

/*
 * `**a****b**` does not read back as two strong spans: an emphasis right
 * after one of its own kind takes in the other's content instead.
 */
static int merge_siblings(cmark_node *n, cmark_node ***drop, size_t *n_drop,
                          size_t *cap) {
  cmark_node *next;
  while ((next = cmark_node_next(n)) != NULL &&
         cmark_node_get_type(next) == cmark_node_get_type(n)) {
    cmark_node *c;
    while ((c = cmark_node_first_child(next)) != NULL)
      cmark_node_append_child(n, c);
    cmark_node_unlink(next);
    int rc = drop_later(next, drop, n_drop, cap);
    if (rc)
      return rc;
  }
  return GALLEY_OK;
}

static bool is_break(cmark_node *n) {
  cmark_node_type t = cmark_node_get_type(n);
  return t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK;
}

static bool empty_text(cmark_node *n) {
  const char *s = cmark_node_get_literal(n);
  return cmark_node_get_type(n) == CMARK_NODE_TEXT && (!s || !s[0]);
}

/*
 * `*foo *` and `*foo⏎*` are no emphasis: blanks of every kind (a
 * no-break space too) and line breaks at the edges of a span move out of
 * it. False when nothing is left inside.
 */
static bool shed_edges(cmark_node *n) {
  for (int side = 0; side < 2; side++) {
    bool leading = side == 0;
    for (;;) {
      cmark_node *c =
          leading ? cmark_node_first_child(n) : cmark_node_last_child(n);
      while (c && empty_text(c))
        c = leading ? cmark_node_next(c) : cmark_node_previous(c);
      if (!c)
        return false;
      char *ws;
      if (is_break(c)) {
        if (leading)
          cmark_node_insert_before(n, c);
        else
          cmark_node_insert_after(n, c);
      } else if (cmark_node_get_type(c) == CMARK_NODE_TEXT &&
                 (ws = split_ws(c, leading, true)) != NULL) {
        cmark_node *t = new_literal(CMARK_NODE_TEXT, ws);
        free(ws);
        if (leading)
          cmark_node_insert_before(n, t);
        else
          cmark_node_insert_after(n, t);
      } else {
        break;
      }
    }
  }
  return true;
}

/*
 * `*foo *` is not emphasis and a paragraph line that starts with four
 * spaces is code: blanks at the edges of emphasis move outside it, blanks
 * at the start or end of a line go, and emphasis with nothing in it goes.
 */
static int tidy_whitespace(cmark_node *root) {
  cmark_node **drop = NULL;
  size_t n_drop = 0, cap_drop = 0;
  int rc = GALLEY_OK;
  for (int pass = 0; pass < 2 && !rc; pass++) {
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    cmark_node *last_text = NULL;
    bool line_start = true;
    while (!rc && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
      cmark_node *n = cmark_iter_get_node(it);
      cmark_node_type t = cmark_node_get_type(n);
      cmark_node *victim = NULL;
      if (pass == 0) {
        if (ev == CMARK_EVENT_ENTER && is_emphasis(n))
          rc = merge_siblings(n, &drop, &n_drop, &cap_drop);
        if (ev == CMARK_EVENT_EXIT && t == CMARK_NODE_LINK)
          guard_autolink(n);
        if (ev == CMARK_EVENT_EXIT && t == CMARK_NODE_ITEM)
          guard_nested_list(n);
        if (ev == CMARK_EVENT_EXIT && t == CMARK_NODE_LIST &&
            cmark_node_get_list_tight(n) && !tight_is_safe(n))
          cmark_node_set_list_tight(n, 0);
        if (ev != CMARK_EVENT_EXIT || !is_emphasis(n))
          continue;
        if (!shed_edges(n))
          victim = n;
      } else if ((t & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK) {
        if (last_text)
          free(split_ws(last_text, false, false));
        last_text = NULL;
        line_start = true;
      } else if (t == CMARK_NODE_TEXT) {
        if (line_start)
          keep_tabs(n, split_ws(n, true, false));
        const char *lit = cmark_node_get_literal(n);
        if (!lit || !lit[0]) {
          victim = n;
        } else {
          line_start = false;
          last_text = n;
        }
      } else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK) {
        if (last_text)
          free(split_ws(last_text, false, false));
        last_text = NULL;
        line_start = true;
      } else if (ev == CMARK_EVENT_ENTER &&
                 (t == CMARK_NODE_CODE || t == CMARK_NODE_HTML_INLINE ||
                  t == CMARK_NODE_FOOTNOTE_REFERENCE)) {
        last_text = NULL;
        line_start = false;
      }
      if (victim && !rc)
        rc = drop_later(victim, &drop, &n_drop, &cap_drop);
    }
    cmark_iter_free(it);
    /* Removed only after the walk, which must not meet a freed node. */
    for (size_t i = 0; i < n_drop; i++)
      cmark_node_free(drop[i]);
    n_drop = 0;
  }
  free(drop);
  return rc;
}

/* ---- Emphasis delimiters ---- */

/*
 * cmark-gfm's renderer wrote every emphasis as `*…*` and strong emphasis
 * as `**…**`, whether or not a reader could parse them where they stood:
 * `Kotaku*. Warning*` is no emphasis (an opener followed by punctuation
 * must follow a blank or punctuation), nor is `**_x_**` written as
 * `***x***` the same tree. So the writer chooses each span's delimiters
 * itself, by CommonMark's flanking rules, from the characters that will
 * stand on either side of them: `*` where it can open and close, else
 * `_`, and where neither can, raw <em>…</em> (<strong>), which the
 * writer already uses for what Markdown cannot say. A delimiter never
 * touches another delimiter of the same character (the runs would merge).
 */

enum { CH_WS, CH_PUNCT, CH_OTHER };

typedef struct edge {
  int cls;    /* CH_* */
  char delim; /* the '*' or '_' of an adjacent delimiter run, else 0 */
} edge;

/* Unicode whitespace as cmark-gfm's flanking test reads it. */
static bool cp_space(uint32_t c) {
  return c == 9 || c == 10 || c == 12 || c == 13 || c == 32 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f ||
         c == 0x205f || c == 0x3000;
}

/* ASCII punctuation and the Unicode punctuation blocks pages use. */
static bool cp_punct(uint32_t c) {
  if (c < 0x80)
    return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
           (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
  return c == 0xa1 || c == 0xa7 || c == 0xab || c == 0xb6 || c == 0xb7 ||
         c == 0xbb || c == 0xbf || c == 0x37e || c == 0x387 ||
         (c >= 0x55a && c <= 0x55f) || c == 0x589 || c == 0x5be || c == 0x5c0 ||
         c == 0x5c3 || c == 0x5c6 || c == 0x5f3 || c == 0x5f4 || c == 0x60c ||
         c == 0x60d || c == 0x61b || c == 0x61e || c == 0x61f ||
         (c >= 0x66a && c <= 0x66d) || c == 0x6d4 || c == 0x964 || c == 0x965 ||
         c == 0x970 || (c >= 0x2010 && c <= 0x2027) ||
         (c >= 0x2030 && c <= 0x2043) || (c >= 0x2045 && c <= 0x2051) ||
         (c >= 0x2053 && c <= 0x205e) || (c >= 0x2e00 && c <= 0x2e4f) ||
         (c >= 0x3001 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011) ||
         (c >= 0x3014 && c <= 0x301f) || (c >= 0xff01 && c <= 0xff03) ||
         (c >= 0xff05 && c <= 0xff0a) || (c >= 0xff0c && c <= 0xff0f) ||
         c == 0xff1a || c == 0xff1b || c == 0xff1f || c == 0xff20 ||
         (c >= 0xff3b && c <= 0xff3d) || c == 0xff3f || c == 0xff5b ||
         c == 0xff5d || (c >= 0xff5f && c <= 0xff65);
}

static edge classify(uint32_t c) {
  return (edge){cp_space(c) ? CH_WS : cp_punct(c) ? CH_PUNCT : CH_OTHER, 0};
}

/* The code point that starts (or ends) a UTF-8 string. */
static uint32_t utf8_edge(const char *s, size_t n, bool last) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  if (last) {
    i = n - 1;
    while (i > 0 && (p[i] & 0xc0) == 0x80)
      i--;
  }
  uint32_t c = p[i];
  int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
  c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0xff;
  for (int k = 1; k <= more && i + (size_t)k < n; k++)
    c = (c << 6) | (p[i + (size_t)k] & 0x3f);
  return c;
}

/* Where a span's choice is kept until the tree is rewritten. */
typedef struct delims {
  const char *open, *close;
} delims;

static const delims D_EM_STAR = {"*", "*"}, D_EM_UND = {"_", "_"},
                    D_ST_STAR = {"**", "**"}, D_ST_UND = {"__", "__"},
                    D_EM_HTML = {"<em>", "</em>"},
                    D_ST_HTML = {"<strong>", "</strong>"};

static bool is_span(cmark_node *n) {
  cmark_node_type t = cmark_node_get_type(n);
  return t == CMARK_NODE_EMPH || t == CMARK_NODE_STRONG;
}

static bool renders_empty(cmark_node *n) {
  cmark_node_type t = cmark_node_get_type(n);
  if (t == CMARK_NODE_TEXT || t == CMARK_NODE_HTML_INLINE) {
    const char *s = cmark_node_get_literal(n);
    return !s || !s[0];
  }
  return false;
}

/* The character a node's rendering starts (or ends) with. */
static edge node_edge(cmark_node *n, bool last) {
  cmark_node_type t = cmark_node_get_type(n);
  if (t == CMARK_NODE_TEXT) {
    const char *s = cmark_node_get_literal(n);
    return classify(utf8_edge(s, strlen(s), last));
  }
  if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
    return (edge){CH_WS, 0};
  if (is_span(n)) {
    const delims *d = cmark_node_get_user_data(n);
    if (!d) /* not chosen yet: it will be a delimiter, and avoid ours */
      return (edge){CH_PUNCT, '?'};
    const char *s = last ? d->close : d->open;
    char c = last ? s[strlen(s) - 1] : s[0];
    return (edge){CH_PUNCT, c == '*' || c == '_' ? c : 0};
  }
  /* Links, images, code, raw HTML, footnote references, strikethrough:
   * brackets, backticks, angle brackets, tildes — punctuation. */
  return (edge){CH_PUNCT, 0};
}

/* What stands just before (or after) a span. */
static edge beside(cmark_node *n, bool after) {
  cmark_node *s = after ? cmark_node_next(n) : cmark_node_previous(n);
  while (s && renders_empty(s))
    s = after ? cmark_node_next(s) : cmark_node_previous(s);
  if (s)
    return node_edge(s, !after);
  cmark_node *p = cmark_node_parent(n);
  if (!p ||
      (cmark_node_get_type(p) & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK)
    return (edge){CH_WS, 0}; /* a line's start or end */
  if (is_span(p)) {          /* chosen already: parents come first */
    const delims *d = cmark_node_get_user_data(p);
    const char *ds = after ? d->close : d->open;
    char c = after ? ds[0] : ds[strlen(ds) - 1];
    return (edge){CH_PUNCT, c == '*' || c == '_' ? c : 0};
  }
  return (edge){CH_PUNCT, 0}; /* a link's bracket, a tilde */
}

static edge inner_edge(cmark_node *n, bool last) {
  cmark_node *c = last ? cmark_node_last_child(n) : cmark_node_first_child(n);
  while (c && renders_empty(c))
    c = last ? cmark_node_previous(c) : cmark_node_next(c);
  return c ? node_edge(c, last) : (edge){CH_WS, 0};
}

static bool left_flanking(edge before, edge after) {
  return after.cls != CH_WS &&
         (after.cls != CH_PUNCT || before.cls != CH_OTHER);
}

static bool right_flanking(edge before, edge after) {
  return before.cls != CH_WS &&
         (before.cls != CH_PUNCT || after.cls != CH_OTHER);
}

/* Whether delimiter character `c` opens between `b` and `a`, or closes. */
static bool can_open(char c, edge b, edge a) {
  if (b.delim == c || a.delim == c || a.delim == '?' || !left_flanking(b, a))
    return false;
  return c == '*' || !right_flanking(b, a) || b.cls == CH_PUNCT;
}

static bool can_close(char c, edge b, edge a) {
  if (b.delim == c || a.delim == c || b.delim == '?' || !right_flanking(b, a))
    return false;
  return c == '*' || !left_flanking(b, a) || a.cls == CH_PUNCT;
}

static const delims *choose(cmark_node *n) {
  bool strong = cmark_node_get_type(n) == CMARK_NODE_STRONG;
  edge pre = beside(n, false), first = inner_edge(n, false),
       last = inner_edge(n, true), post = beside(n, true);
  /* An undecided child will avoid our character; it is punctuation. */
  if (first.delim == '?')
    first.delim = 0;
  if (last.delim == '?')
    last.delim = 0;
  for (int k = 0; k < 2; k++) {
    char c = k ? '_' : '*';
    if (can_open(c, pre, first) && can_close(c, last, post))
      return strong ? (k ? &D_ST_UND : &D_ST_STAR)
                    : (k ? &D_EM_UND : &D_EM_STAR);
  }
  return strong ? &D_ST_HTML : &D_EM_HTML;
}

/*
 * Chooses every span's delimiters, parents before children, left to right,
 * then rewrites each span as its delimiters around its content.
 */
static int choose_delimiters(cmark_node *root) {
  cmark_node **spans = NULL;
  size_t n = 0, cap = 0;
  int rc = GALLEY_OK;
  cmark_iter *it = cmark_iter_new(root);
  cmark_event_type ev;
  while (!rc && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *s = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || !is_span(s))
      continue;
    cmark_node_set_user_data(s, (void *)choose(s));
    rc = drop_later(s, &spans, &n, &cap);
  }
  cmark_iter_free(it);
  /* As raw inlines around the content (a pipe table's cell holds no
   * custom inline), which the renderer writes as they are. */
  for (size_t i = 0; i < n && !rc; i++) {
    const delims *d = cmark_node_get_user_data(spans[i]);
    cmark_node *open = new_literal(CMARK_NODE_HTML_INLINE, d->open),
               *close = new_literal(CMARK_NODE_HTML_INLINE, d->close);
    if (!open || !close || !cmark_node_insert_before(spans[i], open) ||
        !cmark_node_insert_after(spans[i], close)) {
      cmark_node_free(open);
      cmark_node_free(close);
      rc = GALLEY_ENOMEM;
      break;
    }
    cmark_node *c;
    while ((c = cmark_node_first_child(spans[i])) != NULL)
      cmark_node_insert_before(close, c);
  }
  for (size_t i = 0; i < n; i++)
    if (!cmark_node_first_child(spans[i]))
      cmark_node_free(spans[i]);
  free(spans);
  return rc;
}

/* Standalone: the title as a level-1 heading and the credits (byline,
 * humane date, site: galley_doc_credits) in emphasis under it, before the
 * body, unless the body's first heading is the title. The renderer
 * escapes them. */
static int title_block(const galley_doc *doc, cmark_node *root) {
  const char *title = galley_doc_get_meta(doc, GALLEY_META_TITLE);
  if (!title || !*title || galley_doc_shows_title(doc))
    return GALLEY_OK;
  /* cmark's allocator aborts when memory runs out, and these nodes always
   * nest: none of the calls below can fail. */
  cmark_node *h = cmark_node_new(CMARK_NODE_HEADING);
  cmark_node_set_heading_level(h, 1);
  cmark_node_append_child(h, new_literal(CMARK_NODE_TEXT, title));
  char *credits = galley_doc_credits(doc, true);
  if (credits) {
    cmark_node *p = cmark_node_new(CMARK_NODE_PARAGRAPH);
    cmark_node *e = cmark_node_new(CMARK_NODE_EMPH);
    cmark_node_append_child(e, new_literal(CMARK_NODE_TEXT, credits));
    cmark_node_append_child(p, e);
    cmark_node_prepend_child(root, p);
    free(credits);
  }
  cmark_node_prepend_child(root, h);
  return GALLEY_OK;
}

int md_write(galley_job *job, const galley_doc *doc, galley_sink *out) {
  writer w = {.job = job, .ext = md_extensions_get()};
  w.gfm = galley_job_option_bool(job, "gfm", true);
  w.unsafe = galley_job_option_bool(job, "unsafe", false);
  long width = galley_job_option_int(job, "wrap", 0);
  w.width = width < 0 ? 0 : width > INT_MAX ? INT_MAX : (int)width;
  cmark_node *root = cmark_node_new(CMARK_NODE_DOCUMENT);
  int rc = push_frame(&w, (frame){.cm = root, .mode = MODE_FLOW});
  galley_citer it;
  galley_event ev;
  galley_citer_init(&it, galley_doc_root_const(doc));
  size_t steps = 0;
  while (!rc && (ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *g = galley_citer_node(&it);
    if (ev == GALLEY_EVENT_ENTER) {
      rc = enter_node(&w, g);
      if (!rc && galley_kind_is_leaf(galley_node_kind(g)))
        continue;
    } else {
      rc = leave_node(&w);
    }
    if (!rc && (++steps & 4095) == 0 && galley_job_cancelled(job))
      rc = GALLEY_ECANCELLED;
  }
  /* After a failure, frames may still own detached documents. */
  while (w.n_frames > 1) {
    frame *f = &w.frames[--w.n_frames];
    if (f->owned)
      cmark_node_free(f->cm);
  }
  for (size_t i = 0; i < w.n_tables; i++)
    free(w.tables[i].html.data);
  free(w.tables);
  free(w.frames);
  if (!rc && w.defused)
    galley_job_warn(job,
                    "%zu links, images or raw HTML tags that could run script "
                    "defused (-O unsafe=true keeps them as they are)",
                    w.defused);
  if (!rc && galley_job_option_bool(job, "standalone", false) &&
      galley_job_option_bool(job, "title-block", true))
    rc = title_block(doc, root);
  if (!rc)
    rc = tidy_whitespace(root);
  if (!rc)
    rc = choose_delimiters(root);
  if (!rc && galley_job_option_bool(job, "standalone", false))
    rc = md_front_matter_write(doc, out);
  if (!rc)
    rc = md_render(root, out, w.width);
  cmark_node_free(root);
  return rc;
}
