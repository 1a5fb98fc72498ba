/* URL references (RFC 3986): scheme test and reference resolution. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

/* One component of a split reference: `s` is NULL when it is undefined
 * (which differs from defined and empty: "x?" has an empty query). */
typedef struct part {
  const char *s;
  size_t n;
} part;

typedef struct uri {
  part scheme, authority, path, query, fragment;
} uri;

static bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The length of the scheme `s` starts with, its colon not counted, or 0. */
static size_t scheme_len(const char *s) {
  if (!s || !is_alpha((unsigned char)s[0]))
    return 0;
  size_t i = 1;
  while (is_alpha((unsigned char)s[i]) || (s[i] >= '0' && s[i] <= '9') ||
         s[i] == '+' || s[i] == '-' || s[i] == '.')
    i++;
  return s[i] == ':' ? i : 0;
}

GALLEY_API bool galley_url_has_scheme(const char *s) {
  return scheme_len(s) > 0;
}

GALLEY_API bool galley_url_is_web(const char *s) {
  size_t n = scheme_len(s);
  if (!((n == 4 && strncasecmp(s, "http", 4) == 0) ||
        (n == 5 && strncasecmp(s, "https", 5) == 0)))
    return false;
  return s[n + 1] == '/' && s[n + 2] == '/' && s[n + 3] && s[n + 3] != '/';
}

/* Splits as the regular expression of RFC 3986 appendix B does, except
 * that a scheme must be spelled as a scheme (section 3.1). */
static void split(uri *u, const char *s) {
  memset(u, 0, sizeof *u);
  size_t k = scheme_len(s);
  if (k) {
    u->scheme = (part){s, k};
    s += k + 1;
  }
  if (s[0] == '/' && s[1] == '/') {
    s += 2;
    size_t n = strcspn(s, "/?#");
    u->authority = (part){s, n};
    s += n;
  }
  size_t n = strcspn(s, "?#");
  u->path = (part){s, n};
  s += n;
  if (*s == '?') {
    s++;
    n = strcspn(s, "#");
    u->query = (part){s, n};
    s += n;
  }
  if (*s == '#')
    u->fragment = (part){s + 1, strlen(s + 1)};
}

/* Appends `p` to the path being built in `out` with its dot segments
 * removed (section 5.2.4). `in` is a scratch copy this may change. Each
 * byte is moved or removed once, so the work is linear. */
static void remove_dots(galley_buf *out, char *in) {
  size_t start = out->len; /* the path's first byte in `out` */
  char *p = in;
  while (*p) {
    if (strncmp(p, "../", 3) == 0) {
      p += 3;
    } else if (strncmp(p, "./", 2) == 0) {
      p += 2;
    } else if (strncmp(p, "/./", 3) == 0) {
      p += 2;
    } else if (strcmp(p, "/.") == 0) {
      p[1] = '/';
      p += 1;
    } else if (strncmp(p, "/../", 4) == 0 || strcmp(p, "/..") == 0) {
      if (p[3]) {
        p += 3;
      } else {
        p += 2;
        *p = '/';
      }
      /* Drop the last segment of the output, with its "/". */
      size_t i = out->len;
      while (i > start && out->data[i - 1] != '/')
        i--;
      if (i > start)
        i--;
      out->len = i;
      if (out->data)
        out->data[i] = '\0';
    } else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
      break;
    } else {
      size_t n = strcspn(p + 1, "/") + 1;
      galley_buf_add(out, p, n);
      p += n;
    }
  }
}

/* Adds `p` to the path being built, dot segments removed. `pre` (may be
 * NULL) goes before it: the base path's directory for a merge. */
static void add_path(galley_buf *out, const part *pre, const part *p) {
  size_t n = (pre ? pre->n : 0) + p->n;
  char *tmp = malloc(n + 1);
  if (!tmp) {
    out->failed = true;
    return;
  }
  if (pre)
    memcpy(tmp, pre->s, pre->n);
  memcpy(tmp + (pre ? pre->n : 0), p->s, p->n);
  tmp[n] = '\0';
  remove_dots(out, tmp);
  free(tmp);
}

static void add_part(galley_buf *out, const char *before, const part *p) {
  if (!p->s)
    return;
  galley_buf_puts(out, before);
  galley_buf_add(out, p->s, p->n);
}

GALLEY_API int galley_url_resolve(char **out, const char *base,
                                  const char *ref) {
  if (out)
    *out = NULL;
  if (!out || !base || !ref || !galley_url_has_scheme(base))
    return GALLEY_EINVALID;
  uri b, r;
  split(&b, base);
  split(&r, ref);
  galley_buf o = GALLEY_BUF_INIT;
  galley_buf_reserve(&o, strlen(base) + strlen(ref) + 8);
  /* Section 5.2.2, then 5.3 to put the parts together. */
  const part *scheme = r.scheme.s ? &r.scheme : &b.scheme;
  galley_buf_add(&o, scheme->s, scheme->n);
  galley_buf_putc(&o, ':');
  const part *query;
  if (r.scheme.s || r.authority.s) {
    add_part(&o, "//", &r.authority);
    /* An opaque path (mailto:a/./b, data:...) is kept as written. */
    if (r.path.n && r.path.s[0] == '/')
      add_path(&o, NULL, &r.path);
    else
      galley_buf_add(&o, r.path.s, r.path.n);
    query = &r.query;
  } else {
    add_part(&o, "//", &b.authority);
    if (r.path.n == 0) {
      galley_buf_add(&o, b.path.s, b.path.n);
      query = r.query.s ? &r.query : &b.query;
    } else {
      if (r.path.s[0] == '/') {
        add_path(&o, NULL, &r.path);
      } else if (b.authority.s && b.path.n == 0) {
        static const part slash = {"/", 1};
        add_path(&o, &slash, &r.path);
      } else {
        /* The base path up to and including its last "/". */
        part dir = b.path;
        while (dir.n && dir.s[dir.n - 1] != '/')
          dir.n--;
        add_path(&o, &dir, &r.path);
      }
      query = &r.query;
    }
  }
  add_part(&o, "?", query);
  add_part(&o, "#", &r.fragment);
  if (o.failed) {
    galley_buf_free(&o);
    return GALLEY_ENOMEM;
  }
  *out = galley_buf_detach(&o, NULL);
  return *out ? GALLEY_OK : GALLEY_ENOMEM;
}
