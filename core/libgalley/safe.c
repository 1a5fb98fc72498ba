/* Active content out of raw HTML and links (galley/safe.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "galley/safe.h"

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static bool name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '_' ||
         c == '.';
}

static bool blank(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* A character reference at s (after its '&'): its code point and length,
 * or 0. Only what can spell a scheme matters: numeric references and the
 * named ones for letters' neighbours. */
static size_t char_ref(const char *s, size_t n, uint32_t *cp) {
  size_t i = 0;
  if (i < n && s[i] == '#') {
    i++;
    bool hex = i < n && (s[i] == 'x' || s[i] == 'X');
    if (hex)
      i++;
    uint32_t v = 0;
    size_t start = i;
    while (i < n) {
      int c = lower((unsigned char)s[i]), d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (hex && c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else
        break;
      if (v < 0x110000)
        v = v * (hex ? 16 : 10) + (uint32_t)d;
      i++;
    }
    if (i == start)
      return 0;
    if (i < n && s[i] == ';')
      i++;
    *cp = v;
    return i;
  }
  static const struct {
    const char *name;
    uint32_t cp;
  } named[] = {{"colon;", ':'}, {"tab;", '\t'},   {"newline;", '\n'},
               {"amp;", '&'},   {"lpar;", '('},   {"rpar;", ')'},
               {"sol;", '/'},   {"nbsp;", 0xa0},  {"quot;", '"'},
               {"apos;", '\''}, {"lt;", '<'},     {"gt;", '>'}};
  for (size_t k = 0; k < sizeof named / sizeof *named; k++) {
    size_t m = strlen(named[k].name);
    if (m <= n && strncasecmp(s, named[k].name, m) == 0) {
      *cp = named[k].cp;
      return m;
    }
  }
  return 0;
}

/*
 * The first `cap` characters of `s` as a browser reads a URL's start:
 * references decoded, blanks and controls dropped, lower case. `refs`
 * says whether `s` is still HTML (an attribute value as written) or text.
 */
static void scheme_of(const char *s, size_t n, bool refs, char *out,
                      size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 1 < cap;) {
    uint32_t c = (unsigned char)s[i];
    size_t step = 1, k;
    if (refs && c == '&' && (k = char_ref(s + i + 1, n - i - 1, &c)) > 0)
      step = 1 + k;
    i += step;
    if (c <= 0x20 || c == 0x7f || c == 0xa0)
      continue;
    if (c == 0xc2 && i < n && (unsigned char)s[i] == 0xa0) {
      i++; /* a UTF-8 no-break space */
      continue;
    }
    out[o++] = (char)(c < 0x80 ? lower((int)c) : '?');
  }
  out[o] = 0;
}

static bool scheme_safe(const char *scheme, bool image) {
  if (!strncmp(scheme, "javascript:", 11) ||
      !strncmp(scheme, "vbscript:", 9) || !strncmp(scheme, "livescript:", 11))
    return false;
  if (!strncmp(scheme, "data:", 5))
    return image && !strncmp(scheme + 5, "image/", 6);
  return true;
}

static bool url_safe(const char *s, size_t n, bool refs, bool image) {
  char scheme[32];
  scheme_of(s, n, refs, scheme, sizeof scheme);
  return scheme_safe(scheme, image);
}

bool galley_url_is_safe(const char *url, bool image) {
  return !url || url_safe(url, strlen(url), false, image);
}

static bool in_list(const char *name, size_t n, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (strlen(list[i]) == n && strncasecmp(name, list[i], n) == 0)
      return true;
  return false;
}

static const char *const url_attrs[] = {
    "href",       "src",      "action",   "formaction", "xlink:href",
    "data",       "poster",   "background", "lowsrc",   "dynsrc",
    "codebase",   "cite",     "longdesc", "usemap",     "manifest",
    "icon",       "profile",  "classid",  "archive",    "ping",
    "srcset",     "imagesrcset", "xml:base", "to",      "from",
    "values",     NULL};

static bool handler(const char *name, size_t n) {
  return n > 2 && lower((unsigned char)name[0]) == 'o' &&
         lower((unsigned char)name[1]) == 'n';
}

static const char *const filtered_tags[] = {
    "script",   "style",  "iframe", "title",  "textarea", "xmp",
    "noembed",  "noframes", "plaintext", "object", "embed", "applet",
    "base",     "meta",   "link",   "frame",  "frameset", NULL};

static bool image_attr(const char *name, size_t nn) {
  return (nn == 3 && !strncasecmp(name, "src", 3)) ||
         (nn == 6 && !strncasecmp(name, "srcset", 6)) ||
         (nn == 6 && !strncasecmp(name, "poster", 6));
}

/* Whether the attribute `name` = `value` may stay on a tag; `refs` says
 * whether the value is as written in HTML (references not decoded). */
static bool attr_ok(const char *name, size_t nn, const char *value,
                    size_t vn, bool refs) {
  if (handler(name, nn) || (nn == 6 && !strncasecmp(name, "srcdoc", 6)))
    return false;
  if (in_list(name, nn, url_attrs))
    return url_safe(value, vn, refs, image_attr(name, nn));
  if (nn == 5 && !strncasecmp(name, "style", 5)) {
    char low[8];
    for (size_t i = 0; i + 7 <= vn; i++) {
      for (size_t k = 0; k < 7; k++)
        low[k] = (char)lower((unsigned char)value[i + k]);
      low[7] = 0;
      if (!strcmp(low, "express") || !strcmp(low, "javascr") ||
          !strcmp(low, "vbscrip") || !strcmp(low, "behavio"))
        return false;
    }
  }
  return true;
}

bool galley_attr_is_safe(const char *name, const char *value) {
  if (!name)
    return true;
  return attr_ok(name, strlen(name), value ? value : "",
                 value ? strlen(value) : 0, false);
}

typedef struct attr_span {
  const char *name, *value; /* value NULL when the attribute has none */
  size_t nn, vn;
} attr_span;

/*
 * The next attribute of a tag from s[*q] on: fills `at` and returns 1;
 * returns 0 at the tag's '>' (s[*q]), -1 when the input ends first.
 * Quoted values may hold '>'.
 */
static int next_attr(const char *s, size_t n, size_t *q, attr_span *at) {
  size_t k = *q;
  while (k < n && (blank((unsigned char)s[k]) || s[k] == '/'))
    k++;
  *q = k;
  if (k >= n)
    return -1;
  if (s[k] == '>')
    return 0;
  size_t a = k;
  while (k < n && !blank((unsigned char)s[k]) && s[k] != '>' && s[k] != '=' &&
         !(s[k] == '/' && k > a))
    k++;
  *at = (attr_span){s + a, NULL, k - a, 0};
  size_t r = k;
  while (r < n && blank((unsigned char)s[r]))
    r++;
  if (r < n && s[r] == '=') {
    r++;
    while (r < n && blank((unsigned char)s[r]))
      r++;
    if (r < n && (s[r] == '"' || s[r] == '\'')) {
      const char *e = memchr(s + r + 1, s[r], n - r - 1);
      if (!e)
        return -1;
      at->value = s + r + 1;
      at->vn = (size_t)(e - at->value);
      k = (size_t)(e - s) + 1;
    } else {
      at->value = s + r;
      while (r < n && !blank((unsigned char)s[r]) && s[r] != '>')
        r++;
      at->vn = (size_t)(s + r - at->value);
      k = r;
    }
  }
  *q = k;
  return 1;
}

static bool keep_attr(const attr_span *at) {
  return attr_ok(at->name, at->nn, at->value ? at->value : "", at->vn, true);
}

/*
 * A start or end tag at html[i] ('<' there): writes it, defused, and
 * returns the index after it; 0 when no tag starts here; `n` + 1 when one
 * starts but the input ends inside it.
 */
static size_t tag(galley_buf *out, const char *s, size_t n, size_t i) {
  size_t p = i + 1;
  if (p < n && s[p] == '/')
    p++;
  if (p >= n || !((s[p] >= 'a' && s[p] <= 'z') || (s[p] >= 'A' && s[p] <= 'Z')))
    return 0;
  const char *name = s + p;
  size_t nn = 0;
  while (p < n && name_char((unsigned char)s[p]))
    p++, nn++;
  /* Find the tag's end, attribute by attribute. */
  bool changed = false;
  size_t q = p;
  attr_span at;
  int got;
  while ((got = next_attr(s, n, &q, &at)) > 0)
    changed = changed || !keep_attr(&at);
  if (got < 0)
    return n + 1; /* unterminated */
  size_t close = q; /* s[close] == '>' */
  if (in_list(name, nn, filtered_tags)) {
    /* Shown as text, every "<" in it too: an attribute may hold a tag
     * (<iframe srcdoc="<script>…">). */
    for (size_t k = i; k <= close; k++) {
      const char *lt = memchr(s + k, '<', close + 1 - k);
      size_t stop = lt ? (size_t)(lt - s) : close + 1;
      galley_buf_add(out, s + k, stop - k);
      if (!lt)
        break;
      galley_buf_puts(out, "&lt;");
      k = stop;
    }
    return close + 1;
  }
  if (!changed) {
    galley_buf_add(out, s + i, close + 1 - i);
    return close + 1;
  }
  /* Written again with what may stay: the same walk, writing this time. */
  galley_buf_add(out, s + i, (size_t)(name + nn - (s + i)));
  bool self_close = s[close - 1] == '/';
  for (q = p; next_attr(s, n, &q, &at) > 0;) {
    if (!keep_attr(&at))
      continue;
    galley_buf_puts(out, " ");
    galley_buf_add(out, at.name, at.nn);
    if (at.value) {
      galley_buf_puts(out, "=\"");
      for (size_t k = 0; k < at.vn; k++) {
        if (at.value[k] == '"')
          galley_buf_puts(out, "&quot;");
        else
          galley_buf_add(out, at.value + k, 1);
      }
      galley_buf_puts(out, "\"");
    }
  }
  galley_buf_puts(out, self_close ? " />" : ">");
  return close + 1;
}

void galley_html_defuse(galley_buf *out, const char *html, size_t len) {
  size_t i = 0, copied = 0;
  while (i < len) {
    const char *lt = memchr(html + i, '<', len - i);
    if (!lt)
      break;
    i = (size_t)(lt - html);
    if (i + 3 < len && !strncmp(html + i, "<!--", 4)) {
      /* A comment is copied to its end (all of it when it has none:
       * the rest is comment to a browser too). */
      const char *e = NULL;
      for (size_t k = i + 4; k + 2 < len && !e; k++)
        if (html[k] == '-' && html[k + 1] == '-' && html[k + 2] == '>')
          e = html + k + 3;
      i = e ? (size_t)(e - html) : len;
      continue;
    }
    if (i + 1 < len && (html[i + 1] == '!' || html[i + 1] == '?')) {
      /* A declaration or processing instruction (<!DOCTYPE html>,
       * <![CDATA[…]]>) runs nothing: copied to its '>'. */
      const char *e = memchr(html + i, '>', len - i);
      if (e) {
        i = (size_t)(e - html) + 1;
        continue;
      }
    }
    galley_buf_add(out, html + copied, i - copied);
    size_t after = tag(out, html, len, i);
    if (after > len) {
      /* The input ends inside this tag (a browser would drop the rest as
       * its attributes): the rest is text, every "<" of it escaped. Each
       * later "<" would scan to the end again, so this also keeps the
       * work linear. */
      for (size_t k = i; k < len; k++) {
        if (html[k] == '<')
          galley_buf_puts(out, "&lt;");
        else
          galley_buf_add(out, html + k, 1);
      }
      return;
    }
    if (after) {
      i = copied = after;
      continue;
    }
    /* Not a tag: "<" and text ("a < b"), or one never closed. */
    char c = i + 1 < len ? (char)(html[i + 1] | 0x20) : 0;
    bool opens = (c >= 'a' && c <= 'z') || c == '/' || c == '!' || c == '?';
    galley_buf_puts(out, opens ? "&lt;" : "<");
    i = copied = i + 1;
  }
  galley_buf_add(out, html + copied, len - copied);
}
