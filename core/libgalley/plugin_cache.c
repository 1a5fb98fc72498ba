/* The plugin descriptor cache: one file per user that says, for each
 * plugin file it has seen (by path, device, inode, size, mtime and ctime),
 * the descriptor's name, version, summary, capabilities, extensions, media
 * type and options, so that a run dlopens only the plugins it uses.
 *
 * The file is input from disk like any other, and never trusted over the
 * plugin files: it is read whole (at most CACHE_MAX bytes), checked
 * against a checksum, parsed flat (no recursion) with a limit on every
 * length and count, and every description is checked as the loader checks
 * a descriptor. Anything wrong (another galley's or another ABI's cache, a
 * truncated, corrupt or hostile file) makes it read as empty, and the run
 * loads every plugin and writes a new one. It is written to a temporary
 * file renamed over the old one, so a reader sees the old or the new
 * file whole.
 *
 * The format: the line "GALLEY-PLUGIN-CACHE", then tokens: `i<decimal>;`
 * an integer, `s<length>:<bytes>\0` a string (no NUL inside), `n` a NULL
 * string. A header (galley's version, the plugin ABI, sizeof the
 * descriptor and of a pointer, the number of entries), the entries (each
 * 'E' then its fields, in the order of serialise_entry), then 'Z', the
 * FNV-1a 64 hash of everything before it in 16 hex digits, and '\n'. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_cache.h"
#include "private.h"

#define CACHE_MAGIC "GALLEY-PLUGIN-CACHE\n"
#define CACHE_MAX ((size_t)4 << 20)
#define MAX_STRING ((size_t)64 << 10)
#define MAX_ENTRIES 1024
#define MAX_EXTENSIONS 64
#define MAX_OPTIONS 256
#define TRAILER_LEN 18 /* 'Z', 16 hex digits, '\n' */

struct pcache {
  char *file; /* NULL: no usable cache location */
  char *data; /* the file as read; entries from it point into it */
  pcache_entry **entries;
  size_t n, cap;
  char **dirs; /* folders scanned */
  size_t n_dirs, cap_dirs;
  bool dirty;
};

static uint64_t fnv1a(const char *p, size_t n) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 1099511628211ull;
  }
  return h;
}

static void key_of(int64_t key[7], const struct stat *st) {
  key[0] = (int64_t)st->st_dev;
  key[1] = (int64_t)st->st_ino;
  key[2] = (int64_t)st->st_size;
  key[3] = (int64_t)st->st_mtim.tv_sec;
  key[4] = (int64_t)st->st_mtim.tv_nsec;
  key[5] = (int64_t)st->st_ctim.tv_sec;
  key[6] = (int64_t)st->st_ctim.tv_nsec;
}

/* ---- Writing ---- */

static void put_int(galley_buf *b, int64_t v) {
  galley_buf_printf(b, "i%lld;", (long long)v);
}

static void put_str(galley_buf *b, const char *s) {
  if (!s) {
    galley_buf_putc(b, 'n');
    return;
  }
  size_t n = strlen(s);
  if (n > MAX_STRING) { /* cannot be read back: spoil the entry */
    b->failed = true;
    return;
  }
  galley_buf_printf(b, "s%zu:", n);
  galley_buf_add(b, s, n + 1); /* with its NUL */
}

/* Entry `p` of `path`, as the file holds it; NULL when it cannot be. */
static char *serialise_entry(const char *path, const int64_t key[7],
                             const galley_plugin *p, size_t *len) {
  galley_buf b = GALLEY_BUF_INIT;
  galley_buf_putc(&b, 'E');
  put_str(&b, path);
  for (int i = 0; i < 7; i++)
    put_int(&b, key[i]);
  put_str(&b, p->name);
  put_str(&b, p->version);
  put_str(&b, p->summary);
  put_int(&b, p->caps);
  put_str(&b, p->media_type);
  unsigned flags = 0;
  if (p->probe)
    flags |= PCACHE_PROBE;
  if (PLUGIN_HAS(p, init) && p->init)
    flags |= PCACHE_INIT;
  if (plugin_has_batch(p))
    flags |= PCACHE_BATCH;
  if (PLUGIN_HAS(p, embeds) && p->embeds)
    flags |= PCACHE_EMBEDS;
  put_int(&b, flags);
  size_t n_ext = 0;
  for (const char *const *e = p->extensions; e && *e; e++)
    n_ext++;
  size_t n_opt = 0;
  for (const galley_option *o = p->options; o && o->name; o++)
    n_opt++;
  if (n_ext > MAX_EXTENSIONS || n_opt > MAX_OPTIONS)
    b.failed = true;
  put_int(&b, (int64_t)n_ext);
  for (size_t i = 0; i < n_ext; i++)
    put_str(&b, p->extensions[i]);
  put_int(&b, (int64_t)n_opt);
  for (size_t i = 0; i < n_opt; i++) {
    const galley_option *o = &p->options[i];
    put_str(&b, o->name);
    put_int(&b, o->type);
    put_str(&b, o->default_value);
    put_str(&b, o->choices);
    put_str(&b, o->help);
  }
  if (b.failed) {
    galley_buf_free(&b);
    return NULL;
  }
  *len = b.len;
  return b.data;
}

/* ---- Reading ---- */

typedef struct cursor {
  const char *p, *end;
} cursor;

static bool get_int(cursor *c, int64_t min, int64_t max, int64_t *out) {
  if (c->p >= c->end || *c->p != 'i')
    return false;
  c->p++;
  bool neg = c->p < c->end && *c->p == '-';
  if (neg)
    c->p++;
  uint64_t v = 0;
  int digits = 0;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    if (++digits > 19)
      return false;
    v = v * 10 + (uint64_t)(*c->p++ - '0');
  }
  if (!digits || c->p >= c->end || *c->p != ';' || v > (uint64_t)INT64_MAX)
    return false;
  c->p++;
  int64_t s = neg ? -(int64_t)v : (int64_t)v;
  if (s < min || s > max)
    return false;
  *out = s;
  return true;
}

/* A string (pointing into the buffer, NUL-terminated there), or NULL when
 * `nullable` and the token says so. */
static bool get_str(cursor *c, bool nullable, const char **out) {
  if (c->p < c->end && *c->p == 'n' && nullable) {
    c->p++;
    *out = NULL;
    return true;
  }
  if (c->p >= c->end || *c->p != 's')
    return false;
  c->p++;
  size_t n = 0;
  int digits = 0;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    if (++digits > 6)
      return false;
    n = n * 10 + (size_t)(*c->p++ - '0');
  }
  if (!digits || n > MAX_STRING || c->p >= c->end || *c->p != ':')
    return false;
  c->p++;
  if ((size_t)(c->end - c->p) < n + 1 || c->p[n] != '\0' ||
      memchr(c->p, '\0', n))
    return false;
  *out = c->p;
  c->p += n + 1;
  return true;
}

static bool valid_name(const char *name) {
  if (!name || !*name || strlen(name) > 64)
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
          *p == '_'))
      return false;
  return true;
}

static void entry_free(pcache_entry *e) {
  if (!e)
    return;
  free(e->exts);
  free(e->opts);
  free(e->own);
  free(e);
}

/* Parses one entry at `c` (just after its 'E'); NULL when it is not
 * a well-formed, acceptable description. */
static pcache_entry *parse_entry(cursor *c) {
  pcache_entry *e = calloc(1, sizeof *e);
  if (!e)
    return NULL;
  const char *start = c->p - 1;
  galley_plugin *d = &e->desc;
  int64_t v;
  if (!get_str(c, false, &e->path) || !*e->path)
    goto fail;
  for (int i = 0; i < 7; i++)
    if (!get_int(c, INT64_MIN + 1, INT64_MAX, &e->key[i]))
      goto fail;
  if (!get_str(c, false, &d->name) || !valid_name(d->name) ||
      !get_str(c, true, &d->version) || !get_str(c, true, &d->summary))
    goto fail;
  unsigned known = GALLEY_CAN_READ | GALLEY_CAN_WRITE | GALLEY_CAN_TRANSFORM;
  if (!get_int(c, 1, known, &v))
    goto fail;
  d->caps = (unsigned)v;
  if (!get_str(c, true, &d->media_type) ||
      !get_int(c, 0, PCACHE_PROBE | PCACHE_INIT | PCACHE_BATCH | PCACHE_EMBEDS,
               &v))
    goto fail;
  e->flags = (unsigned)v;
  if ((e->flags & PCACHE_BATCH) && !(d->caps & GALLEY_CAN_TRANSFORM))
    goto fail;
  if (!get_int(c, 0, MAX_EXTENSIONS, &v))
    goto fail;
  size_t n_ext = (size_t)v;
  if (n_ext) {
    e->exts = calloc(n_ext + 1, sizeof *e->exts);
    if (!e->exts)
      goto fail;
    for (size_t i = 0; i < n_ext; i++)
      if (!get_str(c, false, &e->exts[i]))
        goto fail;
    d->extensions = e->exts;
  }
  if (!get_int(c, 0, MAX_OPTIONS, &v))
    goto fail;
  size_t n_opt = (size_t)v;
  if (n_opt) {
    e->opts = calloc(n_opt + 1, sizeof *e->opts);
    if (!e->opts)
      goto fail;
    for (size_t i = 0; i < n_opt; i++) {
      galley_option *o = &e->opts[i];
      if (!get_str(c, false, &o->name) ||
          !get_int(c, GALLEY_OPT_BOOL, GALLEY_OPT_PATH, &v))
        goto fail;
      o->type = (galley_option_type)v;
      if (!get_str(c, true, &o->default_value) ||
          !get_str(c, true, &o->choices) || !get_str(c, true, &o->help))
        goto fail;
      if (o->type == GALLEY_OPT_ENUM && !o->choices)
        goto fail;
    }
    d->options = e->opts;
  }
  d->abi_version = GALLEY_ABI_VERSION;
  d->struct_size = (unsigned)sizeof(galley_plugin);
  e->blob = start;
  e->blob_len = (size_t)(c->p - start);
  return e;
fail:
  entry_free(e);
  return NULL;
}

static bool push(pcache *c, pcache_entry *e) {
  if (galley_array_grow((void **)&c->entries, &c->cap, c->n + 1,
                        sizeof *c->entries) != GALLEY_OK)
    return false;
  c->entries[c->n++] = e;
  return true;
}

static void drop_all(pcache *c) {
  for (size_t i = 0; i < c->n; i++)
    entry_free(c->entries[i]);
  c->n = 0;
}

/* Parses the whole file in c->data (`len` bytes); false when anything in
 * it is wrong. */
static bool parse_file(pcache *c, size_t len) {
  const char *data = c->data;
  size_t magic = sizeof CACHE_MAGIC - 1;
  if (len < magic + TRAILER_LEN || memcmp(data, CACHE_MAGIC, magic) != 0)
    return false;
  const char *trailer = data + len - TRAILER_LEN;
  char sum[17];
  snprintf(sum, sizeof sum, "%016llx",
           (unsigned long long)fnv1a(data, len - TRAILER_LEN));
  if (trailer[0] != 'Z' || memcmp(trailer + 1, sum, 16) != 0 ||
      trailer[17] != '\n')
    return false;
  cursor cur = {data + magic, trailer};
  const char *version;
  int64_t abi, size, ptr, n;
  if (!get_str(&cur, false, &version) ||
      strcmp(version, galley_version()) != 0 ||
      !get_int(&cur, 0, INT32_MAX, &abi) || abi != GALLEY_ABI_VERSION ||
      !get_int(&cur, 0, INT32_MAX, &size) ||
      size != (int64_t)sizeof(galley_plugin) ||
      !get_int(&cur, 0, INT32_MAX, &ptr) || ptr != (int64_t)sizeof(void *) ||
      !get_int(&cur, 0, MAX_ENTRIES, &n))
    return false;
  for (int64_t i = 0; i < n; i++) {
    if (cur.p >= cur.end || *cur.p != 'E')
      return false;
    cur.p++;
    pcache_entry *e = parse_entry(&cur);
    if (!e)
      return false;
    e->from_file = true;
    if (!push(c, e)) {
      entry_free(e);
      return false;
    }
  }
  return cur.p == cur.end;
}

/* Where the cache lives: $XDG_CACHE_HOME/galley (an absolute path, as the
 * XDG base directory specification wants), else ~/.cache/galley. */
static char *cache_file(void) {
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  char path[PATH_MAX];
  int n;
  if (xdg && xdg[0] == '/')
    n = snprintf(path, sizeof path, "%s/galley/plugins.cache", xdg);
  else if (home && home[0] == '/')
    n = snprintf(path, sizeof path, "%s/.cache/galley/plugins.cache", home);
  else
    return NULL;
  if (n < 0 || (size_t)n >= sizeof path)
    return NULL;
  return strdup(path);
}

pcache *pcache_open(void) {
  pcache *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->file = cache_file();
  if (!c->file)
    return c;
  int fd = open(c->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return c;
  struct stat st;
  size_t len = 0;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            (size_t)st.st_size <= CACHE_MAX;
  if (ok) {
    len = (size_t)st.st_size;
    c->data = malloc(len);
    ok = c->data != NULL;
  }
  size_t got = 0;
  while (ok && got < len) {
    ssize_t r = read(fd, c->data + got, len - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      ok = false;
    else
      got += (size_t)r;
  }
  close(fd);
  if (ok)
    ok = parse_file(c, len);
  if (!ok) {
    /* Unreadable, foreign or corrupt: as if empty, and rewritten. */
    drop_all(c);
    free(c->data);
    c->data = NULL;
    c->dirty = true;
  }
  return c;
}

pcache_entry *pcache_find(pcache *c, const char *path, const struct stat *st) {
  if (!c)
    return NULL;
  int64_t key[7];
  key_of(key, st);
  for (size_t i = 0; i < c->n; i++) {
    pcache_entry *e = c->entries[i];
    if (e->dead || strcmp(e->path, path) != 0)
      continue;
    if (memcmp(e->key, key, sizeof key) == 0) {
      e->seen = true;
      return e;
    }
    e->dead = true; /* the file changed since */
    c->dirty = true;
  }
  return NULL;
}

pcache_entry *pcache_add(pcache *c, const char *path, const struct stat *st,
                         const galley_plugin *p) {
  if (!c)
    return NULL;
  int64_t key[7];
  key_of(key, st);
  for (size_t i = 0; i < c->n; i++)
    if (!c->entries[i]->dead && strcmp(c->entries[i]->path, path) == 0)
      c->entries[i]->dead = true;
  c->dirty = true;
  size_t len;
  char *blob = serialise_entry(path, key, p, &len);
  if (!blob)
    return NULL;
  cursor cur = {blob + 1, blob + len};
  pcache_entry *e = parse_entry(&cur);
  if (!e || cur.p != cur.end) {
    entry_free(e);
    free(blob);
    return NULL;
  }
  e->own = blob;
  e->seen = true;
  if (!push(c, e)) {
    entry_free(e);
    return NULL;
  }
  return e;
}

void pcache_drop(pcache *c, pcache_entry *e) {
  if (c && e) {
    e->dead = true;
    c->dirty = true;
  }
}

void pcache_scanned(pcache *c, const char *dir) {
  if (!c || !dir)
    return;
  for (size_t i = 0; i < c->n_dirs; i++)
    if (strcmp(c->dirs[i], dir) == 0)
      return;
  char *copy = strdup(dir);
  if (!copy || galley_array_grow((void **)&c->dirs, &c->cap_dirs, c->n_dirs + 1,
                                 sizeof *c->dirs)) {
    free(copy);
    return;
  }
  c->dirs[c->n_dirs++] = copy;
}

/* Whether `path` is a file directly in a folder scanned in this process. */
static bool in_scanned_dir(const pcache *c, const char *path) {
  for (size_t i = 0; i < c->n_dirs; i++) {
    size_t n = strlen(c->dirs[i]);
    if (strncmp(path, c->dirs[i], n) == 0 && path[n] == '/' &&
        !strchr(path + n + 1, '/'))
      return true;
  }
  return false;
}

/* Whether an entry not seen in this run still describes its file. */
static bool still_there(const pcache_entry *e) {
  struct stat st;
  int64_t key[7];
  if (stat(e->path, &st) != 0)
    return false;
  key_of(key, &st);
  return memcmp(e->key, key, sizeof key) == 0;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

void pcache_save(pcache *c) {
  if (!c || !c->file)
    return;
  /* A file of a scanned folder that the scan did not see was removed. */
  for (size_t i = 0; i < c->n && !c->dirty; i++) {
    const pcache_entry *e = c->entries[i];
    if (!e->dead && !e->seen && in_scanned_dir(c, e->path))
      c->dirty = true;
  }
  if (!c->dirty)
    return;
  c->dirty = false; /* once: a failure is not retried in this process */
  /* What this run saw first, then what other runs saw and is still there,
   * up to MAX_ENTRIES. */
  const pcache_entry **keep = calloc(c->n ? c->n : 1, sizeof *keep);
  if (!keep)
    return;
  size_t n = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < c->n && n < MAX_ENTRIES; i++) {
      const pcache_entry *e = c->entries[i];
      if (e->dead || e->seen != (pass == 0))
        continue;
      if (pass == 1 && (in_scanned_dir(c, e->path) || !still_there(e)))
        continue;
      keep[n++] = e;
    }
  galley_buf b = GALLEY_BUF_INIT;
  galley_buf_puts(&b, CACHE_MAGIC);
  put_str(&b, galley_version());
  put_int(&b, GALLEY_ABI_VERSION);
  put_int(&b, (int64_t)sizeof(galley_plugin));
  put_int(&b, (int64_t)sizeof(void *));
  put_int(&b, (int64_t)n);
  for (size_t i = 0; i < n; i++)
    galley_buf_add(&b, keep[i]->blob, keep[i]->blob_len);
  free(keep);
  galley_buf_printf(&b, "Z%016llx\n",
                    (unsigned long long)fnv1a(b.data ? b.data : "", b.len));
  if (b.failed || b.len > CACHE_MAX) {
    galley_buf_free(&b);
    return;
  }
  /* The folders, private to the user as the XDG specification asks; a
   * ~/.cache that is missing is made too, never the home folder. */
  char *slash = strrchr(c->file, '/');
  *slash = '\0';
  char *parent = strrchr(c->file, '/');
  if (parent && parent != c->file) {
    *parent = '\0';
    mkdir(c->file, 0700);
    *parent = '/';
  }
  mkdir(c->file, 0700);
  *slash = '/';
  size_t fl = strlen(c->file);
  char *tmp = malloc(fl + 8);
  if (tmp) {
    memcpy(tmp, c->file, fl);
    memcpy(tmp + fl, ".XXXXXX", 8);
    int fd = mkstemp(tmp);
    if (fd >= 0) {
      int rc = write_all(fd, b.data, b.len);
      if (close(fd) != 0)
        rc = -1;
      if (rc != 0 || rename(tmp, c->file) != 0)
        unlink(tmp);
    }
    free(tmp);
  }
  galley_buf_free(&b);
}

void pcache_free(pcache *c) {
  if (!c)
    return;
  drop_all(c);
  free(c->entries);
  for (size_t i = 0; i < c->n_dirs; i++)
    free(c->dirs[i]);
  free(c->dirs);
  free(c->data);
  free(c->file);
  free(c);
}
