/* Jobs: options, limits, metadata overrides and the diagnostics list. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

/* The bytes of a galley_limits of `version`: everything up to and with its
 * last member. 0 for a version this library does not know. */
static size_t limits_size(unsigned version) {
  _Static_assert(GALLEY_LIMITS_VERSION == 2,
                 "a new limits version needs its size here");
  switch (version) {
  case 1: return offsetof(galley_limits, max_image_size) + sizeof(size_t);
  case 2: return offsetof(galley_limits, max_nodes) + sizeof(size_t);
  default: return 0;
  }
}

/* The library's defaults, at its own GALLEY_LIMITS_VERSION. max_nodes is
 * about 700 MB of tree: far above any article or book, well below what a
 * node-dense hostile page would otherwise take. */
static const galley_limits default_limits = GALLEY_LIMITS_INIT;

GALLEY_API int galley_limits_init(galley_limits *limits, unsigned version) {
  size_t size = limits_size(version);
  if (!limits || size == 0)
    return GALLEY_EINVALID;
  /* Only the caller's version's bytes: its struct may be that short. */
  memcpy(limits, &default_limits, size);
  limits->version = version;
  return GALLEY_OK;
}

GALLEY_API galley_job *galley_job_new(galley_registry *registry) {
  galley_job *job = calloc(1, sizeof *job);
  if (!job)
    return NULL;
  job->registry = registry;
  job->limits = default_limits;
  atomic_init(&job->cancelled, false);
  return job;
}

static void free_kvs(kv *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(items[i].key);
    free(items[i].value);
  }
  free(items);
}

static void free_options(opt_entry *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(items[i].scope);
    free(items[i].name);
    free(items[i].value);
  }
  free(items);
}

static void free_report(report_entry *e) {
  free((char *)e->r.plugin);
  free((char *)e->r.kind);
  free((char *)e->r.path);
  free((unsigned char *)e->r.data);
}

GALLEY_API void galley_job_clear(galley_job *job) {
  if (!job)
    return;
  for (size_t i = 0; i < job->n_diags; i++) {
    free((char *)job->diags[i].message);
    free((char *)job->diags[i].location);
  }
  job->n_diags = 0;
  job->status = GALLEY_OK;
  job->errmsg = NULL;
  for (size_t i = 0; i < job->n_reports; i++)
    free_report(&job->reports[i]);
  job->n_reports = 0;
}

GALLEY_API void galley_job_free(galley_job *job) {
  if (!job)
    return;
  galley_job_clear(job);
  free(job->diags);
  free(job->reports);
  free(job->transforms);
  free_options(job->options, job->n_options);
  free_kvs(job->meta, job->n_meta);
  for (size_t i = 0; i < job->n_resource_paths; i++)
    free(job->resource_paths[i]);
  free(job->resource_paths);
  for (size_t i = 0; i < job->n_roots; i++)
    free(job->roots[i]);
  free(job->roots);
  free(job->location);
  remote_free(job->remote);
  free(job);
}

/* Appends copies of `key` and `value` to a list of pairs. */
static int push_kv(kv **list, size_t *n, size_t *cap, const char *key,
                   const char *value) {
  if (galley_array_grow((void **)list, cap, *n + 1, sizeof **list))
    return GALLEY_ENOMEM;
  kv item = {strdup(key), strdup(value)};
  if (!item.key || !item.value) {
    free(item.key);
    free(item.value);
    return GALLEY_ENOMEM;
  }
  (*list)[(*n)++] = item;
  return GALLEY_OK;
}

/* Splits `key` into a scope (before its first '.') and a name. */
static int split_key(const char *key, const char **name, size_t *scope_len) {
  const char *dot = strchr(key, '.');
  *scope_len = dot ? (size_t)(dot - key) : 0;
  *name = dot ? dot + 1 : key;
  if ((dot && dot == key) || !**name)
    return GALLEY_EINVALID;
  return GALLEY_OK;
}

static bool same_scope(const char *scope, const char *key, size_t len) {
  if (!scope)
    return len == 0;
  return len && strlen(scope) == len && memcmp(scope, key, len) == 0;
}

GALLEY_API int galley_job_set_option(galley_job *job, const char *key,
                                     const char *value) {
  const char *name;
  size_t slen;
  if (!job || !key || split_key(key, &name, &slen) != GALLEY_OK)
    return GALLEY_EINVALID;
  job->options_checked = false;
  size_t offset;
  if (!slen && core_limit_option(name, &offset)) {
    /* A bad value is left for galley_job_check_options to report. */
    size_t limit;
    if (value && parse_positive_size(value, &limit))
      *(size_t *)((char *)&job->limits + offset) = limit;
  }
  for (size_t i = 0; i < job->n_options; i++) {
    opt_entry *o = &job->options[i];
    if (strcmp(o->name, name) != 0 || !same_scope(o->scope, key, slen))
      continue;
    if (!value) {
      free(o->scope);
      free(o->name);
      free(o->value);
      memmove(o, o + 1, (job->n_options - i - 1) * sizeof *o);
      job->n_options--;
      return GALLEY_OK;
    }
    char *v = strdup(value);
    if (!v)
      return GALLEY_ENOMEM;
    free(o->value);
    o->value = v;
    return GALLEY_OK;
  }
  if (!value)
    return GALLEY_OK;
  if (galley_array_grow((void **)&job->options, &job->cap_options, job->n_options + 1,
                 sizeof *job->options))
    return GALLEY_ENOMEM;
  opt_entry o = {slen ? strndup(key, slen) : NULL, strdup(name), strdup(value)};
  if ((slen && !o.scope) || !o.name || !o.value) {
    free(o.scope);
    free(o.name);
    free(o.value);
    return GALLEY_ENOMEM;
  }
  job->options[job->n_options++] = o;
  return GALLEY_OK;
}

GALLEY_API size_t galley_job_option_count(const galley_job *job) {
  return job ? job->n_options : 0;
}

GALLEY_API int galley_job_option_at(const galley_job *job, size_t i,
                                    const char **scope, const char **name,
                                    const char **value) {
  if (!job || i >= job->n_options)
    return GALLEY_ENOTFOUND;
  if (scope)
    *scope = job->options[i].scope;
  if (name)
    *name = job->options[i].name;
  if (value)
    *value = job->options[i].value;
  return GALLEY_OK;
}

GALLEY_API int galley_job_set_meta(galley_job *job, const char *key,
                                   const char *value) {
  if (!job || !key || !*key || !value)
    return GALLEY_EINVALID;
  return push_kv(&job->meta, &job->n_meta, &job->cap_meta, key, value);
}

GALLEY_API void galley_job_clear_meta(galley_job *job) {
  if (!job)
    return;
  free_kvs(job->meta, job->n_meta);
  job->meta = NULL;
  job->n_meta = job->cap_meta = 0;
}

GALLEY_API int galley_job_apply_meta(galley_job *job, galley_doc *doc) {
  /* The first -M of a key replaces what the document had; later ones of the
   * same key add values (several -M author=… give several authors). */
  for (size_t i = 0; i < job->n_meta; i++) {
    bool first = true;
    for (size_t j = 0; j < i; j++)
      if (strcmp(job->meta[j].key, job->meta[i].key) == 0)
        first = false;
    int rc =
        first ? galley_doc_set_meta(doc, job->meta[i].key, job->meta[i].value)
              : galley_doc_add_meta(doc, job->meta[i].key, job->meta[i].value);
    if (rc != GALLEY_OK)
      return galley_job_error(job, rc, "cannot set metadata %s",
                              job->meta[i].key);
  }
  return GALLEY_OK;
}

GALLEY_API int galley_job_set_limits(galley_job *job,
                                     const galley_limits *limits) {
  if (!job || !limits)
    return GALLEY_EINVALID;
  size_t size = limits_size(limits->version);
  if (size == 0)
    return GALLEY_EINVALID;
  /* Members the caller's version lacks keep the defaults; the job's own
   * copy is always of this library's version. */
  galley_limits l = default_limits;
  memcpy(&l, limits, size);
  l.version = GALLEY_LIMITS_VERSION;
  job->limits = l;
  return GALLEY_OK;
}

static int push_dir(char ***items, size_t *n, size_t *cap, const char *dir) {
  if (galley_array_grow((void **)items, cap, *n + 1, sizeof **items))
    return GALLEY_ENOMEM;
  char *copy = strdup(dir);
  if (!copy)
    return GALLEY_ENOMEM;
  (*items)[(*n)++] = copy;
  return GALLEY_OK;
}

GALLEY_API int galley_job_add_resource_path(galley_job *job, const char *dir) {
  if (!job || !dir)
    return GALLEY_EINVALID;
  return push_dir(&job->resource_paths, &job->n_resource_paths,
                  &job->cap_resource_paths, dir);
}

GALLEY_API int galley_job_add_resource_root(galley_job *job, const char *dir) {
  if (!job || !dir)
    return GALLEY_EINVALID;
  for (size_t i = 0; i < job->n_roots; i++)
    if (strcmp(job->roots[i], dir) == 0)
      return GALLEY_OK;
  return push_dir(&job->roots, &job->n_roots, &job->cap_roots, dir);
}

/* Whether the resolved path `real` is `root` (resolved here) or below it. */
static bool below(const char *root, const char *real) {
  char *rroot = realpath(root, NULL);
  if (!rroot)
    return false;
  size_t rl = strlen(rroot);
  bool under =
      (rl == 1 && rroot[0] == '/') ||
      (strncmp(real, rroot, rl) == 0 && (real[rl] == '/' || real[rl] == '\0'));
  free(rroot);
  return under;
}

GALLEY_API bool galley_job_resource_allowed(const galley_job *job,
                                            const char *real) {
  if (!job || !real || real[0] != '/')
    return false;
  for (size_t i = 0; i < job->n_roots; i++)
    if (below(job->roots[i], real))
      return true;
  for (size_t i = 0; i < job->n_resource_paths; i++)
    if (below(job->resource_paths[i], real))
      return true;
  return false;
}

GALLEY_API size_t galley_job_resource_path_count(const galley_job *job) {
  return job ? job->n_resource_paths : 0;
}

GALLEY_API const char *galley_job_resource_path(const galley_job *job,
                                                size_t i) {
  return job && i < job->n_resource_paths ? job->resource_paths[i] : NULL;
}

GALLEY_API void galley_job_set_local_files(galley_job *job, bool allowed) {
  if (job)
    job->no_local_files = !allowed;
}

GALLEY_API bool galley_job_local_files(const galley_job *job) {
  return job && !job->no_local_files;
}

GALLEY_API void galley_job_cancel(galley_job *job) {
  if (job)
    atomic_store(&job->cancelled, true);
}

GALLEY_API bool galley_job_cancelled(const galley_job *job) {
  return job && atomic_load(&((galley_job *)job)->cancelled);
}

GALLEY_API const char *galley_job_location(const galley_job *job) {
  return job ? job->location : NULL;
}

GALLEY_API int galley_job_set_location(galley_job *job, const char *location) {
  char *copy = location ? strdup(location) : NULL;
  if (location && !copy)
    return GALLEY_ENOMEM;
  free(job->location);
  job->location = copy;
  return GALLEY_OK;
}

GALLEY_API size_t galley_job_diag_count(const galley_job *job) {
  return job ? job->n_diags : 0;
}

GALLEY_API const galley_diag *galley_job_diag_at(const galley_job *job,
                                                 size_t i) {
  return job && i < job->n_diags ? &job->diags[i] : NULL;
}

GALLEY_API const char *galley_job_errmsg(const galley_job *job) {
  if (!job || job->status == GALLEY_OK)
    return NULL;
  /* diags may have moved since the error was recorded: find it again. */
  for (size_t i = job->n_diags; i-- > 0;)
    if (job->diags[i].level == GALLEY_LEVEL_ERROR)
      return job->diags[i].message;
  return galley_strerror(job->status);
}

GALLEY_API int galley_job_status(const galley_job *job) {
  return job ? job->status : GALLEY_OK;
}

static void add_diag_at(galley_job *job, galley_level level, int status,
                        size_t line, const char *fmt, va_list ap) {
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, ap);
  /* One line per diagnostic: fold any newline a message brought along. */
  for (char *p = buf; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  if (galley_array_grow((void **)&job->diags, &job->cap_diags, job->n_diags + 1,
                        sizeof *job->diags))
    return;
  galley_diag *d = &job->diags[job->n_diags];
  d->level = level;
  d->status = status;
  d->message = strdup(buf);
  if (line > 0) {
    const char *name = job->location ? job->location : "(input)";
    size_t n = strlen(name) + 24;
    char *at = malloc(n);
    if (at)
      snprintf(at, n, "%s:%zu", name, line);
    d->location = at;
  } else {
    d->location = job->location ? strdup(job->location) : NULL;
  }
  if (!d->message) {
    free((char *)d->location);
    return;
  }
  job->n_diags++;
}

static void add_diag(galley_job *job, galley_level level, int status,
                     const char *fmt, va_list ap) {
  add_diag_at(job, level, status, 0, fmt, ap);
}

GALLEY_API void galley_job_warn_at(galley_job *job, size_t line,
                                   const char *fmt, ...) {
  if (!job)
    return;
  va_list ap;
  va_start(ap, fmt);
  add_diag_at(job, GALLEY_LEVEL_WARNING, 0, line, fmt, ap);
  va_end(ap);
}

/* galley_job_error and _error_at: records the error, sets the status. */
static int job_error_v(galley_job *job, int status, size_t line,
                       const char *fmt, va_list ap) {
  if (status == GALLEY_OK)
    status = GALLEY_EINVALID;
  if (!job)
    return status;
  add_diag_at(job, GALLEY_LEVEL_ERROR, status, line, fmt, ap);
  job->status = status;
  return status;
}

GALLEY_API int galley_job_error(galley_job *job, int status, const char *fmt,
                                ...) {
  va_list ap;
  va_start(ap, fmt);
  status = job_error_v(job, status, 0, fmt, ap);
  va_end(ap);
  return status;
}

GALLEY_API int galley_job_error_at(galley_job *job, int status, size_t line,
                                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  status = job_error_v(job, status, line, fmt, ap);
  va_end(ap);
  return status;
}

GALLEY_API void galley_job_warn(galley_job *job, const char *fmt, ...) {
  if (!job)
    return;
  va_list ap;
  va_start(ap, fmt);
  add_diag(job, GALLEY_LEVEL_WARNING, 0, fmt, ap);
  va_end(ap);
}

GALLEY_API void galley_job_info(galley_job *job, const char *fmt, ...) {
  if (!job)
    return;
  va_list ap;
  va_start(ap, fmt);
  add_diag(job, GALLEY_LEVEL_INFO, 0, fmt, ap);
  va_end(ap);
}

/* The callback running on this thread, for a host's fatal-signal handler:
 * set and read on the thread itself only. */
static _Thread_local const call_frame *running;

void frame_enter(galley_job *job, call_frame *frame,
                 const galley_plugin *plugin,
                 const galley_option_value *values, size_t n,
                 const char *action) {
  *frame = (call_frame){.plugin = plugin,
                        .values = values,
                        .n_values = n,
                        .prev = job->frame,
                        .action = action,
                        .location = job->location,
                        .prev_running = running};
  job->frame = frame;
  running = frame;
}

void frame_leave(galley_job *job, const call_frame *frame) {
  job->frame = frame->prev;
  running = frame->prev_running;
}

GALLEY_API bool galley_callback_running(const char **plugin,
                                        const char **action,
                                        const char **location) {
  const call_frame *f = running;
  if (!f)
    return false;
  if (plugin)
    *plugin = f->plugin && f->plugin->name ? f->plugin->name : "(unnamed)";
  if (action)
    *action = f->action;
  if (location)
    *location = f->location;
  return true;
}

const galley_plugin *job_current(const galley_job *job) {
  return job && job->frame ? job->frame->plugin : NULL;
}

/* The user's value of `name` in `scope` (NULL: unscoped), or NULL. */
static const char *user_value(const galley_job *job, const char *scope,
                              size_t slen, const char *name) {
  for (size_t i = 0; i < job->n_options; i++) {
    const opt_entry *o = &job->options[i];
    if (strcmp(o->name, name) == 0 &&
        same_scope(o->scope, scope ? scope : "", scope ? slen : 0))
      return o->value;
  }
  return NULL;
}

/* What plugin `p` (NULL: the host) gets for `name`: the user's value
 * scoped to it, else the unscoped one, else its declared default. */
static const char *value_for(const galley_job *job, const galley_plugin *p,
                             const char *name) {
  const char *v = p ? user_value(job, p->name, strlen(p->name), name) : NULL;
  if (!v)
    v = user_value(job, NULL, 0, name);
  if (!v && p) {
    const galley_option *opt = galley_plugin_option(p, name);
    v = opt ? opt->default_value : NULL;
  }
  return v;
}

GALLEY_API const char *galley_job_option(const galley_job *job,
                                         const char *key) {
  if (!job || !key)
    return NULL;
  const call_frame *f = job->frame;
  if (f) {
    /* What the caller passed wins; NULL there means "the default". */
    for (size_t i = 0; i < f->n_values; i++) {
      if (f->values[i].name && strcmp(f->values[i].name, key) == 0) {
        if (f->values[i].value)
          return f->values[i].value;
        const galley_option *opt = galley_plugin_option(f->plugin, key);
        return opt ? opt->default_value : NULL;
      }
    }
    return value_for(job, f->plugin, key);
  }
  /* The host asking: `text.wrap` is what text would get. */
  const char *name;
  size_t slen;
  if (split_key(key, &name, &slen) != GALLEY_OK)
    return NULL;
  if (!slen)
    return value_for(job, NULL, key);
  const char *v = user_value(job, key, slen, name);
  if (!v)
    v = user_value(job, NULL, 0, name);
  if (!v) {
    char scope[128];
    if (slen < sizeof scope) {
      memcpy(scope, key, slen);
      scope[slen] = '\0';
      const galley_option *opt = galley_plugin_option(
          galley_registry_find(job->registry, scope), name);
      v = opt ? opt->default_value : NULL;
    }
  }
  return v;
}

GALLEY_API long galley_job_option_int(const galley_job *job, const char *key,
                                      long fallback) {
  const char *v = galley_job_option(job, key);
  if (!v || !*v)
    return fallback;
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno || *end)
    return fallback;
  return n;
}

GALLEY_API bool galley_job_option_bool(const galley_job *job, const char *key,
                                       bool fallback) {
  const char *v = galley_job_option(job, key);
  if (!v)
    return fallback;
  if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") ||
      !strcasecmp(v, "on"))
    return true;
  if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") ||
      !strcasecmp(v, "off"))
    return false;
  return fallback;
}

GALLEY_API const galley_limits *galley_job_limits(const galley_job *job) {
  return job ? &job->limits : NULL;
}

GALLEY_API galley_registry *galley_job_registry(const galley_job *job) {
  return job ? job->registry : NULL;
}

GALLEY_API void galley_job_set_batch(galley_job *job,
                                     const galley_batch *batch) {
  if (job)
    job->batch = batch;
}

GALLEY_API int galley_job_add_report(galley_job *job, const char *kind,
                                     const char *path, const void *data,
                                     size_t size) {
  if (!job || !kind || !path || (!data && size))
    return GALLEY_EINVALID;
  const galley_plugin *p = job_current(job);
  report_entry e = {{p ? strdup(p->name) : NULL, strdup(kind), strdup(path),
                     malloc(size ? size : 1), size}};
  if ((p && !e.r.plugin) || !e.r.kind || !e.r.path || !e.r.data) {
    free_report(&e);
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  }
  if (size)
    memcpy((unsigned char *)e.r.data, data, size);
  for (size_t i = 0; i < job->n_reports; i++) {
    if (strcmp(job->reports[i].r.path, path) == 0) {
      free_report(&job->reports[i]);
      job->reports[i] = e;
      return GALLEY_OK;
    }
  }
  if (galley_array_grow((void **)&job->reports, &job->cap_reports, job->n_reports + 1,
                 sizeof *job->reports)) {
    free_report(&e);
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  }
  job->reports[job->n_reports++] = e;
  return GALLEY_OK;
}

GALLEY_API size_t galley_job_report_count(const galley_job *job) {
  return job ? job->n_reports : 0;
}

GALLEY_API const galley_report *galley_job_report_at(const galley_job *job,
                                                     size_t i) {
  return job && i < job->n_reports ? &job->reports[i].r : NULL;
}

GALLEY_API galley_job *galley_job_copy(const galley_job *job) {
  if (!job)
    return NULL;
  galley_job *c = galley_job_new(job->registry);
  if (!c)
    return NULL;
  c->limits = job->limits;
  c->no_local_files = job->no_local_files;
  c->network = job->network;
  c->reader = job->reader;
  c->writer = job->writer;
  int rc = GALLEY_OK;
  for (size_t i = 0; rc == GALLEY_OK && i < job->n_transforms; i++)
    rc = galley_job_add_transform(c, job->transforms[i]);
  for (size_t i = 0; rc == GALLEY_OK && i < job->n_options; i++) {
    const opt_entry *o = &job->options[i];
    if (galley_array_grow((void **)&c->options, &c->cap_options, c->n_options + 1,
                   sizeof *c->options)) {
      rc = GALLEY_ENOMEM;
      break;
    }
    opt_entry e = {o->scope ? strdup(o->scope) : NULL, strdup(o->name),
                   strdup(o->value)};
    if ((o->scope && !e.scope) || !e.name || !e.value) {
      free(e.scope);
      free(e.name);
      free(e.value);
      rc = GALLEY_ENOMEM;
      break;
    }
    c->options[c->n_options++] = e;
  }
  for (size_t i = 0; rc == GALLEY_OK && i < job->n_meta; i++)
    rc = push_kv(&c->meta, &c->n_meta, &c->cap_meta, job->meta[i].key,
                 job->meta[i].value);
  for (size_t i = 0; rc == GALLEY_OK && i < job->n_resource_paths; i++)
    rc = galley_job_add_resource_path(c, job->resource_paths[i]);
  for (size_t i = 0; rc == GALLEY_OK && i < job->n_roots; i++)
    rc = galley_job_add_resource_root(c, job->roots[i]);
  c->options_checked = job->options_checked;
  if (rc != GALLEY_OK) {
    galley_job_free(c);
    return NULL;
  }
  return c;
}

void job_drop_errors_since(galley_job *job, size_t first) {
  size_t out = first;
  for (size_t i = first; i < job->n_diags; i++) {
    if (job->diags[i].level == GALLEY_LEVEL_ERROR) {
      free((char *)job->diags[i].message);
      free((char *)job->diags[i].location);
      continue;
    }
    job->diags[out++] = job->diags[i];
  }
  job->n_diags = out;
  job->status = GALLEY_OK;
  for (size_t i = 0; i < job->n_diags; i++)
    if (job->diags[i].level == GALLEY_LEVEL_ERROR)
      job->status = job->diags[i].status;
}

int galley_input_cursor_read(void *ctx, char *buf, int len) {
  galley_input_cursor *c = ctx;
  size_t n = len > 0 ? (size_t)len : 0;
  if (n > c->left)
    n = c->left;
  if (n)
    memcpy(buf, c->next, n);
  c->next += n;
  c->left -= n;
  return (int)n;
}
