/* The fetcher's module: libgalley loads galley-fetch.so (fetch_curl.c, on
 * libcurl) the first time a fetcher is made, so that a galley run that
 * fetches nothing never loads libcurl and its TLS stack. This is the table
 * the module hands over; only libgalley and the module of the same build
 * use it. */
#ifndef GALLEY_FETCH_MODULE_H
#define GALLEY_FETCH_MODULE_H

#include "galley/fetch.h"

/* Raised whenever the table changes: a module of another build is refused. */
#define FETCH_MODULE_VERSION 1
/* The module's file name, and the one symbol it exports. */
#define FETCH_MODULE_FILE "galley-fetch.so"
#define FETCH_MODULE_ENTRY "galley_fetch_module"

typedef struct fetch_module {
  unsigned version; /* FETCH_MODULE_VERSION */
  int (*fetcher_new)(galley_fetcher **out, const galley_fetch_options *opts);
  void (*fetcher_free)(galley_fetcher *f);
  void (*fetcher_cancel)(galley_fetcher *f);
  const char *(*fetcher_errmsg)(const galley_fetcher *f);
  size_t (*fetcher_total_bytes)(const galley_fetcher *f);
  int (*fetcher_get)(galley_fetcher *f, galley_response **out, const char *url);
  int (*response_status)(const galley_response *r);
  const char *(*response_error)(const galley_response *r);
  const unsigned char *(*response_data)(const galley_response *r, size_t *size);
  const char *(*response_request_url)(const galley_response *r);
  const char *(*response_url)(const galley_response *r);
  long (*response_http_status)(const galley_response *r);
  const char *(*response_media_type)(const galley_response *r);
  const char *(*response_charset)(const galley_response *r);
  const char *(*response_sniffed_type)(const galley_response *r);
  void (*response_free)(galley_response *r);
  int (*batch_new)(galley_fetch_batch **out, galley_fetcher *f);
  void (*batch_free)(galley_fetch_batch *b);
  int (*batch_add)(galley_fetch_batch *b, size_t *index, const char *url);
  int (*batch_run)(galley_fetch_batch *b);
  size_t (*batch_count)(const galley_fetch_batch *b);
  const galley_response *(*batch_response)(const galley_fetch_batch *b,
                                           size_t index);
  size_t (*batch_failures)(const galley_fetch_batch *b);
} fetch_module;

/* The module's entry point: its table when `version` is the one it was
 * built with, else NULL. */
typedef const fetch_module *(*fetch_module_entry)(unsigned version);

#endif
