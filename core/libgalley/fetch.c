/* The fetcher: http(s) through libcurl's multi interface, one document or
 * many resources at once, with galley's own redirect following, limits,
 * proxy choice and address checks. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

#include "fetch_private.h"
#include "galley/fetch.h"

/* Longest message kept; URLs inside are clipped to fit. */
#define MSG_MAX 512
#define URL_SHOWN 200

struct galley_response {
  int status;
  char error[MSG_MAX]; /* empty on success */
  unsigned char *data; /* NUL-terminated, not counted in size */
  size_t size;
  char *request_url;
  char *url;
  long http_status;
  char *media_type;
  char *charset;
  const char *sniffed;
};

struct galley_fetcher {
  galley_fetch_options opts;
  char *user_agent;
  proxy_env proxy;
  CURLM *multi; /* its connection cache is what fetches reuse */
  atomic_bool cancel;
  size_t total_bytes;
  size_t n_fetched;
  char errmsg[MSG_MAX]; /* empty: no error */
};

typedef enum abort_reason {
  ABORT_NONE = 0,
  ABORT_CANCEL,
  ABORT_RESPONSE, /* max_response_bytes */
  ABORT_TOTAL,    /* max_total_bytes */
  ABORT_MEMORY,
} abort_reason;

/* One URL on its way through redirects to a response. */
typedef struct transfer {
  galley_fetcher *f;
  galley_response *resp;
  char *key; /* the normalised URL it was added as (batch dedupe) */
  CURL *easy;
  bool begun, done, active;
  /* The current hop. */
  char *url;
  char *scheme;
  char *host; /* as curl's URL parser gives it: IPv6 in brackets */
  long port;
  const char *proxy; /* borrowed from the fetcher's proxy_env; NULL: direct */
  char *host_key;    /* "scheme://host:port" of the first hop */
  int redirects;
  int64_t deadline_ms; /* 0: none */
  abort_reason abort;
  char refused[MSG_MAX]; /* why open_socket refused, for the message */
  unsigned char *data;
  size_t size, cap;
  size_t received; /* this hop's bytes, kept or not */
  char errbuf[CURL_ERROR_SIZE];
} transfer;

/* ---- Setup ---------------------------------------------------------------
 */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

/* curl_global_init is not safe to race with itself (and in older libcurl
 * with anything), so the first fetcher runs it once for the process. It is
 * never undone: other fetchers, or the program itself, may still use
 * libcurl, and the process's exit frees it. */
static void curl_init_once(void) {
  curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

GALLEY_API int galley_fetch_options_init(galley_fetch_options *opts,
                                         unsigned int version) {
  if (!opts || version != GALLEY_FETCH_OPTIONS_VERSION)
    return GALLEY_EINVALID;
  galley_fetch_options d = GALLEY_FETCH_OPTIONS_INIT;
  *opts = d;
  return GALLEY_OK;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool cancelled(galley_fetcher *f) {
  if (atomic_load(&f->cancel))
    return true;
  if (f->opts.cancelled && f->opts.cancelled(f->opts.cancelled_data)) {
    atomic_store(&f->cancel, true);
    return true;
  }
  return false;
}

GALLEY_API int galley_fetcher_new(galley_fetcher **out,
                                  const galley_fetch_options *opts) {
  if (!out)
    return GALLEY_EINVALID;
  *out = NULL;
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT;
  if (opts) {
    /* Version 1 is the only one so far; a later version reads the members
     * that the caller's version has, and defaults the rest. */
    if (opts->version != GALLEY_FETCH_OPTIONS_VERSION)
      return GALLEY_EINVALID;
    o = *opts;
  }
  pthread_once(&curl_once, curl_init_once);
  if (curl_init_result != CURLE_OK)
    return GALLEY_EIO;

  galley_fetcher *f = calloc(1, sizeof *f);
  if (!f)
    return GALLEY_ENOMEM;
  f->opts = o;
  atomic_init(&f->cancel, false);
  if (o.user_agent) {
    f->user_agent = strdup(o.user_agent);
  } else {
    size_t n = strlen("galley/") + strlen(galley_version()) + 1;
    f->user_agent = malloc(n);
    if (f->user_agent)
      snprintf(f->user_agent, n, "galley/%s", galley_version());
  }
  f->opts.user_agent = f->user_agent;
  if (!f->user_agent || proxy_env_load(&f->proxy) != GALLEY_OK)
    goto fail;
  f->multi = curl_multi_init();
  if (!f->multi)
    goto fail;
  if (o.host_connections)
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long)o.host_connections);
  if (o.parallel)
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      (long)o.parallel);
  *out = f;
  return GALLEY_OK;
fail:
  galley_fetcher_free(f);
  return GALLEY_ENOMEM;
}

GALLEY_API void galley_fetcher_free(galley_fetcher *f) {
  if (!f)
    return;
  if (f->multi)
    curl_multi_cleanup(f->multi);
  proxy_env_free(&f->proxy);
  free(f->user_agent);
  free(f);
}

GALLEY_API void galley_fetcher_cancel(galley_fetcher *f) {
  if (f)
    atomic_store(&f->cancel, true);
}

GALLEY_API const char *galley_fetcher_errmsg(const galley_fetcher *f) {
  return f && f->errmsg[0] ? f->errmsg : NULL;
}

GALLEY_API size_t galley_fetcher_total_bytes(const galley_fetcher *f) {
  return f ? f->total_bytes : 0;
}

/* ---- Responses -----------------------------------------------------------
 */

GALLEY_API int galley_response_status(const galley_response *r) {
  return r ? r->status : GALLEY_EINVALID;
}

GALLEY_API const char *galley_response_error(const galley_response *r) {
  return r && r->error[0] ? r->error : NULL;
}

GALLEY_API const unsigned char *galley_response_data(const galley_response *r,
                                                     size_t *size) {
  if (size)
    *size = r ? r->size : 0;
  return r ? r->data : NULL;
}

GALLEY_API const char *galley_response_request_url(const galley_response *r) {
  return r ? r->request_url : NULL;
}

GALLEY_API const char *galley_response_url(const galley_response *r) {
  return r ? r->url : NULL;
}

GALLEY_API long galley_response_http_status(const galley_response *r) {
  return r ? r->http_status : 0;
}

GALLEY_API const char *galley_response_media_type(const galley_response *r) {
  return r ? r->media_type : NULL;
}

GALLEY_API const char *galley_response_charset(const galley_response *r) {
  return r ? r->charset : NULL;
}

GALLEY_API const char *galley_response_sniffed_type(const galley_response *r) {
  return r ? r->sniffed : NULL;
}

GALLEY_API void galley_response_free(galley_response *r) {
  if (!r)
    return;
  free(r->data);
  free(r->request_url);
  free(r->url);
  free(r->media_type);
  free(r->charset);
  free(r);
}

/* ---- Messages ------------------------------------------------------------
 */

/* `s` clipped for a message, with "..." when it was longer. */
static const char *clip(char buf[URL_SHOWN + 4], const char *s) {
  size_t n = strlen(s);
  if (n <= URL_SHOWN)
    return s;
  memcpy(buf, s, URL_SHOWN);
  memcpy(buf + URL_SHOWN, "...", 4);
  return buf;
}

/* Seconds for a message: "30", "0.5". */
static const char *seconds(char buf[32], long ms) {
  snprintf(buf, 32, "%g", (double)ms / 1000.0);
  return buf;
}

/* Makes `msg` one line: control bytes (from a server's header or curl's
 * error buffer) become spaces, trailing spaces and periods go. */
static void one_line(char *msg) {
  for (char *p = msg; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = ' ';
  size_t n = strlen(msg);
  while (n && (msg[n - 1] == ' ' || msg[n - 1] == '.'))
    msg[--n] = '\0';
}

/* Ends `t` with a failure. */
static GALLEY_PRINTF(3, 4) void fail(transfer *t, int status, const char *fmt,
                                     ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->resp->error, sizeof t->resp->error, fmt, ap);
  va_end(ap);
  one_line(t->resp->error);
  t->resp->status = status;
  free(t->data);
  t->data = NULL;
  t->size = t->cap = 0;
  t->done = true;
}

/* ---- URLs ----------------------------------------------------------------
 */

/* Length of the scheme that `url` starts with (letters, digits, '+', '-',
 * '.' after a letter, then ':'), or 0 when it has none. */
static size_t scheme_len(const char *url) {
  size_t i = 0;
  if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
    return 0;
  for (i = 1; url[i]; i++) {
    char c = url[i];
    if (c == ':')
      return i;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
      return 0;
  }
  return 0;
}

static bool is_http_scheme(const char *url, size_t len) {
  return (len == 4 && strncasecmp(url, "http", 4) == 0) ||
         (len == 5 && strncasecmp(url, "https", 5) == 0);
}

typedef struct parsed_url {
  char *url, *scheme, *host;
  long port;
} parsed_url;

static void parsed_url_free(parsed_url *p) {
  curl_free(p->url);
  curl_free(p->scheme);
  curl_free(p->host);
  memset(p, 0, sizeof *p);
}

/* Parses an absolute http(s) URL with curl's own parser (so that galley
 * checks the very host curl will connect to) and normalises it: scheme and
 * host in lower case, no fragment. GALLEY_EINVALID when curl cannot parse
 * it, GALLEY_ENOMEM. */
static int parse_url(parsed_url *out, const char *url) {
  memset(out, 0, sizeof *out);
  int rc = GALLEY_EINVALID;
  char *port = NULL;
  CURLU *u = curl_url();
  if (!u)
    return GALLEY_ENOMEM;
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
    goto done;
  if (curl_url_get(u, CURLUPART_HOST, &out->host, 0) != CURLUE_OK ||
      !out->host[0])
    goto done;
  for (char *p = out->host; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  if (curl_url_set(u, CURLUPART_HOST, out->host, 0) != CURLUE_OK ||
      curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &out->scheme, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_URL, &out->url, 0) != CURLUE_OK)
    goto done;
  out->port = strtol(port, NULL, 10);
  rc = GALLEY_OK;
done:
  curl_free(port);
  curl_url_cleanup(u);
  if (rc)
    parsed_url_free(out);
  return rc;
}

/* The address literal `host` (brackets and zone allowed) with `port` as a
 * socket address; false when `host` is a name. Legacy IPv4 forms count:
 * curl's parser has already rewritten them, and inet_aton reads any left. */
static bool literal_address(const char *host, long port,
                            struct sockaddr_storage *ss, socklen_t *len) {
  galley_net_class unused;
  if (galley_net_address_class_text(&unused, host) != GALLEY_OK)
    return false;
  char buf[INET6_ADDRSTRLEN + 8];
  size_t n = strlen(host);
  if (n >= 2 && host[0] == '[') {
    host++;
    n -= 2;
  }
  const char *zone = memchr(host, '%', n);
  if (zone)
    n = (size_t)(zone - host);
  if (n >= sizeof buf)
    return false;
  memcpy(buf, host, n);
  buf[n] = '\0';
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  struct sockaddr_in *in = (struct sockaddr_in *)ss;
  if (inet_pton(AF_INET6, buf, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    *len = sizeof *in6;
    return true;
  }
  if (inet_aton(buf, &in->sin_addr)) {
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    *len = sizeof *in;
    return true;
  }
  return false;
}

/* "localhost" and names under ".localhost" (RFC 6761), which resolvers and
 * libcurl answer with loopback without asking DNS. */
static bool is_localhost_name(const char *host) {
  size_t n = strlen(host);
  if (n && host[n - 1] == '.')
    n--;
  static const char lh[] = "localhost";
  size_t l = sizeof lh - 1;
  if (n < l || strncasecmp(host + n - l, lh, l) != 0)
    return false;
  return n == l || host[n - l - 1] == '.';
}

static bool address_allowed(const galley_fetcher *f,
                            const struct sockaddr *addr, size_t len,
                            galley_net_class cls) {
  if (f->opts.allow_address)
    return f->opts.allow_address(f->opts.allow_address_data, addr, len, cls);
  return cls == GALLEY_NET_PUBLIC || f->opts.allow_local_network;
}

/* The address in `sa` as text, for a message. */
static const char *address_text(char buf[INET6_ADDRSTRLEN],
                                const struct sockaddr *sa) {
  const void *a = NULL;
  if (sa->sa_family == AF_INET)
    a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
  else if (sa->sa_family == AF_INET6)
    a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
  if (!a || !inet_ntop(sa->sa_family, a, buf, INET6_ADDRSTRLEN))
    snprintf(buf, INET6_ADDRSTRLEN, "(family %d)", (int)sa->sa_family);
  return buf;
}

#define REFUSED_FMT                                                            \
  "address %s is %s; refused (--allow-local-network allows it)"

/* ---- libcurl callbacks ---------------------------------------------------
 */

/* Every connection libcurl opens comes through here with the address it
 * resolved, before connect(): the one place where a name that resolves to
 * a private address, on any redirect hop, can be stopped. Refusing returns
 * CURL_SOCKET_BAD, which libcurl reports as a failed connect; the reason
 * kept here replaces its generic message. */
static curl_socket_t open_socket(void *data, curlsocktype purpose,
                                 struct curl_sockaddr *a) {
  transfer *t = data;
  if (purpose != CURLSOCKTYPE_IPCXN)
    return CURL_SOCKET_BAD;
  /* Through a proxy the socket goes to the proxy, which the user chose. */
  if (!t->proxy) {
    galley_net_class cls = galley_net_address_class(&a->addr, a->addrlen);
    if (!address_allowed(t->f, &a->addr, a->addrlen, cls)) {
      if (!t->refused[0]) {
        char buf[INET6_ADDRSTRLEN];
        snprintf(t->refused, sizeof t->refused, REFUSED_FMT,
                 address_text(buf, &a->addr), galley_net_class_name(cls));
      }
      return CURL_SOCKET_BAD;
    }
  }
  int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

/* Bodies arrive here decoded, so the limits count what would be kept, and
 * a compression bomb stops at the limit, not at the end of the bomb. */
static size_t on_write(char *ptr, size_t size, size_t nmemb, void *data) {
  transfer *t = data;
  galley_fetcher *f = t->f;
  size_t n = size * nmemb;
  if (cancelled(f)) {
    t->abort = ABORT_CANCEL;
    return 0;
  }
  size_t max = f->opts.max_response_bytes;
  if (max && n > max - t->received) {
    t->abort = ABORT_RESPONSE;
    return 0;
  }
  size_t total = f->opts.max_total_bytes;
  if (total && n > total - f->total_bytes) {
    t->abort = ABORT_TOTAL;
    return 0;
  }
  t->received += n;
  f->total_bytes += n;
  /* Only a success's body is kept: a redirect's or an error page's is
   * read (to keep the connection) and dropped. */
  long code = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
  if (code < 200 || code > 299)
    return n;
  if (t->size + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 16384;
    while (cap < t->size + n + 1)
      cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    unsigned char *p = realloc(t->data, cap);
    if (!p) {
      t->abort = ABORT_MEMORY;
      return 0;
    }
    t->data = p;
    t->cap = cap;
  }
  memcpy(t->data + t->size, ptr, n);
  t->size += n;
  t->data[t->size] = '\0';
  return n;
}

/* Also bounds the bytes on the wire: an encoded stream that decodes to
 * next to nothing (empty deflate blocks, forever) never reaches on_write's
 * limits, but its raw size does reach this one. Legitimate encoded bodies
 * are smaller than their decoded form, so they meet on_write's first. */
static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow) {
  transfer *t = data;
  size_t max = t->f->opts.max_response_bytes;
  (void)dltotal, (void)ultotal, (void)ulnow;
  if (cancelled(t->f)) {
    t->abort = ABORT_CANCEL;
    return 1;
  }
  if (max && dlnow > 0 && (uint64_t)dlnow > max) {
    t->abort = ABORT_RESPONSE;
    return 1;
  }
  return 0;
}

/* ---- Content-Type --------------------------------------------------------
 */

static bool is_tchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static char *lower_dup(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (!d)
    return NULL;
  for (size_t i = 0; i < n; i++)
    d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
  d[n] = '\0';
  return d;
}

/* Splits a Content-Type (RFC 9110: type "/" subtype *( ";" name=value ),
 * values tokens or quoted strings) into its media type and charset, both
 * in lower case; either stays NULL when absent or malformed. */
static void parse_content_type(const char *ct, char **media, char **charset) {
  *media = *charset = NULL;
  if (!ct)
    return;
  const char *p = ct;
  while (*p == ' ' || *p == '\t')
    p++;
  const char *start = p;
  while (is_tchar((unsigned char)*p))
    p++;
  if (*p != '/' || p == start)
    return;
  p++;
  const char *sub = p;
  while (is_tchar((unsigned char)*p))
    p++;
  if (p == sub)
    return;
  *media = lower_dup(start, (size_t)(p - start));
  while (*p) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p != ';')
      return;
    p++;
    while (*p == ' ' || *p == '\t')
      p++;
    const char *name = p;
    while (is_tchar((unsigned char)*p))
      p++;
    size_t nlen = (size_t)(p - name);
    if (*p != '=')
      return;
    p++;
    char value[128];
    size_t vlen = 0;
    if (*p == '"') {
      for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
          p++;
        if (vlen < sizeof value - 1)
          value[vlen++] = *p;
      }
      if (*p != '"')
        return;
      p++;
    } else {
      while (is_tchar((unsigned char)*p)) {
        if (vlen < sizeof value - 1)
          value[vlen++] = *p;
        p++;
      }
    }
    if (nlen == 7 && strncasecmp(name, "charset", 7) == 0 && vlen && !*charset)
      *charset = lower_dup(value, vlen);
  }
}

/* ---- Hops ----------------------------------------------------------------
 */

/* Sets up the next hop of `t` to `url` (the first, or a redirect's target)
 * after every check that needs no connection: the scheme, the syntax, an
 * address literal, a localhost name through a proxy. On a refusal `t` is
 * done. */
static void hop_prepare(transfer *t, const char *url, bool redirect) {
  galley_fetcher *f = t->f;
  char shown[URL_SHOWN + 4];
  size_t sl = scheme_len(url);
  if (!sl) {
    if (redirect)
      fail(t, GALLEY_EINVALID, "redirect to %s is not an absolute URL",
           clip(shown, url));
    else
      fail(t, GALLEY_EINVALID, "not an absolute URL: %s", clip(shown, url));
    return;
  }
  if (!is_http_scheme(url, sl)) {
    if (redirect)
      fail(t, GALLEY_EUNSUPPORTED,
           "redirect to %s refused (only http and https)", clip(shown, url));
    else
      fail(t, GALLEY_EUNSUPPORTED, "scheme %.*s: refused (only http and https)",
           (int)sl, url);
    return;
  }
  parsed_url pu;
  int rc = parse_url(&pu, url);
  if (rc == GALLEY_ENOMEM) {
    fail(t, GALLEY_ENOMEM, "out of memory");
    return;
  }
  if (rc) {
    if (redirect)
      fail(t, GALLEY_EINVALID, "redirect to %s is not a valid URL",
           clip(shown, url));
    else
      fail(t, GALLEY_EINVALID, "not a valid URL: %s", clip(shown, url));
    return;
  }
  free(t->url);
  free(t->scheme);
  free(t->host);
  t->url = strdup(pu.url);
  t->scheme = strdup(pu.scheme);
  t->host = strdup(pu.host);
  t->port = pu.port;
  parsed_url_free(&pu);
  if (!t->url || !t->scheme || !t->host) {
    fail(t, GALLEY_ENOMEM, "out of memory");
    return;
  }
  t->proxy = proxy_env_pick(&f->proxy, t->scheme, t->host);

  /* Checked here as well as in open_socket: through a proxy open_socket
   * never sees the target, and directly it is refused before libcurl runs. */
  struct sockaddr_storage ss;
  socklen_t slen;
  if (literal_address(t->host, t->port, &ss, &slen)) {
    const struct sockaddr *sa = (const struct sockaddr *)&ss;
    galley_net_class cls = galley_net_address_class(sa, slen);
    if (!address_allowed(f, sa, slen, cls)) {
      char buf[INET6_ADDRSTRLEN];
      fail(t, GALLEY_EUNSUPPORTED, REFUSED_FMT, address_text(buf, sa),
           galley_net_class_name(cls));
      return;
    }
  } else if (t->proxy && is_localhost_name(t->host)) {
    struct sockaddr_in in = {0};
    in.sin_family = AF_INET;
    in.sin_port = htons((uint16_t)t->port);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!address_allowed(f, (const struct sockaddr *)&in, sizeof in,
                         GALLEY_NET_LOOPBACK)) {
      fail(t, GALLEY_EUNSUPPORTED,
           "host %s is loopback; refused (--allow-local-network allows it)",
           t->host);
      return;
    }
  }
}

/* Applies the prepared hop to the easy handle. */
static void hop_configure(transfer *t) {
  galley_fetcher *f = t->f;
  CURL *e = t->easy;
  if (f->opts.timeout_ms > 0) {
    int64_t left = t->deadline_ms - now_ms();
    if (left <= 0) {
      char s[32];
      fail(t, GALLEY_ELIMIT, "timed out after %s s",
           seconds(s, f->opts.timeout_ms));
      return;
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left);
  }
  curl_easy_setopt(e, CURLOPT_URL, t->url);
  /* Set both, always: libcurl then reads no proxy variable itself, so the
   * choice made in hop_prepare is the one it follows. */
  curl_easy_setopt(e, CURLOPT_PROXY, t->proxy ? t->proxy : "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  t->size = 0;
  t->received = 0;
  t->refused[0] = '\0';
  t->errbuf[0] = '\0';
  t->abort = ABORT_NONE;
}

static bool is_redirect(long code) {
  return code == 301 || code == 302 || code == 303 || code == 307 ||
         code == 308;
}

/* The message for a libcurl failure on the current hop. */
static void fail_curl(transfer *t, CURLcode rc) {
  galley_fetcher *f = t->f;
  char s[32];
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
    fail(t, GALLEY_EIO, "could not resolve host %s", t->host);
    return;
  case CURLE_COULDNT_RESOLVE_PROXY:
    fail(t, GALLEY_EIO, "could not resolve the proxy's host (%s)", t->proxy);
    return;
  case CURLE_COULDNT_CONNECT:
    if (t->refused[0])
      fail(t, GALLEY_EUNSUPPORTED, "%s", t->refused);
    else if (t->proxy)
      fail(t, GALLEY_EIO, "could not connect to the proxy (%s)", t->proxy);
    else
      fail(t, GALLEY_EIO, "could not connect to %s port %ld", t->host, t->port);
    return;
  case CURLE_OPERATION_TIMEDOUT:
    /* libcurl says "timed out" for both limits; the clock tells which. */
    if (f->opts.timeout_ms > 0 && now_ms() >= t->deadline_ms - 20)
      fail(t, GALLEY_ELIMIT, "timed out after %s s",
           seconds(s, f->opts.timeout_ms));
    else
      fail(t, GALLEY_ELIMIT, "connection to %s timed out after %s s", t->host,
           seconds(s, f->opts.connect_timeout_ms));
    return;
  case CURLE_PEER_FAILED_VERIFICATION:
    fail(t, GALLEY_EIO, "TLS certificate of %s could not be verified: %s",
         t->host, t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
    return;
  case CURLE_SSL_CONNECT_ERROR:
    fail(t, GALLEY_EIO, "TLS handshake with %s failed: %s", t->host,
         t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
    return;
  case CURLE_BAD_CONTENT_ENCODING:
    fail(t, GALLEY_EIO, "could not decode the response (Content-Encoding)");
    return;
  case CURLE_GOT_NOTHING:
    fail(t, GALLEY_EIO, "%s closed the connection without a response", t->host);
    return;
  case CURLE_PARTIAL_FILE:
  case CURLE_RECV_ERROR:
    fail(t, GALLEY_EIO, "the connection to %s broke off during the response",
         t->host);
    return;
  case CURLE_OUT_OF_MEMORY: fail(t, GALLEY_ENOMEM, "out of memory"); return;
  default:
    fail(t, GALLEY_EIO, "%s",
         t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
    return;
  }
}

/* The Location of a redirect that curl could not turn into a URL (an
 * unknown scheme, bad syntax): the raw header, for the message. */
static const char *raw_location(transfer *t) {
  struct curl_header *h = NULL;
  if (curl_easy_header(t->easy, "Location", 0, CURLH_HEADER, -1, &h) ==
          CURLHE_OK &&
      h && h->value)
    return h->value;
  return NULL;
}

/* Ends a hop that libcurl finished with `rc`: a response, a failure, or a
 * redirect prepared as the next hop. Returns true for the last. */
static bool hop_done(transfer *t, CURLcode rc) {
  galley_fetcher *f = t->f;
  galley_response *r = t->resp;
  switch (t->abort) {
  case ABORT_CANCEL: fail(t, GALLEY_ECANCELLED, "cancelled"); return false;
  case ABORT_RESPONSE:
    fail(t, GALLEY_ELIMIT,
         "response over the size limit of %zu bytes (-O max-fetch-size)",
         f->opts.max_response_bytes);
    return false;
  case ABORT_TOTAL:
    fail(t, GALLEY_ELIMIT,
         "responses add up to more than the limit of %zu bytes per document "
         "(-O max-fetch-bytes)",
         f->opts.max_total_bytes);
    return false;
  case ABORT_MEMORY: fail(t, GALLEY_ENOMEM, "out of memory"); return false;
  case ABORT_NONE: break;
  }
  if (rc == CURLE_FILESIZE_EXCEEDED) {
    fail(t, GALLEY_ELIMIT,
         "response over the size limit of %zu bytes (-O max-fetch-size)",
         f->opts.max_response_bytes);
    return false;
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    fail(t, GALLEY_ECANCELLED, "cancelled");
    return false;
  }
  if (rc != CURLE_OK) {
    fail_curl(t, rc);
    return false;
  }
  long code = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
  r->http_status = code;
  if (is_redirect(code)) {
    char shown[URL_SHOWN + 4];
    const char *next = NULL;
    curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &next);
    if (!next) {
      const char *raw = raw_location(t);
      if (!raw) {
        fail(t, GALLEY_EIO, "HTTP %ld without a Location", code);
        return false;
      }
      size_t sl = scheme_len(raw);
      if (sl && !is_http_scheme(raw, sl))
        fail(t, GALLEY_EUNSUPPORTED,
             "redirect to %s refused (only http and https)", clip(shown, raw));
      else
        fail(t, GALLEY_EINVALID, "redirect to %s is not a valid URL",
             clip(shown, raw));
      return false;
    }
    if (t->redirects >= GALLEY_FETCH_MAX_REDIRECTS) {
      fail(t, GALLEY_ELIMIT, "too many redirects (over %d)",
           GALLEY_FETCH_MAX_REDIRECTS);
      return false;
    }
    t->redirects++;
    /* `next` belongs to the handle and changes with the next hop. */
    char *copy = strdup(next);
    if (!copy) {
      fail(t, GALLEY_ENOMEM, "out of memory");
      return false;
    }
    hop_prepare(t, copy, true);
    free(copy);
    if (t->done)
      return false;
    hop_configure(t);
    return !t->done;
  }
  if (code < 200 || code > 299) {
    fail(t, code == 404 || code == 410 ? GALLEY_ENOTFOUND : GALLEY_EIO,
         "HTTP %ld", code);
    return false;
  }
  const char *ct = NULL;
  curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct);
  parse_content_type(ct, &r->media_type, &r->charset);
  r->url = strdup(t->url);
  if (!t->data)
    t->data = calloc(1, 1);
  if (!r->url || !t->data) {
    fail(t, GALLEY_ENOMEM, "out of memory");
    return false;
  }
  r->data = t->data;
  r->size = t->size;
  t->data = NULL;
  t->size = t->cap = 0;
  r->sniffed = galley_media_type_sniff(r->data, r->size);
  r->status = GALLEY_OK;
  r->error[0] = '\0';
  t->done = true;
  return false;
}

/* ---- Transfers -----------------------------------------------------------
 */

static transfer *transfer_new(galley_fetcher *f, const char *url,
                              const char *key) {
  transfer *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->f = f;
  t->resp = calloc(1, sizeof *t->resp);
  if (t->resp) {
    /* What a batch's result says until the batch runs. */
    t->resp->status = GALLEY_EINVALID;
    snprintf(t->resp->error, sizeof t->resp->error, "not fetched yet");
    t->resp->request_url = strdup(url);
  }
  t->key = strdup(key);
  if (!t->resp || !t->resp->request_url || !t->key) {
    if (t->resp)
      galley_response_free(t->resp);
    free(t->key);
    free(t);
    return NULL;
  }
  return t;
}

/* Frees `t`, and its response unless `keep_response`. */
static void transfer_free(transfer *t, bool keep_response) {
  if (!t)
    return;
  if (t->easy)
    curl_easy_cleanup(t->easy);
  if (!keep_response)
    galley_response_free(t->resp);
  free(t->key);
  free(t->url);
  free(t->scheme);
  free(t->host);
  free(t->host_key);
  free(t->data);
  free(t);
}

/* The checks made once per URL, before its first hop: cancellation, the
 * offline switch (before anything touches the network), the URL itself,
 * the count limit. */
static void transfer_begin(transfer *t) {
  galley_fetcher *f = t->f;
  t->begun = true;
  if (cancelled(f)) {
    fail(t, GALLEY_ECANCELLED, "cancelled");
    return;
  }
  if (f->opts.offline) {
    fail(t, GALLEY_EUNSUPPORTED, "not fetched: offline (--offline)");
    return;
  }
  hop_prepare(t, t->resp->request_url, false);
  if (t->done)
    return;
  if (f->opts.max_resources && f->n_fetched >= f->opts.max_resources) {
    fail(t, GALLEY_ELIMIT,
         "over the limit of %zu fetches per document (-O max-fetches)",
         f->opts.max_resources);
    return;
  }
  f->n_fetched++;
  size_t n = strlen(t->scheme) + strlen(t->host) + 32;
  t->host_key = malloc(n);
  if (!t->host_key) {
    fail(t, GALLEY_ENOMEM, "out of memory");
    return;
  }
  snprintf(t->host_key, n, "%s://%s:%ld", t->scheme, t->host, t->port);
}

/* Creates and sets up the easy handle of `t`'s first hop. */
static bool transfer_start(transfer *t) {
  galley_fetcher *f = t->f;
  CURL *e = curl_easy_init();
  if (!e) {
    fail(t, GALLEY_ENOMEM, "out of memory");
    return false;
  }
  t->easy = e;
  if (f->opts.timeout_ms > 0)
    t->deadline_ms = now_ms() + f->opts.timeout_ms;
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  /* galley follows redirects itself, so that each hop gets the checks of
   * hop_prepare and its own choice of proxy. */
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
  /* "": every encoding this libcurl decodes (gzip, deflate, br, zstd). */
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
  /* A Content-Length over the limit is refused before the body comes. */
  if (f->opts.max_response_bytes &&
      f->opts.max_response_bytes <= (uint64_t)INT64_MAX)
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                     (curl_off_t)f->opts.max_response_bytes);
  if (f->opts.connect_timeout_ms > 0)
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, f->opts.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, t);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
  hop_configure(t);
  return !t->done;
}

static void transfer_stop(transfer *t) {
  if (t->easy) {
    curl_easy_cleanup(t->easy);
    t->easy = NULL;
  }
  t->active = false;
}

static unsigned host_active(transfer **ts, size_t n, const char *key) {
  unsigned count = 0;
  for (size_t i = 0; i < n; i++)
    if (ts[i]->active && strcmp(ts[i]->host_key, key) == 0)
      count++;
  return count;
}

/* Runs `ts` to completion on the fetcher's multi handle, at most
 * `parallel` at once and `host_connections` per host. */
static int run(galley_fetcher *f, transfer **ts, size_t n) {
  size_t active = 0;
  for (;;) {
    if (cancelled(f)) {
      for (size_t i = 0; i < n; i++) {
        if (ts[i]->active)
          curl_multi_remove_handle(f->multi, ts[i]->easy);
        transfer_stop(ts[i]);
        if (!ts[i]->done)
          fail(ts[i], GALLEY_ECANCELLED, "cancelled");
      }
      return GALLEY_ECANCELLED;
    }
    for (size_t i = 0; i < n; i++) {
      transfer *t = ts[i];
      if (f->opts.parallel && active >= f->opts.parallel)
        break;
      if (t->done || t->active)
        continue;
      if (!t->begun) {
        transfer_begin(t);
        if (t->done)
          continue;
      }
      if (f->opts.host_connections &&
          host_active(ts, n, t->host_key) >= f->opts.host_connections)
        continue;
      if (!transfer_start(t)) {
        transfer_stop(t);
        continue;
      }
      if (curl_multi_add_handle(f->multi, t->easy) != CURLM_OK) {
        fail(t, GALLEY_ENOMEM, "out of memory");
        transfer_stop(t);
        continue;
      }
      t->active = true;
      active++;
    }
    if (active == 0)
      break;
    int running = 0;
    if (curl_multi_perform(f->multi, &running) != CURLM_OK) {
      /* Only out of memory (or a bug) gets here: end what is unfinished. */
      for (size_t i = 0; i < n; i++) {
        if (ts[i]->active)
          curl_multi_remove_handle(f->multi, ts[i]->easy);
        transfer_stop(ts[i]);
        if (!ts[i]->done)
          fail(ts[i], GALLEY_ENOMEM, "out of memory");
      }
      return GALLEY_ENOMEM;
    }
    CURLMsg *m;
    int queued;
    bool finished = false;
    while ((m = curl_multi_info_read(f->multi, &queued))) {
      if (m->msg != CURLMSG_DONE)
        continue;
      CURL *e = m->easy_handle;
      CURLcode rc = m->data.result;
      char *priv = NULL;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
      transfer *t = (transfer *)(void *)priv;
      curl_multi_remove_handle(f->multi, e);
      finished = true;
      if (hop_done(t, rc) &&
          curl_multi_add_handle(f->multi, t->easy) == CURLM_OK)
        continue;
      if (!t->done)
        fail(t, GALLEY_ENOMEM, "out of memory");
      transfer_stop(t);
      active--;
    }
    if (!finished)
      curl_multi_poll(f->multi, NULL, 0, 100, NULL);
  }
  return GALLEY_OK;
}

/* ---- One document --------------------------------------------------------
 */

GALLEY_API int galley_fetcher_get(galley_fetcher *f, galley_response **out,
                                  const char *url) {
  if (!out)
    return GALLEY_EINVALID;
  *out = NULL;
  if (!f || !url)
    return GALLEY_EINVALID;
  f->errmsg[0] = '\0';
  transfer *t = transfer_new(f, url, url);
  if (!t) {
    snprintf(f->errmsg, sizeof f->errmsg, "out of memory");
    return GALLEY_ENOMEM;
  }
  run(f, &t, 1);
  galley_response *r = t->resp;
  transfer_free(t, true);
  if (r->status != GALLEY_OK) {
    int status = r->status;
    snprintf(f->errmsg, sizeof f->errmsg, "%s", r->error);
    galley_response_free(r);
    return status;
  }
  *out = r;
  return GALLEY_OK;
}

/* ---- Batches -------------------------------------------------------------
 */

struct galley_fetch_batch {
  galley_fetcher *f;
  transfer **items;
  size_t n, cap;
  size_t ran; /* items before this one have been run */
};

GALLEY_API int galley_fetch_batch_new(galley_fetch_batch **out,
                                      galley_fetcher *f) {
  if (!out)
    return GALLEY_EINVALID;
  *out = NULL;
  if (!f)
    return GALLEY_EINVALID;
  galley_fetch_batch *b = calloc(1, sizeof *b);
  if (!b)
    return GALLEY_ENOMEM;
  b->f = f;
  *out = b;
  return GALLEY_OK;
}

GALLEY_API void galley_fetch_batch_free(galley_fetch_batch *b) {
  if (!b)
    return;
  for (size_t i = 0; i < b->n; i++)
    transfer_free(b->items[i], false);
  free(b->items);
  free(b);
}

GALLEY_API int galley_fetch_batch_add(galley_fetch_batch *b, size_t *index,
                                      const char *url) {
  if (!b || !index || !url)
    return GALLEY_EINVALID;
  /* Two spellings of one resource ("HTTP://Host/a.png#x", "http://host/
   * a.png") are fetched once. A URL curl cannot parse is its own key; its
   * result will say what is wrong with it. */
  parsed_url pu;
  int rc = parse_url(&pu, url);
  if (rc == GALLEY_ENOMEM)
    return rc;
  const char *key = rc == GALLEY_OK ? pu.url : url;
  for (size_t i = 0; i < b->n; i++) {
    if (strcmp(b->items[i]->key, key) == 0) {
      *index = i;
      parsed_url_free(&pu);
      return GALLEY_OK;
    }
  }
  if (galley_array_grow((void **)&b->items, &b->cap, b->n + 1, sizeof *b->items)) {
    parsed_url_free(&pu);
    return GALLEY_ENOMEM;
  }
  transfer *t = transfer_new(b->f, url, key);
  parsed_url_free(&pu);
  if (!t)
    return GALLEY_ENOMEM;
  b->items[b->n] = t;
  *index = b->n++;
  return GALLEY_OK;
}

GALLEY_API int galley_fetch_batch_run(galley_fetch_batch *b) {
  if (!b)
    return GALLEY_EINVALID;
  int rc = run(b->f, b->items + b->ran, b->n - b->ran);
  for (size_t i = b->ran; i < b->n; i++)
    transfer_stop(b->items[i]);
  b->ran = b->n;
  return rc;
}

GALLEY_API size_t galley_fetch_batch_count(const galley_fetch_batch *b) {
  return b ? b->n : 0;
}

GALLEY_API const galley_response *
galley_fetch_batch_response(const galley_fetch_batch *b, size_t index) {
  if (!b || index >= b->n)
    return NULL;
  return b->items[index]->resp;
}

GALLEY_API size_t galley_fetch_batch_failures(const galley_fetch_batch *b) {
  size_t n = 0;
  for (size_t i = 0; b && i < b->n; i++)
    if (b->items[i]->done && b->items[i]->resp->status != GALLEY_OK)
      n++;
  return n;
}
