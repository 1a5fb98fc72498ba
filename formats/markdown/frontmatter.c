/* YAML front matter: the small key/value and list subset that articles use;
 * and pandoc's "%" title block. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"

/* Front matter longer than this many lines is not looked for. */
#define MAX_LINES 2000

/* One line of the block, without its line ending. */
typedef struct fm_line {
  const char *s;
  size_t len;
  int number; /* 1-based line number in the input */
} fm_line;

/* The parser's state: where the block is and what key a list belongs to. */
typedef struct fm_state {
  galley_job *job;
  galley_doc *doc;
  char key[64]; /* the key whose value is on the following lines; "" if none */
  int key_line;
} fm_state;

static bool is_blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return false;
  return true;
}

/* True when the line is `---` or `...` (the closing fence), spaces allowed
 * after. */
static bool is_fence(const char *s, size_t n, bool opening) {
  if (n < 3 ||
      !(memcmp(s, "---", 3) == 0 || (!opening && memcmp(s, "...", 3) == 0)))
    return false;
  return is_blank(s + 3, n - 3);
}

static void trim(const char **s, size_t *n) {
  while (*n && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*n)--;
  }
  while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
    (*n)--;
}

/* Offset of the `:` that ends a key (followed by a space or the line's end), or
 * -1. */
static long key_colon(const char *s, size_t n) {
  if (n == 0 || s[0] == ':' || s[0] == '-' || s[0] == '#' || s[0] == '[' ||
      s[0] == '{' || s[0] == '"' || s[0] == '\'')
    return -1;
  for (size_t i = 0; i < n; i++)
    if (s[i] == ':' && (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\t'))
      return (long)i;
  return -1;
}

/*
 * Parses one scalar (plain, "double" or 'single' quoted) from s[0..n) into
 * `out`. With `in_flow`, a plain scalar stops at `,` or `]`. *used gets the
 * bytes consumed. Returns GALLEY_OK or GALLEY_EPARSE with a message.
 */
static int parse_scalar(fm_state *st, int line, const char *s, size_t n,
                        bool in_flow, galley_buf *out, size_t *used) {
  size_t i = 0;
  galley_buf_clear(out);
  if (galley_buf_reserve(out, 0))
    return GALLEY_ENOMEM;
  if (n && s[0] == '"') {
    for (i = 1; i < n && s[i] != '"'; i++) {
      char c = s[i];
      if (c == '\\' && i + 1 < n) {
        c = s[++i];
        int rc = GALLEY_OK;
        switch (c) {
        case 'n': rc = galley_buf_putc(out, '\n'); break;
        case 't': rc = galley_buf_putc(out, '\t'); break;
        case 'r': rc = galley_buf_putc(out, '\r'); break;
        case '0': rc = galley_buf_putc(out, ' '); break;
        case 'u':
          if (i + 4 < n) {
            char hex[5] = {s[i + 1], s[i + 2], s[i + 3], s[i + 4], 0};
            char *end;
            unsigned long cp = strtoul(hex, &end, 16);
            if (*end == '\0') {
              char u[4];
              rc = galley_buf_add(out, u, galley_utf8_encode((uint32_t)cp, u));
              i += 4;
              break;
            }
          }
          return galley_job_error(st->job, GALLEY_EPARSE,
                                  "front matter line %d: bad \\u escape", line);
        default: rc = galley_buf_putc(out, c); break;
        }
        if (rc)
          return rc;
      } else if (galley_buf_putc(out, c)) {
        return GALLEY_ENOMEM;
      }
    }
    if (i >= n)
      return galley_job_error(
          st->job, GALLEY_EPARSE,
          "front matter line %d: unterminated double-quoted string", line);
    *used = i + 1;
    return GALLEY_OK;
  }
  if (n && s[0] == '\'') {
    for (i = 1; i < n; i++) {
      if (s[i] == '\'') {
        if (i + 1 < n && s[i + 1] == '\'') {
          i++;
        } else {
          break;
        }
      }
      if (galley_buf_putc(out, s[i]))
        return GALLEY_ENOMEM;
    }
    if (i >= n)
      return galley_job_error(
          st->job, GALLEY_EPARSE,
          "front matter line %d: unterminated single-quoted string", line);
    *used = i + 1;
    return GALLEY_OK;
  }
  /* Plain: up to a comment (` #`), or in a flow list up to `,` or `]`. */
  for (i = 0; i < n; i++) {
    if (s[i] == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
      break;
    if (in_flow && (s[i] == ',' || s[i] == ']'))
      break;
  }
  const char *v = s;
  size_t vn = i;
  trim(&v, &vn);
  *used = i;
  return galley_buf_add(out, v, vn);
}

/* After a quoted scalar only spaces and a comment may follow. */
static int expect_end(fm_state *st, int line, const char *s, size_t n) {
  const char *r = s;
  size_t rn = n;
  trim(&r, &rn);
  if (rn && r[0] != '#')
    return galley_job_error(
        st->job, GALLEY_EPARSE,
        "front matter line %d: unexpected text after a quoted value", line);
  return GALLEY_OK;
}

static bool key_is(const char *key, const char *a, const char *b) {
  return strcmp(key, a) == 0 || (b && strcmp(key, b) == 0);
}

/* Stores one value of `key`; splits tag strings on commas. */
static int store(fm_state *st, const char *key, const char *value,
                 bool from_list) {
  static const struct {
    const char *yaml, *alias, *meta;
    bool repeat;
  } map[] = {
      {"title", NULL, GALLEY_META_TITLE, false},
      {"subtitle", NULL, GALLEY_META_SUBTITLE, false},
      {"author", "authors", GALLEY_META_AUTHOR, true},
      {"date", NULL, GALLEY_META_DATE, false},
      {"lang", "language", GALLEY_META_LANGUAGE, false},
      {"description", "abstract", GALLEY_META_DESCRIPTION, false},
      {"tags", "keywords", GALLEY_META_KEYWORD, true},
      {"keyword", "tag", GALLEY_META_KEYWORD, true},
      {"publisher", "site", GALLEY_META_PUBLISHER, false},
      {"url", "canonical", GALLEY_META_URL, false},
      {"identifier", "id", GALLEY_META_IDENTIFIER, false},
      {"source", NULL, GALLEY_META_SOURCE, false},
  };
  if (!value[0])
    return GALLEY_OK;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    if (!key_is(key, map[i].yaml, map[i].alias))
      continue;
    if (!map[i].repeat)
      return galley_doc_set_meta(st->doc, map[i].meta, value);
    if (strcmp(map[i].meta, GALLEY_META_KEYWORD) == 0 && !from_list) {
      /* `tags: a, b` is a common shorthand for a list. */
      const char *p = value;
      while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        const char *v = p;
        trim(&v, &n);
        if (n) {
          char *one = galley_doc_strndup(st->doc, v, n);
          if (!one)
            return GALLEY_ENOMEM;
          int rc = galley_doc_add_meta(st->doc, map[i].meta, one);
          if (rc)
            return rc;
        }
        p += c ? (size_t)(c - p) + 1 : strlen(p);
      }
      return GALLEY_OK;
    }
    return galley_doc_add_meta(st->doc, map[i].meta, value);
  }
  galley_job_info(st->job,
                  "front matter key `%s` has no metadata field; ignored", key);
  return GALLEY_OK;
}

/* `[a, "b", c]` */
static int parse_flow_list(fm_state *st, int line, const char *key,
                           const char *s, size_t n, galley_buf *val) {
  size_t i = 1; /* after '[' */
  for (;;) {
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
      i++;
    if (i < n && s[i] == ']')
      break;
    size_t used = 0;
    int rc = parse_scalar(st, line, s + i, n - i, true, val, &used);
    if (rc)
      return rc;
    i += used;
    if ((rc = store(st, key, val->data, true)))
      return rc;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
      i++;
    if (i < n && s[i] == ',') {
      i++;
      continue;
    }
    if (i < n && s[i] == ']')
      break;
    return galley_job_error(
        st->job, GALLEY_EPARSE,
        "front matter line %d: expected `,` or `]` in a list", line);
  }
  return expect_end(st, line, s + i + 1, n - i - 1);
}

static void lower_key(char *dst, size_t cap, const char *s, size_t n) {
  if (n >= cap)
    n = cap - 1;
  for (size_t i = 0; i < n; i++)
    dst[i] = (char)tolower((unsigned char)s[i]);
  dst[n] = '\0';
}

static size_t indent_of(const fm_line *l) {
  size_t i = 0;
  while (i < l->len && l->s[i] == ' ')
    i++;
  return i;
}

/* Parses the lines of the block (fences excluded) into the metadata. */
static int parse_block(fm_state *st, const fm_line *lines, size_t n_lines) {
  galley_buf val = GALLEY_BUF_INIT;
  int rc = GALLEY_OK;
  st->key[0] = '\0';
  for (size_t li = 0; li < n_lines && rc == GALLEY_OK; li++) {
    const fm_line *l = &lines[li];
    size_t ind = indent_of(l);
    const char *s = l->s + ind;
    size_t n = l->len - ind;
    if (is_blank(s, n) || s[0] == '#')
      continue;
    if (s[0] == '\t') {
      rc = galley_job_error(st->job, GALLEY_EPARSE,
                            "front matter line %d: tabs cannot indent YAML",
                            l->number);
      break;
    }
    if (s[0] == '-' && (n == 1 || s[1] == ' ')) {
      if (!st->key[0]) {
        rc = galley_job_error(
            st->job, GALLEY_EPARSE,
            "front matter line %d: a list item without a key above it",
            l->number);
        break;
      }
      const char *v = s + 1;
      size_t vn = n - 1;
      trim(&v, &vn);
      size_t used = 0;
      if (!(rc = parse_scalar(st, l->number, v, vn, false, &val, &used)) &&
          !(rc = expect_end(st, l->number, v + used, vn - used)))
        rc = store(st, st->key, val.data, true);
      continue;
    }
    long colon = key_colon(s, n);
    if (colon < 0) {
      rc = galley_job_error(st->job, GALLEY_EPARSE,
                            "front matter line %d: expected `key: value`",
                            l->number);
      break;
    }
    const char *k = s;
    size_t kn = (size_t)colon;
    trim(&k, &kn);
    char key[64];
    lower_key(key, sizeof key, k, kn);
    const char *v = s + colon + 1;
    size_t vn = n - (size_t)colon - 1;
    trim(&v, &vn);
    if (ind > 0) {
      /* A nested map under the key above: only an author's name is kept. */
      if (!st->key[0]) {
        rc = galley_job_error(st->job, GALLEY_EPARSE,
                              "front matter line %d: unexpected indentation",
                              l->number);
        break;
      }
      if (key_is(st->key, "author", "authors") && strcmp(key, "name") == 0) {
        size_t used = 0;
        if (!(rc = parse_scalar(st, l->number, v, vn, false, &val, &used)))
          rc = store(st, st->key, val.data, true);
      }
      continue;
    }
    memcpy(st->key, key, sizeof key);
    st->key_line = l->number;
    if (vn == 0)
      continue; /* the value is a list or map on the following lines */
    if (v[0] == '[') {
      rc = parse_flow_list(st, l->number, key, v, vn, &val);
    } else if (v[0] == '|' || v[0] == '>') {
      /* A block scalar: the more indented lines that follow. */
      bool keep = v[0] == '|';
      galley_buf text = GALLEY_BUF_INIT;
      size_t lj = li + 1;
      for (; lj < n_lines; lj++) {
        const fm_line *m = &lines[lj];
        if (!is_blank(m->s, m->len) && indent_of(m) == 0)
          break;
        const char *t = m->s;
        size_t tn = m->len;
        trim(&t, &tn);
        if (text.len && (rc = galley_buf_putc(&text, keep ? '\n' : ' ')))
          break;
        if ((rc = galley_buf_add(&text, t, tn)))
          break;
      }
      if (!rc)
        rc = store(st, key, text.data ? text.data : "", false);
      free(text.data);
      li = lj - 1;
    } else {
      size_t used = 0;
      if (!(rc = parse_scalar(st, l->number, v, vn, false, &val, &used)) &&
          !(rc = expect_end(st, l->number, v + used, vn - used)))
        rc = store(st, key, val.data, false);
    }
    st->key[0] = '\0'; /* a key with an inline value takes no list below */
  }
  free(val.data);
  return rc;
}

/* ---- pandoc's title block ---- */

/* Stores one field of a title block: its lines joined by a space (an
 * author field's `;`-separated names, or one name a line, each an author). */
static int title_field(galley_doc *doc, int field, const fm_line *lines,
                       size_t n) {
  galley_buf v = GALLEY_BUF_INIT;
  int rc = GALLEY_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    const char *s = lines[i].s;
    size_t len = lines[i].len;
    if (i == 0) { /* past the "%" */
      s++;
      len--;
    }
    trim(&s, &len);
    if (field != 1) {
      if (len && v.len)
        galley_buf_putc(&v, ' ');
      galley_buf_add(&v, s, len);
      continue;
    }
    /* Authors: "A; B" on a line, or one a line. */
    while (len && !rc) {
      const char *semi = memchr(s, ';', len);
      size_t k = semi ? (size_t)(semi - s) : len;
      const char *a = s;
      size_t an = k;
      trim(&a, &an);
      if (an) {
        char *one = galley_doc_strndup(doc, a, an);
        rc = one ? galley_doc_add_meta(doc, GALLEY_META_AUTHOR, one)
                 : GALLEY_ENOMEM;
      }
      s += k + (semi ? 1 : 0);
      len -= k + (semi ? 1 : 0);
    }
  }
  if (!rc && v.failed)
    rc = GALLEY_ENOMEM;
  if (!rc && v.len) {
    if (field == 0) {
      rc = galley_doc_set_meta(doc, GALLEY_META_TITLE, v.data);
    } else {
      galley_date d;
      rc = galley_doc_set_meta(doc, GALLEY_META_DATE,
                               galley_recognise_dateline(v.data, v.len, &d)
                                   ? d.iso
                                   : v.data);
    }
  }
  free(v.data);
  return rc;
}

/*
 * pandoc's title block: the document opens with up to three lines that
 * start with "%" and a space (or are "%" alone) — title, authors, date — each of which may go on over
 * lines that start with a space; an empty "%" skips a field. Returns the
 * offset after it (and its line count), or 0 when the input has none.
 */
static int title_block(const char *data, size_t len, size_t off,
                       galley_doc *doc, size_t *body_off, int *lines_used) {
  fm_line lines[64];
  size_t n = 0, starts[4];
  int field = -1, number = 0;
  while (off < len && n < sizeof lines / sizeof *lines) {
    const char *s = data + off;
    const char *nl = memchr(s, '\n', len - off);
    size_t k = nl ? (size_t)(nl - s) : len - off;
    size_t next = off + k + (nl ? 1 : 0);
    if (k && s[k - 1] == '\r')
      k--;
    if (k && s[0] == '%' && (k == 1 || s[1] == ' ' || s[1] == '\t') &&
        field < 2) {
      starts[++field] = n;
    } else if (!(field >= 0 && k && (s[0] == ' ' || s[0] == '\t') &&
                 !is_blank(s, k))) {
      break;
    }
    lines[n++] = (fm_line){s, k, ++number};
    off = next;
  }
  if (field < 0)
    return GALLEY_OK;
  starts[field + 1] = n;
  for (int f = 0; f <= field; f++) {
    int rc = title_field(doc, f, lines + starts[f], starts[f + 1] - starts[f]);
    if (rc)
      return rc;
  }
  *body_off = off;
  *lines_used = number;
  return GALLEY_OK;
}

int md_front_matter_read(galley_job *job, const char *data, size_t len,
                         galley_doc *doc, size_t *body_off, int *lines_used) {
  *body_off = 0;
  *lines_used = 0;
  size_t off = 0;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    off = 3;
  if (off < len && data[off] == '%')
    return title_block(data, len, off, doc, body_off, lines_used);
  /* Split the first lines until a closing fence; give up when there is none. */
  fm_line *lines = NULL;
  size_t n_lines = 0, cap = 0;
  int rc = GALLEY_OK;
  int number = 0;
  bool closed = false;
  while (off < len) {
    const char *s = data + off;
    const char *nl = memchr(s, '\n', len - off);
    size_t n = nl ? (size_t)(nl - s) : len - off;
    size_t next = off + n + (nl ? 1 : 0);
    if (n && s[n - 1] == '\r')
      n--;
    number++;
    if (number > MAX_LINES)
      break; /* a block this long is a document that starts with a rule */
    if (number == 1) {
      if (!is_fence(s, n, true))
        break;
    } else if (is_fence(s, n, false)) {
      closed = true;
      off = next;
      break;
    } else {
      if (galley_array_grow((void **)&lines, &cap, n_lines + 1,
                            sizeof *lines) != GALLEY_OK) {
        free(lines);
        return GALLEY_ENOMEM;
      }
      lines[n_lines++] = (fm_line){s, n, number};
    }
    off = next;
  }
  /*
   * Only a block whose first line reads as a YAML key is front matter; a
   * leading thematic break followed by prose stays Markdown.
   */
  const fm_line *first = NULL;
  for (size_t i = 0; i < n_lines && !first; i++)
    if (!is_blank(lines[i].s, lines[i].len) && lines[i].s[0] != '#')
      first = &lines[i];
  if (closed && first && first->s[0] != ' ' &&
      key_colon(first->s, first->len) >= 0) {
    fm_state st = {.job = job, .doc = doc};
    rc = parse_block(&st, lines, n_lines);
    if (rc == GALLEY_OK) {
      *body_off = off;
      *lines_used = number;
    }
  }
  free(lines);
  return rc;
}

/* ---- Writing ---- */

static int put_quoted(galley_sink *out, const char *v) {
  int rc = galley_sink_puts(out, "\"");
  for (const unsigned char *p = (const unsigned char *)v; *p && !rc; p++) {
    switch (*p) {
    case '"': rc = galley_sink_puts(out, "\\\""); break;
    case '\\': rc = galley_sink_puts(out, "\\\\"); break;
    case '\n': rc = galley_sink_puts(out, "\\n"); break;
    case '\t': rc = galley_sink_puts(out, "\\t"); break;
    case '\r': rc = galley_sink_puts(out, "\\r"); break;
    default:
      if (*p < 0x20)
        rc = galley_sink_printf(out, "\\u%04x", *p);
      else
        rc = galley_sink_write(out, p, 1);
    }
  }
  return rc ? rc : galley_sink_puts(out, "\"");
}

int md_front_matter_write(const galley_doc *doc, galley_sink *out) {
  static const struct {
    const char *meta, *yaml;
    bool list;
  } order[] = {
      {GALLEY_META_TITLE, "title", false},
      {GALLEY_META_SUBTITLE, "subtitle", false},
      {GALLEY_META_AUTHOR, "author", true},
      {GALLEY_META_DATE, "date", false},
      {GALLEY_META_LANGUAGE, "lang", false},
      {GALLEY_META_DESCRIPTION, "description", false},
      {GALLEY_META_KEYWORD, "tags", true},
      {GALLEY_META_PUBLISHER, "publisher", false},
      {GALLEY_META_SOURCE, "source", false},
      {GALLEY_META_URL, "url", false},
      {GALLEY_META_IDENTIFIER, "identifier", false},
  };
  bool any = false;
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    any = any || galley_doc_meta_count(doc, order[i].meta) > 0;
  if (!any)
    return GALLEY_OK;
  int rc = galley_sink_puts(out, "---\n");
  for (size_t i = 0; i < sizeof order / sizeof order[0] && !rc; i++) {
    size_t n = galley_doc_meta_count(doc, order[i].meta);
    if (n == 0)
      continue;
    rc = galley_sink_printf(out, "%s:", order[i].yaml);
    if (!order[i].list) {
      if (!rc)
        rc = galley_sink_puts(out, " ");
      if (!rc)
        rc = put_quoted(out, galley_doc_meta_value(doc, order[i].meta, 0));
      if (!rc)
        rc = galley_sink_puts(out, "\n");
      continue;
    }
    if (!rc)
      rc = galley_sink_puts(out, "\n");
    /* One walk of the metadata per key: asking for the j-th value walks
     * it from the start. */
    const char *k, *v;
    for (size_t j = 0; !rc && galley_doc_meta_entry(doc, j, &k, &v); j++) {
      if (strcmp(k, order[i].meta) != 0)
        continue;
      rc = galley_sink_puts(out, "  - ");
      if (!rc)
        rc = put_quoted(out, v);
      if (!rc)
        rc = galley_sink_puts(out, "\n");
    }
  }
  if (!rc)
    rc = galley_sink_puts(out, "---\n\n");
  return rc;
}
