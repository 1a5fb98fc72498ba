/* Gemini's gemtext (text/gemini): a format plugin written only against the
 * public header, as the worked example for plugin authors (see the README
 * section "Writing a format plugin"). */
#include <galley/galley.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Reading ------------------------------------------------------------ */

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
         c == '\v';
}

/* One line of the input, without its line ending. */
typedef struct line {
  const char *s;
  size_t len;
} line;

static line trim(line l) {
  while (l.len && is_space(l.s[0]))
    l.s++, l.len--;
  while (l.len && is_space(l.s[l.len - 1]))
    l.len--;
  return l;
}

static bool starts_with(line l, const char *prefix) {
  size_t n = strlen(prefix);
  return l.len >= n && memcmp(l.s, prefix, n) == 0;
}

/* True when `l` begins with a line-type marker of gemtext. */
static bool has_marker(line l) {
  return starts_with(l, "#") || starts_with(l, "=>") || starts_with(l, "* ") ||
         starts_with(l, ">") || starts_with(l, "```");
}

/* Appends a TEXT node holding `l` to `parent` (nothing for an empty line). */
static int add_text(galley_doc *doc, galley_node *parent, line l) {
  if (l.len == 0)
    return GALLEY_OK;
  galley_node *text = galley_doc_new_text(doc, l.s, l.len);
  if (!text)
    return GALLEY_ENOMEM;
  return galley_node_append_child(parent, text);
}

/* A new block of `kind` appended to `parent`, remembering its line. */
static galley_node *add_block(galley_doc *doc, galley_node *parent,
                              galley_kind kind, int lineno) {
  galley_node *node = galley_doc_new_node(doc, kind);
  if (!node || galley_node_append_child(parent, node) != GALLEY_OK)
    return NULL;
  galley_node_set_line(node, lineno);
  return node;
}

/* "=> URL label": a paragraph holding one LINK whose text is the label (the
 * URL when there is none). Returns GALLEY_EPARSE when there is no URL. */
static int read_link(galley_doc *doc, galley_node *root, line l, int lineno) {
  l.s += 2, l.len -= 2;
  l = trim(l);
  size_t url_len = 0;
  while (url_len < l.len && !is_space(l.s[url_len]))
    url_len++;
  if (url_len == 0)
    return GALLEY_EPARSE;
  line label = trim((line){l.s + url_len, l.len - url_len});
  galley_node *para = add_block(doc, root, GALLEY_NODE_PARAGRAPH, lineno);
  galley_node *link = galley_doc_new_node(doc, GALLEY_NODE_LINK);
  char *url = galley_doc_strndup(doc, l.s, url_len);
  if (!para || !link || !url || galley_node_set_url(link, url) != GALLEY_OK ||
      galley_node_append_child(para, link) != GALLEY_OK)
    return GALLEY_ENOMEM;
  return add_text(doc, link, label.len ? label : (line){l.s, url_len});
}

static int gmi_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  const char *data = (const char *)in->data;
  size_t size = in->size;
  size_t valid;
  if (!galley_utf8_valid(data, size, &valid))
    return galley_job_error(job, GALLEY_EPARSE, "not valid UTF-8 at byte %zu",
                            valid);
  const char *nul = size ? memchr(data, '\0', size) : NULL;
  if (nul)
    return galley_job_error(job, GALLEY_EPARSE, "a NUL byte at byte %zu",
                            (size_t)(nul - data));
  if (size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
    data += 3, size -= 3; /* a byte order mark is not text */

  galley_node *root = galley_doc_root(doc);
  galley_node *list = NULL;  /* the list that "* " lines add to */
  galley_node *quote = NULL; /* the quote that "> " lines add to */
  galley_node *pre = NULL;   /* the open preformatted block */
  size_t pre_start = 0;      /* where its text starts in `data` */
  size_t pos = 0;
  int lineno = 0;
  while (pos < size) {
    const char *end = memchr(data + pos, '\n', size - pos);
    size_t next = end ? (size_t)(end - data) + 1 : size;
    line l = {data + pos, (end ? (size_t)(end - data) : size) - pos};
    if (l.len && l.s[l.len - 1] == '\r')
      l.len--;
    lineno++;
    if ((lineno & 4095) == 0 && galley_job_cancelled(job))
      return galley_job_error(job, GALLEY_ECANCELLED, "cancelled");

    /* Inside ``` everything is literal up to the closing ``` line. */
    if (pre) {
      if (starts_with(l, "```")) {
        if (galley_node_set_literal_n(pre, data + pre_start, pos - pre_start) !=
            GALLEY_OK)
          return GALLEY_ENOMEM;
        pre = NULL;
      }
      pos = next;
      continue;
    }
    int rc = GALLEY_OK;
    bool in_list = false, in_quote = false;
    if (starts_with(l, "```")) {
      pre = add_block(doc, root, GALLEY_NODE_CODE_BLOCK, lineno);
      line alt = trim((line){l.s + 3, l.len - 3});
      if (!pre)
        return GALLEY_ENOMEM;
      if (alt.len) {
        char *info = galley_doc_strndup(doc, alt.s, alt.len);
        if (!info || galley_node_set_info(pre, info) != GALLEY_OK)
          return GALLEY_ENOMEM;
      }
      pre_start = next;
    } else if (starts_with(l, "#")) {
      int level = 0;
      while (level < 3 && (size_t)level < l.len && l.s[level] == '#')
        level++;
      galley_node *h = add_block(doc, root, GALLEY_NODE_HEADING, lineno);
      line text = trim((line){l.s + level, l.len - level});
      if (!h || galley_node_set_level(h, level) != GALLEY_OK)
        return GALLEY_ENOMEM;
      rc = add_text(doc, h, text);
      /* By Gemini's convention the first top-level heading is the title. */
      if (rc == GALLEY_OK && level == 1 && text.len &&
          !galley_doc_get_meta(doc, GALLEY_META_TITLE)) {
        char *title = galley_doc_strndup(doc, text.s, text.len);
        rc = title ? galley_doc_set_meta(doc, GALLEY_META_TITLE, title)
                   : GALLEY_ENOMEM;
      }
    } else if (starts_with(l, "=>") &&
               read_link(doc, root, l, lineno) != GALLEY_EPARSE) {
      /* read_link did the work (an "=>" without a URL is a text line). */
    } else if (starts_with(l, "* ")) {
      in_list = true;
      if (!list) {
        list = add_block(doc, root, GALLEY_NODE_LIST, lineno);
        if (!list || galley_node_set_list_tight(list, true) != GALLEY_OK)
          return GALLEY_ENOMEM;
      }
      galley_node *item = add_block(doc, list, GALLEY_NODE_ITEM, lineno);
      galley_node *para =
          item ? add_block(doc, item, GALLEY_NODE_PARAGRAPH, lineno) : NULL;
      if (!para)
        return GALLEY_ENOMEM;
      rc = add_text(doc, para, trim((line){l.s + 2, l.len - 2}));
    } else if (starts_with(l, ">")) {
      in_quote = true;
      if (!quote &&
          !(quote = add_block(doc, root, GALLEY_NODE_BLOCK_QUOTE, lineno)))
        return GALLEY_ENOMEM;
      line text = trim((line){l.s + 1, l.len - 1});
      if (text.len) {
        galley_node *para =
            add_block(doc, quote, GALLEY_NODE_PARAGRAPH, lineno);
        rc = para ? add_text(doc, para, text) : GALLEY_ENOMEM;
      }
    } else if (trim(l).len) {
      /* A text line. The writer puts one space before text that would
       * otherwise read as a marker; take it off again. */
      while (l.len && is_space(l.s[l.len - 1]))
        l.len--;
      line rest = l;
      while (rest.len && rest.s[0] == ' ')
        rest.s++, rest.len--;
      if (rest.len < l.len && has_marker(rest))
        l.s++, l.len--;
      galley_node *para = add_block(doc, root, GALLEY_NODE_PARAGRAPH, lineno);
      rc = para ? add_text(doc, para, l) : GALLEY_ENOMEM;
    }
    if (rc != GALLEY_OK)
      return rc;
    /* Lists and quotes are runs of adjacent lines. */
    if (!in_list)
      list = NULL;
    if (!in_quote)
      quote = NULL;
    pos = next;
  }
  if (pre && galley_node_set_literal_n(pre, data + pre_start,
                                       size - pre_start) != GALLEY_OK)
    return GALLEY_ENOMEM;
  return GALLEY_OK;
}

/* ---- Writing ------------------------------------------------------------ */

/* The writer's scratch space is a galley_buf (galley/buf.h): the document
 * is const, so it cannot use the document's arena. */

/* Appends text with every run of white space turned into one space (gemtext
 * lines cannot hold line breaks) and none at the start. */
static void buf_add_flat(galley_buf *b, const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (is_space(s[i])) {
      if (b->len && b->data[b->len - 1] != ' ')
        galley_buf_add(b, " ", 1);
    } else {
      galley_buf_add(b, s + i, 1);
    }
  }
}

static void buf_trim_end(galley_buf *b) {
  size_t n = b->len;
  while (n && b->data[n - 1] == ' ')
    n--;
  galley_buf_truncate(b, n);
}

/* The text of an inline subtree, flattened to one line, into `b`. Image alt
 * text is left out (images become link lines). Counts the links and images
 * in *links and sets *outside when there is text outside every link. */
static void flatten(const galley_node *node, galley_buf *b, size_t *links,
                    bool *outside) {
  galley_citer it;
  galley_citer_init(&it, node);
  galley_event ev;
  int in_link = 0, in_image = 0;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    galley_kind kind = galley_node_kind(n);
    bool enter = ev == GALLEY_EVENT_ENTER;
    if (kind == GALLEY_NODE_LINK || kind == GALLEY_NODE_IMAGE) {
      int *depth = kind == GALLEY_NODE_LINK ? &in_link : &in_image;
      if (enter && in_link + in_image == 0 && links)
        (*links)++;
      *depth += enter ? 1 : -1;
      continue;
    }
    if (!enter || in_image)
      continue;
    size_t before = b->len;
    switch (kind) {
    case GALLEY_NODE_TEXT:
    case GALLEY_NODE_CODE: {
      const char *lit = galley_node_get_literal(n);
      buf_add_flat(b, lit ? lit : "", lit ? strlen(lit) : 0);
      break;
    }
    case GALLEY_NODE_FOOTNOTE_REF: {
      const char *label = galley_node_get_label(n);
      galley_buf_add(b, "[", 1);
      buf_add_flat(b, label ? label : "", label ? strlen(label) : 0);
      galley_buf_add(b, "]", 1);
      break;
    }
    case GALLEY_NODE_RAW_INLINE: break; /* markup of another format */
    default:
      /* Breaks, and block boundaries inside table cells, are a space. */
      if (kind != GALLEY_NODE_TEXT && b->len && b->data[b->len - 1] != ' ')
        galley_buf_add(b, " ", 1);
      break;
    }
    if (outside && !in_link)
      for (size_t i = before; i < b->len; i++)
        if (b->data[i] != ' ')
          *outside = true;
  }
  buf_trim_end(b);
}

/* printf into the layout, as raw text. */
static void lay_printf(galley_layout *out, const char *fmt, ...)
    GALLEY_PRINTF(2, 3);
static void lay_printf(galley_layout *out, const char *fmt, ...) {
  galley_buf b = GALLEY_BUF_INIT;
  va_list ap;
  va_start(ap, fmt);
  galley_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  galley_layout_raw(out, b.data ? b.data : "", b.len);
  galley_buf_free(&b);
}

/* Writes "=> URL label": whitespace in the URL is percent-encoded, since a
 * space would end it. */
static void link_line(galley_layout *out, const char *url,
                      const galley_buf *label) {
  if (!url || !*url)
    return;
  galley_layout_puts(out, "=> ");
  for (const char *p = url; *p; p++) {
    if (is_space(*p))
      lay_printf(out, "%%%02X", (unsigned char)*p);
    else
      galley_layout_raw(out, p, 1);
  }
  if (label->len && strcmp(label->data, url) != 0) {
    galley_layout_puts(out, " ");
    galley_layout_raw(out, label->data, label->len);
  }
  galley_layout_puts(out, "\n");
}

/* One "=> " line for each link and image under `node`, in order. */
static int link_lines(galley_layout *out, const galley_node *node) {
  galley_citer it;
  galley_citer_init(&it, node);
  galley_event ev;
  int rc = GALLEY_OK;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    galley_kind kind = galley_node_kind(n);
    if (ev != GALLEY_EVENT_ENTER ||
        (kind != GALLEY_NODE_LINK && kind != GALLEY_NODE_IMAGE))
      continue;
    galley_buf label = GALLEY_BUF_INIT;
    if (kind == GALLEY_NODE_IMAGE) {
      /* flatten leaves image text out: take the alt text child by child. */
      for (const galley_node *c = galley_node_first_child_const(n); c;
           c = galley_node_next_const(c))
        flatten(c, &label, NULL, NULL);
    } else {
      flatten(n, &label, NULL, NULL);
    }
    if (label.failed)
      rc = GALLEY_ENOMEM;
    link_line(out, galley_node_get_url(n), &label);
    galley_buf_free(&label);
  }
  return rc;
}

/* What the last line written was, to decide on blank lines between. */
typedef enum last {
  LAST_NONE,
  LAST_BLOCK, /* heading, text, preformatted */
  LAST_LINK,
  LAST_ITEM,
  LAST_QUOTE,
} last;

typedef struct writer {
  galley_job *job;
  galley_layout *out;
  last last;
  const galley_node *last_group; /* the list or quote of the last line */
  const galley_node *item;       /* innermost ITEM we are in, or NULL */
  const galley_node *top_list;   /* outermost LIST we are in, or NULL */
  const galley_node *quote;      /* outermost BLOCK_QUOTE, or NULL */
  const char *item_prefix;       /* "[ ] " etc. for the item's first block */
  const char *footnote;          /* label for the next block, or NULL */
  int *numbers;                  /* next number of each open list */
  size_t n_lists, cap_lists;
  bool warned_fence;
} writer;

/* A blank line between blocks, except inside one list or one quote, and
 * never before a link line (links follow the text that holds them). */
static void start_line(writer *w, last kind, const galley_node *group) {
  if (w->last != LAST_NONE && kind != LAST_LINK &&
      !(kind == w->last && group == w->last_group &&
        (kind == LAST_ITEM || kind == LAST_QUOTE)))
    galley_layout_blank(w->out);
  w->last = kind;
  w->last_group = group;
}

/* A heading, paragraph, term or caption: one line, then its links. */
static int write_text_block(writer *w, const galley_node *node) {
  galley_buf text = GALLEY_BUF_INIT;
  size_t links = 0;
  bool outside = false;
  flatten(node, &text, &links, &outside);
  if (text.failed) {
    galley_buf_free(&text);
    return GALLEY_ENOMEM;
  }
  galley_kind kind = galley_node_kind(node);
  /* A paragraph that is one link and nothing else is a link line (in a
   * list too: a list of links is a run of link lines in gemtext). */
  if (kind == GALLEY_NODE_PARAGRAPH && !w->quote && !w->footnote &&
      links == 1 && !outside) {
    w->item_prefix = NULL;
    galley_buf_free(&text);
    w->last = LAST_LINK;
    return link_lines(w->out, node);
  }
  if (text.len || w->item) {
    galley_layout *out = w->out;
    if (w->item) {
      start_line(w, LAST_ITEM, w->top_list); /* nested items run on */
      galley_layout_puts(out, "* ");
      galley_layout_puts(out, w->item_prefix ? w->item_prefix : "");
      w->item_prefix = NULL;
    } else if (w->quote) {
      start_line(w, LAST_QUOTE, w->quote);
      galley_layout_puts(out, "> ");
    } else if (kind == GALLEY_NODE_HEADING) {
      start_line(w, LAST_BLOCK, NULL);
      int level = galley_node_get_level(node);
      galley_layout_puts(out, level <= 1 ? "# " : level == 2 ? "## " : "### ");
    } else {
      start_line(w, LAST_BLOCK, NULL);
      line l = {text.data, text.len};
      if (has_marker(l))
        galley_layout_puts(out, " "); /* the reader takes this space off */
    }
    if (w->footnote) {
      lay_printf(out, "[%s] ", w->footnote);
      w->footnote = NULL;
    }
    galley_layout_raw(out, text.data ? text.data : "", text.len);
    galley_layout_puts(out, "\n");
  }
  galley_buf_free(&text);
  if (links) {
    if (w->last == LAST_NONE)
      w->last = LAST_BLOCK;
    int rc = link_lines(w->out, node);
    w->last = LAST_LINK;
    return rc;
  }
  return GALLEY_OK;
}

/* Writes `text` as the lines of a preformatted block. A line that begins
 * with ``` would close the block early, so it gets a space in front. */
static void pre_lines(writer *w, const char *text, size_t len) {
  size_t pos = 0;
  while (pos < len) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    if (end - pos >= 3 && memcmp(text + pos, "```", 3) == 0) {
      galley_layout_puts(w->out, " ");
      if (!w->warned_fence)
        galley_job_warn(w->job, "a preformatted line beginning with ``` was "
                                "written with a space before it");
      w->warned_fence = true;
    }
    galley_layout_raw(w->out, text + pos, end - pos);
    galley_layout_puts(w->out, "\n");
    pos = end + 1;
  }
}

static void write_pre(writer *w, const char *alt, const char *text) {
  start_line(w, LAST_BLOCK, NULL);
  galley_layout_puts(w->out, "```");
  if (alt) {
    galley_buf b = GALLEY_BUF_INIT;
    buf_add_flat(&b, alt, strlen(alt));
    buf_trim_end(&b);
    galley_layout_raw(w->out, b.data ? b.data : "", b.len);
    galley_buf_free(&b);
  }
  galley_layout_puts(w->out, "\n");
  pre_lines(w, text ? text : "", text ? strlen(text) : 0);
  galley_layout_puts(w->out, "```\n");
}

/* A table becomes preformatted text: cells padded into columns, a rule under
 * the header rows, the caption as a text line before it. */
static int write_table(writer *w, const galley_node *table) {
  size_t n_cols = 0, n_cells = 0;
  for (const galley_node *r = galley_node_first_child_const(table); r;
       r = galley_node_next_const(r)) {
    if (galley_node_kind(r) == GALLEY_NODE_CAPTION) {
      int rc = write_text_block(w, r);
      if (rc != GALLEY_OK)
        return rc;
      continue;
    }
    size_t cols = galley_node_child_count(r);
    n_cols = cols > n_cols ? cols : n_cols;
    n_cells += cols;
  }
  galley_buf *cells = calloc(n_cells ? n_cells : 1, sizeof *cells);
  size_t *widths = calloc(n_cols ? n_cols : 1, sizeof *widths);
  galley_buf pre = GALLEY_BUF_INIT;
  int rc = GALLEY_OK;
  if (!cells || !widths) {
    rc = GALLEY_ENOMEM;
    goto done;
  }
  size_t k = 0;
  for (const galley_node *r = galley_node_first_child_const(table); r;
       r = galley_node_next_const(r)) {
    if (galley_node_kind(r) != GALLEY_NODE_TABLE_ROW)
      continue;
    size_t col = 0;
    for (const galley_node *c = galley_node_first_child_const(r); c;
         c = galley_node_next_const(c), col++, k++) {
      flatten(c, &cells[k], NULL, NULL);
      size_t wd =
          galley_utf8_count(cells[k].data ? cells[k].data : "", cells[k].len);
      widths[col] = wd > widths[col] ? wd : widths[col];
    }
  }
  k = 0;
  bool head_done = false;
  for (const galley_node *r = galley_node_first_child_const(table); r;
       r = galley_node_next_const(r)) {
    if (galley_node_kind(r) != GALLEY_NODE_TABLE_ROW)
      continue;
    bool head = galley_node_get_row_part(r) == GALLEY_ROW_HEAD;
    if (!head && !head_done && pre.len) {
      /* A rule under the header rows. */
      for (size_t col = 0; col < n_cols; col++) {
        galley_buf_add(&pre, col ? "-+-" : "", col ? 3 : 0);
        for (size_t i = 0; i < widths[col]; i++)
          galley_buf_add(&pre, "-", 1);
      }
      galley_buf_add(&pre, "\n", 1);
    }
    head_done = head_done || !head;
    size_t col = 0;
    for (const galley_node *c = galley_node_first_child_const(r); c;
         c = galley_node_next_const(c), col++, k++) {
      galley_buf_add(&pre, col ? " | " : "", col ? 3 : 0);
      galley_buf_add(&pre, cells[k].data ? cells[k].data : "", cells[k].len);
      bool last_col = !galley_node_next_const(c);
      for (size_t i = galley_utf8_count(cells[k].data ? cells[k].data : "",
                                        cells[k].len);
           !last_col && i < widths[col]; i++)
        galley_buf_add(&pre, " ", 1);
    }
    galley_buf_add(&pre, "\n", 1);
  }
  if (pre.failed) {
    rc = GALLEY_ENOMEM;
    goto done;
  }
  if (pre.len)
    write_pre(w, "table", pre.data);
  rc = link_lines(w->out, table);
  if (pre.len)
    w->last = LAST_LINK;
done:
  for (size_t i = 0; cells && i < n_cells; i++)
    galley_buf_free(&cells[i]);
  free(cells);
  free(widths);
  galley_buf_free(&pre);
  return rc;
}

/* Does the document already show its title as a top-level heading? */
static bool title_in_body(const galley_doc *doc, const char *title) {
  galley_citer it;
  galley_citer_init(&it, galley_doc_root_const(doc));
  galley_event ev;
  bool found = false;
  while (!found && (ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    if (ev != GALLEY_EVENT_ENTER ||
        galley_node_kind(n) != GALLEY_NODE_HEADING ||
        galley_node_get_level(n) != 1)
      continue;
    galley_buf b = GALLEY_BUF_INIT;
    flatten(n, &b, NULL, NULL);
    found = b.data && strcmp(b.data, title) == 0;
    galley_buf_free(&b);
  }
  return found;
}

static int push_list(writer *w, const galley_node *list) {
  if (galley_array_grow((void **)&w->numbers, &w->cap_lists, w->n_lists + 1,
                        sizeof *w->numbers) != GALLEY_OK)
    return GALLEY_ENOMEM;
  w->numbers[w->n_lists++] = galley_node_get_list_ordered(list)
                                 ? galley_node_get_list_start(list)
                                 : -1; /* -1: bullets */
  return GALLEY_OK;
}

static int gmi_write(galley_job *job, const galley_doc *doc,
                     galley_sink *sink) {
  /* Gemtext is never wrapped: width 0. The layout keeps blank lines
   * between blocks single. */
  galley_layout *out = galley_layout_new(sink, 0);
  if (!out)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  writer w = {.job = job, .out = out};
  int rc = GALLEY_OK;
  char prefix[32];

  const char *title = galley_doc_get_meta(doc, GALLEY_META_TITLE);
  if (galley_job_option_bool(job, "title", true) && title && *title &&
      !title_in_body(doc, title)) {
    galley_buf b = GALLEY_BUF_INIT;
    buf_add_flat(&b, title, strlen(title));
    buf_trim_end(&b);
    if (b.len) {
      start_line(&w, LAST_BLOCK, NULL);
      lay_printf(out, "# %s\n", b.data);
    }
    galley_buf_free(&b);
  }

  galley_citer it;
  galley_citer_init(&it, galley_doc_root_const(doc));
  galley_event ev;
  while (rc == GALLEY_OK && (ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    bool enter = ev == GALLEY_EVENT_ENTER;
    switch (galley_node_kind(n)) {
    case GALLEY_NODE_PARAGRAPH:
    case GALLEY_NODE_HEADING:
    case GALLEY_NODE_TERM:
      rc = write_text_block(&w, n);
      galley_citer_reset(&it, n, GALLEY_EVENT_EXIT); /* its inlines are done */
      break;
    case GALLEY_NODE_CAPTION: {
      /* Captions hold either inlines (one line) or blocks (walk them). */
      const galley_node *c = galley_node_first_child_const(n);
      if (enter && c && galley_kind_is_inline(galley_node_kind(c))) {
        rc = write_text_block(&w, n);
        galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
      }
      break;
    }
    case GALLEY_NODE_CODE_BLOCK:
      write_pre(&w, galley_node_get_info(n), galley_node_get_literal(n));
      break;
    case GALLEY_NODE_RAW_BLOCK: {
      const char *format = galley_node_get_format(n);
      if (format && (!strcmp(format, "gemtext") || !strcmp(format, "gemini"))) {
        start_line(&w, LAST_BLOCK, NULL);
        const char *lit = galley_node_get_literal(n);
        galley_layout_puts(out, lit ? lit : "");
      } else {
        galley_job_info(job, "a raw %s block was left out",
                        format ? format : "(unknown)");
      }
      break;
    }
    case GALLEY_NODE_TABLE:
      if (enter) {
        rc = write_table(&w, n);
        galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
      }
      break;
    case GALLEY_NODE_LIST:
      if (enter) {
        rc = push_list(&w, n);
        if (!w.top_list)
          w.top_list = n;
      } else {
        w.n_lists--;
        if (w.top_list == n)
          w.top_list = NULL;
      }
      break;
    case GALLEY_NODE_ITEM:
      if (enter) {
        w.item = n;
        int *number = &w.numbers[w.n_lists - 1];
        prefix[0] = '\0';
        if (*number >= 0)
          snprintf(prefix, sizeof prefix, "%d. ", (*number)++);
        galley_task task = galley_node_get_task(n);
        if (task != GALLEY_TASK_NONE)
          strcat(prefix, task == GALLEY_TASK_DONE ? "[x] " : "[ ] ");
        w.item_prefix = prefix;
      } else {
        /* Back to the enclosing item, if this list is inside one. */
        const galley_node *p = galley_node_parent_const(galley_node_parent_const(n));
        while (p && galley_node_kind(p) != GALLEY_NODE_ITEM)
          p = galley_node_parent_const(p);
        w.item = p;
        w.item_prefix = NULL;
      }
      break;
    case GALLEY_NODE_BLOCK_QUOTE:
      if (enter && !w.quote)
        w.quote = n;
      else if (!enter && w.quote == n)
        w.quote = NULL;
      break;
    case GALLEY_NODE_FOOTNOTE:
      w.footnote = enter ? galley_node_get_label(n) : NULL;
      break;
    default:
      /* Documents, divs, figures, definition lists: their contents are
       * written; a thematic break has no gemtext form. */
      break;
    }
  }
  free(w.numbers);
  int frc = galley_layout_finish(out);
  galley_layout_free(out);
  if (rc == GALLEY_OK)
    rc = frc;
  if (rc == GALLEY_OK && w.last == LAST_NONE)
    galley_job_info(job, "the document has no text to write");
  return rc;
}

/* ---- Probe and descriptor ----------------------------------------------- */

/* "=> " lines are gemtext's own; headings and ``` fences are shared with
 * Markdown, so alone they score below what the markdown plugin gives. */
static int gmi_probe(const unsigned char *head, size_t len) {
  size_t links = 0, others = 0;
  for (size_t i = 0; i < len; i++) {
    if (head[i] == 0)
      return 0;
    if (i > 0 && head[i - 1] != '\n')
      continue;
    line l = {(const char *)head + i, len - i};
    if (i == 0 && len && head[0] == '<')
      return 0; /* markup */
    if (starts_with(l, "=> "))
      links++;
    else if (starts_with(l, "```") || starts_with(l, "# ") ||
             starts_with(l, "## ") || starts_with(l, "### "))
      others++;
  }
  if (links)
    return links >= 2 ? 80 : 60;
  return others ? 10 : 0;
}

static const char *const extensions[] = {"gmi", "gemini", NULL};

static const galley_option options[] = {
    {"title", GALLEY_OPT_BOOL, "true", NULL,
     "write: start with the document's title as a # heading when no "
     "top-level heading holds it"},
    {0},
};

GALLEY_PLUGIN_DEFINE(
    gemtext_plugin, .name = "gemtext",
    .summary = "Gemini's gemtext: headings, link lines, lists, quotes and "
               "preformatted text",
    .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE, .extensions = extensions,
    .media_type = "text/gemini", .options = options, .probe = gmi_probe,
    .read = gmi_read, .write = gmi_write);
