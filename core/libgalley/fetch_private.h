/* Internal parts of the fetcher shared by its source files only. */
#ifndef GALLEY_FETCH_PRIVATE_H
#define GALLEY_FETCH_PRIVATE_H

#include <stdbool.h>

/* The proxy variables as they were when a fetcher was created. */
typedef struct proxy_env {
  char *http, *https, *all, *no;
} proxy_env;

/* Reads the variables (proxy.c); GALLEY_ENOMEM or GALLEY_OK. */
int proxy_env_load(proxy_env *env);
void proxy_env_free(proxy_env *env);

/* The proxy that a URL with `scheme` ("http" or "https") to `host` (as
 * curl's URL parser gives it: IPv6 in brackets) goes through, or NULL to
 * connect directly: the scheme's variable, else all_proxy, unless no_proxy
 * names the host. */
const char *proxy_env_pick(const proxy_env *env, const char *scheme,
                           const char *host);

/* True when no_proxy list `list` names `host`. */
bool proxy_no_proxy_matches(const char *list, const char *host);

#endif
