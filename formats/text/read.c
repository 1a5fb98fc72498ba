/* The text reader: plain UTF-8 text into the tree.
 *
 * Lines are read once, front to back, with a stack of open containers
 * (block quotes "> ", list items, footnote definitions "[^label] ") in the
 * manner of cmark's block parser: each line first continues the open
 * containers it can, then may open new ones, then adds to the one open leaf
 * (a paragraph, an indented code block or a table). Nothing recurses, so
 * nesting costs a stack entry, checked against the job's max_depth.
 *
 * What the reader recognizes:
 *   - paragraphs: blocks of lines between blank lines; the hard-wrapped
 *     lines are kept as TEXT joined by SOFT_BREAK;
 *   - headings underlined with = - ~ ^ " ' (levels 1 to 6), one line of text
 *     above an underline of at least three characters;
 *   - lists: "- ", "* ", "• " bullets, "1. ", "1) " and "[1] " numbers
 *     (at most three digits), nested by indentation, "[ ]"/"[x]" tasks; a
 *     list is tight unless a blank line separates two of its items;
 *   - block quotes ("> "), indented code (four spaces, verbatim), thematic
 *     breaks ("* * *", "---" on their own), simple tables (a header line
 *     over runs of dashes, one run per column, or rows between two such
 *     lines), footnotes ("[^label] text" defines, "[^label]" refers);
 *   - bare URLs (http://, https://, ftp://, www.) become links.
 * A line indented four or more that runs straight into unindented lines is
 * a paragraph with an indented first line, not code; one or two short lines
 * of words indented ten or more are a centred title or heading, not code.
 * When every line is indented, the common indentation is ignored.
 *
 * With structure=true (the default) recover.c then finds the title, byline,
 * date and source of a scraped article and its subheadings. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

#define TAB_STOP 4
#define MAX_LABEL 64

/* A piece of a line: `pad` virtual spaces (what is left of a tab that an
 * indentation only partly used), then `len` bytes at `p`. */
typedef struct span {
  const char *p;
  size_t len;
  size_t pad;
} span;

/* The reading position in the current line, in bytes and in columns. */
typedef struct cursor {
  const char *s;
  size_t len;
  size_t pos;
  size_t col; /* column where the virtual pad spaces begin */
  size_t pad;
} cursor;

enum { C_DOC, C_QUOTE, C_LIST, C_ITEM, C_NOTE };

typedef struct cont {
  int type;
  galley_node *node;
  size_t content; /* ITEM, NOTE: indentation that continues them */
  bool ordered;   /* LIST */
  char delim;     /* LIST: '.', ')', '[' for ordered, '-' for bullets */
  size_t nblocks; /* blocks started directly inside */
} cont;

enum { L_NONE, L_PARA, L_CODE, L_TABLE };

enum { BS_NONE, BS_QUOTE, BS_HR, BS_ITEM, BS_NOTE, BS_TABLE };

typedef struct marker {
  bool ordered;
  char delim;
  int start;
  size_t bytes; /* bytes of the marker itself */
  bool empty;   /* nothing after it on the line */
} marker;

typedef struct reader {
  galley_job *job;
  galley_doc *doc;
  size_t max_depth;
  int status;

  cont *stack;
  size_t depth, stack_cap;

  int leaf;
  int leaf_line;
  span *lines;
  size_t nlines, lines_cap;
  size_t blanks; /* CODE: blank lines waiting for more code */

  size_t *cols; /* TABLE: start, end column of each dash run */
  size_t ncols, cols_cap;
  bool table_header;

  bool last_blank;
  size_t base; /* indentation common to every line, when 4 or more */
  int line_no;

  tmap notes; /* footnote labels that have a definition */
  galley_buf scratch;

  txt_block *blocks;
  size_t nblocks, blocks_cap;
  bool explicit_sub; /* an underline made a heading of level 2 or more */
} reader;

/* ---- Cursor ----------------------------------------------------------------
 */

static bool is_space(char c) { return c == ' ' || c == '\t'; }

/* Columns of indentation at the cursor; *first: the first other byte. */
static size_t indent_at(const cursor *c, size_t *first) {
  size_t cols = c->pad, col = c->col + c->pad, i = c->pos;
  while (i < c->len && is_space(c->s[i])) {
    size_t w = c->s[i] == '\t' ? TAB_STOP - col % TAB_STOP : 1;
    cols += w;
    col += w;
    i++;
  }
  *first = i;
  return cols;
}

/* Consumes `n` columns of indentation (spaces, tabs, pad). */
static void advance_cols(cursor *c, size_t n) {
  while (n > 0) {
    if (c->pad) {
      size_t take = c->pad < n ? c->pad : n;
      c->pad -= take;
      c->col += take;
      n -= take;
      continue;
    }
    if (c->pos >= c->len || !is_space(c->s[c->pos]))
      return;
    size_t w = c->s[c->pos] == '\t' ? TAB_STOP - c->col % TAB_STOP : 1;
    c->pos++;
    if (w <= n) {
      c->col += w;
      n -= w;
    } else {
      c->col += n;
      c->pad = w - n;
      n = 0;
    }
  }
}

/* Consumes `n` bytes (after any pad), in display columns. */
static void advance_bytes(cursor *c, size_t n) {
  c->col += c->pad + galley_display_width(c->s + c->pos, n);
  c->pad = 0;
  c->pos += n;
}

static span rest_of(const cursor *c) {
  return (span){c->s + c->pos, c->len - c->pos, c->pad};
}

static span trim_span(span s) {
  while (s.len && is_space(*s.p))
    s.p++, s.len--;
  while (s.len && is_space(s.p[s.len - 1]))
    s.len--;
  s.pad = 0;
  return s;
}

/* ---- Small helpers
 * ----------------------------------------------------------- */

static int oom(reader *r) {
  if (r->status == GALLEY_OK)
    r->status = galley_job_error(r->job, GALLEY_ENOMEM, "out of memory");
  return r->status;
}

static bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static galley_node *new_node(reader *r, galley_kind kind, int line) {
  galley_node *n = galley_doc_new_node(r->doc, kind);
  if (!n) {
    oom(r);
    return NULL;
  }
  if (line > 0)
    galley_node_set_line(n, line);
  return n;
}

static int append(reader *r, galley_node *parent, galley_node *child) {
  int rc = galley_node_append_child(parent, child);
  if (rc != GALLEY_OK && r->status == GALLEY_OK)
    r->status = galley_job_error(r->job, rc, "cannot place a %s in a %s",
                                 galley_kind_name(galley_node_kind(child)),
                                 galley_kind_name(galley_node_kind(parent)));
  return rc;
}

/* ---- Inlines
 * ------------------------------------------------------------------ */

static int add_text(reader *r, galley_node *parent, const char *s, size_t n) {
  if (!n)
    return GALLEY_OK;
  galley_node *t = galley_doc_new_text(r->doc, s, n);
  if (!t)
    return oom(r);
  return append(r, parent, t);
}

/* Length of a bare URL at s[0..n) (scheme or "www."), 0 when there is none.
 * Trailing punctuation belongs to the sentence, and a closing bracket only
 * to the URL when the URL opened it. */
static size_t url_len(const char *s, size_t n, bool *www) {
  static const char *const schemes[] = {"https://", "http://", "ftp://",
                                        "www."};
  size_t skip = 0;
  for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++) {
    size_t l = strlen(schemes[k]);
    if (n > l && strncasecmp(s, schemes[k], l) == 0) {
      skip = l;
      *www = k == 3;
      break;
    }
  }
  if (!skip)
    return 0;
  size_t j = skip;
  while (j < n) {
    unsigned char c = (unsigned char)s[j];
    if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`')
      break;
    j++;
  }
  /* Count the brackets once: a URL of a million ")" must stay linear. */
  long paren_bal = 0, bracket_bal = 0; /* opened minus closed */
  for (size_t k = skip; k < j; k++) {
    paren_bal += s[k] == '(' ? 1 : s[k] == ')' ? -1 : 0;
    bracket_bal += s[k] == '[' ? 1 : s[k] == ']' ? -1 : 0;
  }
  for (;;) {
    if (j <= skip)
      return 0;
    char c = s[j - 1];
    if (strchr(".,:;!?'*_", c)) {
      j--;
      continue;
    }
    if ((c == ')' && paren_bal < 0) || (c == ']' && bracket_bal < 0)) {
      /* More closed than opened: this one closes the sentence's bracket. */
      if (c == ')')
        paren_bal++;
      else
        bracket_bal++;
      j--;
      continue;
    }
    break;
  }
  bool alnum = false, dot = false;
  for (size_t k = skip; k < j; k++) {
    alnum |= is_alnum((unsigned char)s[k]);
    dot |= s[k] == '.';
  }
  if (!alnum || (*www && !dot))
    return 0;
  return j;
}

/* Text with bare URLs made links and known "[^label]" made footnote refs. */
static int add_inlines(reader *r, galley_node *parent, const char *s,
                       size_t n) {
  size_t t = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if ((c == 'h' || c == 'H' || c == 'f' || c == 'F' || c == 'w' ||
         c == 'W') &&
        (i == 0 || !is_alnum((unsigned char)s[i - 1]))) {
      bool www = false;
      size_t l = url_len(s + i, n - i, &www);
      if (!l)
        continue;
      if (add_text(r, parent, s + t, i - t) != GALLEY_OK)
        return r->status;
      galley_node *link = new_node(r, GALLEY_NODE_LINK, 0);
      if (!link)
        return r->status;
      galley_buf *u = &r->scratch;
      galley_buf_clear(u);
      if (www)
        galley_buf_puts(u, "http://");
      galley_buf_add(u, s + i, l);
      if (u->failed || galley_node_set_url(link, u->data) != GALLEY_OK)
        return oom(r);
      if (append(r, parent, link) != GALLEY_OK ||
          add_text(r, link, s + i, l) != GALLEY_OK)
        return r->status;
      i += l - 1;
      t = i + 1;
    } else if (c == '[' && r->notes.count && i + 2 < n && s[i + 1] == '^') {
      size_t j = i + 2;
      while (j < n && j - i <= MAX_LABEL && s[j] != ']' && s[j] != '[' &&
             !is_space(s[j]))
        j++;
      if (j >= n || s[j] != ']' || j == i + 2 ||
          !tmap_get(&r->notes, s + i + 2, j - i - 2))
        continue;
      if (add_text(r, parent, s + t, i - t) != GALLEY_OK)
        return r->status;
      galley_node *ref = new_node(r, GALLEY_NODE_FOOTNOTE_REF, 0);
      if (!ref)
        return r->status;
      char *label = galley_doc_strndup(r->doc, s + i + 2, j - i - 2);
      if (!label || galley_node_set_label(ref, label) != GALLEY_OK)
        return oom(r);
      if (append(r, parent, ref) != GALLEY_OK)
        return r->status;
      i = j;
      t = j + 1;
    }
  }
  add_text(r, parent, s + t, n - t);
  return r->status;
}

/* ---- Leaves
 * ------------------------------------------------------------------- */

static cont *top(reader *r) { return &r->stack[r->depth - 1]; }

/* Remembers a block that starts directly in the document. */
static int record_at(reader *r, bool toplevel, galley_node *node, size_t nlines,
                     size_t width, const char *text, size_t text_len) {
  if (!toplevel)
    return GALLEY_OK;
  if (galley_array_grow((void **)&r->blocks, &r->blocks_cap, r->nblocks + 1,
                        sizeof *r->blocks) != GALLEY_OK)
    return oom(r);
  galley_kind k = galley_node_kind(node);
  r->blocks[r->nblocks++] =
      (txt_block){node,
                  k,
                  k == GALLEY_NODE_HEADING ? galley_node_get_level(node) : 0,
                  nlines,
                  width,
                  text,
                  text_len};
  return GALLEY_OK;
}

/* A leaf when it is finished: its container is the top of the stack. */
static int record(reader *r, galley_node *node, size_t nlines, size_t width,
                  const char *text, size_t text_len) {
  return record_at(r, r->depth == 1, node, nlines, width, text, text_len);
}

static int add_line(reader *r, span s) {
  if (galley_array_grow((void **)&r->lines, &r->lines_cap, r->nlines + 1,
                        sizeof *r->lines) != GALLEY_OK)
    return oom(r);
  r->lines[r->nlines++] = s;
  return GALLEY_OK;
}

/* A block starts directly in the top container. (Blank lines between the
 * blocks of one item leave its list tight: only blank lines between items
 * make a list loose, which is how the writer tells the two apart.) */
static void block_started(reader *r) { top(r)->nblocks++; }

static void start_leaf(reader *r, int type) {
  block_started(r);
  r->leaf = type;
  r->leaf_line = r->line_no;
  r->nlines = 0;
  r->blanks = 0;
}

/* Columns of `n` bytes with each run of spaces and tabs counted as one:
 * what the text measures once the writer has rewrapped it. */
static size_t collapsed_width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++) {
    if (is_space(s[i]) && i > 0 && is_space(s[i - 1]))
      continue;
    size_t k = i + 1;
    while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
      k++;
    w += galley_display_width(s + i, k - i);
    i = k - 1;
  }
  return w;
}

static int finish_para(reader *r) {
  galley_node *p = new_node(r, GALLEY_NODE_PARAGRAPH, r->leaf_line);
  if (!p || append(r, top(r)->node, p) != GALLEY_OK)
    return r->status;
  size_t width = 0;
  span first = {NULL, 0, 0};
  for (size_t i = 0; i < r->nlines; i++) {
    span s = trim_span(r->lines[i]);
    if (i == 0)
      first = s;
    if (i > 0) {
      galley_node *br = new_node(r, GALLEY_NODE_SOFT_BREAK, 0);
      if (!br || append(r, p, br) != GALLEY_OK)
        return r->status;
      width++;
    }
    if (add_inlines(r, p, s.p, s.len) != GALLEY_OK)
      return r->status;
    width += collapsed_width(s.p, s.len);
  }
  return record(r, p, r->nlines, width, r->nlines == 1 ? first.p : NULL,
                r->nlines == 1 ? first.len : 0);
}

/* One or two short lines indented far (ten columns or more) that hold
 * words and none of the characters code is made of: a centred title or
 * heading of a plain-text document, not code. */
static bool centred_lines(const reader *r) {
  if (r->nlines == 0 || r->nlines > 2)
    return false;
  for (size_t i = 0; i < r->nlines; i++) {
    span ln = r->lines[i];
    size_t lead = 0;
    while (lead < ln.len && is_space(ln.p[lead]))
      lead++;
    if (ln.pad + lead < 6 || ln.len - lead > 80 || lead == ln.len)
      return false;
    bool letter = false;
    for (size_t k = lead; k < ln.len; k++) {
      unsigned char c = (unsigned char)ln.p[k];
      if (strchr("{}();=<>[]$#/\\|*_`~^@%&+", c))
        return false;
      letter |= (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0xC0;
    }
    if (!letter)
      return false;
  }
  return true;
}

static int finish_para(reader *r);

static int finish_code(reader *r) {
  if (centred_lines(r))
    return finish_para(r);
  galley_node *code = new_node(r, GALLEY_NODE_CODE_BLOCK, r->leaf_line);
  if (!code || append(r, top(r)->node, code) != GALLEY_OK)
    return r->status;
  galley_buf *b = &r->scratch;
  galley_buf_clear(b);
  for (size_t i = 0; i < r->nlines; i++) {
    galley_buf_repeat(b, ' ', r->lines[i].pad);
    galley_buf_add(b, r->lines[i].p, r->lines[i].len);
    galley_buf_putc(b, '\n');
  }
  if (b->failed || galley_node_set_literal_n(code, b->data, b->len) != 0)
    return oom(r);
  return record(r, code, r->nlines, 0, NULL, 0);
}

/* Byte offsets where each column of a table row begins: the row is cut at
 * the columns where the dash runs begin. */
static void cut_row(span ln, const size_t *cols, size_t ncols, size_t *cut) {
  size_t col = ln.pad, i = 0;
  cut[0] = 0;
  for (size_t k = 1; k < ncols; k++) {
    while (i < ln.len && col < cols[2 * k]) {
      size_t n = txt_seq_len((unsigned char)ln.p[i]);
      if (n > ln.len - i)
        n = ln.len - i;
      col += galley_display_width(ln.p + i, n); /* a wide character: 2 */
      i += n;
    }
    cut[k] = i < ln.len ? i : ln.len;
  }
  cut[ncols] = ln.len;
}

static int finish_table(reader *r) {
  if (r->nlines == 0) {
    /* Dashes with nothing under them: a rule, not a table. */
    galley_node *hr = new_node(r, GALLEY_NODE_THEMATIC_BREAK, r->leaf_line);
    if (!hr || append(r, top(r)->node, hr) != GALLEY_OK)
      return r->status;
    return record(r, hr, 0, 0, NULL, 0);
  }
  galley_node *table = new_node(r, GALLEY_NODE_TABLE, r->leaf_line);
  if (!table || append(r, top(r)->node, table) != GALLEY_OK)
    return r->status;
  size_t n = r->ncols;
  size_t *cut = malloc((n + 1) * sizeof *cut);
  galley_align *align = calloc(n, sizeof *align);
  if (!cut || !align) {
    free(cut);
    free(align);
    return oom(r);
  }
  /* Widths run from the start of the line, column after column: measured
   * from there each time, 8,000 columns took 0.7 s and 18,000 two (found by
   * tests/hostile/superlinear.py). */
  if (r->table_header) {
    /* Alignment shows in the header: flush right only is right, flush with
     * neither side is centred, flush left (the default) says nothing. */
    span h = r->lines[0];
    cut_row(h, r->cols, n, cut);
    size_t done = 0, col0 = h.pad;
    for (size_t k = 0; k < n; k++) {
      size_t a = cut[k], b = cut[k + 1];
      col0 += galley_display_width(h.p + done, a - done);
      done = a;
      size_t lead = 0;
      while (a + lead < b && is_space(h.p[a + lead]))
        lead++;
      size_t tail = b;
      while (tail > a + lead && is_space(h.p[tail - 1]))
        tail--;
      if (a + lead >= tail)
        continue;
      size_t start = col0 + galley_display_width(h.p + a, lead);
      size_t end = start + galley_display_width(h.p + a + lead, tail - a - lead);
      bool left = start <= r->cols[2 * k];
      bool right = end >= r->cols[2 * k + 1];
      align[k] = right && !left    ? GALLEY_ALIGN_RIGHT
                 : !right && !left ? GALLEY_ALIGN_CENTER
                                   : GALLEY_ALIGN_NONE;
    }
  }
  /* A column whose header says nothing about alignment (empty, or no
   * header row) is right-aligned when its cells all end flush right and
   * some do not start flush left. Each column is judged down its rows until
   * one settles it; the rows are cut once each. A table of more cells than
   * the node limit will fail at that limit: it is not judged. */
  size_t max_nodes = galley_job_limits(r->job)->max_nodes;
  enum { OPEN = 0, RIGHT = 1, RAGGED = 2, ANY = 4, SETTLED = 8 };
  unsigned char *judge = NULL;
  if (!max_nodes || (double)n * (double)r->nlines <= (double)max_nodes) {
    judge = calloc(n ? n : 1, 1);
    if (!judge) {
      free(cut);
      free(align);
      return oom(r);
    }
  }
  size_t from = r->table_header ? 1 : 0;
  for (size_t k = 0; judge && k < n; k++)
    judge[k] = align[k] != GALLEY_ALIGN_NONE ? SETTLED : RIGHT;
  for (size_t i = 0; judge && i < r->nlines; i++) {
    span ln = r->lines[i];
    cut_row(ln, r->cols, n, cut);
    size_t done = 0, width = ln.pad;
    for (size_t k = 0; k < n; k++) {
      if (judge[k] & SETTLED)
        continue;
      size_t a = cut[k], b = cut[k + 1];
      size_t lead = 0;
      while (a + lead < b && is_space(ln.p[a + lead]))
        lead++;
      size_t tail = b;
      while (tail > a + lead && is_space(ln.p[tail - 1]))
        tail--;
      if (a + lead >= tail)
        continue;
      if (i < from) {
        judge[k] = SETTLED; /* the header has text: it decided */
        continue;
      }
      width += galley_display_width(ln.p + done, a + lead - done);
      done = a + lead;
      size_t start = width;
      size_t end = start + galley_display_width(ln.p + a + lead, tail - a - lead);
      judge[k] |= ANY;
      if (start > r->cols[2 * k])
        judge[k] |= RAGGED;
      if (end < r->cols[2 * k + 1])
        judge[k] = (unsigned char)((judge[k] & ~RIGHT) | SETTLED);
    }
  }
  for (size_t k = 0; judge && k < n; k++)
    if (align[k] == GALLEY_ALIGN_NONE &&
        (judge[k] & (RIGHT | RAGGED | ANY)) == (RIGHT | RAGGED | ANY))
      align[k] = GALLEY_ALIGN_RIGHT;
  free(judge);
  for (size_t i = 0; i < r->nlines && r->status == GALLEY_OK; i++) {
    bool head = r->table_header && i == 0;
    galley_node *row = new_node(r, GALLEY_NODE_TABLE_ROW, 0);
    if (!row || append(r, table, row) != GALLEY_OK)
      break;
    if (head)
      galley_node_set_row_part(row, GALLEY_ROW_HEAD);
    span ln = r->lines[i];
    cut_row(ln, r->cols, n, cut);
    for (size_t k = 0; k < n; k++) {
      galley_node *cell = new_node(r, GALLEY_NODE_TABLE_CELL, 0);
      if (!cell || append(r, row, cell) != GALLEY_OK)
        break;
      if (head)
        galley_node_set_cell_header(cell, true);
      if (align[k] != GALLEY_ALIGN_NONE)
        galley_node_set_cell_align(cell, align[k]);
      span c = trim_span((span){ln.p + cut[k], cut[k + 1] - cut[k], 0});
      if (add_inlines(r, cell, c.p, c.len) != GALLEY_OK)
        break;
    }
  }
  free(cut);
  free(align);
  if (r->status != GALLEY_OK)
    return r->status;
  return record(r, table, r->nlines, 0, NULL, 0);
}

static int close_leaf(reader *r) {
  int leaf = r->leaf;
  r->leaf = L_NONE;
  int rc = GALLEY_OK;
  if (leaf == L_PARA)
    rc = finish_para(r);
  else if (leaf == L_CODE)
    rc = finish_code(r);
  else if (leaf == L_TABLE)
    rc = finish_table(r);
  r->nlines = 0;
  r->blanks = 0;
  return rc;
}

/* The one-line paragraph above an underline becomes a heading. */
static int make_heading(reader *r, int level) {
  galley_node *h = new_node(r, GALLEY_NODE_HEADING, r->leaf_line);
  if (!h)
    return r->status;
  galley_node_set_level(h, level);
  if (append(r, top(r)->node, h) != GALLEY_OK)
    return r->status;
  span s = trim_span(r->lines[0]);
  r->leaf = L_NONE;
  r->nlines = 0;
  if (add_inlines(r, h, s.p, s.len) != GALLEY_OK)
    return r->status;
  if (level >= 2)
    r->explicit_sub = true;
  return record(r, h, 1, collapsed_width(s.p, s.len), s.p, s.len);
}

static int add_break(reader *r) {
  block_started(r);
  galley_node *hr = new_node(r, GALLEY_NODE_THEMATIC_BREAK, r->line_no);
  if (!hr || append(r, top(r)->node, hr) != GALLEY_OK)
    return r->status;
  return record(r, hr, 0, 0, NULL, 0);
}

/* ---- Line classification
 * ------------------------------------------------------- */

/* Heading level of an underline (one character, three or more times), or 0. */
static int underline_level(const char *s, size_t n) {
  static const char levels[] = "=-~^\"'";
  if (n < 3)
    return 0;
  const char *at = strchr(levels, s[0]);
  if (!at || !s[0])
    return 0;
  for (size_t i = 1; i < n; i++)
    if (s[i] != s[0])
      return 0;
  return (int)(at - levels) + 1;
}

/* A thematic break: three or more of one of - * _ = with only spaces between.
 */
static bool is_rule(const char *s, size_t n) {
  char c = n ? s[0] : 0;
  if (c != '-' && c != '*' && c != '_' && c != '=')
    return false;
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == c)
      count++;
    else if (!is_space(s[i]))
      return false;
  }
  return count >= 3;
}

/* Two or more runs of at least three dashes separated by spaces: the line
 * under a table's header. Returns the number of runs (0: not such a line)
 * and, when `cols` is not NULL, stores each run's start and end column. */
static size_t count_runs(span ln, size_t *cols) {
  size_t runs = 0, col = ln.pad;
  size_t i = 0;
  while (i < ln.len) {
    if (ln.p[i] == ' ') {
      i++, col++;
      continue;
    }
    if (ln.p[i] != '-')
      return 0;
    size_t start = col;
    while (i < ln.len && ln.p[i] == '-')
      i++, col++;
    if (col - start < 3)
      return 0;
    if (cols) {
      cols[2 * runs] = start;
      cols[2 * runs + 1] = col;
    }
    runs++;
  }
  return runs >= 2 ? runs : 0;
}

/* count_runs, keeping the columns for the table being read. */
static bool dash_runs(reader *r, span ln) {
  size_t runs = count_runs(ln, NULL);
  if (!runs)
    return false;
  if (galley_array_grow((void **)&r->cols, &r->cols_cap, 2 * runs,
                        sizeof *r->cols) != GALLEY_OK) {
    oom(r);
    return false;
  }
  r->ncols = count_runs(ln, r->cols);
  return true;
}

static bool parse_marker(const char *s, size_t n, marker *m) {
  size_t i = 0;
  *m = (marker){0};
  if (n >= 1 && (s[0] == '-' || s[0] == '*')) {
    i = 1;
    m->delim = '-';
  } else if (n >= 3 && memcmp(s, "\xe2\x80\xa2", 3) == 0) {
    i = 3;
    m->delim = '-';
  } else {
    bool bracket = s[0] == '[';
    size_t d = bracket ? 1 : 0, j = d;
    int num = 0;
    while (j < n && j - d < 3 && s[j] >= '0' && s[j] <= '9')
      num = num * 10 + (s[j++] - '0');
    if (j == d || j >= n)
      return false;
    if (bracket ? s[j] != ']' : (s[j] != '.' && s[j] != ')'))
      return false;
    m->ordered = true;
    m->delim = bracket ? '[' : s[j];
    m->start = num;
    i = j + 1;
  }
  if (i < n && !is_space(s[i]))
    return false;
  m->bytes = i;
  size_t k = i;
  while (k < n && is_space(s[k]))
    k++;
  m->empty = k >= n;
  return true;
}

/* "[^label]" (optionally with a colon) then a space or the end: the byte
 * length of the definition's marker, or 0. */
static size_t note_marker(const char *s, size_t n, size_t *label_len) {
  if (n < 4 || s[0] != '[' || s[1] != '^')
    return 0;
  size_t j = 2;
  while (j < n && j - 2 < MAX_LABEL && s[j] != ']' && s[j] != '[' &&
         !is_space(s[j]))
    j++;
  if (j >= n || s[j] != ']' || j == 2)
    return 0;
  *label_len = j - 2;
  j++;
  if (j < n && s[j] == ':')
    j++;
  if (j < n && !is_space(s[j]))
    return 0;
  return j;
}

/* What new block, if any, the line at the cursor starts. `in_para`: a
 * paragraph is open, so only what may interrupt one counts. */
static int block_start(reader *r, const cursor *c, bool in_para, marker *m) {
  size_t first;
  size_t ind = indent_at(c, &first);
  const char *s = c->s + first;
  size_t n = c->len - first;
  if (n == 0)
    return BS_NONE;
  if (ind <= 3 && s[0] == '>')
    return BS_QUOTE;
  if (ind <= 3 && !in_para && s[0] == '-' && dash_runs(r, rest_of(c)))
    return BS_TABLE;
  /* Deeper than three columns a rule still is one (not code), as a list
   * marker still is one: "- * * *" is an item holding a rule. */
  if ((ind <= 3 || !in_para) && is_rule(s, n))
    return BS_HR;
  size_t label_len;
  if (ind <= 3 && r->depth == 1 && r->notes.count &&
      note_marker(s, n, &label_len))
    return BS_NOTE;
  if (parse_marker(s, n, m)) {
    /* In running text "1984." or "- " at a line's start is more likely
     * prose; inside a list item a nested list may start anywhere. */
    if (in_para && top(r)->type != C_ITEM &&
        (m->empty || (m->ordered && m->start != 1)))
      return BS_NONE;
    return BS_ITEM;
  }
  return BS_NONE;
}

/* The line holds the next item of a list that is open but was not matched
 * (so "2." after "1. first" ends the first item rather than continuing its
 * paragraph, though a "2." could not interrupt a paragraph). */
static bool continues_list(reader *r, const cursor *c, size_t matched) {
  size_t first;
  indent_at(c, &first);
  marker m;
  if (!parse_marker(c->s + first, c->len - first, &m))
    return false;
  /* A list always matches; its item is the first container missed. */
  for (size_t k = matched - 1; k < r->depth; k++)
    if (r->stack[k].type == C_LIST && r->stack[k].ordered == m.ordered &&
        r->stack[k].delim == m.delim)
      return true;
  return false;
}

/* ---- Containers
 * ----------------------------------------------------------------- */

static int push(reader *r, int type, galley_node *node) {
  /* Room below the container for the deepest leaf: a table's row, cell,
   * link and the link's text. */
  if (r->max_depth && r->depth + 5 > r->max_depth) {
    if (r->status == GALLEY_OK)
      r->status = galley_job_error(
          r->job, GALLEY_ELIMIT,
          "nesting deeper than the limit of %zu levels (max-depth) at line %d",
          r->max_depth, r->line_no);
    return r->status;
  }
  if (galley_array_grow((void **)&r->stack, &r->stack_cap, r->depth + 1,
                        sizeof *r->stack) != GALLEY_OK)
    return oom(r);
  if (append(r, top(r)->node, node) != GALLEY_OK)
    return r->status;
  r->stack[r->depth++] = (cont){type, node, 0, false, 0, 0};
  return GALLEY_OK;
}

/* Consumes a marker of `bytes` bytes at the cursor (after `ind` columns of
 * indentation) and the spaces after it; returns the columns a continuation
 * line must be indented by. */
static size_t consume_marker(cursor *c, size_t ind, size_t bytes) {
  advance_cols(c, ind);
  size_t mcols = galley_display_width(c->s + c->pos, bytes);
  advance_bytes(c, bytes);
  size_t after;
  size_t sp = indent_at(c, &after);
  if (after >= c->len)
    return ind + mcols + 1;
  /* Five or more spaces: the content is indented code; keep one. */
  if (sp >= 5)
    sp = 1;
  advance_cols(c, sp);
  return ind + mcols + sp;
}

static int open_item(reader *r, cursor *c, const marker *m) {
  size_t first;
  size_t ind = indent_at(c, &first);
  cont *t = top(r);
  if (t->type == C_LIST && (t->ordered != m->ordered || t->delim != m->delim)) {
    r->depth--;
    t = top(r);
  }
  if (t->type != C_LIST) {
    bool toplevel = r->depth == 1;
    block_started(r);
    galley_node *list = new_node(r, GALLEY_NODE_LIST, r->line_no);
    if (!list)
      return r->status;
    galley_node_set_list_ordered(list, m->ordered);
    galley_node_set_list_tight(list, true);
    if (m->ordered) {
      galley_node_set_list_start(list, m->start);
      if (m->delim != '.')
        galley_node_set_attr(list, "delim",
                             m->delim == ')' ? "paren" : "bracket");
    }
    if (push(r, C_LIST, list) != GALLEY_OK)
      return r->status;
    t = top(r);
    t->ordered = m->ordered;
    t->delim = m->delim;
    if (record_at(r, toplevel, list, 0, 0, NULL, 0) != GALLEY_OK)
      return r->status;
  } else if (r->last_blank) {
    galley_node_set_list_tight(t->node, false);
  }
  galley_node *item = new_node(r, GALLEY_NODE_ITEM, r->line_no);
  if (!item || push(r, C_ITEM, item) != GALLEY_OK)
    return r->status;
  top(r)->content = consume_marker(c, ind, m->bytes);
  /* A task box right after the marker. */
  const char *s = c->s + c->pos;
  size_t n = c->len - c->pos;
  if (!c->pad && n >= 3 && s[0] == '[' && s[2] == ']' &&
      (s[1] == ' ' || s[1] == 'x' || s[1] == 'X') &&
      (n == 3 || is_space(s[3]))) {
    galley_node_set_task(item,
                         s[1] == ' ' ? GALLEY_TASK_OPEN : GALLEY_TASK_DONE);
    advance_bytes(c, n == 3 ? 3 : 4);
  }
  return GALLEY_OK;
}

static int open_note(reader *r, cursor *c) {
  size_t first, label_len;
  size_t ind = indent_at(c, &first);
  size_t mlen = note_marker(c->s + first, c->len - first, &label_len);
  galley_node *note = new_node(r, GALLEY_NODE_FOOTNOTE, r->line_no);
  if (!note)
    return r->status;
  char *label = galley_doc_strndup(r->doc, c->s + first + 2, label_len);
  if (!label || galley_node_set_label(note, label) != GALLEY_OK)
    return oom(r);
  bool toplevel = r->depth == 1;
  block_started(r);
  if (push(r, C_NOTE, note) != GALLEY_OK)
    return r->status;
  if (record_at(r, toplevel, note, 0, 0, NULL, 0) != GALLEY_OK)
    return r->status;
  top(r)->content = consume_marker(c, ind, mlen);
  return GALLEY_OK;
}

static int open_quote(reader *r, cursor *c) {
  size_t first;
  size_t ind = indent_at(c, &first);
  galley_node *q = new_node(r, GALLEY_NODE_BLOCK_QUOTE, r->line_no);
  if (!q)
    return r->status;
  bool toplevel = r->depth == 1;
  block_started(r);
  if (push(r, C_QUOTE, q) != GALLEY_OK)
    return r->status;
  if (record_at(r, toplevel, q, 0, 0, NULL, 0) != GALLEY_OK)
    return r->status;
  advance_cols(c, ind);
  advance_bytes(c, 1);
  size_t after;
  if (indent_at(c, &after) > 0)
    advance_cols(c, 1);
  return GALLEY_OK;
}

/* ---- One line
 * ------------------------------------------------------------------- */

static int process_line(reader *r, const char *s, size_t len) {
  cursor c = {s, len, 0, 0, 0};
  size_t first;
  size_t ind = indent_at(&c, &first);
  bool blank = first >= len;
  if (r->base && !blank)
    advance_cols(&c, r->base < ind ? r->base : ind);

  /* Continue the open containers that this line continues. */
  size_t matched = 1;
  for (; matched < r->depth; matched++) {
    cont *k = &r->stack[matched];
    ind = indent_at(&c, &first);
    blank = first >= len;
    if (k->type == C_QUOTE) {
      if (blank || ind > 3 || s[first] != '>')
        break;
      advance_cols(&c, ind);
      advance_bytes(&c, 1);
      size_t after;
      if (indent_at(&c, &after) > 0)
        advance_cols(&c, 1);
    } else if (k->type == C_ITEM || k->type == C_NOTE) {
      if (blank)
        continue;
      if (ind < k->content)
        break;
      advance_cols(&c, k->content);
    }
  }
  ind = indent_at(&c, &first);
  blank = first >= len;

  marker m;
  if (matched < r->depth) {
    /* A paragraph goes on through a line that starts nothing new, even
     * when its containers' markers or indentation are missing. */
    if (!blank && r->leaf == L_PARA &&
        block_start(r, &c, true, &m) == BS_NONE &&
        !continues_list(r, &c, matched)) {
      r->last_blank = false;
      return add_line(r, rest_of(&c));
    }
    if (close_leaf(r) != GALLEY_OK)
      return r->status;
    r->depth = matched;
  }

  bool opened = false;
  for (;;) {
    cont *t = top(r);
    ind = indent_at(&c, &first);
    blank = first >= len;
    const char *at = s + first;
    size_t n = len - first;
    if (t->type == C_LIST) {
      /* An open list goes on only with another item of its kind. */
      if (blank || block_start(r, &c, false, &m) != BS_ITEM ||
          m.ordered != t->ordered || m.delim != t->delim) {
        r->depth--;
        continue;
      }
    }
    if (blank) {
      if (r->leaf == L_CODE)
        r->blanks++;
      else if (close_leaf(r) != GALLEY_OK)
        return r->status;
      break;
    }
    if (r->leaf == L_CODE) {
      if (ind >= 4) {
        advance_cols(&c, 4);
        while (r->blanks) {
          r->blanks--;
          if (add_line(r, (span){"", 0, 0}) != GALLEY_OK)
            return r->status;
        }
        if (add_line(r, rest_of(&c)) != GALLEY_OK)
          return r->status;
        break;
      }
      if (r->blanks == 0 && block_start(r, &c, true, &m) == BS_NONE) {
        /* An indented first line that runs on into unindented ones. */
        r->leaf = L_PARA;
        if (add_line(r, rest_of(&c)) != GALLEY_OK)
          return r->status;
        break;
      }
      if (close_leaf(r) != GALLEY_OK)
        return r->status;
    }
    if (r->leaf == L_TABLE) {
      /* Rows run to a blank line or to a closing line of dashes. */
      if (ind <= 3 && count_runs(rest_of(&c), NULL)) {
        if (close_leaf(r) != GALLEY_OK)
          return r->status;
      } else if (add_line(r, rest_of(&c)) != GALLEY_OK) {
        return r->status;
      }
      break;
    }
    if (r->leaf == L_PARA && r->nlines == 1 && ind <= 3) {
      int level = underline_level(at, n);
      if (level) {
        make_heading(r, level);
        break;
      }
      if (at[0] == '-') {
        if (dash_runs(r, rest_of(&c))) {
          r->leaf = L_TABLE;
          r->table_header = true;
          break;
        }
      }
    }
    int bs = block_start(r, &c, r->leaf == L_PARA, &m);
    if (bs != BS_NONE && close_leaf(r) != GALLEY_OK)
      return r->status;
    if (bs == BS_QUOTE) {
      if (open_quote(r, &c) != GALLEY_OK)
        return r->status;
      opened = true;
      continue;
    }
    if (bs == BS_ITEM) {
      if (open_item(r, &c, &m) != GALLEY_OK)
        return r->status;
      opened = true;
      continue;
    }
    if (bs == BS_NOTE) {
      if (open_note(r, &c) != GALLEY_OK)
        return r->status;
      opened = true;
      continue;
    }
    if (bs == BS_HR) {
      add_break(r);
      break;
    }
    if (bs == BS_TABLE) {
      /* dash_runs (called by block_start) left the columns in place. */
      start_leaf(r, L_TABLE);
      r->table_header = false;
      break;
    }
    if (ind >= 4 && r->leaf != L_PARA) {
      start_leaf(r, L_CODE);
      advance_cols(&c, 4);
      add_line(r, rest_of(&c));
      break;
    }
    if (r->leaf != L_PARA) {
      if (close_leaf(r) != GALLEY_OK)
        return r->status;
      start_leaf(r, L_PARA);
    }
    add_line(r, rest_of(&c));
    break;
  }
  /* A line that opened a container (an empty item "51.") is no blank. */
  r->last_blank = blank && !opened;
  return r->status;
}

/* ---- Input
 * ---------------------------------------------------------------------- */

static bool is_utf8_name(const char *e) {
  return strcasecmp(e, "utf-8") == 0 || strcasecmp(e, "utf8") == 0;
}

/* Converts `n` bytes from encoding `from` to UTF-8 with iconv. */
static int to_utf8(galley_job *job, const char *from, const unsigned char *in,
                   size_t n, galley_buf *out) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == (iconv_t)-1) {
    /* "latin-1", "ISO_8859_1": try the name without separators. */
    char alt[64];
    size_t k = 0;
    for (const char *p = from; *p && k + 1 < sizeof alt; p++)
      if (*p != '-' && *p != '_' && *p != ' ')
        alt[k++] = *p;
    alt[k] = '\0';
    cd = iconv_open("UTF-8", alt);
  }
  if (cd == (iconv_t)-1)
    return galley_job_error(job, GALLEY_EINVALID,
                            "unknown encoding \"%s\" (option encoding)", from);
  int rc = GALLEY_OK;
  char *ip = (char *)in;
  size_t left = n;
  if (galley_buf_reserve(out, n + n / 2 + 16) != GALLEY_OK) {
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    goto done;
  }
  for (;;) {
    char *op = out->data + out->len;
    size_t room = out->cap - out->len - 1;
    size_t got = iconv(cd, left ? &ip : NULL, &left, &op, &room);
    galley_buf_set_len(out, (size_t)(op - out->data));
    if (got != (size_t)-1) {
      if (left == 0) {
        /* Flush any shift state, then stop. */
        op = out->data + out->len;
        room = out->cap - out->len - 1;
        iconv(cd, NULL, NULL, &op, &room);
        galley_buf_set_len(out, (size_t)(op - out->data));
        break;
      }
      continue;
    }
    if (errno == E2BIG) {
      if (galley_buf_reserve(out, out->cap) != GALLEY_OK) {
        rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
        goto done;
      }
      continue;
    }
    rc = galley_job_error(job, GALLEY_EPARSE, "not valid %s at byte %zu", from,
                          (size_t)((unsigned char *)ip - in));
    goto done;
  }
done:
  iconv_close(cd);
  return rc;
}

/* Columns of indentation of a raw line; blank lines give SIZE_MAX. */
static size_t line_indent(const char *s, size_t n) {
  size_t col = 0, i = 0;
  while (i < n && is_space(s[i])) {
    col += s[i] == '\t' ? TAB_STOP - col % TAB_STOP : 1;
    i++;
  }
  return i >= n ? (size_t)-1 : col;
}

static size_t line_end(const char *p, const char *end) {
  const char *q = p;
  while (q < end && *q != '\n' && *q != '\r')
    q++;
  return (size_t)(q - p);
}

static const char *next_line(const char *q, const char *end) {
  if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n')
    return q + 2;
  return q < end ? q + 1 : q;
}

static size_t rtrim(const char *s, size_t n) {
  while (n && (is_space(s[n - 1]) || s[n - 1] == '\f' || s[n - 1] == '\v'))
    n--;
  return n;
}

/* One pass before parsing: the indentation every line shares, and the labels
 * of footnote definitions (so "[^1]" before its definition is a reference). */
static int prescan(reader *r, const char *text, size_t size) {
  const char *p = text, *end = text + size;
  size_t base = (size_t)-1;
  while (p < end) {
    size_t n = line_end(p, end);
    size_t len = rtrim(p, n);
    size_t ind = line_indent(p, len);
    if (ind < base)
      base = ind;
    if (ind != (size_t)-1) {
      size_t i = 0;
      while (i < len && is_space(p[i]))
        i++;
      size_t label_len;
      if (note_marker(p + i, len - i, &label_len) &&
          !tmap_put(&r->notes, p + i + 2, label_len, 1))
        return oom(r);
    }
    p = next_line(p + n, end);
  }
  r->base = base != (size_t)-1 && base >= 4 ? base : 0;
  return GALLEY_OK;
}

int txt_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  const unsigned char *data = in->data;
  size_t size = in->size;
  galley_buf converted = GALLEY_BUF_INIT;
  reader r = {0};
  int rc = GALLEY_OK;

  const char *enc = galley_job_option(job, "encoding");
  if (enc && *enc && !is_utf8_name(enc)) {
    if ((rc = to_utf8(job, enc, data, size, &converted)) != GALLEY_OK)
      goto done;
    data = (const unsigned char *)converted.data;
    size = converted.len;
  } else if (size >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) ||
                           (data[0] == 0xFE && data[1] == 0xFF))) {
    /* A UTF-16 byte order mark: the text says what it is. */
    if ((rc = to_utf8(job, "UTF-16", data, size, &converted)) != GALLEY_OK)
      goto done;
    data = (const unsigned char *)converted.data;
    size = converted.len;
  }
  size_t bad;
  galley_utf8_valid((const char *)data, size, &bad);
  if (bad < size) {
    rc = galley_job_error(job, GALLEY_EPARSE,
                          "not valid UTF-8 at byte %zu (for another encoding, "
                          "give -O encoding=NAME)",
                          bad);
    goto done;
  }
  const unsigned char *nul = memchr(data, 0, size);
  if (nul) {
    rc = galley_job_error(job, GALLEY_EPARSE,
                          "a NUL byte at byte %zu: binary data, not text",
                          (size_t)(nul - data));
    goto done;
  }
  if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    data += 3, size -= 3;

  r.job = job;
  r.doc = doc;
  r.max_depth = galley_job_limits(job)->max_depth;
  if (galley_array_grow((void **)&r.stack, &r.stack_cap, 16, sizeof *r.stack) !=
      GALLEY_OK) {
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    goto done;
  }
  r.stack[0] = (cont){C_DOC, galley_doc_root(doc), 0, false, 0, 0};
  r.depth = 1;

  const char *text = (const char *)data;
  const char *p = text, *end = text + size;
  if ((rc = prescan(&r, text, size)) != GALLEY_OK)
    goto done;
  while (p < end) {
    size_t n = line_end(p, end);
    r.line_no++;
    if ((r.line_no & 0xFFFF) == 0 && galley_job_cancelled(job)) {
      rc = galley_job_error(job, GALLEY_ECANCELLED, "cancelled");
      goto done;
    }
    if ((rc = process_line(&r, p, rtrim(p, n))) != GALLEY_OK)
      goto done;
    p = next_line(p + n, end);
  }
  if ((rc = close_leaf(&r)) != GALLEY_OK)
    goto done;
  r.depth = 1;

  if (galley_job_option_bool(job, "structure", true))
    rc = txt_recover(job, doc, r.blocks, r.nblocks, r.explicit_sub);
  if (rc == GALLEY_OK && galley_job_option_bool(job, "structure", true) &&
      txt_numbered_notes(doc) != GALLEY_OK)
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");

done:
  if (rc == GALLEY_OK && r.status != GALLEY_OK)
    rc = r.status;
  free(r.stack);
  free(r.lines);
  free(r.cols);
  free(r.blocks);
  tmap_free(&r.notes);
  galley_buf_free(&r.scratch);
  galley_buf_free(&converted);
  return rc;
}
