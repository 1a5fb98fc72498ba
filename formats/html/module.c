/* html.so's side of html-libxml.mod (libxml_module.h): finds the module
 * beside html.so itself (dladdr, so no path of a build is compiled in),
 * loads it once for the process and reads or converts through it. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "libxml_module.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const html_libxml *_Atomic table;
static char error[PATH_MAX + 256];

static void load(void) {
  Dl_info info;
  if (!dladdr((const void *)error, &info) || !info.dli_fname ||
      !strchr(info.dli_fname, '/')) {
    snprintf(error, sizeof error, "cannot tell where html.so is");
    return;
  }
  const char *slash = strrchr(info.dli_fname, '/');
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%.*s/%s",
                   (int)(slash - info.dli_fname), info.dli_fname,
                   HTML_LIBXML_FILE);
  if (n < 0 || (size_t)n >= sizeof path) {
    snprintf(error, sizeof error, "the path of %s is too long",
             HTML_LIBXML_FILE);
    return;
  }
  /* Never unloaded: libxml2's global state lives until the process ends. */
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(error, sizeof error, "%s", dlerror());
    return;
  }
  html_libxml_entry entry;
  *(void **)&entry = dlsym(h, HTML_LIBXML_ENTRY);
  const html_libxml *t = entry ? entry(HTML_LIBXML_VERSION) : NULL;
  if (!t) {
    snprintf(error, sizeof error, "%s is not this html.so's module", path);
    dlclose(h);
    return;
  }
  atomic_store(&table, t);
}

const html_libxml *html_libxml_get(const char **why) {
  pthread_once(&once, load);
  const html_libxml *t = atomic_load(&table);
  if (!t && why)
    *why = error;
  return t;
}

int html_read_lazily(galley_job *job, const galley_input *in,
                     galley_doc *doc) {
  const char *why = NULL;
  const html_libxml *t = html_libxml_get(&why);
  if (!t)
    return galley_job_error(job, GALLEY_EUNSUPPORTED,
                            "the html reader cannot be loaded: %s", why);
  return t->read(job, in, doc);
}
