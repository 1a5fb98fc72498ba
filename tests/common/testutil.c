/* Helpers shared by the test executables. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <galley/fetch.h>

static galley_registry *registry;

static void free_registry(void) { galley_registry_free(registry); }

galley_registry *tu_registry(void) {
  if (!registry) {
    registry = galley_registry_new();
    galley_registry_load_default(registry, NULL, 0);
    atexit(free_registry);
  }
  return registry;
}

char *tu_convert(const char *from, const char *to, const char *input,
                 size_t len, const char *const *opts, char **err) {
  return tu_convert_n(from, to, input, len, opts, err, NULL);
}

char *tu_convert_n(const char *from, const char *to, const char *input,
                   size_t len, const char *const *opts, char **err,
                   size_t *out_len) {
  galley_registry *reg = tu_registry();
  const galley_plugin *reader = galley_registry_find(reg, from);
  const galley_plugin *writer = galley_registry_find(reg, to);
  char *result = NULL;
  if (err)
    *err = NULL;
  if (!reader || !writer) {
    if (err)
      *err = strdup(!reader ? "no such reader" : "no such writer");
    return NULL;
  }
  galley_job *job = galley_job_new(reg);
  /* A unit test fetches nothing: remote images stay their alt text. */
  galley_job_set_network(job, GALLEY_NETWORK_OFFLINE);
  galley_sink *sink = galley_sink_new_memory();
  for (size_t i = 0; opts && opts[i]; i++) {
    const char *eq = strchr(opts[i], '=');
    char key[128];
    size_t klen = eq ? (size_t)(eq - opts[i]) : strlen(opts[i]);
    if (klen >= sizeof key)
      klen = sizeof key - 1;
    memcpy(key, opts[i], klen);
    key[klen] = '\0';
    galley_job_set_option(job, key, eq ? eq + 1 : "true");
  }
  galley_input in = {(const unsigned char *)input, len, "input", NULL};
  int rc = galley_job_convert(job, &in, reader, NULL, 0, writer, sink);
  if (rc == GALLEY_OK) {
    size_t n;
    const char *data = galley_sink_data(sink, &n);
    result = malloc(n + 1);
    if (result) {
      memcpy(result, data, n);
      result[n] = '\0';
      if (out_len)
        *out_len = n;
    }
  } else if (err) {
    const char *msg = galley_job_errmsg(job);
    *err = strdup(msg ? msg : galley_strerror(rc));
  }
  galley_sink_free(sink);
  galley_job_free(job);
  return result;
}

char *tu_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n - 1 == 0) {
      char *bigger = realloc(buf, cap * 2);
      if (!bigger) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf)
    return NULL;
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}

const char *tu_fixture(const char *rel) {
  static char path[4096];
  const char *root = getenv("GALLEY_FIXTURES");
  snprintf(path, sizeof path, "%s/%s", root ? root : "fixtures", rel);
  return path;
}

const char *tu_corpus(const char *rel) {
  static char path[4096];
  const char *root = getenv("GALLEY_CORPORA");
  struct stat st;
  if (!root)
    return NULL;
  snprintf(path, sizeof path, "%s/%s", root, rel);
  return stat(path, &st) == 0 ? path : NULL;
}

void tu_assert_golden(const char *actual, const char *rel) {
  const char *path = tu_fixture(rel);
  if (getenv("GALLEY_UPDATE_GOLDEN")) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(actual, f);
    fclose(f);
    return;
  }
  char *expected = tu_read_file(path, NULL);
  if (!expected)
    fail_msg(
        "golden file %s is missing (set GALLEY_UPDATE_GOLDEN=1 to write it)",
        path);
  if (strcmp(expected, actual) != 0) {
    const char *a = actual, *e = expected;
    int line = 1;
    while (*a && *a == *e) {
      if (*a == '\n')
        line++;
      a++, e++;
    }
    const char *ae = strchr(a, '\n'), *ee = strchr(e, '\n');
    print_error("%s differs at line %d:\n  expected: %.*s\n  actual:   %.*s\n",
                path, line, ee ? (int)(ee - e) : (int)strlen(e), e,
                ae ? (int)(ae - a) : (int)strlen(a), a);
    free(expected);
    fail();
  }
  free(expected);
}
