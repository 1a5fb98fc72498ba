/* Batch conversion: many inputs to one output each, in parallel, safely. */
#define _GNU_SOURCE /* nftw with FTW_ACTIONRETVAL */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "names.h"

typedef enum { T_PENDING, T_CONVERTED, T_SKIPPED, T_FAILED } task_state;

typedef struct task {
  char *input;            /* path as found */
  char *display;          /* for messages: the input path */
  char *output;           /* where the result goes */
  const char *rel_output; /* `output` without OUTDIR/: the stamp's key */
  task_state state;
  galley_batch *site; /* its site's batch, shared; NULL: none */
  struct site *group; /* the site it was found to belong to (first pass) */
  /* How many pages of the batch seem to be of its site, by their first
   * bytes (guess_sites): a guess, never the site it is given. */
  char *guess_key; /* while they are counted */
  size_t guessed;
  /* Read in the first pass and kept for the conversion (within the
   * budget): the page is then parsed once. */
  galley_job *job;
  galley_doc *doc;
  /* One of the first two pages of its site, converted and written in the
   * first pass (no site template could apply yet): `job` holds its
   * messages and `early_rc` its status until the second pass reports them,
   * or, when its site turns out to have a template, it is converted again
   * then. */
  int early, early_rc;
  /* Found in a folder walk: the regular file that was seen, which is the
   * only thing that will be read (not a FIFO or a file swapped in later). */
  int walked;
  struct stat id;
  int url; /* the input is a URL: fetched, never stat'ed or walked */
  /* A record of a web archive (`input`) at this offset; `display` is
   * malloc'd then ("crawl.warc.gz@1234"). */
  int warc;
  uint64_t warc_offset, warc_nth;
  char *warc_uri, *warc_id;
} task;

/* The stamp: for each output (relative to OUTDIR), a digest of the options
 * it was made with. Open addressing on the name. */
typedef struct stamp_entry {
  char *name;
  char hash[17];
} stamp_entry;

/* The pages of one site, as the first pass finds them. */
typedef struct site {
  char *key;
  galley_batch *batch;
  size_t pages;
} site;

typedef struct batch {
  const plan *p;
  task *tasks;
  size_t n, cap;
  char *outdir;
  struct stat outdir_st;
  int outdir_exists;
  /* Options stamp: which options each output was made with. */
  char *stamp_path;
  char stamp_want[17]; /* this run's options */
  stamp_entry *stamps;
  size_t n_stamps, cap_stamps;
  int stamp_fd; /* appended to as outputs are made; -1: none */
  int lock_fd;  /* OUTDIR/.galley-lock, flock'ed for the whole run */
  atomic_size_t next, done, converted, skipped, failed;
  atomic_size_t fetched; /* URL inputs fetched */
  size_t n_urls;
  size_t unrecognized; /* files in folders that no reader takes */
  size_t warc_skipped; /* records of web archives that are no document */
  size_t refused;      /* symlinks leaving the folder, FIFOs, devices */
  char *walk_real;     /* the folder being walked, symlinks resolved */
  atomic_bool stop;
  int learning; /* workers read pages into their site's batch */
  int learns;   /* a transform learns across a batch (batch hooks) */
  site **sites; /* open addressing on the key */
  size_t n_sites, cap_sites;
  pthread_mutex_t site_lock;
  /* Bytes of the pages kept from the first pass for the second, and the
   * most they may take (GALLEY_BATCH_MEMORY). */
  atomic_size_t kept_bytes;
  size_t budget;
  atomic_size_t kept, dropped; /* pages kept; pages to read again */
  atomic_size_t early, again; /* pages converted in the first pass; of them,
                                 converted again with their site's template */
  /* Outputs renamed into place but not yet synced nor in the stamp. */
  pthread_mutex_t sync_lock;
  task **unsynced;
  size_t n_unsynced;
  int sync_failed;
  pthread_mutex_t print_lock;
  int progress; /* draw a progress bar on stderr */
  int bar_shown;
  struct timespec start;
} batch;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int matches_any(const strlist *globs, const char *rel) {
  const char *base = strrchr(rel, '/');
  base = base ? base + 1 : rel;
  for (size_t i = 0; i < globs->n; i++)
    if (fnmatch(globs->items[i], rel, 0) == 0 ||
        fnmatch(globs->items[i], base, 0) == 0)
      return 1;
  return 0;
}

/* Whether a file found in a folder is one to convert: included, not
 * excluded, not hidden, and recognised by a reader's extension or, failing
 * that, its content. */
static int wanted(batch *b, const char *path, const char *rel) {
  const cli *c = b->p->c;
  const char *base = strrchr(rel, '/');
  base = base ? base + 1 : rel;
  if (base[0] == '.')
    return 0;
  if (c->includes.n && !matches_any(&c->includes, rel))
    return 0;
  if (c->excludes.n && matches_any(&c->excludes, rel))
    return 0;
  if (b->p->reader ||
      galley_registry_find_path(b->p->reg, path, GALLEY_CAN_READ))
    return 1;
  unsigned char head[4096];
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return 1; /* let the conversion report why it cannot be read */
  ssize_t got = read(fd, head, sizeof head);
  close(fd);
  size_t n = got > 0 ? (size_t)got : 0;
  if (n > 0 &&
      galley_registry_detect(b->p->reg, NULL, head, n, GALLEY_CAN_READ))
    return 1;
  b->unrecognized++;
  if (c->verbosity > 0)
    fprintf(stderr, "galley: %s: no reader recognises it; skipped\n", path);
  return 0;
}

static char *join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  int slash = la > 0 && a[la - 1] != '/';
  char *s = malloc(la + lb + 2);
  if (!s)
    cli_die_oom();
  memcpy(s, a, la);
  if (slash)
    s[la] = '/';
  memcpy(s + la + slash, b, lb + 1);
  return s;
}

/* OUTDIR/rel with the writer's extension in place of the input's. */
static char *output_for(const batch *b, const char *rel) {
  const char *ext = b->p->writer->extensions && b->p->writer->extensions[0]
                        ? b->p->writer->extensions[0]
                        : b->p->writer->name;
  const char *slash = strrchr(rel, '/');
  const char *base = slash ? slash + 1 : rel;
  const char *dot = strrchr(base, '.');
  size_t stem = dot && dot != base ? (size_t)(dot - rel) : strlen(rel);
  char *name = malloc(stem + strlen(ext) + 2);
  if (!name)
    cli_die_oom();
  memcpy(name, rel, stem);
  sprintf(name + stem, ".%s", ext);
  char *out = join(b->outdir, name);
  free(name);
  return out;
}

static task *add_task(batch *b, const char *path, const char *rel) {
  if (galley_array_grow((void **)&b->tasks, &b->cap, b->n + 1,
                        sizeof *b->tasks) != GALLEY_OK)
    cli_die_oom();
  task *t = &b->tasks[b->n++];
  memset(t, 0, sizeof *t);
  t->input = strdup(path);
  t->display = t->input;
  t->output = output_for(b, rel);
  t->rel_output = t->output + strlen(b->outdir);
  while (*t->rel_output == '/')
    t->rel_output++;
  t->state = T_PENDING;
  if (!t->input)
    cli_die_oom();
  return t;
}

/* ---- URL inputs ---- */

static const char *writer_ext(const batch *b) {
  return b->p->writer->extensions && b->p->writer->extensions[0]
             ? b->p->writer->extensions[0]
             : b->p->writer->name;
}

/* OUTDIR/STEM.EXT, or OUTDIR/STEM-HASH.EXT with `hash` (the URL's FNV-1a,
 * for a name that another input's output already has). */
static char *url_output(const batch *b, const char *url, int hash) {
  char *stem = url_stem(url, 80);
  if (stem && hash) {
    char *h = hashed_stem(stem, name_hash(NAME_HASH_START, url));
    free(stem);
    stem = h;
  }
  if (!stem)
    cli_die_oom();
  char name[160];
  snprintf(name, sizeof name, "%s.%s", stem, writer_ext(b));
  free(stem);
  return join(b->outdir, name);
}

/* Whether `a` and `b` are the same URL (given twice: converted once). */
static int same_url(const task *t, const char *url) {
  return t->url && strcmp(t->input, url) == 0;
}

static void add_url_task(batch *b, const char *url) {
  for (size_t i = 0; i < b->n; i++)
    if (same_url(&b->tasks[i], url))
      return;
  if (galley_array_grow((void **)&b->tasks, &b->cap, b->n + 1,
                        sizeof *b->tasks) != GALLEY_OK)
    cli_die_oom();
  task *t = &b->tasks[b->n++];
  memset(t, 0, sizeof *t);
  t->input = strdup(url);
  if (!t->input)
    cli_die_oom();
  t->display = t->input;
  t->url = 1;
  t->output = url_output(b, url, 0);
  t->rel_output = t->output + strlen(b->outdir);
  while (*t->rel_output == '/')
    t->rel_output++;
  t->state = T_PENDING;
  b->n_urls++;
}

/* A URL whose name another input's output already has (two stories both
 * called index.html, or a.html beside a URL ending in /a) gets its URL's
 * hash in its name: which one is converted never depends on order. */
static void name_url_outputs(batch *b) {
  if (!b->n_urls)
    return;
  int *clash = calloc(b->n, sizeof *clash);
  if (!clash)
    cli_die_oom();
  for (size_t i = 0; i < b->n; i++) {
    if (!b->tasks[i].url)
      continue;
    for (size_t j = 0; j < b->n && !clash[i]; j++)
      if (j != i && strcmp(b->tasks[i].output, b->tasks[j].output) == 0)
        clash[i] = 1;
  }
  for (size_t i = 0; i < b->n; i++) {
    task *t = &b->tasks[i];
    if (!clash[i])
      continue;
    free(t->output);
    t->output = url_output(b, t->input, 1);
    t->rel_output = t->output + strlen(b->outdir);
    while (*t->rel_output == '/')
      t->rel_output++;
  }
  free(clash);
}

/* ---- Web archives: a collection of records, as a folder is of files ---- */

static void free_warc_task(task *t) {
  if (!t->warc)
    return;
  free(t->display);
  free(t->warc_uri);
  free(t->warc_id);
}

static char *warc_output(const batch *b, const char *stem) {
  char *name = malloc(strlen(stem) + strlen(writer_ext(b)) + 2);
  if (!name)
    cli_die_oom();
  sprintf(name, "%s.%s", stem, writer_ext(b));
  char *out = join(b->outdir, name);
  free(name);
  return out;
}

/* Walks a web archive on the main thread: each document record (an HTTP
 * 200 response of a type a reader takes) becomes a task that reads it
 * again by its offset when converted, so no more than a record per worker
 * is held; the others are counted, the bad ones reported. */
static void walk_warc(batch *b, const char *path) {
  const plan *p = b->p;
  warc_file *w;
  char why[512];
  if (warc_open(path, p->limits.max_input_size, &w, why, sizeof why) != 0) {
    fprintf(stderr, "galley: %s: %s\n", path, why);
    atomic_fetch_add(&b->failed, 1);
    return;
  }
  warc_rec r = {0};
  size_t docs = 0, bad = 0, n_skip = 0;
  static const char *const kinds[] = {"request",  "revisit", "metadata",
                                      "warcinfo", "not-200", "type",
                                      "not-http", "other"};
  size_t counts[sizeof kinds / sizeof kinds[0]] = {0};
  for (;;) {
    if (cli_interrupted)
      break;
    int got = warc_next(w, &r, why, sizeof why);
    if (got == 0)
      break;
    const galley_plugin *reader = NULL;
    const char *skip = NULL;
    warc_http h = {0};
    int c = got < 0 ? -1
                    : warc_classify(p, &r, &h, &reader, &skip, why, sizeof why);
    warc_http_clear(&h);
    if (c < 0) {
      fprintf(stderr, "galley: %s: %s\n", path, why);
      atomic_fetch_add(&b->failed, 1);
      bad++;
      continue;
    }
    if (c == 0) {
      n_skip++;
      for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(kinds[k], skip) == 0 ||
            k + 1 == sizeof kinds / sizeof kinds[0]) {
          counts[k]++;
          break;
        }
      continue;
    }
    if (galley_array_grow((void **)&b->tasks, &b->cap, b->n + 1,
                          sizeof *b->tasks) != GALLEY_OK)
      cli_die_oom();
    task *t = &b->tasks[b->n++];
    memset(t, 0, sizeof *t);
    t->warc = 1;
    t->warc_offset = r.offset;
    t->warc_nth = r.nth;
    t->input = strdup(path);
    t->warc_uri = strdup(r.uri);
    t->warc_id = strdup(r.id ? r.id : "");
    char *stem = warc_stem(r.uri);
    size_t dl = strlen(path) + 48;
    t->display = malloc(dl);
    if (!t->input || !t->warc_uri || !t->warc_id || !stem || !t->display)
      cli_die_oom();
    if (r.nth)
      snprintf(t->display, dl, "%s@%llu#%llu", path,
               (unsigned long long)r.offset, (unsigned long long)r.nth);
    else
      snprintf(t->display, dl, "%s@%llu", path, (unsigned long long)r.offset);
    t->output = warc_output(b, stem);
    free(stem);
    t->rel_output = t->output + strlen(b->outdir);
    while (*t->rel_output == '/')
      t->rel_output++;
    t->state = T_PENDING;
    docs++;
  }
  warc_rec_clear(&r);
  warc_close(w);
  b->warc_skipped += n_skip;
  if (p->c->verbosity >= 0) {
    galley_buf s = GALLEY_BUF_INIT;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
      if (counts[k] &&
          galley_buf_printf(&s, ", %zu %s", counts[k],
                            strcmp(kinds[k], "not-200") == 0 ? "not HTTP 200"
                            : strcmp(kinds[k], "type") == 0
                                ? "of a type no reader takes"
                                : kinds[k]) != GALLEY_OK)
        cli_die_oom();
    fprintf(stderr,
            "galley: %s: %zu document%s, %zu record%s skipped%s%s%s, %zu "
            "bad\n",
            path, docs, docs == 1 ? "" : "s", n_skip, n_skip == 1 ? "" : "s",
            s.len ? " (" : "", s.len ? s.data + 2 : "", s.len ? ")" : "", bad);
    galley_buf_free(&s);
  }
}

/* Records of one URI fetched twice (or of two archives) would share a
 * name: the later ones add their record id's hash, so the names depend on
 * the archives alone, never on the order of work. */
static void name_warc_outputs(batch *b) {
  for (size_t i = 0; i < b->n; i++) {
    task *t = &b->tasks[i];
    if (!t->warc)
      continue;
    int clash = 0;
    for (size_t j = 0; j < i && !clash; j++)
      clash = strcmp(b->tasks[j].output, t->output) == 0;
    if (!clash)
      continue;
    char *stem = warc_stem(t->warc_uri);
    if (!stem)
      cli_die_oom();
    char *two = hashed_stem(
        stem, name_hash(name_hash(NAME_HASH_START, t->warc_id), t->input));
    free(stem);
    if (!two)
      cli_die_oom();
    free(t->output);
    t->output = warc_output(b, two);
    free(two);
    t->rel_output = t->output + strlen(b->outdir);
    while (*t->rel_output == '/')
      t->rel_output++;
  }
}

/* Whether `real` (resolved) is the walked folder or below it. */
static int inside_walk(const batch *b, const char *real) {
  size_t rl = strlen(b->walk_real);
  if (rl == 1)
    return 1;
  return strncmp(real, b->walk_real, rl) == 0 &&
         (real[rl] == '/' || real[rl] == '\0');
}

/* A file the walk will not read, said once: symlinks that leave the folder
 * (a page linked to /etc/passwd must not end up in an e-book), FIFOs (a
 * worker would wait on one forever), devices and sockets. */
static void refuse_entry(batch *b, const char *path, const char *why) {
  b->refused++;
  if (b->p->c->verbosity >= 0)
    fprintf(stderr, "galley: %s: %s; skipped\n", path, why);
}

/* nftw has no user pointer: the walk in progress is kept here. The walk
 * runs on the main thread before any worker starts. */
static batch *walking;
static const char *walk_root;
static size_t walk_root_len;

static int visit(const char *path, const struct stat *st, int type,
                 struct FTW *ftw) {
  batch *b = walking;
  if (type == FTW_D || type == FTW_DP) {
    /* Never descend into the output folder, nor into hidden folders. */
    if (ftw->level > 0 &&
        (path[ftw->base] == '.' ||
         (b->outdir_exists && st->st_dev == b->outdir_st.st_dev &&
          st->st_ino == b->outdir_st.st_ino)))
      return FTW_SKIP_SUBTREE;
    if (ftw->level > 0 && !b->p->c->recursive)
      return FTW_SKIP_SUBTREE;
    return FTW_CONTINUE;
  }
  if (type == FTW_DNR) {
    fprintf(stderr, "galley: %s: cannot read folder\n", path);
    atomic_fetch_add(&b->failed, 1);
    return FTW_CONTINUE;
  }
  if (type != FTW_F && type != FTW_SL && type != FTW_SLN)
    return FTW_CONTINUE;
  const char *rel = path + walk_root_len;
  while (*rel == '/')
    rel++;
  const char *base = strrchr(rel, '/');
  if ((base ? base + 1 : rel)[0] == '.')
    return FTW_CONTINUE; /* hidden: left alone, as wanted() says */
  struct stat id = *st;
  if (type == FTW_SL || type == FTW_SLN) {
    char *real = realpath(path, NULL);
    if (!real || stat(real, &id) != 0) {
      /* A broken link is a broken file of the folder: it fails. */
      fprintf(stderr, "galley: %s: %s\n", path,
              errno == ENOENT ? "a symlink to nothing" : strerror(errno));
      free(real);
      atomic_fetch_add(&b->failed, 1);
      return FTW_CONTINUE;
    }
    int inside = inside_walk(b, real);
    free(real);
    if (S_ISDIR(id.st_mode))
      return FTW_CONTINUE; /* symlinked folders are not entered */
    if (!inside && !b->p->c->follow_symlinks) {
      refuse_entry(b, path,
                   "a symlink that leads outside the folder "
                   "(--follow-symlinks follows it)");
      return FTW_CONTINUE;
    }
  }
  if (!S_ISREG(id.st_mode)) {
    refuse_entry(b, path,
                 S_ISFIFO(id.st_mode) ? "a FIFO, not a regular file"
                                      : "not a regular file");
    return FTW_CONTINUE;
  }
  if (wanted(b, path, rel)) {
    task *t = add_task(b, path, rel);
    t->walked = 1;
    t->id = id;
  }
  return FTW_CONTINUE;
}

static void walk_folder(batch *b, const char *dir) {
  walking = b;
  walk_root = dir;
  walk_root_len = strlen(dir);
  b->walk_real = realpath(dir, NULL);
  if (!b->walk_real) {
    fprintf(stderr, "galley: %s: %s\n", dir, strerror(errno));
    atomic_fetch_add(&b->failed, 1);
    return;
  }
  if (nftw(dir, visit, 32, FTW_PHYS | FTW_ACTIONRETVAL) != 0 && errno)
    fprintf(stderr, "galley: %s: %s\n", dir, strerror(errno));
  free(b->walk_real);
  b->walk_real = NULL;
  walking = NULL;
}

static int by_output(const void *a, const void *b) {
  const task *x = *(task *const *)a, *y = *(task *const *)b;
  int c = strcmp(x->output, y->output);
  return c ? c : strcmp(x->input, y->input);
}

/* Two inputs that would write one output (a.md and a.html both to a.epub)
 * are both refused: which one wins must not depend on luck. */
static void refuse_collisions(batch *b) {
  task **order = malloc((b->n ? b->n : 1) * sizeof *order);
  if (!order)
    cli_die_oom();
  for (size_t i = 0; i < b->n; i++)
    order[i] = &b->tasks[i];
  qsort(order, b->n, sizeof *order, by_output);
  for (size_t i = 0; i + 1 < b->n; i++) {
    if (strcmp(order[i]->output, order[i + 1]->output) != 0)
      continue;
    for (size_t j = i; j < i + 2; j++) {
      if (order[j]->state == T_FAILED)
        continue;
      task *other = order[j == i ? i + 1 : i];
      fprintf(stderr,
              "galley: %s: output %s would also be written from %s; "
              "neither is converted\n",
              order[j]->display, order[j]->output, other->display);
      order[j]->state = T_FAILED;
      atomic_fetch_add(&b->failed, 1);
      atomic_fetch_add(&b->done, 1);
    }
  }
  free(order);
}

static int mkdirs_for(const char *file) {
  char *dir = dir_of(file);
  if (!dir)
    cli_die_oom();
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
      free(dir);
      return -1;
    }
    *p = '/';
  }
  int rc = mkdir(dir, 0777) != 0 && errno != EEXIST ? -1 : 0;
  free(dir);
  return rc;
}

static int newer_or_same(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec > b->tv_sec ||
         (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* The stamp entry for output `name`: the one found, or the empty slot where
 * it would go. The table is never full (see stamp_set). */
static stamp_entry *stamp_slot(const batch *b, const char *name) {
  size_t mask = b->cap_stamps - 1;
  for (size_t i = (size_t)name_hash(NAME_HASH_START, name) & mask;;
       i = (i + 1) & mask) {
    stamp_entry *e = &b->stamps[i];
    if (!e->name || strcmp(e->name, name) == 0)
      return e;
  }
}

static void stamp_set(batch *b, const char *name, const char *hash) {
  if ((b->n_stamps + 1) * 2 > b->cap_stamps) {
    batch old = *b;
    b->cap_stamps = old.cap_stamps ? old.cap_stamps * 2 : 256;
    b->stamps = calloc(b->cap_stamps, sizeof *b->stamps);
    if (!b->stamps)
      cli_die_oom();
    for (size_t i = 0; i < old.cap_stamps; i++)
      if (old.stamps[i].name)
        *stamp_slot(b, old.stamps[i].name) = old.stamps[i];
    free(old.stamps);
  }
  stamp_entry *e = stamp_slot(b, name);
  if (!e->name) {
    if (!(e->name = strdup(name)))
      cli_die_oom();
    b->n_stamps++;
  }
  memcpy(e->hash, hash, sizeof e->hash);
}

/* Up to date: the output exists, is newer than its input, and the stamp
 * says it was made with this run's options. */
static int up_to_date(const batch *b, const task *t) {
  if (b->p->c->force || !b->n_stamps)
    return 0;
  const stamp_entry *e = stamp_slot(b, t->rel_output);
  if (!e->name || strcmp(e->hash, b->stamp_want) != 0)
    return 0;
  struct stat in, out;
  if (stat(t->input, &in) != 0 || stat(t->output, &out) != 0)
    return 0;
  return newer_or_same(&out.st_mtim, &in.st_mtim);
}

/* Records that `t`'s output was made with this run's options: one line
 * appended (a crash keeps what was done), compacted when the batch ends.
 * A name with a newline or tab is not recorded: it is redone next time. */
static void stamp_record(batch *b, const task *t) {
  if (b->stamp_fd < 0 || strpbrk(t->rel_output, "\n\t"))
    return;
  size_t len = strlen(t->rel_output) + 19;
  char *line = malloc(len);
  if (!line)
    cli_die_oom();
  int n = snprintf(line, len, "%s\t%s\n", b->stamp_want, t->rel_output);
  /* One write() of an O_APPEND file: lines of several workers never mix. */
  if (write(b->stamp_fd, line, (size_t)n) != n)
    fprintf(stderr, "galley: %s: cannot record the options of %s: %s\n",
            b->stamp_path, t->output, strerror(errno));
  free(line);
}

/* Outputs are renamed into place without an fsync each: every SYNC_EVERY
 * outputs, and when the batch ends, the output folder's file system is
 * synced once (syncfs), and only then are they recorded in the stamp. A
 * line in the stamp so means its output is on disk. */
#define SYNC_EVERY 256

static int sync_outdir(const batch *b) {
  int fd = open(b->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
#ifdef __linux__
  int rc = syncfs(fd);
#else
  sync();
  int rc = 0;
#endif
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

/* Syncs and records the outputs made since the last time. Under
 * sync_lock. */
static void sync_outputs(batch *b) {
  if (!b->n_unsynced)
    return;
  if (sync_outdir(b) != 0) {
    if (!b->sync_failed)
      fprintf(stderr, "galley: %s: cannot sync the outputs to disk: %s\n",
              b->outdir, strerror(errno));
    b->sync_failed = 1;
  } else {
    for (size_t i = 0; i < b->n_unsynced; i++)
      stamp_record(b, b->unsynced[i]);
  }
  b->n_unsynced = 0;
}

static void output_done(batch *b, task *t) {
  pthread_mutex_lock(&b->sync_lock);
  if (!b->unsynced && !(b->unsynced = malloc(SYNC_EVERY * sizeof *b->unsynced)))
    cli_die_oom();
  b->unsynced[b->n_unsynced++] = t;
  if (b->n_unsynced == SYNC_EVERY)
    sync_outputs(b);
  pthread_mutex_unlock(&b->sync_lock);
}

static void clear_bar(batch *b) {
  if (b->bar_shown) {
    fputs("\r\033[K", stderr);
    b->bar_shown = 0;
  }
}

static void report(batch *b, const galley_job *job, const task *t, int rc) {
  const cli *c = b->p->c;
  pthread_mutex_lock(&b->print_lock);
  clear_bar(b);
  if (job)
    print_diags(job, c->verbosity);
  if (c->verbosity > 0) {
    const char *what = rc == GALLEY_OK ? "converted" : "failed";
    if (t->state == T_SKIPPED)
      what = "up to date";
    fprintf(stderr, "galley: %s -> %s: %s\n", t->display, t->output, what);
  }
  pthread_mutex_unlock(&b->print_lock);
}

/* The output file of task t, made with its folder (NULL, with a message on
 * `job`, when it cannot be). */
static galley_sink *open_output(galley_job *job, const task *t) {
  if (mkdirs_for(t->output) != 0) {
    galley_job_error(job, GALLEY_EIO, "cannot make the folder for %s: %s",
                     t->output, strerror(errno));
    return NULL;
  }
  galley_sink *sink = galley_sink_new_file(t->output);
  if (!sink) {
    galley_job_error(job, GALLEY_EIO, "cannot write %s: %s", t->output,
                     strerror(errno));
    return NULL;
  }
  galley_sink_set_sync(sink, false); /* synced with the others: output_done */
  return sink;
}

/* Converts into `sink`: `doc`, read already, finished and written, or else
 * `in` through the whole pipeline; then the job's reports, and the output
 * renamed into place when all went well. The job's status. */
static int write_output(batch *b, const task *t, galley_job *job,
                        galley_doc *doc, const galley_input *in,
                        galley_sink *sink) {
  int rc;
  signals_track_job(job);
  if (doc) {
    rc = galley_job_finish_doc(job, doc);
    if (rc == GALLEY_OK)
      rc = galley_job_write_doc(job, doc, sink);
  } else {
    rc = galley_job_run(job, in, sink);
  }
  signals_untrack_job(job);
  if (rc == GALLEY_OK && (cli_interrupted || atomic_load(&b->stop)))
    rc = galley_job_error(job, GALLEY_ECANCELLED, "interrupted");
  if (rc != GALLEY_ECANCELLED) {
    int report_rc = deliver_reports(job);
    if (rc == GALLEY_OK)
      rc = report_rc;
  }
  if (rc == GALLEY_OK && galley_sink_commit(sink) != GALLEY_OK)
    rc = galley_job_error(job, GALLEY_EIO, "cannot write %s: %s", t->output,
                          strerror(errno));
  return rc;
}

static int convert_task(batch *b, task *t) {
  const plan *p = b->p;
  /* A page the first pass kept: read and parsed already. */
  galley_job *job = t->job;
  galley_doc *doc = t->doc;
  t->job = NULL;
  t->doc = NULL;
  if (t->early) { /* converted and written in the first pass */
    int rc = t->early_rc;
    t->early = 0;
    if (rc == GALLEY_OK) {
      t->state = T_CONVERTED;
      atomic_fetch_add(&b->converted, 1);
      output_done(b, t);
    } else {
      t->state = T_FAILED;
      atomic_fetch_add(&b->failed, 1);
    }
    report(b, job, t, rc);
    galley_job_free(job);
    return rc;
  }
  if (up_to_date(b, t)) {
    galley_doc_free(doc);
    galley_job_free(job);
    t->state = T_SKIPPED;
    atomic_fetch_add(&b->skipped, 1);
    report(b, NULL, t, GALLEY_OK);
    return GALLEY_OK;
  }
  if (!job)
    job = plan_new_job(p, t->display);
  galley_job_set_batch(job, t->site);
  loaded ld = {0};
  char why[256];
  galley_sink *sink = NULL;
  char *base = NULL;
  galley_input in;
  int rc;
  warc_rec wr = {0};
  if (t->warc) {
    rc = warc_input_at(p, job, t->input, t->warc_offset, t->warc_nth, &in, &wr);
    warc_rec_clear(&wr);
    if (rc != GALLEY_OK)
      goto done;
  } else if (t->url) {
    /* One fetch per worker at a time: -j bounds the fetches too. */
    rc = fetch_input(job, t->input, &in);
    if (rc != GALLEY_OK)
      goto done;
    atomic_fetch_add(&b->fetched, 1);
  } else if (!doc) {
    rc = load_input(p, t->input, t->walked ? &t->id : NULL, &ld, why,
                    sizeof why);
    if (rc != GALLEY_OK) {
      if (rc != GALLEY_ECANCELLED)
        rc = galley_job_error(job, rc, "%s", why);
      goto done;
    }
  }
  sink = open_output(job, t);
  if (!sink) {
    rc = galley_job_status(job);
    goto done;
  }
  if (!t->url && !t->warc && !doc) {
    base = dir_of(t->input);
    if (!base)
      cli_die_oom();
    in = (galley_input){ld.data, ld.size, t->display, base};
    /* The input is dropped once read, as in a single conversion. */
    galley_job_set_input_release(job, free_input, ld.data);
    ld.data = NULL;
  }
  rc = write_output(b, t, job, doc, &in, sink);
done:
  /* Freeing an uncommitted sink removes its temporary file. */
  galley_sink_free(sink);
  galley_doc_free(doc);
  free(base);
  free(ld.data);
  if (rc == GALLEY_OK) {
    t->state = T_CONVERTED;
    atomic_fetch_add(&b->converted, 1);
    output_done(b, t);
  } else if (rc == GALLEY_ECANCELLED) {
    t->state = T_PENDING;
  } else {
    t->state = T_FAILED;
    atomic_fetch_add(&b->failed, 1);
  }
  if (rc != GALLEY_ECANCELLED)
    report(b, job, t, rc);
  galley_job_free(job);
  return rc;
}

/* The site of a page at path `input` whose URL is `url` (NULL: none):
 * the URL's host, without "www.", when it is a web URL; else the page's
 * folder. "h:HOST" or "d:FOLDER", malloc'd. */
static char *key_for(const char *url, const char *input) {
  galley_buf k = GALLEY_BUF_INIT;
  int rc;
  if (url && galley_url_is_web(url)) {
    const char *host = strstr(url, "://") + 3;
    const char *end = host + strcspn(host, "/?#");
    const char *at = memchr(host, '@', (size_t)(end - host));
    if (at)
      host = at + 1;
    const char *colon = memchr(host, ':', (size_t)(end - host));
    if (colon && host[0] != '[')
      end = colon;
    if (end - host > 4 && strncasecmp(host, "www.", 4) == 0)
      host += 4;
    rc = galley_buf_puts(&k, "h:");
    for (const char *c = host; rc == GALLEY_OK && c < end; c++)
      rc = galley_buf_putc(&k, (char)tolower((unsigned char)*c));
  } else {
    const char *slash = strrchr(input, '/');
    rc = galley_buf_puts(&k, "d:");
    if (rc == GALLEY_OK && slash)
      rc = galley_buf_add(&k, input, (size_t)(slash - input));
  }
  if (rc != GALLEY_OK)
    cli_die_oom();
  size_t n;
  char *key = galley_buf_detach(&k, &n);
  if (!key)
    cli_die_oom();
  return key;
}

/* The site a page belongs to: the host of its canonical URL (canonical
 * link, og:url, -M url), else its folder. */
static char *site_key(const task *t, const galley_doc *doc) {
  return key_for(galley_doc_get_meta(doc, GALLEY_META_URL), t->input);
}

/* ---- Guessing each page's site before the first pass ------------------
 * The first two pages of a site are converted at once in the first pass
 * (convert_early) and again if the site reaches three pages. So that a
 * site's first pages are kept instead, when it will have three, each page's
 * site is guessed from its first bytes before the pass: the host of a
 * canonical link or og:url there, else the folder. A guess only decides
 * which pages are kept between the passes: the outputs are the same. */

/* The <head> of most pages. */
#define PEEK_BYTES 32768

/* The value of attribute `name` in the tag text tag[0, n) into out. */
static bool tag_attr(const char *tag, size_t n, const char *name, char *out,
                     size_t cap) {
  size_t l = strlen(name);
  for (const char *f = tag; (f = galley_find_ci(f, n - (size_t)(f - tag), name));
       f++) {
    if (f == tag || !strchr(" \t\n\r\f/", f[-1]))
      continue;
    const char *v = f + l, *end = tag + n;
    while (v < end && isspace((unsigned char)*v))
      v++;
    if (v == end || *v != '=')
      continue;
    v++;
    while (v < end && isspace((unsigned char)*v))
      v++;
    char q = v < end && (*v == '"' || *v == '\'') ? *v++ : 0;
    const char *e = v;
    while (e < end && (q ? *e != q : !isspace((unsigned char)*e) && *e != '>'))
      e++;
    if ((size_t)(e - v) >= cap)
      return false;
    memcpy(out, v, (size_t)(e - v));
    out[e - v] = '\0';
    return true;
  }
  return false;
}

/* The URL in the `attr` of the first <`tag`> in s[0, n) that says `mark`. */
static bool peek_url(const char *s, size_t n, const char *mark,
                     const char *tag, const char *attr, char *out,
                     size_t cap) {
  size_t tl = strlen(tag);
  for (const char *f = s; (f = galley_find_ci(f, n - (size_t)(f - s), mark));
       f++) {
    const char *lt = f;
    while (lt > s && *lt != '<' && *lt != '>' && f - lt < 2048)
      lt--;
    const char *gt = memchr(f, '>', n - (size_t)(f - s));
    if (!gt)
      return false;
    if (*lt != '<' || (size_t)(gt - lt) <= tl + 1 ||
        strncasecmp(lt + 1, tag, tl) != 0 || !isspace((unsigned char)lt[1 + tl]))
      continue;
    if (tag_attr(lt, (size_t)(gt - lt), attr, out, cap))
      return true;
  }
  return false;
}

static char *guess_key(const task *t) {
  char url[2048];
  const char *found = NULL;
  int fd = open(t->input, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  /* Never a FIFO's or a device's bytes: they would be gone for the pass. */
  if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    close(fd);
    fd = -1;
  }
  if (fd >= 0) {
    char *buf = malloc(PEEK_BYTES);
    if (!buf)
      cli_die_oom();
    ssize_t n = read(fd, buf, PEEK_BYTES);
    close(fd);
    if (n > 0 &&
        (peek_url(buf, (size_t)n, "canonical", "link", "href", url, sizeof url) ||
         peek_url(buf, (size_t)n, "og:url", "meta", "content", url, sizeof url)))
      found = url;
    free(buf);
  }
  return key_for(found, t->input);
}

static void *guess_worker(void *arg) {
  batch *b = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&b->next, 1);
    if (i >= b->n || cli_interrupted)
      return NULL;
    task *t = &b->tasks[i];
    if (t->state == T_PENDING && !t->url && !t->warc)
      t->guess_key = guess_key(t);
  }
}

static int by_guess(const void *a, const void *b) {
  const task *x = *(task *const *)a, *y = *(task *const *)b;
  return strcmp(x->guess_key, y->guess_key);
}

/* Starts `fn` on up to n threads over the tasks (from b->next); when none
 * can be started, runs it on this one. How many were started. */
static long start_threads(batch *b, pthread_t *threads, long n,
                          void *(*fn)(void *)) {
  long started = 0;
  for (long i = 0; i < n; i++)
    if (pthread_create(&threads[started], NULL, fn, b) == 0)
      started++;
  if (started == 0)
    fn(b);
  return started;
}

static void join_threads(pthread_t *threads, long started) {
  for (long i = 0; i < started; i++)
    pthread_join(threads[i], NULL);
}

/* One pass of `fn` over every task, on up to n threads; the next pass
 * starts again at the first task. */
static void run_pass(batch *b, pthread_t *threads, long n,
                     void *(*fn)(void *)) {
  join_threads(threads, start_threads(b, threads, n, fn));
  atomic_store(&b->next, 0);
}

/* Every page's guessed site (a pass on the threads), and how many pages
 * guess the same. */
static void guess_sites(batch *b, pthread_t *threads, long n_threads) {
  run_pass(b, threads, n_threads, guess_worker);
  task **by = malloc((b->n ? b->n : 1) * sizeof *by);
  if (!by)
    cli_die_oom();
  size_t m = 0;
  for (size_t i = 0; i < b->n; i++)
    if (b->tasks[i].guess_key)
      by[m++] = &b->tasks[i];
  qsort(by, m, sizeof *by, by_guess);
  for (size_t i = 0, j; i < m; i = j) {
    for (j = i + 1; j < m && !strcmp(by[i]->guess_key, by[j]->guess_key); j++)
      ;
    for (size_t k = i; k < j; k++)
      by[k]->guessed = j - i;
  }
  for (size_t i = 0; i < m; i++) {
    free(by[i]->guess_key);
    by[i]->guess_key = NULL;
  }
  free(by);
}

/* The site of `key`, made on first use (its batch from `job`'s
 * transforms). Under site_lock. */
static site *site_for(batch *b, char *key, galley_job *job) {
  if ((b->n_sites + 1) * 2 > b->cap_sites) {
    size_t ncap = b->cap_sites ? b->cap_sites * 2 : 64;
    site **ns = calloc(ncap, sizeof *ns);
    if (!ns)
      cli_die_oom();
    for (size_t i = 0; i < b->cap_sites; i++) {
      site *s = b->sites[i];
      if (!s)
        continue;
      size_t j = (size_t)name_hash(NAME_HASH_START, s->key) & (ncap - 1);
      while (ns[j])
        j = (j + 1) & (ncap - 1);
      ns[j] = s;
    }
    free(b->sites);
    b->sites = ns;
    b->cap_sites = ncap;
  }
  size_t mask = b->cap_sites - 1;
  size_t i = (size_t)name_hash(NAME_HASH_START, key) & mask;
  for (; b->sites[i]; i = (i + 1) & mask)
    if (strcmp(b->sites[i]->key, key) == 0) {
      free(key);
      return b->sites[i];
    }
  site *s = calloc(1, sizeof *s);
  if (!s)
    cli_die_oom();
  s->key = key;
  s->batch = galley_batch_new(job);
  if (!s->batch)
    cli_die_oom(); /* b->learns says a transform has batch hooks */
  b->sites[i] = s;
  b->n_sites++;
  return s;
}

/* A site learns a template from three pages or more. */
#define SITE_MIN_PAGES 3

/* One of the first two pages of a site, in the first pass: no template
 * can apply to it yet, so it is converted and written now, without its
 * site's batch, as it would be if its site ends with fewer than three
 * pages; its messages wait in t->job for the second pass. Should its site
 * reach three pages, the second pass converts it again with the template
 * (assign_sites). Its tree is never kept: in a folder of pages from many
 * sites most pages are converted at once, and in a folder of one site all
 * but two are read once. */
static void convert_early(batch *b, task *t, galley_job *job, galley_doc *doc) {
  galley_sink *sink = open_output(job, t);
  int rc = sink ? write_output(b, t, job, doc, NULL, sink)
                : galley_job_status(job);
  /* Freeing an uncommitted sink removes its temporary file. */
  galley_sink_free(sink);
  galley_doc_free(doc);
  if (rc == GALLEY_ECANCELLED) { /* left for the second pass, if any */
    galley_job_free(job);
    return;
  }
  t->job = job;
  t->early = 1;
  t->early_rc = rc;
  atomic_fetch_add(&b->early, 1);
}

/* First pass: reads and parses one page, finds its site and hands the
 * page to the site's batch (the transforms learn from it). The first two
 * pages of each site are converted at once (convert_early); the others are
 * kept for the conversion while the kept pages stay within the budget;
 * past it, the conversion reads them again. Failures are left for the
 * conversion to report. */
static void read_task(batch *b, task *t) {
  const plan *p = b->p;
  loaded ld;
  char why[256];
  if (load_input(p, t->input, t->walked ? &t->id : NULL, &ld, why,
                 sizeof why) != GALLEY_OK)
    return;
  galley_job *job = plan_new_job(p, t->display);
  char *base = dir_of(t->input);
  galley_doc *doc = galley_doc_new();
  if (!base || !doc)
    cli_die_oom();
  galley_input in = {ld.data, ld.size, t->display, base};
  galley_job_set_input_release(job, free_input, ld.data);
  signals_track_job(job);
  /* Likely to be kept for the second pass (see read_task's `early`). */
  if (t->guessed >= SITE_MIN_PAGES &&
      atomic_load(&b->kept_bytes) < b->budget)
    galley_doc_set_long_lived(doc);
  int rc = galley_job_read_doc(job, &in, doc);
  if (rc == GALLEY_OK) {
    char *key = site_key(t, doc);
    pthread_mutex_lock(&b->site_lock);
    site *s = site_for(b, key, job);
    /* Not when its site is guessed to reach three pages: then it is kept
     * (within the budget) for the conversion with the template. */
    bool early = s->pages++ < SITE_MIN_PAGES - 1 && t->guessed < SITE_MIN_PAGES;
    pthread_mutex_unlock(&b->site_lock);
    t->group = s;
    rc = galley_batch_learn_doc(s->batch, job, doc);
    if (rc == GALLEY_OK && early) {
      signals_untrack_job(job);
      free(base);
      convert_early(b, t, job, doc);
      return;
    }
  }
  signals_untrack_job(job);
  free(base);
  size_t cost = galley_doc_footprint(doc);
  if (rc == GALLEY_OK &&
      atomic_fetch_add(&b->kept_bytes, cost) + cost <= b->budget) {
    t->job = job;
    t->doc = doc;
    atomic_fetch_add(&b->kept, 1);
    return;
  }
  if (rc == GALLEY_OK) {
    atomic_fetch_sub(&b->kept_bytes, cost);
    atomic_fetch_add(&b->dropped, 1);
  }
  galley_doc_free(doc);
  galley_job_free(job);
}

static void *worker(void *arg) {
  batch *b = arg;
  signals_fatal_stack();
  if (b->learning) {
    for (;;) {
      size_t i = atomic_fetch_add(&b->next, 1);
      if (i >= b->n || cli_interrupted)
        return NULL;
      task *t = &b->tasks[i];
      if (t->state == T_PENDING && !t->url && !t->warc && !up_to_date(b, t))
        read_task(b, t);
    }
  }
  for (;;) {
    if (cli_interrupted || atomic_load(&b->stop))
      break;
    size_t i = atomic_fetch_add(&b->next, 1);
    if (i >= b->n)
      break;
    task *t = &b->tasks[i];
    if (t->state != T_PENDING)
      continue;
    int rc = convert_task(b, t);
    if (rc != GALLEY_ECANCELLED)
      atomic_fetch_add(&b->done, 1);
    if (rc != GALLEY_OK && rc != GALLEY_ECANCELLED && b->p->c->fail_fast)
      atomic_store(&b->stop, true);
  }
  return NULL;
}

static void draw_bar(batch *b) {
  size_t done = atomic_load(&b->done), total = b->n;
  double elapsed = now_seconds() -
                   ((double)b->start.tv_sec + (double)b->start.tv_nsec / 1e9);
  double rate = elapsed > 0 ? (double)done / elapsed : 0;
  int width = 30;
  int filled = total ? (int)((double)width * (double)done / (double)total) : 0;
  char bar[64];
  for (int i = 0; i < width; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[width] = '\0';
  char eta[32] = "--:--";
  if (rate > 0 && total >= done) {
    long secs = (long)((double)(total - done) / rate);
    snprintf(eta, sizeof eta, "%ld:%02ld", secs / 60, secs % 60);
  }
  pthread_mutex_lock(&b->print_lock);
  fprintf(stderr, "\r\033[K[%s] %zu/%zu  %.1f files/s  ETA %s", bar, done,
          total, rate, eta);
  if (b->n_urls)
    fprintf(stderr, "  %zu/%zu fetched", atomic_load(&b->fetched), b->n_urls);
  fflush(stderr);
  b->bar_shown = 1;
  pthread_mutex_unlock(&b->print_lock);
}

/* A digest of everything that changes the bytes of an output: formats,
 * transforms, options and metadata. FNV-1a, written as hex. */
static void options_stamp(const plan *p, char out[17]) {
  uint64_t h = 1469598103934665603ull;
  const cli *c = p->c;
  const strlist *lists[] = {&c->transforms, &c->options, &c->metas,
                            &c->resource_paths};
  const char *parts[] = {p->writer->name, p->reader ? p->reader->name : "",
                         p->writer->version ? p->writer->version : ""};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    for (const char *s = parts[i];; s++) {
      h = (h ^ (unsigned char)*s) * 1099511628211ull;
      if (!*s)
        break;
    }
  for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
    for (size_t i = 0; i < lists[l]->n; i++)
      for (const char *s = lists[l]->items[i];; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
        if (!*s)
          break;
      }
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}

#define STAMP_HEADER "galley-batch 2\n"

/* Reads the stamp in OUTDIR (a header line, then "OPTIONS<TAB>OUTPUT" lines,
 * the last one for an output winning) and opens it for appending. A stamp
 * of another form counts as empty: every output is redone once. */
static void load_stamp(batch *b) {
  options_stamp(b->p, b->stamp_want);
  b->stamp_path = join(b->outdir, ".galley-batch");
  b->stamp_fd = -1;
  FILE *f = fopen(b->stamp_path, "r");
  if (f) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, f);
    if (len > 0 && strcmp(line, STAMP_HEADER) == 0) {
      while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n' || len < 19 || line[16] != '\t')
          continue; /* a line cut short by a crash */
        line[len - 1] = '\0';
        line[16] = '\0';
        stamp_set(b, line + 17, line);
      }
    }
    free(line);
    fclose(f);
  }
  int fd = open(b->stamp_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0 &&
      write(fd, STAMP_HEADER, strlen(STAMP_HEADER)) < 0) {
    close(fd);
    fd = -1;
  }
  if (fd >= 0 && st.st_size > 0 && !b->n_stamps) {
    /* Another form (an older galley's): start it afresh. */
    if (ftruncate(fd, 0) != 0 ||
        write(fd, STAMP_HEADER, strlen(STAMP_HEADER)) < 0) {
      close(fd);
      fd = -1;
    }
  }
  b->stamp_fd = fd;
}

/* Rewrites the stamp with one line per output (the appended lines of this
 * run folded in), atomically. Runs under the folder's lock. */
static void compact_stamp(batch *b) {
  if (b->stamp_fd < 0)
    return;
  close(b->stamp_fd);
  b->stamp_fd = -1;
  for (size_t i = 0; i < b->n; i++)
    if (b->tasks[i].state == T_CONVERTED &&
        !strpbrk(b->tasks[i].rel_output, "\n\t"))
      stamp_set(b, b->tasks[i].rel_output, b->stamp_want);
  galley_sink *sink = galley_sink_new_file(b->stamp_path);
  if (!sink)
    return;
  galley_sink_puts(sink, STAMP_HEADER);
  for (size_t i = 0; i < b->cap_stamps; i++) {
    const stamp_entry *e = &b->stamps[i];
    if (e->name)
      galley_sink_printf(sink, "%s\t%s\n", e->hash, e->name);
  }
  galley_sink_commit(sink);
  galley_sink_free(sink);
}

/* One batch at a time writes into a folder: a second one started while the
 * first runs would mix outputs made with other options. The lock is an
 * flock(2), so the kernel drops it when the process ends, however it ends. */
static int lock_outdir(batch *b) {
  char *dirmark = join(b->outdir, ".galley-lock");
  if (mkdirs_for(dirmark) != 0) {
    fprintf(stderr, "galley: %s: cannot make the folder: %s\n", b->outdir,
            strerror(errno));
    free(dirmark);
    return -1;
  }
  b->lock_fd = open(dirmark, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (b->lock_fd < 0) {
    fprintf(stderr, "galley: %s: cannot lock the output folder: %s\n", dirmark,
            strerror(errno));
    free(dirmark);
    return -1;
  }
  free(dirmark);
  if (flock(b->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      fprintf(stderr,
              "galley: %s: another galley batch is writing to this folder; "
              "run this one when it has finished\n",
              b->outdir);
    else
      fprintf(stderr, "galley: %s: cannot lock the output folder: %s\n",
              b->outdir, strerror(errno));
    close(b->lock_fd);
    b->lock_fd = -1;
    return -1;
  }
  return 0;
}

typedef struct file_id {
  dev_t dev;
  ino_t ino;
} file_id;

static int by_id(const void *a, const void *b) {
  const file_id *x = a, *y = b;
  if (x->dev != y->dev)
    return x->dev < y->dev ? -1 : 1;
  return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* An output that is one of the inputs (OUTDIR is the input folder, -t names
 * the input's own format) would overwrite it: the whole batch is refused
 * before anything is written. */
static void refuse_outputs_over_inputs(const batch *b) {
  file_id *ids = malloc((b->n ? b->n : 1) * sizeof *ids);
  if (!ids)
    cli_die_oom();
  size_t n = 0;
  for (size_t i = 0; i < b->n; i++) {
    struct stat st;
    if (stat(b->tasks[i].input, &st) == 0)
      ids[n++] = (file_id){st.st_dev, st.st_ino};
  }
  qsort(ids, n, sizeof *ids, by_id);
  for (size_t i = 0; i < b->n; i++) {
    struct stat st;
    if (stat(b->tasks[i].output, &st) != 0)
      continue;
    file_id key = {st.st_dev, st.st_ino};
    if (bsearch(&key, ids, n, sizeof *ids, by_id)) {
      free(ids);
      cli_usage_error("%s: its output %s is an input of this batch; it "
                      "would be overwritten (choose another -o OUTDIR)",
                      b->tasks[i].display, b->tasks[i].output);
    }
  }
  free(ids);
}

/* Whether a transform of the run learns across a batch (batch hooks:
 * the boilerplate transform's site template). Pages from URLs learn
 * nothing across the batch: that would fetch each of them twice. */
static int learns_across(const batch *b) {
  if (!b->p->n_transforms || b->n < 3)
    return 0;
  size_t files = 0;
  for (size_t i = 0; i < b->n; i++)
    files += !b->tasks[i].url && !b->tasks[i].warc;
  if (files < 3)
    return 0;
  galley_job *job = plan_new_job(b->p, NULL);
  galley_batch *probe = galley_batch_new(job);
  if (!probe && galley_job_status(job) != GALLEY_OK)
    cli_die_oom();
  galley_batch_free(probe);
  galley_job_free(job);
  return probe != NULL;
}

/* After the first pass: the pages of a site that number at least three
 * share its batch; smaller sites learn nothing. */
static void assign_sites(batch *b) {
  for (size_t i = 0; i < b->n; i++) {
    task *t = &b->tasks[i];
    t->site = t->group && t->group->pages >= SITE_MIN_PAGES ? t->group->batch
                                                             : NULL;
    if (t->early && t->site) {
      /* Converted before its site had a template: again, with it. */
      galley_job_free(t->job);
      t->job = NULL;
      t->early = 0;
      atomic_fetch_add(&b->again, 1);
    }
  }
}

/* GALLEY_BATCH_MEMORY: the most the pages kept between the passes may
 * take (a size: 0, 512K, 256M, 2G). */
#define DEFAULT_BATCH_MEMORY ((size_t)512 << 20)
static size_t batch_budget(void) {
  const char *v = getenv("GALLEY_BATCH_MEMORY");
  size_t n;
  if (!v || !*v)
    return DEFAULT_BATCH_MEMORY;
  if (!parse_size(v, &n))
    cli_usage_error("GALLEY_BATCH_MEMORY=%s: not a size (such as 0, 512K, "
                    "256M, 2G)",
                    v);
  return n;
}

int run_batch(const plan *p) {
  const cli *c = p->c;
  batch b;
  memset(&b, 0, sizeof b);
  b.p = p;
  pthread_mutex_init(&b.print_lock, NULL);
  pthread_mutex_init(&b.site_lock, NULL);
  pthread_mutex_init(&b.sync_lock, NULL);
  b.budget = batch_budget();
  b.outdir = strdup(p->c->output);
  if (!b.outdir)
    cli_die_oom();
  size_t olen = strlen(b.outdir);
  while (olen > 1 && b.outdir[olen - 1] == '/')
    b.outdir[--olen] = '\0';
  b.outdir_exists = stat(b.outdir, &b.outdir_st) == 0;
  if (b.outdir_exists && !S_ISDIR(b.outdir_st.st_mode))
    cli_usage_error("%s is a file, but several outputs need a folder",
                    b.outdir);

  for (size_t i = 0; i < c->inputs.n; i++) {
    const char *in = c->inputs.items[i];
    struct stat st;
    if (strcmp(in, "-") == 0)
      cli_usage_error("standard input cannot be part of a batch");
    if (is_url_input(in)) {
      add_url_task(&b, in);
    } else if (stat(in, &st) == 0 && S_ISDIR(st.st_mode)) {
      walk_folder(&b, in);
    } else if (warc_is_path(in)) {
      walk_warc(&b, in);
    } else {
      /* A file named on the command line is always attempted. */
      const char *base = strrchr(in, '/');
      add_task(&b, in, base ? base + 1 : in);
    }
  }
  name_url_outputs(&b);
  name_warc_outputs(&b);
  refuse_outputs_over_inputs(&b);
  refuse_collisions(&b);
  if (lock_outdir(&b) != 0) {
    for (size_t i = 0; i < b.n; i++) {
      free_warc_task(&b.tasks[i]);
      free(b.tasks[i].input);
      free(b.tasks[i].output);
    }
    free(b.tasks);
    free(b.outdir);
    pthread_mutex_destroy(&b.print_lock);
    pthread_mutex_destroy(&b.site_lock);
    pthread_mutex_destroy(&b.sync_lock);
    return EXIT_FAILED;
  }
  load_stamp(&b);

  long n_threads = c->jobs ? c->jobs : sysconf(_SC_NPROCESSORS_ONLN);
  if (n_threads < 1)
    n_threads = 1;
  if ((size_t)n_threads > b.n)
    n_threads = b.n ? (long)b.n : 1;
  b.progress = c->verbosity == 0 && isatty(2);
  clock_gettime(CLOCK_MONOTONIC, &b.start);
  double t0 = now_seconds();

  pthread_t *threads = calloc((size_t)n_threads, sizeof *threads);
  if (!threads)
    cli_die_oom();
  b.learns = learns_across(&b);
  if (b.learns) {
    /* First pass: every page is read and parsed, its site found and the
     * site's batch taught; the pages within the budget are kept for the
     * conversion, the others are read again then. */
    guess_sites(&b, threads, n_threads);
    b.learning = 1;
    run_pass(&b, threads, n_threads, worker);
    b.learning = 0;
    assign_sites(&b);
    if (c->verbosity > 0)
      fprintf(stderr,
              "galley: %zu pages of %zu site%s learnt from; %zu converted "
              "at once (a site's first two, unless their first bytes showed "
              "three pages or more of it), %zu of them again with their "
              "site's template; %zu kept parsed for their conversion, %zu "
              "read again (over the GALLEY_BATCH_MEMORY budget of %zu "
              "bytes)\n",
              atomic_load(&b.kept) + atomic_load(&b.dropped) +
                  atomic_load(&b.early),
              b.n_sites, b.n_sites == 1 ? "" : "s", atomic_load(&b.early),
              atomic_load(&b.again), atomic_load(&b.kept),
              atomic_load(&b.dropped), b.budget);
  }
  long started = start_threads(&b, threads, n_threads, worker);
  /* The main thread draws the bar until the workers are through. */
  while (b.progress && atomic_load(&b.done) < b.n && !cli_interrupted &&
         !atomic_load(&b.stop)) {
    draw_bar(&b);
    struct timespec tick = {0, 100 * 1000 * 1000};
    nanosleep(&tick, NULL);
  }
  join_threads(threads, started);
  free(threads);
  if (b.progress) {
    draw_bar(&b);
    clear_bar(&b);
  }

  /* Every output made is on disk before the summary says so. */
  pthread_mutex_lock(&b.sync_lock);
  sync_outputs(&b);
  pthread_mutex_unlock(&b.sync_lock);
  size_t converted = atomic_load(&b.converted),
         skipped = atomic_load(&b.skipped), failed = atomic_load(&b.failed);
  size_t not_done = 0;
  for (size_t i = 0; i < b.n; i++)
    if (b.tasks[i].state == T_PENDING)
      not_done++;
  if (c->verbosity >= 0) {
    fprintf(stderr,
            "galley: %zu converted, %zu up to date, %zu skipped, %zu failed",
            converted, skipped, b.unrecognized + b.refused + b.warc_skipped,
            failed);
    if (b.n_urls)
      fprintf(stderr, ", %zu of %zu URLs fetched", atomic_load(&b.fetched),
              b.n_urls);
    if (not_done)
      fprintf(stderr, ", %zu not started", not_done);
    fprintf(stderr, " in %.1f s\n", now_seconds() - t0);
  }
  compact_stamp(&b);
  for (size_t i = 0; i < b.cap_stamps; i++)
    free(b.stamps[i].name);
  free(b.stamps);
  close(b.lock_fd);
  for (size_t i = 0; i < b.n; i++) {
    free_warc_task(&b.tasks[i]);
    free(b.tasks[i].input);
    free(b.tasks[i].output);
    galley_doc_free(b.tasks[i].doc); /* not converted: interrupted */
    galley_job_free(b.tasks[i].job);
  }
  free(b.tasks);
  for (size_t i = 0; i < b.cap_sites; i++) {
    if (!b.sites[i])
      continue;
    galley_batch_free(b.sites[i]->batch);
    free(b.sites[i]->key);
    free(b.sites[i]);
  }
  free(b.sites);
  pthread_mutex_destroy(&b.site_lock);
  pthread_mutex_destroy(&b.sync_lock);
  free(b.unsynced);
  free(b.outdir);
  free(b.stamp_path);
  pthread_mutex_destroy(&b.print_lock);
  if (cli_interrupted)
    return EXIT_INTERRUPTED;
  return failed || not_done || b.sync_failed ? EXIT_FAILED : EXIT_OK;
}
