/* The fetcher's public calls, in libgalley without libcurl: each loads the
 * module galley-fetch.so (fetch_curl.c) once, on the first fetcher, and
 * calls through its table. A run that never fetches never loads libcurl,
 * its TLS library and their dependencies (they cost every galley start
 * about 0.1 s when libgalley linked them). */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "private.h"

#include "fetch_module.h"

#ifndef GALLEY_FETCH_MODULE_DIR
#define GALLEY_FETCH_MODULE_DIR NULL
#endif

static pthread_once_t module_once = PTHREAD_ONCE_INIT;
static const fetch_module *_Atomic module;
static char module_error[PATH_MAX + 256];

/* Tries `dir`/galley-fetch.so; true when it loaded and its table is ours. */
static bool try_load(const char *dir, size_t dir_len) {
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%.*s/%s", (int)dir_len, dir,
                   FETCH_MODULE_FILE);
  if (n < 0 || (size_t)n >= sizeof path)
    return false;
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    if (!module_error[0] || strstr(module_error, "No such file"))
      snprintf(module_error, sizeof module_error, "%s", dlerror());
    return false;
  }
  fetch_module_entry entry;
  *(void **)&entry = dlsym(h, FETCH_MODULE_ENTRY);
  const fetch_module *m = entry ? entry(FETCH_MODULE_VERSION) : NULL;
  if (!m) {
    snprintf(module_error, sizeof module_error,
             "%s is not the fetch module of this libgalley (%s)", path,
             galley_version());
    dlclose(h);
    return false;
  }
  /* Never unloaded: libcurl's global state lives until the process ends. */
  atomic_store(&module, m);
  return true;
}

/* Where the module is: beside libgalley itself (a build tree), in
 * galley/ beside it (installed: LIBDIR/galley/galley-fetch.so), then the
 * folder it was installed to. libgalley's own location comes from the
 * loader (dladdr), so no path of a build is compiled in. */
static void load_module(void) {
  Dl_info info;
  if (dladdr((const void *)module_error, &info) && info.dli_fname &&
      strchr(info.dli_fname, '/')) {
    const char *slash = strrchr(info.dli_fname, '/');
    size_t len = (size_t)(slash - info.dli_fname);
    if (try_load(info.dli_fname, len))
      return;
    char sub[PATH_MAX];
    int n = snprintf(sub, sizeof sub, "%.*s/galley", (int)len, info.dli_fname);
    if (n > 0 && (size_t)n < sizeof sub && try_load(sub, (size_t)n))
      return;
  }
  const char *installed = GALLEY_FETCH_MODULE_DIR;
  if (installed && try_load(installed, strlen(installed)))
    return;
  if (!module_error[0])
    snprintf(module_error, sizeof module_error, "%s not found",
             FETCH_MODULE_FILE);
}

/* The module, loaded on first use; NULL when it cannot be. */
static const fetch_module *get_module(void) {
  pthread_once(&module_once, load_module);
  return atomic_load(&module);
}

const char *fetch_module_error(void) {
  return get_module() ? NULL : module_error;
}

GALLEY_API int galley_fetch_options_init(galley_fetch_options *opts,
                                         unsigned int version) {
  if (!opts || version != GALLEY_FETCH_OPTIONS_VERSION)
    return GALLEY_EINVALID;
  galley_fetch_options d = GALLEY_FETCH_OPTIONS_INIT;
  *opts = d;
  return GALLEY_OK;
}

GALLEY_API int galley_fetcher_new(galley_fetcher **out,
                                  const galley_fetch_options *opts) {
  if (!out)
    return GALLEY_EINVALID;
  *out = NULL;
  const fetch_module *m = get_module();
  if (!m)
    return GALLEY_EUNSUPPORTED;
  return m->fetcher_new(out, opts);
}

/* Everything else exists only once a fetcher does, so the module is loaded
 * by then; a NULL object gets what the module would answer for it. */
#define M atomic_load(&module)

GALLEY_API void galley_fetcher_free(galley_fetcher *f) {
  if (f)
    M->fetcher_free(f);
}

GALLEY_API void galley_fetcher_cancel(galley_fetcher *f) {
  if (f)
    M->fetcher_cancel(f);
}

GALLEY_API const char *galley_fetcher_errmsg(const galley_fetcher *f) {
  return f ? M->fetcher_errmsg(f) : NULL;
}

GALLEY_API size_t galley_fetcher_total_bytes(const galley_fetcher *f) {
  return f ? M->fetcher_total_bytes(f) : 0;
}

GALLEY_API int galley_fetcher_get(galley_fetcher *f, galley_response **out,
                                  const char *url) {
  if (!out)
    return GALLEY_EINVALID;
  *out = NULL;
  if (!f || !url)
    return GALLEY_EINVALID;
  return M->fetcher_get(f, out, url);
}

GALLEY_API int galley_response_status(const galley_response *r) {
  return r ? M->response_status(r) : GALLEY_EINVALID;
}

GALLEY_API const char *galley_response_error(const galley_response *r) {
  return r ? M->response_error(r) : NULL;
}

GALLEY_API const unsigned char *galley_response_data(const galley_response *r,
                                                     size_t *size) {
  if (!r) {
    if (size)
      *size = 0;
    return NULL;
  }
  return M->response_data(r, size);
}

GALLEY_API const char *galley_response_request_url(const galley_response *r) {
  return r ? M->response_request_url(r) : NULL;
}

GALLEY_API const char *galley_response_url(const galley_response *r) {
  return r ? M->response_url(r) : NULL;
}

GALLEY_API long galley_response_http_status(const galley_response *r) {
  return r ? M->response_http_status(r) : 0;
}

GALLEY_API const char *galley_response_media_type(const galley_response *r) {
  return r ? M->response_media_type(r) : NULL;
}

GALLEY_API const char *galley_response_charset(const galley_response *r) {
  return r ? M->response_charset(r) : NULL;
}

GALLEY_API const char *galley_response_sniffed_type(const galley_response *r) {
  return r ? M->response_sniffed_type(r) : NULL;
}

GALLEY_API void galley_response_free(galley_response *r) {
  if (r)
    M->response_free(r);
}

GALLEY_API int galley_fetch_batch_new(galley_fetch_batch **out,
                                      galley_fetcher *f) {
  if (!out)
    return GALLEY_EINVALID;
  *out = NULL;
  if (!f)
    return GALLEY_EINVALID;
  return M->batch_new(out, f);
}

GALLEY_API void galley_fetch_batch_free(galley_fetch_batch *b) {
  if (b)
    M->batch_free(b);
}

GALLEY_API int galley_fetch_batch_add(galley_fetch_batch *b, size_t *index,
                                      const char *url) {
  if (!b || !index || !url)
    return GALLEY_EINVALID;
  return M->batch_add(b, index, url);
}

GALLEY_API int galley_fetch_batch_run(galley_fetch_batch *b) {
  return b ? M->batch_run(b) : GALLEY_EINVALID;
}

GALLEY_API size_t galley_fetch_batch_count(const galley_fetch_batch *b) {
  return b ? M->batch_count(b) : 0;
}

GALLEY_API const galley_response *
galley_fetch_batch_response(const galley_fetch_batch *b, size_t index) {
  return b ? M->batch_response(b, index) : NULL;
}

GALLEY_API size_t galley_fetch_batch_failures(const galley_fetch_batch *b) {
  return b ? M->batch_failures(b) : 0;
}
