/* Options: core's own (the limits) and the check of a job's options against
 * the declarations of the plugins of its conversion. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

/* The limits a user sets with -O, core's own declarations. */
static const struct {
  const char *name;
  size_t offset;
} limit_options[] = {
    {"max-depth", offsetof(galley_limits, max_depth)},
    {"max-entries", offsetof(galley_limits, max_entries)},
    {"max-decompressed", offsetof(galley_limits, max_decompressed)},
    {"max-resource-bytes", offsetof(galley_limits, max_resource_bytes)},
    {"max-image-size", offsetof(galley_limits, max_image_size)},
    {"max-nodes", offsetof(galley_limits, max_nodes)},
};

bool core_limit_option(const char *name, size_t *offset) {
  for (size_t i = 0; i < sizeof limit_options / sizeof limit_options[0]; i++) {
    if (strcmp(limit_options[i].name, name) == 0) {
      if (offset)
        *offset = limit_options[i].offset;
      return true;
    }
  }
  return false;
}

bool parse_positive_size(const char *s, size_t *out) {
  char *end;
  errno = 0;
  if (!s || *s == '-')
    return false;
  unsigned long long n = strtoull(s, &end, 10);
  if (errno || end == s)
    return false;
  unsigned long long mul = 1;
  if (*end == 'K' || *end == 'k')
    mul = 1ull << 10, end++;
  else if (*end == 'M' || *end == 'm')
    mul = 1ull << 20, end++;
  else if (*end == 'G' || *end == 'g')
    mul = 1ull << 30, end++;
  if (*end || n == 0 || n > SIZE_MAX / mul)
    return false;
  *out = (size_t)(n * mul);
  return true;
}

/* Whether `value` fits declaration `d`; when not, `why` says what it
 * wants ("a whole number"). */
static bool fits(const galley_option *d, const char *value, char *why,
                 size_t len) {
  switch (d->type) {
  case GALLEY_OPT_BOOL:
    if (!strcasecmp(value, "true") || !strcasecmp(value, "false") ||
        !strcmp(value, "1") || !strcmp(value, "0") ||
        !strcasecmp(value, "yes") || !strcasecmp(value, "no"))
      return true;
    snprintf(why, len, "true or false");
    return false;
  case GALLEY_OPT_INT: {
    char *end;
    errno = 0;
    (void)strtol(value, &end, 10);
    if (!errno && *value && !*end)
      return true;
    snprintf(why, len, "a whole number");
    return false;
  }
  case GALLEY_OPT_ENUM: {
    size_t vlen = strlen(value);
    for (const char *p = d->choices; p && *p;) {
      const char *bar = strchr(p, '|');
      size_t n = bar ? (size_t)(bar - p) : strlen(p);
      if (n == vlen && strncmp(p, value, n) == 0)
        return true;
      p = bar ? bar + 1 : p + n;
    }
    snprintf(why, len, "one of %s", d->choices ? d->choices : "");
    return false;
  }
  case GALLEY_OPT_STRING:
  case GALLEY_OPT_PATH: return true;
  }
  return true;
}

/* Appends ", name" (or "name" first) to a list of names in `buf`. */
static void add_name(char *buf, size_t len, const char *name) {
  size_t used = strlen(buf);
  snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

/* The plugins of a conversion, each once: the writer, the transforms,
 * then the reader or every reader. */
typedef struct conversion {
  const galley_plugin **items;
  size_t n;
} conversion;

static int conversion_add(conversion *c, const galley_plugin *p) {
  if (!p)
    return GALLEY_OK;
  for (size_t i = 0; i < c->n; i++)
    if (c->items[i] == p)
      return GALLEY_OK;
  c->items[c->n++] = p;
  return GALLEY_OK;
}

static int check_one(galley_job *job, const conversion *conv,
                     const opt_entry *o) {
  char why[256];
  if (!o->scope && core_limit_option(o->name, NULL)) {
    size_t ignored;
    if (!parse_positive_size(o->value, &ignored))
      return galley_job_error(job, GALLEY_EINVALID,
                              "%s wants a positive number, got '%s'", o->name,
                              o->value);
    return GALLEY_OK;
  }
  int net_kind;
  if (!o->scope && core_net_option(o->name, &net_kind)) {
    size_t n;
    long ms;
    if (net_kind == NET_OPT_SECONDS ? !parse_positive_seconds(o->value, &ms)
                                    : !parse_positive_size(o->value, &n))
      return galley_job_error(
          job, GALLEY_EINVALID, "%s wants a positive number%s, got '%s'",
          o->name, net_kind == NET_OPT_SECONDS ? " of seconds" : "", o->value);
    return GALLEY_OK;
  }
  if (o->scope) {
    const galley_plugin *p = galley_registry_find(job->registry, o->scope);
    if (!p)
      return galley_job_error(job, GALLEY_EINVALID,
                              "option %s.%s: no plugin named '%s' is loaded",
                              o->scope, o->name, o->scope);
    const galley_option *d = galley_plugin_option(p, o->name);
    if (!d)
      return galley_job_error(
          job, GALLEY_EINVALID,
          "unknown option '%s' for %s (see galley --help-format %s)", o->name,
          p->name, p->name);
    if (!fits(d, o->value, why, sizeof why))
      return galley_job_error(job, GALLEY_EINVALID,
                              "option %s wants %s, got '%s' (%s)", o->name, why,
                              o->value, p->name);
    return GALLEY_OK;
  }
  /* Unscoped: every plugin of the conversion that declares it takes it,
   * and each must accept the value. */
  char names[512] = "", refusing[512] = "", first_why[256] = "";
  bool declared = false;
  for (size_t i = 0; i < conv->n; i++) {
    add_name(names, sizeof names, conv->items[i]->name);
    const galley_option *d = galley_plugin_option(conv->items[i], o->name);
    if (!d)
      continue;
    declared = true;
    if (!fits(d, o->value, why, sizeof why)) {
      if (!refusing[0])
        snprintf(first_why, sizeof first_why, "%s", why);
      add_name(refusing, sizeof refusing, conv->items[i]->name);
    }
  }
  if (!declared)
    return galley_job_error(
        job, GALLEY_EINVALID,
        "unknown option '%s' for %s (see galley --help-format NAME)", o->name,
        conv->n ? names : "no plugin");
  if (refusing[0])
    return galley_job_error(job, GALLEY_EINVALID,
                            "option %s wants %s, got '%s' (%s)", o->name,
                            first_why, o->value, refusing);
  return GALLEY_OK;
}

GALLEY_API int galley_job_check_options(galley_job *job,
                                        const galley_plugin *reader) {
  if (!job)
    return GALLEY_EINVALID;
  size_t n_reg = galley_registry_count(job->registry);
  conversion conv = {calloc(n_reg + job->n_transforms + 3, sizeof *conv.items),
                     0};
  if (!conv.items)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  conversion_add(&conv, job->writer);
  for (size_t i = 0; i < job->n_transforms; i++)
    conversion_add(&conv, job->transforms[i]);
  if (!reader)
    reader = job->reader;
  if (reader) {
    conversion_add(&conv, reader);
  } else {
    for (size_t i = 0; i < n_reg; i++) {
      /* Declarations only: checking options loads no plugin. */
      const galley_plugin *p = galley_registry_describe_at(job->registry, i);
      if (p->caps & GALLEY_CAN_READ)
        conversion_add(&conv, p);
    }
  }
  int rc = GALLEY_OK;
  for (size_t i = 0; rc == GALLEY_OK && i < job->n_options; i++)
    rc = check_one(job, &conv, &job->options[i]);
  free(conv.items);
  job->options_checked = rc == GALLEY_OK;
  return rc;
}
