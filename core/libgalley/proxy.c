/* Which proxy a fetch goes through, from the usual environment variables.
 * galley decides this itself, rather than letting libcurl read them, so
 * that the address check knows whether a connection goes to the proxy
 * (the user's choice) or to the target (the document's). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

#include "fetch_private.h"

/* A copy of the first of the variables `a`, `b` that is set and not empty;
 * NULL for neither. Sets *failed when out of memory. */
static char *env_copy(const char *a, const char *b, bool *failed) {
  const char *v = getenv(a);
  if ((!v || !*v) && b)
    v = getenv(b);
  if (!v || !*v)
    return NULL;
  char *s = strdup(v);
  if (!s)
    *failed = true;
  return s;
}

int proxy_env_load(proxy_env *env) {
  bool failed = false;
  memset(env, 0, sizeof *env);
  /* Only the lower-case http_proxy: in a CGI program HTTP_PROXY comes from
   * the request's "Proxy:" header ("httpoxy"), and libcurl ignores it too. */
  env->http = env_copy("http_proxy", NULL, &failed);
  env->https = env_copy("https_proxy", "HTTPS_PROXY", &failed);
  env->all = env_copy("all_proxy", "ALL_PROXY", &failed);
  env->no = env_copy("no_proxy", "NO_PROXY", &failed);
  if (failed) {
    proxy_env_free(env);
    return GALLEY_ENOMEM;
  }
  return GALLEY_OK;
}

void proxy_env_free(proxy_env *env) {
  free(env->http);
  free(env->https);
  free(env->all);
  free(env->no);
  memset(env, 0, sizeof *env);
}

/* Parses an address with an optional "/bits" into `addr` (4 or 16 bytes,
 * returned in *alen) and *bits (the full length without a suffix). */
static bool parse_cidr(const char *s, size_t len, unsigned char addr[16],
                       size_t *alen, unsigned *bits) {
  char buf[64];
  if (len == 0 || len >= sizeof buf)
    return false;
  memcpy(buf, s, len);
  buf[len] = '\0';
  char *slash = strchr(buf, '/');
  long b = -1;
  if (slash) {
    *slash = '\0';
    char *end;
    b = strtol(slash + 1, &end, 10);
    if (*end || end == slash + 1 || b < 0)
      return false;
  }
  char *a = buf;
  size_t n = strlen(a);
  if (n >= 2 && a[0] == '[' && a[n - 1] == ']') {
    a[n - 1] = '\0';
    a++;
  }
  if (inet_pton(AF_INET, a, addr) == 1)
    *alen = 4;
  else if (inet_pton(AF_INET6, a, addr) == 1)
    *alen = 16;
  else
    return false;
  if (b > (long)(*alen * 8))
    return false;
  *bits = b < 0 ? (unsigned)(*alen * 8) : (unsigned)b;
  return true;
}

static bool same_prefix(const unsigned char *a, const unsigned char *b,
                        unsigned bits) {
  unsigned whole = bits / 8, rest = bits % 8;
  if (memcmp(a, b, whole) != 0)
    return false;
  if (!rest)
    return true;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

/* no_proxy as libcurl reads it: entries separated by commas or white
 * space; "*" matches every host; a name matches itself and every name
 * under it (a leading dot changes nothing); an address or CIDR range
 * matches address literals inside it. Case and a trailing dot on names do
 * not matter. */
bool proxy_no_proxy_matches(const char *list, const char *host) {
  if (!list || !host)
    return false;
  size_t hlen = strlen(host);
  if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
    host++;
    hlen -= 2;
  }
  if (hlen && host[hlen - 1] == '.')
    hlen--;
  unsigned char haddr[16];
  size_t halen = 0;
  unsigned hbits;
  bool host_is_ip = parse_cidr(host, hlen, haddr, &halen, &hbits);

  const char *p = list;
  while (*p) {
    while (*p == ',' || *p == ' ' || *p == '\t')
      p++;
    const char *tok = p;
    while (*p && *p != ',' && *p != ' ' && *p != '\t')
      p++;
    size_t tlen = (size_t)(p - tok);
    if (tlen == 0)
      continue;
    if (tlen == 1 && tok[0] == '*')
      return true;
    if (host_is_ip) {
      unsigned char taddr[16];
      size_t talen;
      unsigned tbits;
      if (parse_cidr(tok, tlen, taddr, &talen, &tbits) && talen == halen &&
          same_prefix(haddr, taddr, tbits))
        return true;
      continue;
    }
    if (tok[0] == '.') {
      tok++;
      tlen--;
    }
    if (tlen && tok[tlen - 1] == '.')
      tlen--;
    if (tlen == 0 || tlen > hlen)
      continue;
    if (strncasecmp(host + hlen - tlen, tok, tlen) != 0)
      continue;
    if (tlen == hlen || host[hlen - tlen - 1] == '.')
      return true;
  }
  return false;
}

const char *proxy_env_pick(const proxy_env *env, const char *scheme,
                           const char *host) {
  const char *proxy = NULL;
  if (strcasecmp(scheme, "https") == 0)
    proxy = env->https;
  else if (strcasecmp(scheme, "http") == 0)
    proxy = env->http;
  if (!proxy)
    proxy = env->all;
  if (!proxy || proxy_no_proxy_matches(env->no, host))
    return NULL;
  return proxy;
}
