/* Web archives as input: the WARC record walk (plain, or a gzip member per
 * record) and the HTTP responses the records hold. Written here because no
 * well-kept C WARC library is packaged; the formats are simple, and every
 * header block and body is held to a limit. */
#include "warc.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define IN_CHUNK ((size_t)1 << 16)

/* zlib is loaded when the first archive or encoded body needs it, not
 * linked: the program links libgalley alone, and a run that reads no web
 * archive starts without it (tests/cli/startup.sh). Its headers still
 * check the calls. */
static struct {
  int (*init2)(z_streamp, int, const char *, int);
  int (*inflate)(z_streamp, int);
  int (*end)(z_streamp);
  int (*reset)(z_streamp);
} zl;
static const char *zl_error;
static pthread_once_t zl_once = PTHREAD_ONCE_INIT;

static void zl_load(void) {
  void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
  void *f[4] = {NULL, NULL, NULL, NULL};
  static const char *const names[] = {"inflateInit2_", "inflate", "inflateEnd",
                                      "inflateReset"};
  for (int i = 0; h && i < 4; i++)
    f[i] = dlsym(h, names[i]);
  if (!h || !f[0] || !f[1] || !f[2] || !f[3]) {
    zl_error = "cannot load zlib (libz.so.1; apt-get install zlib1g)";
    return;
  }
  memcpy(&zl.init2, &f[0], sizeof f[0]);
  memcpy(&zl.inflate, &f[1], sizeof f[1]);
  memcpy(&zl.end, &f[2], sizeof f[2]);
  memcpy(&zl.reset, &f[3], sizeof f[3]);
}

/* 0 when zlib is there, else -1 with the reason. */
static int zl_ready(char *why, size_t why_size) {
  pthread_once(&zl_once, zl_load);
  if (zl_error) {
    snprintf(why, why_size, "%s", zl_error);
    return -1;
  }
  return 0;
}

#define Z_INIT2(z, wbits)                                                      \
  zl.init2((z), (wbits), ZLIB_VERSION, (int)sizeof(z_stream))

struct warc_file {
  FILE *f;
  int gz;
  size_t limit;
  unsigned char in[IN_CHUNK];
  size_t in_pos, in_end;
  uint64_t in_base; /* file offset of in[0] */
  int eof;          /* nothing more to read from the file */
  z_stream z;
  int z_ready;
  /* Of a .warc.gz: the member being read, inflated (at most cap bytes
   * kept), and where its next record starts. */
  unsigned char *mem;
  size_t mem_len, mem_cap, mem_pos;
  uint64_t mem_nth; /* records of the member read so far */
  uint64_t mem_offset;
  int mem_cut; /* the member was longer than what was kept */
  int have_mem;
};

int warc_is_path(const char *path) {
  size_t n = strlen(path);
  return (n > 5 && strcasecmp(path + n - 5, ".warc") == 0) ||
         (n > 8 && strcasecmp(path + n - 8, ".warc.gz") == 0);
}

static uint64_t pos_of(const warc_file *w) { return w->in_base + w->in_pos; }

/* Makes at least one byte available; 0 at the end of the file. */
static int fill(warc_file *w) {
  if (w->in_pos < w->in_end)
    return 1;
  if (w->eof)
    return 0;
  w->in_base += w->in_end;
  w->in_pos = w->in_end = 0;
  size_t got = fread(w->in, 1, IN_CHUNK, w->f);
  w->in_end = got;
  if (got == 0)
    w->eof = 1;
  return got > 0;
}

int warc_open(const char *path, size_t limit, warc_file **out, char *why,
              size_t why_size) {
  *out = NULL;
  warc_file *w = calloc(1, sizeof *w);
  if (!w) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  w->f = fopen(path, "rb");
  if (!w->f) {
    snprintf(why, why_size, "%s", strerror(errno));
    free(w);
    return -1;
  }
  w->limit = limit;
  if (fill(w) && w->in_end >= 2 && w->in[0] == 0x1f && w->in[1] == 0x8b)
    w->gz = 1;
  *out = w;
  return 0;
}

int warc_seek(warc_file *w, uint64_t offset, char *why, size_t why_size) {
  if (fseeko(w->f, (off_t)offset, SEEK_SET) != 0) {
    snprintf(why, why_size, "cannot seek to offset %llu: %s",
             (unsigned long long)offset, strerror(errno));
    return -1;
  }
  w->in_base = offset;
  w->in_pos = w->in_end = 0;
  w->eof = 0;
  w->have_mem = 0;
  return 0;
}

void warc_rec_clear(warc_rec *r) {
  free(r->type);
  free(r->uri);
  free(r->id);
  free(r->date);
  free(r->content_type);
  free(r->block);
  memset(r, 0, sizeof *r);
}

void warc_close(warc_file *w) {
  if (!w)
    return;
  if (w->z_ready)
    zl.end(&w->z);
  if (w->f)
    fclose(w->f);
  free(w->mem);
  free(w);
}

/* ---- Header blocks ---- */

static char *dup_trim(const char *s, size_t n) {
  while (n && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    n--;
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* The end of the header block in [p, p+n): the index just past the empty
 * line (CRLF CRLF, or LF LF from lenient writers), or 0 when there is
 * none. */
static size_t header_end(const unsigned char *p, size_t n) {
  for (size_t i = 0; i + 1 < n; i++) {
    if (p[i] != '\n')
      continue;
    if (p[i + 1] == '\n')
      return i + 2;
    if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
      return i + 3;
  }
  return 0;
}

/* Calls `fn` for each "Name: value" line of a header block after its first
 * line. Folded lines (a leading space) are joined to nothing: the headers
 * that matter here never fold. */
typedef int (*header_fn)(void *ctx, const char *name, size_t name_len,
                         const char *value, size_t value_len);

static int each_header(const unsigned char *p, size_t n, header_fn fn,
                       void *ctx) {
  const char *s = (const char *)p, *end = s + n;
  const char *line = memchr(s, '\n', n);
  if (!line)
    return 0;
  for (line++; line < end;) {
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol)
      eol = end;
    const char *colon = memchr(line, ':', (size_t)(eol - line));
    if (colon && line[0] != ' ' && line[0] != '\t') {
      int rc = fn(ctx, line, (size_t)(colon - line), colon + 1,
                  (size_t)(eol - colon - 1));
      if (rc)
        return rc;
    }
    line = eol + 1;
  }
  return 0;
}

static int is_name(const char *name, size_t n, const char *want) {
  return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

static int parse_u64(const char *s, size_t n, uint64_t *out) {
  while (n && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    n--;
  if (!n || n > 19)
    return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return 0;
}

typedef struct rec_ctx {
  warc_rec *r;
  int have_length, nomem;
} rec_ctx;

static int set_field(char **field, const char *v, size_t n, int *nomem) {
  free(*field);
  *field = dup_trim(v, n);
  if (!*field)
    *nomem = 1;
  return 0;
}

static int warc_header(void *ctx, const char *name, size_t nl, const char *v,
                       size_t vl) {
  rec_ctx *c = ctx;
  warc_rec *r = c->r;
  if (is_name(name, nl, "WARC-Type")) {
    set_field(&r->type, v, vl, &c->nomem);
    for (char *q = r->type; q && *q; q++)
      if (*q >= 'A' && *q <= 'Z')
        *q = (char)(*q - 'A' + 'a');
  } else if (is_name(name, nl, "WARC-Target-URI")) {
    set_field(&r->uri, v, vl, &c->nomem);
    /* WARC/1.0's grammar put the URI in angle brackets; some writers
     * still do. */
    size_t len = r->uri ? strlen(r->uri) : 0;
    if (len >= 2 && r->uri[0] == '<' && r->uri[len - 1] == '>') {
      memmove(r->uri, r->uri + 1, len - 2);
      r->uri[len - 2] = '\0';
    }
  } else if (is_name(name, nl, "WARC-Record-ID")) {
    set_field(&r->id, v, vl, &c->nomem);
  } else if (is_name(name, nl, "WARC-Date")) {
    set_field(&r->date, v, vl, &c->nomem);
  } else if (is_name(name, nl, "Content-Type")) {
    set_field(&r->content_type, v, vl, &c->nomem);
  } else if (is_name(name, nl, "Content-Length")) {
    if (parse_u64(v, vl, &r->length) != 0)
      return -1;
    c->have_length = 1;
  }
  return 0;
}

/* Parses the header block [p, p+n) (its empty line included) into `r`.
 * 0, or -1 with the reason. */
static int parse_warc_header(const unsigned char *p, size_t n, warc_rec *r,
                             char *why, size_t why_size) {
  if (n < 8 || memcmp(p, "WARC/", 5) != 0) {
    snprintf(why, why_size, "not a WARC record (no WARC/ version line)");
    return -1;
  }
  size_t i = 5, v = 0;
  while (i < n && p[i] != '\r' && p[i] != '\n' && v + 1 < sizeof r->version)
    r->version[v++] = (char)p[i++];
  r->version[v] = '\0';
  rec_ctx c = {r, 0, 0};
  if (each_header(p, n, warc_header, &c) != 0) {
    snprintf(why, why_size, "a Content-Length that is not a number");
    return -1;
  }
  if (c.nomem) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  if (!c.have_length) {
    snprintf(why, why_size, "no Content-Length");
    return -1;
  }
  if (!r->type) {
    snprintf(why, why_size, "no WARC-Type");
    return -1;
  }
  return 0;
}

static int over_limit(const warc_file *w, uint64_t n) {
  return w->limit && n > w->limit;
}

/* ---- .warc: records read straight from the file ---- */

/* Skips what separates records (the CRLF CRLF after a block, and any
 * blank lines); 0 at the end of the file. */
static int skip_blank(warc_file *w) {
  while (fill(w)) {
    unsigned char ch = w->in[w->in_pos];
    if (ch != '\r' && ch != '\n')
      return 1;
    w->in_pos++;
  }
  return 0;
}

/* Reads up to and including the header block's empty line into `buf`. The
 * length, or 0 when the file ends first or the block is too long. */
static size_t read_header_block(warc_file *w, unsigned char *buf, size_t cap) {
  size_t n = 0;
  while (n < cap && fill(w)) {
    buf[n++] = w->in[w->in_pos++];
    if (buf[n - 1] == '\n' &&
        ((n >= 2 && buf[n - 2] == '\n') ||
         (n >= 3 && buf[n - 2] == '\r' && buf[n - 3] == '\n')))
      return n;
  }
  return 0;
}

/* Reads `n` bytes into `dst` (or drops them when `dst` is NULL); 0, or -1
 * when the file ends first. */
static int read_bytes(warc_file *w, unsigned char *dst, uint64_t n) {
  while (n) {
    if (!fill(w))
      return -1;
    size_t avail = w->in_end - w->in_pos;
    size_t take = avail < n ? avail : (size_t)n;
    if (dst) {
      memcpy(dst, w->in + w->in_pos, take);
      dst += take;
    }
    w->in_pos += take;
    n -= take;
  }
  return 0;
}

/* After a bad record: on to the next line that starts "WARC/1.". */
static void resync_plain(warc_file *w) {
  int at_line = 0;
  while (fill(w)) {
    unsigned char ch = w->in[w->in_pos];
    if (at_line && ch == 'W') {
      /* Peek without consuming: the record starts here. */
      unsigned char look[7];
      size_t have = 0;
      uint64_t save = pos_of(w);
      while (have < sizeof look && fill(w))
        look[have++] = w->in[w->in_pos++];
      if (have == sizeof look && memcmp(look, "WARC/1.", 7) == 0) {
        char why[16];
        warc_seek(w, save, why, sizeof why);
        return;
      }
      at_line = 0;
      continue;
    }
    at_line = ch == '\n';
    w->in_pos++;
  }
}

static int next_plain(warc_file *w, warc_rec *r, char *why, size_t why_size) {
  if (!skip_blank(w))
    return 0;
  r->offset = pos_of(w);
  unsigned char *hdr = malloc(WARC_MAX_HEADER);
  if (!hdr) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  char what[200];
  size_t n = read_header_block(w, hdr, WARC_MAX_HEADER);
  if (!n) {
    snprintf(what, sizeof what,
             w->eof ? "cut short in its header" : "a header block over 64 KiB");
    goto bad;
  }
  if (parse_warc_header(hdr, n, r, what, sizeof what) != 0)
    goto bad;
  free(hdr);
  hdr = NULL;
  if (over_limit(w, r->length)) {
    r->too_big = 1;
    if (read_bytes(w, NULL, r->length) != 0) {
      snprintf(what, sizeof what, "cut short: %llu bytes announced",
               (unsigned long long)r->length);
      goto bad;
    }
    return 1;
  }
  r->block = malloc(r->length ? (size_t)r->length : 1);
  if (!r->block) {
    snprintf(what, sizeof what, "out of memory");
    goto bad;
  }
  if (read_bytes(w, r->block, r->length) != 0) {
    snprintf(what, sizeof what, "cut short: %llu bytes announced",
             (unsigned long long)r->length);
    goto bad;
  }
  return 1;
bad:
  free(hdr);
  snprintf(why, why_size, "record at offset %llu: %s",
           (unsigned long long)r->offset, what);
  warc_rec_clear(r);
  if (!w->eof)
    resync_plain(w);
  return -1;
}

/* ---- .warc.gz: a gzip member per record (or several records in one) ---- */

/* Inflates the gzip member at the current position into w->mem, keeping at
 * most the limit plus a header block. 0, or -1 with the reason (the member
 * is corrupt or cut short). */
static int inflate_member(warc_file *w, char *why, size_t why_size) {
  if (!w->z_ready) {
    if (zl_ready(why, why_size) != 0)
      return -1;
    if (Z_INIT2(&w->z, 16 + MAX_WBITS) != Z_OK) {
      snprintf(why, why_size, "cannot start zlib");
      return -1;
    }
    w->z_ready = 1;
  } else {
    zl.reset(&w->z);
  }
  size_t keep = w->limit ? w->limit + WARC_MAX_HEADER : SIZE_MAX;
  w->mem_len = w->mem_pos = 0;
  w->mem_nth = 0;
  w->mem_cut = 0;
  unsigned char out[IN_CHUNK];
  for (;;) {
    if (!fill(w)) {
      snprintf(why, why_size, "gzip member cut short");
      return -1;
    }
    w->z.next_in = w->in + w->in_pos;
    w->z.avail_in = (uInt)(w->in_end - w->in_pos);
    w->z.next_out = out;
    w->z.avail_out = sizeof out;
    int zr = zl.inflate(&w->z, Z_NO_FLUSH);
    w->in_pos = w->in_end - w->z.avail_in;
    size_t got = sizeof out - w->z.avail_out;
    if (got) {
      size_t room = keep - w->mem_len;
      size_t take = got < room ? got : room;
      if (take < got)
        w->mem_cut = 1;
      if (take && w->mem_len + take > w->mem_cap) {
        size_t cap = w->mem_cap ? w->mem_cap : IN_CHUNK;
        while (cap < w->mem_len + take)
          cap *= 2;
        unsigned char *grown = realloc(w->mem, cap);
        if (!grown) {
          snprintf(why, why_size, "out of memory");
          return -1;
        }
        w->mem = grown;
        w->mem_cap = cap;
      }
      if (take)
        memcpy(w->mem + w->mem_len, out, take);
      w->mem_len += take;
    }
    if (zr == Z_STREAM_END)
      return 0;
    if (zr != Z_OK && zr != Z_BUF_ERROR) {
      snprintf(why, why_size, "corrupt gzip data (%s)",
               w->z.msg ? w->z.msg : "zlib error");
      return -1;
    }
  }
}

/* After a bad member: on to the next gzip header (1f 8b 08) after the
 * member's first byte. */
static void resync_gz(warc_file *w, uint64_t member) {
  char why[64];
  if (warc_seek(w, member + 1, why, sizeof why) != 0) {
    w->eof = 1;
    return;
  }
  int state = 0;
  while (fill(w)) {
    unsigned char ch = w->in[w->in_pos];
    if (state == 2 && ch == 0x08) {
      uint64_t at = pos_of(w) - 2;
      warc_seek(w, at, why, sizeof why);
      return;
    }
    state = ch == 0x1f ? 1 : (state == 1 && ch == 0x8b) ? 2 : 0;
    w->in_pos++;
  }
}

static int next_gz(warc_file *w, warc_rec *r, char *why, size_t why_size) {
  char what[200];
  /* Blank lines between records in one member. */
  while (w->have_mem && w->mem_pos < w->mem_len &&
         (w->mem[w->mem_pos] == '\r' || w->mem[w->mem_pos] == '\n'))
    w->mem_pos++;
  if (!w->have_mem || w->mem_pos >= w->mem_len) {
    w->have_mem = 0;
    if (!fill(w))
      return 0;
    w->mem_offset = pos_of(w);
    r->offset = w->mem_offset;
    if (inflate_member(w, what, sizeof what) != 0) {
      snprintf(why, why_size, "record at offset %llu: %s",
               (unsigned long long)r->offset, what);
      resync_gz(w, r->offset);
      return -1;
    }
    w->have_mem = 1;
  }
  r->offset = w->mem_offset;
  r->nth = w->mem_nth;
  const unsigned char *p = w->mem + w->mem_pos;
  size_t avail = w->mem_len - w->mem_pos;
  size_t hn = header_end(p, avail < WARC_MAX_HEADER ? avail : WARC_MAX_HEADER);
  if (!hn) {
    snprintf(what, sizeof what, "no end to its header block");
    goto bad;
  }
  if (parse_warc_header(p, hn, r, what, sizeof what) != 0)
    goto bad;
  if (over_limit(w, r->length)) {
    r->too_big = 1;
    /* The rest of the member is this record's block. */
    w->have_mem = 0;
    return 1;
  }
  if (r->length > avail - hn) {
    snprintf(what, sizeof what, "cut short: %llu bytes announced, %zu there",
             (unsigned long long)r->length, avail - hn);
    goto bad;
  }
  r->block = malloc(r->length ? (size_t)r->length : 1);
  if (!r->block) {
    snprintf(what, sizeof what, "out of memory");
    goto bad;
  }
  memcpy(r->block, p + hn, (size_t)r->length);
  w->mem_pos += hn + (size_t)r->length;
  w->mem_nth++;
  return 1;
bad:
  snprintf(why, why_size, "record at offset %llu: %s",
           (unsigned long long)r->offset, what);
  warc_rec_clear(r);
  w->have_mem = 0; /* the rest of this member is not trusted */
  return -1;
}

int warc_next(warc_file *w, warc_rec *r, char *why, size_t why_size) {
  warc_rec_clear(r);
  why[0] = '\0';
  return w->gz ? next_gz(w, r, why, why_size) : next_plain(w, r, why, why_size);
}

/* ---- HTTP responses ---- */

void warc_http_clear(warc_http *h) {
  free(h->media_type);
  free(h->charset);
  free(h->body);
  memset(h, 0, sizeof *h);
}

typedef struct http_ctx {
  warc_http *h;
  int chunked, coding; /* coding: 0 identity, 1 gzip, 2 deflate, -1 other */
  char other[32];
  int nomem;
} http_ctx;

static void lower(char *s) {
  for (; *s; s++)
    if (*s >= 'A' && *s <= 'Z')
      *s = (char)(*s - 'A' + 'a');
}

/* Content-Type: "text/html; charset=\"UTF-8\"" -> media type and charset. */
static void content_type(http_ctx *c, const char *v, size_t n) {
  warc_http *h = c->h;
  const char *semi = memchr(v, ';', n);
  free(h->media_type);
  h->media_type = dup_trim(v, semi ? (size_t)(semi - v) : n);
  if (!h->media_type) {
    c->nomem = 1;
    return;
  }
  lower(h->media_type);
  while (semi) {
    const char *p = semi + 1, *end = v + n;
    semi = memchr(p, ';', (size_t)(end - p));
    const char *stop = semi ? semi : end;
    while (p < stop && (*p == ' ' || *p == '\t'))
      p++;
    if (stop - p > 8 && strncasecmp(p, "charset=", 8) == 0) {
      p += 8;
      const char *e = stop;
      while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
      if (e - p >= 2 && (*p == '"' || *p == '\'') && e[-1] == *p) {
        p++;
        e--;
      }
      free(h->charset);
      h->charset = e > p ? dup_trim(p, (size_t)(e - p)) : NULL;
      if (e > p && !h->charset)
        c->nomem = 1;
      else if (h->charset)
        lower(h->charset);
    }
  }
}

static int has_token(const char *v, size_t n, const char *tok) {
  size_t tl = strlen(tok);
  for (size_t i = 0; i + tl <= n; i++)
    if (strncasecmp(v + i, tok, tl) == 0 &&
        (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',' || v[i - 1] == '\t') &&
        (i + tl == n || v[i + tl] == ' ' || v[i + tl] == ',' ||
         v[i + tl] == '\r' || v[i + tl] == ';'))
      return 1;
  return 0;
}

static int http_header(void *ctx, const char *name, size_t nl, const char *v,
                       size_t vl) {
  http_ctx *c = ctx;
  if (is_name(name, nl, "Content-Type")) {
    content_type(c, v, vl);
  } else if (is_name(name, nl, "Transfer-Encoding")) {
    if (has_token(v, vl, "chunked"))
      c->chunked = 1;
  } else if (is_name(name, nl, "Content-Encoding")) {
    char *t = dup_trim(v, vl);
    if (!t) {
      c->nomem = 1;
      return 0;
    }
    lower(t);
    if (!*t || strcmp(t, "identity") == 0)
      c->coding = 0;
    else if (strcmp(t, "gzip") == 0 || strcmp(t, "x-gzip") == 0)
      c->coding = 1;
    else if (strcmp(t, "deflate") == 0)
      c->coding = 2;
    else {
      c->coding = -1;
      snprintf(c->other, sizeof c->other, "%s", t);
    }
    free(t);
  }
  return 0;
}

/* Undoes chunked transfer coding in place; the decoded length, or
 * (size_t)-1 when the chunks are malformed. A body cut short (a crawler
 * that stopped reading) keeps what came. */
static size_t dechunk(unsigned char *b, size_t n) {
  size_t in = 0, out = 0;
  for (;;) {
    size_t size = 0;
    int digits = 0;
    while (in < n) {
      unsigned char ch = b[in];
      int d = ch >= '0' && ch <= '9'   ? ch - '0'
              : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                       : -1;
      if (d < 0)
        break;
      if (size > (SIZE_MAX >> 4))
        return (size_t)-1;
      size = size * 16 + (size_t)d;
      digits++;
      in++;
    }
    if (!digits)
      return in >= n ? out : (size_t)-1;
    /* Chunk extensions, then CRLF. */
    while (in < n && b[in] != '\n')
      in++;
    if (in >= n)
      return out;
    in++;
    if (size == 0)
      return out;
    size_t take = size < n - in ? size : n - in;
    memmove(b + out, b + in, take);
    out += take;
    in += take;
    if (take < size)
      return out;
    if (in < n && b[in] == '\r')
      in++;
    if (in < n && b[in] == '\n')
      in++;
  }
}

/* Inflates a gzip or zlib/raw deflate body within `limit`. 0, or -1 with
 * the reason (*too_big when over the limit). */
static int decode_body(warc_http *h, int coding, size_t limit, int *too_big,
                       char *why, size_t why_size) {
  int raw = 0;
again:;
  z_stream z;
  memset(&z, 0, sizeof z);
  /* deflate is meant to be zlib-wrapped, but servers send raw deflate as
   * often: try one, then the other. */
  int wbits = coding == 1 ? 16 + MAX_WBITS : raw ? -MAX_WBITS : MAX_WBITS;
  if (zl_ready(why, why_size) != 0)
    return -1;
  if (Z_INIT2(&z, wbits) != Z_OK) {
    snprintf(why, why_size, "cannot start zlib");
    return -1;
  }
  size_t cap = h->body_len * 4 + 4096, len = 0;
  unsigned char *out = malloc(cap);
  if (!out) {
    zl.end(&z);
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  z.next_in = h->body;
  z.avail_in = (uInt)h->body_len;
  int zr;
  for (;;) {
    if (len == cap) {
      if (limit && len > limit)
        break;
      unsigned char *grown = realloc(out, cap * 2);
      if (!grown) {
        zr = Z_MEM_ERROR;
        break;
      }
      out = grown;
      cap *= 2;
    }
    z.next_out = out + len;
    z.avail_out = (uInt)(cap - len);
    zr = zl.inflate(&z, Z_NO_FLUSH);
    len = cap - z.avail_out;
    if (limit && len > limit)
      break;
    if (zr == Z_STREAM_END)
      break;
    if (zr != Z_OK && !(zr == Z_BUF_ERROR && z.avail_out == 0))
      break;
  }
  zl.end(&z);
  if (limit && len > limit) {
    free(out);
    *too_big = 1;
    snprintf(why, why_size,
             "the decoded body is over the input size limit of %zu bytes "
             "(--max-input-size)",
             limit);
    return -1;
  }
  /* A body cut short still gives what inflated (as a browser shows it). */
  if (zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && len > 0)) {
    free(out);
    if (coding == 2 && !raw) {
      raw = 1;
      goto again;
    }
    snprintf(why, why_size, "a %s body that does not inflate",
             coding == 1 ? "gzip" : "deflate");
    return -1;
  }
  free(h->body);
  h->body = out;
  h->body_len = len;
  return 0;
}

int warc_http_parse(const unsigned char *block, size_t n, size_t limit,
                    warc_http *h, int *too_big, char *why, size_t why_size) {
  memset(h, 0, sizeof *h);
  *too_big = 0;
  if (n < 12 || memcmp(block, "HTTP/", 5) != 0) {
    snprintf(why, why_size, "not an HTTP response");
    return -1;
  }
  size_t hn = header_end(block, n < WARC_MAX_HEADER ? n : WARC_MAX_HEADER);
  if (!hn) {
    snprintf(why, why_size, "no end to the HTTP headers");
    return -1;
  }
  const unsigned char *sp = memchr(block, ' ', hn);
  int status = 0, digits = 0;
  for (const unsigned char *q = sp ? sp + 1 : block + hn;
       q < block + hn && *q >= '0' && *q <= '9' && digits < 3; q++, digits++)
    status = status * 10 + (*q - '0');
  if (digits != 3) {
    snprintf(why, why_size, "no HTTP status");
    return -1;
  }
  h->status = status;
  http_ctx c = {h, 0, 0, "", 0};
  each_header(block, hn, http_header, &c);
  if (c.nomem) {
    snprintf(why, why_size, "out of memory");
    goto fail;
  }
  size_t len = n - hn;
  h->body = malloc(len ? len : 1);
  if (!h->body) {
    snprintf(why, why_size, "out of memory");
    goto fail;
  }
  memcpy(h->body, block + hn, len);
  h->body_len = len;
  if (c.chunked) {
    size_t d = dechunk(h->body, h->body_len);
    if (d == (size_t)-1) {
      snprintf(why, why_size, "malformed chunked transfer coding");
      goto fail;
    }
    h->body_len = d;
  }
  if (c.coding < 0) {
    snprintf(why, why_size, "content encoding '%s' is not supported", c.other);
    goto fail;
  }
  if (c.coding > 0 &&
      decode_body(h, c.coding, limit, too_big, why, why_size) != 0)
    goto fail;
  if (limit && h->body_len > limit) {
    *too_big = 1;
    snprintf(why, why_size,
             "the body is over the input size limit of %zu bytes "
             "(--max-input-size)",
             limit);
    goto fail;
  }
  return 0;
fail:
  warc_http_clear(h);
  return -1;
}
