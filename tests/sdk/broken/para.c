/* "para", a tiny line-oriented format for --check-plugin's tests (issue 19).
 * Built as is, it is a correct plugin that passes --check-plugin; built with
 * one -DBUG_... it is one of the deliberately broken plugins the checker
 * must catch, each with a message that names the bug (tests/sdk/broken.sh).
 *
 * The format: a first line "%para" (without it, a clean error); then one block per line: "= text" a
 * heading, "| text" a line of code, anything else a paragraph; each "> " in
 * front of a line is one level of block quote; "link:URL[text]" inside a
 * line is a link. A line ending in "\" goes on on the next line. */
#include <galley/galley.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char magic[] = "%para\n";

#ifdef BUG_PROBE
static int calls; /* BUG: state kept between calls */
#endif

static int probe(const unsigned char *head, size_t len) {
#ifdef BUG_PROBE_OVERREAD
  (void)len; /* BUG: compares six bytes however few it was given */
  int score = memcmp(head, magic, sizeof magic - 1) == 0
#else
  int score = len >= sizeof magic - 1 && memcmp(head, magic, sizeof magic - 1) == 0
#endif
                  ? 90
                  : 0;
#ifdef BUG_PROBE
  if (calls++ % 2)
    score = score ? 0 : 10; /* BUG: answers differently the second time */
#endif
  return score;
}

/* ---- Reading ---- */

static galley_node *new_node(galley_doc *doc, galley_kind kind) {
  return galley_doc_new_node(doc, kind);
}

static int append(galley_node *parent, galley_node *child) {
  if (!child)
    return GALLEY_ENOMEM;
  return galley_node_append_child(parent, child);
}

/* Adds the inlines of one line: text, with link:URL[text] as links. */
static int add_inlines(galley_doc *doc, galley_node *block, const char *s,
                       const char *end, const char *input_end) {
  (void)input_end;
  const char *text = s;
#ifndef BUG_QUADRATIC
  const char *no_close = NULL; /* no ']' between here and the line's end */
#endif
  while (s < end) {
    const char *l = (size_t)(end - s) >= 5 ? memchr(s, 'l', (size_t)(end - s)) : NULL;
    if (!l || (size_t)(end - l) < 5)
      break;
    if (memcmp(l, "link:", 5) != 0) {
      s = l + 1;
      continue;
    }
    const char *open = memchr(l + 5, '[', (size_t)(end - l - 5));
#ifdef BUG_QUADRATIC
    /* BUG: looks for the closing bracket to the end of the whole input,
     * again for every link: quadratic on many unclosed links. */
    const char *close = open ? memchr(open, ']', (size_t)(input_end - open)) : NULL;
    if (close && close >= end)
      close = NULL;
#else
    const char *close = open && (!no_close || open < no_close)
                            ? memchr(open, ']', (size_t)(end - open))
                            : NULL;
    if (open && !close)
      no_close = open;
#endif
    if (!open || !close) {
      s = l + 5;
      continue;
    }
    if (l > text) {
      int rc = append(block, galley_doc_new_text(doc, text, (size_t)(l - text)));
      if (rc != GALLEY_OK)
        return rc;
    }
    galley_node *link = new_node(doc, GALLEY_NODE_LINK);
    int rc = append(block, link);
    if (rc != GALLEY_OK)
      return rc;
    char *url = galley_doc_strndup(doc, l + 5, (size_t)(open - l - 5));
    if (!url || galley_node_set_url(link, url) != GALLEY_OK)
      return GALLEY_ENOMEM;
    if (close > open + 1) {
      rc = append(link, galley_doc_new_text(doc, open + 1, (size_t)(close - open - 1)));
      if (rc != GALLEY_OK)
        return rc;
    }
    s = text = close + 1;
  }
  if (end > text)
    return append(block, galley_doc_new_text(doc, text, (size_t)(end - text)));
  return GALLEY_OK;
}

#ifdef BUG_LEAK
static void *scratch_for(size_t size) {
  char *p = malloc(100 * 1024); /* BUG: 100 KB per read, never freed */
  if (p)
    memset(p, (int)size, 100 * 1024);
  return p;
}
#endif

static int read_para(galley_job *job, const galley_input *in, galley_doc *doc) {
  const char *s = (const char *)in->data, *end = s + in->size;
#ifdef BUG_NUL
  /* BUG: treats the input as a C string (it is not NUL-terminated). */
  end = s + strlen(s);
#endif
#ifdef BUG_LEAK
  if (!scratch_for(in->size))
    return GALLEY_ENOMEM;
#endif
  size_t max_depth = galley_job_limits(job)->max_depth;
  /* The first line says what it is (and keeps the checker's 50 MB of
   * other formats quick). */
  if (end - s < (long)sizeof magic - 1 || memcmp(s, magic, sizeof magic - 1) != 0)
    return galley_job_error(job, GALLEY_EPARSE,
                            "not a para document: the first line is not %%para");
  s += sizeof magic - 1;
  size_t open = 0; /* quotes open; quotes[0] is the root */
  galley_node *root = galley_doc_root(doc);
  galley_node **stack = malloc(sizeof *stack * ((size_t)(end - s) / 2 + 2));
  if (!stack)
    return GALLEY_ENOMEM;
  stack[0] = root;
  galley_node *code = NULL;
  int rc = GALLEY_OK;
  while (s < end && rc == GALLEY_OK) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *line_end = nl ? nl : end;
    /* A line ending in a backslash goes on on the next one. */
    while (line_end > s && line_end[-1] == '\\' && line_end < end) {
      const char *next = memchr(line_end + 1, '\n', (size_t)(end - line_end - 1));
      line_end = next ? next : end;
    }
#ifdef BUG_HANG
    /* BUG: a backslash on the input's last byte is "continued" forever. */
    while (line_end == end && end > s && end[-1] == '\\')
      ;
#endif
    const char *t = s;
    size_t depth = 0;
    while (end - t >= 2 && t[0] == '>' && t[1] == ' ')
      t += 2, depth++;
#ifndef BUG_DEPTH
    if (max_depth && depth + 2 > max_depth) {
      free(stack);
      return galley_job_error(job, GALLEY_ELIMIT,
                              "quotes nest %zu deep, over the depth limit of %zu",
                              depth, max_depth);
    }
#endif
    (void)max_depth;
    if (t == line_end) {
      code = NULL;
      s = nl ? nl + 1 : end;
      continue;
    }
    if (depth < open)
      open = depth, code = NULL;
    while (open < depth && rc == GALLEY_OK) {
      galley_node *q = new_node(doc, GALLEY_NODE_BLOCK_QUOTE);
      rc = append(stack[open], q);
      stack[++open] = q;
      code = NULL;
    }
    if (rc != GALLEY_OK)
      break;
    galley_node *parent = stack[open];
    if (line_end - t >= 2 && t[0] == '|' && t[1] == ' ') {
      /* Code lines gather into one code block. */
      size_t old = code && galley_node_get_literal(code) ? strlen(galley_node_get_literal(code)) : 0;
      char *lit = malloc(old + (size_t)(line_end - t));
      if (!lit) {
        rc = GALLEY_ENOMEM;
        break;
      }
      if (old)
        memcpy(lit, galley_node_get_literal(code), old);
      memcpy(lit + old, t + 2, (size_t)(line_end - t - 2));
      lit[old + (size_t)(line_end - t - 2)] = '\n';
      if (!code) {
        code = new_node(doc, GALLEY_NODE_CODE_BLOCK);
        rc = append(parent, code);
      }
      if (rc == GALLEY_OK)
        rc = galley_node_set_literal_n(code, lit, old + (size_t)(line_end - t - 1));
      free(lit);
    } else {
      code = NULL;
      bool heading = line_end - t >= 2 && t[0] == '=' && t[1] == ' ';
      galley_node *b = new_node(doc, heading ? GALLEY_NODE_HEADING : GALLEY_NODE_PARAGRAPH);
      rc = append(parent, b);
      if (rc == GALLEY_OK && heading) {
        galley_node_set_level(b, 1);
        t += 2;
      }
      if (rc == GALLEY_OK)
        rc = add_inlines(doc, b, t, line_end, end);
    }
    s = line_end < end ? line_end + 1 : end;
  }
  free(stack);
  if (rc == GALLEY_ENOMEM)
    return galley_job_error(job, rc, "out of memory");
  return rc;
}

/* ---- Writing ---- */

typedef struct writer {
  galley_sink *out;
  galley_buf prefix; /* "> " per quote */
} writer;

/* The inline text of a block on one line: newlines become spaces. */
static void put_inlines(galley_buf *b, const galley_node *n) {
  for (const galley_node *c = galley_node_first_child(n); c; c = galley_node_next(c)) {
    galley_kind k = galley_node_kind(c);
    const char *lit = galley_node_get_literal(c);
    if ((k == GALLEY_NODE_TEXT || k == GALLEY_NODE_CODE) && lit) {
      size_t start = b->len;
      galley_buf_puts(b, lit);
      for (size_t i = start; i < b->len; i++)
        if (b->data[i] == '\n' || b->data[i] == '\r')
          b->data[i] = ' ';
    } else if (k == GALLEY_NODE_SOFT_BREAK || k == GALLEY_NODE_LINE_BREAK) {
      galley_buf_puts(b, " ");
    } else if (k == GALLEY_NODE_LINK && galley_node_get_url(c) && *galley_node_get_url(c) &&
               !strpbrk(galley_node_get_url(c), "[] \n")) {
      galley_buf_printf(b, "link:%s[", galley_node_get_url(c));
      put_inlines(b, c);
      galley_buf_puts(b, "]");
    } else if (k == GALLEY_NODE_IMAGE) {
      galley_buf_puts(b, " "); /* its description, as words of their own */
      put_inlines(b, c);
      galley_buf_puts(b, " ");
    } else {
      put_inlines(b, c);
    }
  }
}

static void line(writer *w, const char *mark, const char *text, size_t len) {
  galley_sink_write(w->out, w->prefix.data, w->prefix.len);
  galley_sink_puts(w->out, mark);
  galley_sink_write(w->out, text, len);
  galley_sink_puts(w->out, "\n");
}

static int write_block(writer *w, const galley_node *n) {
#ifdef BUG_DEEP_WRITE
  char scratch[64 * 1024]; /* BUG: 64 KB of stack per level of nesting */
  memset(scratch, 0, sizeof scratch);
  galley_sink_write(w->out, scratch, 0);
#endif
  for (const galley_node *c = galley_node_first_child(n); c; c = galley_node_next(c)) {
    galley_kind k = galley_node_kind(c);
    if (k == GALLEY_NODE_BLOCK_QUOTE) {
      galley_sink_puts(w->out, "\n");
      size_t len = w->prefix.len;
      galley_buf_puts(&w->prefix, "> ");
      int rc = write_block(w, c);
      w->prefix.len = len;
      if (rc != GALLEY_OK)
        return rc;
      galley_sink_puts(w->out, "\n");
    } else if (k == GALLEY_NODE_CODE_BLOCK || k == GALLEY_NODE_RAW_BLOCK) {
      const char *lit = galley_node_get_literal(c);
      for (const char *s = lit; s && *s;) {
        size_t len = strcspn(s, "\n");
        line(w, "| ", s, len);
        s += len + (s[len] == '\n');
      }
      galley_sink_puts(w->out, "\n");
    } else if (galley_node_first_child(c) &&
               galley_kind_is_inline(galley_node_kind(galley_node_first_child(c)))) {
#ifdef BUG_MODIFY
      if (k == GALLEY_NODE_HEADING)
        galley_node_set_level((galley_node *)c, 1); /* BUG: "normalises" the tree */
#endif
#ifdef BUG_STDOUT
      printf("para: writing a %s\n", galley_kind_name(k)); /* BUG: prints */
#endif
      galley_buf b;
      galley_buf_init(&b);
      put_inlines(&b, c);
      /* A line that starts like markup would change meaning: a space. */
      const char *mark = k == GALLEY_NODE_HEADING ? "= " : "";
      if (!*mark && b.len && (b.data[0] == '=' || b.data[0] == '|' || b.data[0] == '>' ||
                              b.data[0] == '%' || b.data[0] == ' '))
        mark = " ";
      size_t len = b.len;
      while (len && b.data[len - 1] == '\\')
        len--;
#ifdef BUG_TRUNC
      if (len > 3)
        len = 3; /* BUG: cuts every block to three characters */
#endif
#ifdef BUG_BIG_PARA
      enum { FIXED = 65536 };
      char *fixed = malloc(FIXED); /* BUG: a block longer than 64 KB is cut */
      int nw = fixed ? snprintf(fixed, FIXED, "%.*s", (int)len, b.data ? b.data : "") : 0;
      if (fixed)
        line(w, mark, fixed, nw < FIXED ? (size_t)nw : FIXED - 1);
      free(fixed);
#else
      line(w, mark, b.data ? b.data : "", len);
#endif
      galley_buf_free(&b);
      galley_sink_puts(w->out, "\n");
    } else {
      int rc = write_block(w, c);
      if (rc != GALLEY_OK)
        return rc;
    }
  }
  return GALLEY_OK;
}

static int write_para(galley_job *job, const galley_doc *doc, galley_sink *out) {
  writer w = {.out = out};
  galley_buf_init(&w.prefix);
  galley_sink_puts(out, magic);
  int rc = write_block(&w, galley_doc_root(doc));
  int failed = w.prefix.failed;
  galley_buf_free(&w.prefix);
  if (rc == GALLEY_OK && failed)
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  return rc;
}

static const char *const extensions[] = {"para", NULL};

#ifndef PARA_NAME
#define PARA_NAME "para"
#endif

GALLEY_PLUGIN_DEFINE(para_plugin, .name = PARA_NAME, .version = "1.0",
                     .summary = "one block per line (a test format)",
                     .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE,
                     .extensions = extensions, .media_type = "text/x-para",
                     .probe = probe, .read = read_para, .write = write_para);
