/* A normal form for HTML so two renderers' output can be compared. */
#include "htmlnorm.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct nbuf {
  char *d;
  size_t n, cap;
} nbuf;

static void put(nbuf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->n + n + 1)
      cap *= 2;
    b->d = realloc(b->d, cap);
    if (!b->d)
      abort();
    b->cap = cap;
  }
  memcpy(b->d + b->n, s, n);
  b->n += n;
  b->d[b->n] = '\0';
}

static void puts_(nbuf *b, const char *s) { put(b, s, strlen(s)); }

static void put_cp(nbuf *b, uint32_t cp) {
  char u[4];
  size_t n;
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    cp = 0xFFFD;
  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  put(b, u, n);
}

/* Decodes the entity at s[0] == '&'; returns bytes used (0: not one we know).
 */
static size_t decode_entity(const char *s, size_t len, nbuf *out) {
  static const struct {
    const char *name;
    uint32_t cp;
  } named[] = {{"amp", '&'},      {"lt", '<'},       {"gt", '>'},
               {"quot", '"'},     {"apos", '\''},    {"nbsp", 0xA0},
               {"copy", 0xA9},    {"ouml", 0xF6},    {"auml", 0xE4},
               {"uuml", 0xFC},    {"eacute", 0xE9},  {"mdash", 0x2014},
               {"ndash", 0x2013}, {"hellip", 0x2026}};
  if (len > 2 && s[1] == '#') {
    size_t i = 2;
    uint32_t cp = 0;
    bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
    if (hex)
      i++;
    size_t start = i;
    while (
        i < len &&
        (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i])) &&
        i - start < 8) {
      int d = isdigit((unsigned char)s[i])
                  ? s[i] - '0'
                  : (tolower((unsigned char)s[i]) - 'a' + 10);
      cp = cp * (hex ? 16 : 10) + (uint32_t)d;
      i++;
    }
    if (i == start || i >= len || s[i] != ';')
      return 0;
    put_cp(out, cp);
    return i + 1;
  }
  for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
    size_t n = strlen(named[k].name);
    if (len > n + 1 && strncmp(s + 1, named[k].name, n) == 0 &&
        s[n + 1] == ';') {
      put_cp(out, named[k].cp);
      return n + 2;
    }
  }
  return 0;
}

/* Text with entities decoded, then &, <, >, " escaped. */
static void put_text(nbuf *out, const char *s, size_t len) {
  nbuf plain = {0};
  put(&plain, "", 0);
  for (size_t i = 0; i < len;) {
    size_t used = s[i] == '&' ? decode_entity(s + i, len - i, &plain) : 0;
    if (used) {
      i += used;
    } else {
      put(&plain, s + i, 1);
      i++;
    }
  }
  for (size_t i = 0; i < plain.n; i++) {
    switch (plain.d[i]) {
    case '&': puts_(out, "&amp;"); break;
    case '<': puts_(out, "&lt;"); break;
    case '>': puts_(out, "&gt;"); break;
    case '"': puts_(out, "&quot;"); break;
    default: put(out, plain.d + i, 1);
    }
  }
  free(plain.d);
}

typedef struct attr {
  char *name;
  char *value;
} attr;

static int cmp_attr(const void *a, const void *b) {
  return strcmp(((const attr *)a)->name, ((const attr *)b)->name);
}

static bool is_block_tag(const char *name) {
  static const char *const blocks[] = {
      "address", "article", "aside", "blockquote", "body",  "caption",
      "dd",      "details", "div",   "dl",         "dt",    "figcaption",
      "figure",  "footer",  "h1",    "h2",         "h3",    "h4",
      "h5",      "h6",      "head",  "header",     "hr",    "html",
      "li",      "main",    "nav",   "ol",         "p",     "pre",
      "section", "table",   "tbody", "td",         "tfoot", "th",
      "thead",   "tr",      "ul"};
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
    if (strcmp(name, blocks[i]) == 0)
      return true;
  return false;
}

/*
 * Parses a tag at s[0] == '<'. Returns its length, 0 when it is not a tag.
 * Writes the normal form into `out`, the lower-case name into `name`.
 */
static char *encode_url(const char *v);

static size_t parse_tag(const char *s, size_t len, nbuf *out, char *name,
                        size_t name_cap, bool *closing, bool urls) {
  size_t i = 1;
  *closing = false;
  if (i < len && s[i] == '/') {
    *closing = true;
    i++;
  }
  size_t ns = i;
  while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-'))
    i++;
  if (i == ns || !isalpha((unsigned char)s[ns]))
    return 0;
  size_t nn = i - ns < name_cap - 1 ? i - ns : name_cap - 1;
  for (size_t k = 0; k < nn; k++)
    name[k] = (char)tolower((unsigned char)s[ns + k]);
  name[nn] = '\0';
  attr attrs[64];
  size_t n_attrs = 0;
  bool ok = false;
  for (;;) {
    while (i < len && isspace((unsigned char)s[i]))
      i++;
    if (i >= len)
      break;
    if (s[i] == '>') {
      i++;
      ok = true;
      break;
    }
    if (s[i] == '/' && i + 1 < len && s[i + 1] == '>') {
      i += 2;
      ok = true;
      break;
    }
    size_t as = i;
    while (i < len && !isspace((unsigned char)s[i]) && s[i] != '=' &&
           s[i] != '>' && s[i] != '/' && s[i] != '"' && s[i] != '\'')
      i++;
    if (i == as)
      break;
    char *an = strndup(s + as, i - as);
    for (char *p = an; *p; p++)
      *p = (char)tolower((unsigned char)*p);
    while (i < len && isspace((unsigned char)s[i]))
      i++;
    nbuf val = {0};
    put(&val, "", 0);
    if (i < len && s[i] == '=') {
      i++;
      while (i < len && isspace((unsigned char)s[i]))
        i++;
      size_t vs, ve;
      if (i < len && (s[i] == '"' || s[i] == '\'')) {
        char q = s[i++];
        vs = i;
        while (i < len && s[i] != q)
          i++;
        ve = i;
        if (i < len)
          i++;
      } else {
        vs = i;
        while (i < len && !isspace((unsigned char)s[i]) && s[i] != '>')
          i++;
        ve = i;
      }
      put_text(&val, s + vs, ve - vs);
      if (urls && (strcmp(an, "href") == 0 || strcmp(an, "src") == 0)) {
        /* Decoded back to the characters, then encoded one way. */
        nbuf raw = {0};
        put(&raw, "", 0);
        for (size_t k = vs; k < ve;) {
          size_t used = s[k] == '&' ? decode_entity(s + k, ve - k, &raw) : 0;
          if (!used)
            put(&raw, s + k, 1);
          k += used ? used : 1;
        }
        char *enc = encode_url(raw.d);
        free(raw.d);
        val.n = 0;
        put_text(&val, enc, strlen(enc));
        free(enc);
      }
    }
    if (n_attrs < sizeof attrs / sizeof attrs[0]) {
      attrs[n_attrs].name = an;
      attrs[n_attrs++].value = val.d;
    } else {
      free(an);
      free(val.d);
    }
  }
  if (ok) {
    qsort(attrs, n_attrs, sizeof attrs[0], cmp_attr);
    puts_(out, *closing ? "</" : "<");
    puts_(out, name);
    for (size_t k = 0; k < n_attrs; k++) {
      puts_(out, " ");
      puts_(out, attrs[k].name);
      puts_(out, "=\"");
      puts_(out, attrs[k].value);
      puts_(out, "\"");
    }
    puts_(out, ">");
  }
  for (size_t k = 0; k < n_attrs; k++) {
    free(attrs[k].name);
    free(attrs[k].value);
  }
  return ok ? i : 0;
}

/* Length of a comment, declaration or processing instruction at s, or 0. */
static size_t special_len(const char *s, size_t len) {
  const char *end = NULL;
  size_t skip = 0;
  if (len >= 4 && strncmp(s, "<!--", 4) == 0) {
    end = strstr(s + 4, "-->");
    skip = 3;
  } else if (len >= 2 && (strncmp(s, "<?", 2) == 0)) {
    end = strstr(s + 2, "?>");
    skip = 2;
  } else if (len >= 9 && strncmp(s, "<![CDATA[", 9) == 0) {
    end = strstr(s + 9, "]]>");
    skip = 3;
  } else if (len >= 3 && s[1] == '!' && isalpha((unsigned char)s[2])) {
    end = strchr(s + 2, '>');
    skip = 1;
  }
  return end ? (size_t)(end - s) + skip : 0;
}

typedef struct piece {
  size_t start, len; /* in the output buffer */
  bool text;
  bool block_tag;
} piece;

/*
 * A URL attribute percent-encoded the way cmark-gfm's HTML renderer does
 * (houdini_escape_href): everything but alphanumerics and -_.+!*'(),%#@?=;:/&$~
 * becomes %XX. Encoding twice changes nothing, so either side may be encoded.
 */
static char *encode_url(const char *v) {
  static const char safe[] = "-_.+!*'(),%#@?=;:/&$~";
  nbuf b = {0};
  put(&b, "", 0);
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    if (isalnum(*p) || (*p && strchr(safe, *p))) {
      put(&b, (const char *)p, 1);
    } else {
      char hex[4];
      snprintf(hex, sizeof hex, "%%%02X", *p);
      put(&b, hex, 3);
    }
  }
  return b.d;
}

char *htmlnorm(const char *html) { return htmlnorm_ex(html, false); }

char *htmlnorm_ex(const char *html, bool urls) {
  size_t len = strlen(html);
  nbuf out = {0};
  put(&out, "", 0);
  piece *pieces = NULL;
  size_t n_pieces = 0, cap_pieces = 0;
  int in_pre = 0;
  size_t i = 0;
  while (i < len) {
    if (n_pieces == cap_pieces) {
      cap_pieces = cap_pieces ? cap_pieces * 2 : 64;
      pieces = realloc(pieces, cap_pieces * sizeof *pieces);
      if (!pieces)
        abort();
    }
    piece *p = &pieces[n_pieces];
    p->start = out.n;
    p->text = false;
    p->block_tag = false;
    if (html[i] == '<') {
      size_t sl = special_len(html + i, len - i);
      if (sl) {
        put(&out, html + i, sl);
        i += sl;
        p->len = out.n - p->start;
        n_pieces++;
        continue;
      }
      char name[32];
      bool closing;
      size_t tl =
          parse_tag(html + i, len - i, &out, name, sizeof name, &closing, urls);
      if (tl) {
        if (strcmp(name, "pre") == 0)
          in_pre += closing ? -1 : 1;
        p->block_tag = is_block_tag(name);
        i += tl;
        p->len = out.n - p->start;
        n_pieces++;
        continue;
      }
    }
    /* Text up to the next tag-like '<'. */
    size_t j = i + 1;
    while (j < len && html[j] != '<')
      j++;
    p->text = true;
    if (in_pre > 0) {
      put_text(&out, html + i, j - i);
      p->text = false; /* kept exactly */
    } else {
      /* Collapse whitespace runs to one space. */
      nbuf t = {0};
      put(&t, "", 0);
      bool ws = false;
      for (size_t k = i; k < j; k++) {
        if (html[k] == ' ' || html[k] == '\n' || html[k] == '\t' ||
            html[k] == '\r') {
          ws = true;
          continue;
        }
        if (ws)
          put(&t, " ", 1);
        ws = false;
        put(&t, html + k, 1);
      }
      if (ws)
        put(&t, " ", 1);
      put_text(&out, t.d, t.n);
      free(t.d);
    }
    i = j;
    p->len = out.n - p->start;
    n_pieces++;
  }
  /* Drop whitespace next to block tags, and pieces that are only whitespace
   * there. */
  nbuf fin = {0};
  put(&fin, "", 0);
  for (size_t k = 0; k < n_pieces; k++) {
    const char *s = out.d + pieces[k].start;
    size_t n = pieces[k].len;
    if (pieces[k].text) {
      bool before = k == 0 || pieces[k - 1].block_tag;
      bool after = k + 1 == n_pieces || pieces[k + 1].block_tag;
      if (before)
        while (n && *s == ' ')
          s++, n--;
      if (after)
        while (n && s[n - 1] == ' ')
          n--;
    }
    put(&fin, s, n);
  }
  free(out.d);
  free(pieces);
  return fin.d;
}
