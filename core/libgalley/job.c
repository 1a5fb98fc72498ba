/* Jobs: options, limits, metadata overrides and the diagnostics list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

GALLEY_API galley_limits galley_limits_default(void) {
  galley_limits l;
  l.max_input_size = (size_t)256 << 20;
  l.max_depth = 512;
  l.max_entries = 10000;
  l.max_decompressed = (size_t)1 << 30;
  l.max_resource_bytes = (size_t)512 << 20;
  l.max_image_size = (size_t)64 << 20;
  /* About 700 MB of tree: far above any article or book, well below what
   * a node-dense hostile page would otherwise take. */
  l.max_nodes = 4000000;
  return l;
}

GALLEY_API galley_job *galley_job_new(galley_registry *registry) {
  galley_job *job = calloc(1, sizeof *job);
  if (!job)
    return NULL;
  job->registry = registry;
  job->limits = galley_limits_default();
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
}

GALLEY_API void galley_job_free(galley_job *job) {
  if (!job)
    return;
  galley_job_clear(job);
  free(job->diags);
  free_kvs(job->options, job->n_options);
  free_kvs(job->meta, job->n_meta);
  for (size_t i = 0; i < job->n_resource_paths; i++)
    free(job->resource_paths[i]);
  free(job->resource_paths);
  for (size_t i = 0; i < job->n_roots; i++)
    free(job->roots[i]);
  free(job->roots);
  free(job->location);
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

GALLEY_API int galley_job_set_option(galley_job *job, const char *key,
                                     const char *value) {
  if (!job || !key || !*key)
    return GALLEY_EINVALID;
  for (size_t i = 0; i < job->n_options; i++) {
    if (strcmp(job->options[i].key, key) != 0)
      continue;
    if (!value) {
      free(job->options[i].key);
      free(job->options[i].value);
      job->options[i] = job->options[--job->n_options];
      return GALLEY_OK;
    }
    char *v = strdup(value);
    if (!v)
      return GALLEY_ENOMEM;
    free(job->options[i].value);
    job->options[i].value = v;
    return GALLEY_OK;
  }
  if (!value)
    return GALLEY_OK;
  return push_kv(&job->options, &job->n_options, &job->cap_options, key, value);
}

GALLEY_API int galley_job_set_meta(galley_job *job, const char *key,
                                   const char *value) {
  if (!job || !key || !*key || !value)
    return GALLEY_EINVALID;
  return push_kv(&job->meta, &job->n_meta, &job->cap_meta, key, value);
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

GALLEY_API void galley_job_set_limits(galley_job *job,
                                      const galley_limits *limits) {
  if (job && limits)
    job->limits = *limits;
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

static void add_diag(galley_job *job, galley_level level, int status,
                     const char *fmt, va_list ap) {
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
  d->location = job->location ? strdup(job->location) : NULL;
  if (!d->message) {
    free((char *)d->location);
    return;
  }
  job->n_diags++;
}

GALLEY_API int galley_job_error(galley_job *job, int status, const char *fmt,
                                ...) {
  if (status == GALLEY_OK)
    status = GALLEY_EINVALID;
  if (!job)
    return status;
  va_list ap;
  va_start(ap, fmt);
  add_diag(job, GALLEY_LEVEL_ERROR, status, fmt, ap);
  va_end(ap);
  job->status = status;
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

GALLEY_API const char *galley_job_option(const galley_job *job,
                                         const char *key) {
  if (!job || !key)
    return NULL;
  for (size_t i = 0; i < job->n_options; i++)
    if (strcmp(job->options[i].key, key) == 0)
      return job->options[i].value;
  const galley_option *opt =
      job->current ? galley_plugin_option(job->current, key) : NULL;
  return opt ? opt->default_value : NULL;
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

GALLEY_API void galley_job_set_template(galley_job *job,
                                        const galley_template *tpl) {
  if (job)
    job->tpl = tpl;
}

GALLEY_API const galley_template *galley_job_template(const galley_job *job) {
  return job ? job->tpl : NULL;
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
