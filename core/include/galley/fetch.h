/* Fetching pages and their resources over http(s), under galley's network
 * policy: the address classifier, the fetcher and its limits, parallel
 * batches, and media types sniffed from bytes.
 *
 * THE POLICY
 *   Only http and https URLs are fetched, first and after every redirect;
 *   anything else (file:, ftp:, data:, javascript:, ...) is refused before
 *   libcurl sees it. Redirects are followed by galley itself, at most 10
 *   per fetch, each hop checked like the first. TLS certificates and host
 *   names are always verified; nothing turns that off. Responses are
 *   decoded (gzip, deflate, br, zstd: whatever libcurl was built with) and
 *   the size limits count the decoded bytes, while they arrive: a response
 *   over a limit is cut off at that point, never downloaded first.
 *
 *   Unless allow_local_network is set, no connection is made to an address
 *   that is not public (see galley_net_class): the check runs on the
 *   resolved address of every connection libcurl opens, redirect hops
 *   included, before the connect() (a host name that resolves to 127.0.0.1
 *   is refused like the literal), and on address literals in a URL before
 *   libcurl is called at all.
 *
 * PROXIES
 *   The fetcher reads the usual variables once, when it is created:
 *   http_proxy (lower case only, as libcurl does), https_proxy or
 *   HTTPS_PROXY, all_proxy or ALL_PROXY, and no_proxy or NO_PROXY (host
 *   names, domain suffixes, "*", IP addresses and CIDR ranges). Through a
 *   proxy, the connection goes to the proxy: its address is the user's own
 *   configuration and is never refused (a proxy on 127.0.0.1 works). The
 *   target's host is then checked by what galley can see without resolving
 *   it: an address literal is classified like a resolved address, and
 *   "localhost" and names under ".localhost" count as loopback. Any other
 *   name is resolved by the proxy, not here, so where it points is the
 *   proxy's to police: a proxy that can reach private networks can fetch
 *   from them for a name that resolves there. Hosts that no_proxy names are
 *   fetched directly and checked on every connection as above.
 *
 * THREADS
 *   A fetcher, its batches and responses are used by one thread at a time
 *   (as a job is); galley_fetcher_cancel is the only call another thread
 *   may make. Different fetchers run on different threads at once.
 *   libcurl's global state is set up once (pthread_once) by the first
 *   galley_fetcher_new and lives until the process ends.
 */
#ifndef GALLEY_FETCH_H
#define GALLEY_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Address classes ------------------------------------------------------
 * Pure functions: no resolving, no sockets. */

/** What kind of address an IPv4 or IPv6 address is. Only PUBLIC addresses
 *  are fetched from without allow_local_network. IPv4 addresses carried in
 *  IPv6 ones (::ffff:a.b.c.d mapped, ::a.b.c.d compatible, ::ffff:0:a.b.c.d
 *  translated, 64:ff9b::/96 NAT64, 2002::/16 6to4) are classified by the
 *  IPv4 address they carry. */
typedef enum galley_net_class {
  GALLEY_NET_PUBLIC = 0,  /* everything not listed below */
  GALLEY_NET_LOOPBACK,    /* 127.0.0.0/8, ::1 */
  GALLEY_NET_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10,
                             64:ff9b:1::/48 */
  GALLEY_NET_LINK_LOCAL,  /* 169.254/16 (cloud metadata), fe80::/10 */
  GALLEY_NET_MULTICAST,   /* 224/4, ff00::/8 */
  GALLEY_NET_UNSPECIFIED, /* 0.0.0.0/8 ("this network"), :: */
  GALLEY_NET_SHARED,      /* 100.64/10, carrier-grade NAT */
  GALLEY_NET_BROADCAST,   /* 255.255.255.255 */
  GALLEY_NET_RESERVED,    /* 192.0.0/24, 192.0.2/24, 192.88.99/24, 198.18/15,
                             198.51.100/24, 203.0.113/24, 240/4, 100::/64,
                             2001:2::/48, 2001:db8::/32 */
  GALLEY_NET_NOT_IP,      /* not an IPv4 or IPv6 address (AF_UNIX, ...) */
} galley_net_class;

/** The class of the address in `addr` (a sockaddr_in or sockaddr_in6 of
 *  `len` bytes; the port and scope are ignored). GALLEY_NET_NOT_IP for any
 *  other family or a `len` too short for it. */
GALLEY_EXPORT galley_net_class
galley_net_address_class(const struct sockaddr *addr, size_t len);

/** The class of an address given as its bytes in network order: 4 bytes
 *  for IPv4, 16 for IPv6; GALLEY_NET_NOT_IP for any other `len`. */
GALLEY_EXPORT galley_net_class
galley_net_address_class_bytes(const unsigned char *bytes, size_t len);

/** Classifies an address literal as written in a URL's host: "10.0.0.1",
 *  "::1", "[::1]", "fe80::1%eth0" (a zone is ignored). Legacy IPv4 forms
 *  ("127.1", "0x7f000001") count, as resolvers read them. Sets `*out` and
 *  returns GALLEY_OK, or GALLEY_EINVALID when `text` is not a literal
 *  (a host name). */
GALLEY_EXPORT int galley_net_address_class_text(galley_net_class *out,
                                                const char *text);

/** A constant name for messages: "public", "loopback", "private",
 *  "link-local", "multicast", "unspecified", "carrier-grade NAT",
 *  "broadcast", "reserved", "not an IP address". Never NULL. */
GALLEY_EXPORT const char *galley_net_class_name(galley_net_class cls);

/* ---- Media types from bytes ------------------------------------------ */

/** The media type that `data` starts like, from its bytes alone (never from
 *  a name or a header): "image/png", "image/jpeg", "image/gif",
 *  "image/webp", "image/svg+xml" (XML whose root element is svg),
 *  "image/avif", "image/heic", "image/bmp", "image/tiff",
 *  "image/vnd.microsoft.icon". A constant string, or NULL when unknown. */
GALLEY_EXPORT const char *galley_media_type_sniff(const unsigned char *data,
                                                  size_t len);

/** True for the image types that every EPUB 3.3 reading system supports
 *  (the core media types): image/gif, image/jpeg, image/png,
 *  image/svg+xml, image/webp. Compared ignoring case. */
GALLEY_EXPORT bool galley_media_type_epub_core(const char *media_type);

/* ---- Options --------------------------------------------------------------
 * Versioned as libgit2 does it: initialise with GALLEY_FETCH_OPTIONS_INIT
 * or galley_fetch_options_init, then change what you need. New members are
 * only ever added at the end, with a new version; the library reads only
 * the members of the version the caller was built with. */

#define GALLEY_FETCH_OPTIONS_VERSION 1

/** The defaults. README ("Network limits") documents them with the names
 *  of the -O options that will set them. */
#define GALLEY_FETCH_CONNECT_TIMEOUT_MS 15000L       /* connect-timeout */
#define GALLEY_FETCH_TIMEOUT_MS 120000L              /* fetch-timeout */
#define GALLEY_FETCH_MAX_RESPONSE ((size_t)64 << 20) /* max-fetch-size */
#define GALLEY_FETCH_MAX_TOTAL ((size_t)512 << 20)   /* max-fetch-bytes */
#define GALLEY_FETCH_MAX_RESOURCES ((size_t)1000)    /* max-fetches */
#define GALLEY_FETCH_HOST_CONNECTIONS 6u             /* host-connections */
#define GALLEY_FETCH_PARALLEL 16u                    /* fetch-parallel */
/** Redirects followed per fetch; more is an error. Not an option. */
#define GALLEY_FETCH_MAX_REDIRECTS 10

typedef struct galley_fetch_options {
  unsigned int version; /* GALLEY_FETCH_OPTIONS_VERSION; first, always */
  /** Fetch from addresses that are not public too (--allow-local-network). */
  bool allow_local_network;
  /** Fetch nothing: every fetch fails at once, before any name is resolved
   *  or socket opened (--offline). */
  bool offline;
  /** Milliseconds to wait for one connection; 0: no limit of its own. */
  long connect_timeout_ms;
  /** Milliseconds for one whole fetch, redirects included; 0: none. */
  long timeout_ms;
  /** Decoded bytes of one response; 0: no limit. */
  size_t max_response_bytes;
  /** Decoded bytes of every response of this fetcher together (one document
   *  and what it references); 0: no limit. */
  size_t max_total_bytes;
  /** URLs this fetcher fetches at most (each distinct one once; redirects
   *  do not count); 0: no limit. */
  size_t max_resources;
  /** Transfers at once to one host (scheme, name and port); 0: no limit. */
  unsigned host_connections;
  /** Transfers at once in all; 0: no limit. */
  unsigned parallel;
  /** The User-Agent; NULL: "galley/VERSION" (galley_version()). Copied. */
  const char *user_agent;
  /** Polled while fetching (from the fetching thread); true cancels every
   *  transfer of the fetcher, as galley_fetcher_cancel does. May be NULL. */
  bool (*cancelled)(void *data);
  void *cancelled_data;
  /** May be NULL. When set, decides instead of the default rule
   *  (public, or anything with allow_local_network) whether a connection
   *  may go to `addr` (with its port), of class `cls`. For a host that
   *  wants a narrower or wider policy than the default. Called on the
   *  fetching thread, for every address literal in a URL, every connection
   *  not made through a proxy, and "localhost" through a proxy (as
   *  127.0.0.1 with the URL's port). */
  bool (*allow_address)(void *data, const struct sockaddr *addr, size_t len,
                        galley_net_class cls);
  void *allow_address_data;
} galley_fetch_options;

/** The defaults, for `galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT;`. */
#define GALLEY_FETCH_OPTIONS_INIT                                              \
  {                                                                            \
    GALLEY_FETCH_OPTIONS_VERSION, false, false,                                \
        GALLEY_FETCH_CONNECT_TIMEOUT_MS, GALLEY_FETCH_TIMEOUT_MS,              \
        GALLEY_FETCH_MAX_RESPONSE, GALLEY_FETCH_MAX_TOTAL,                     \
        GALLEY_FETCH_MAX_RESOURCES, GALLEY_FETCH_HOST_CONNECTIONS,             \
        GALLEY_FETCH_PARALLEL, NULL, NULL, NULL, NULL, NULL                    \
  }

/** Fills `opts` with the defaults of `version` (GALLEY_FETCH_OPTIONS_VERSION).
 *  GALLEY_EINVALID for a version this library does not know. */
GALLEY_EXPORT int galley_fetch_options_init(galley_fetch_options *opts,
                                            unsigned int version);

/* ---- Responses ------------------------------------------------------------
 * What one fetch gave. Getters borrow from the response. */

typedef struct galley_response galley_response;

/** GALLEY_OK, or the status of the failure (see galley_response_error). */
GALLEY_EXPORT int galley_response_status(const galley_response *r);
/** NULL on success, else one line, no trailing period, e.g. "HTTP 404",
 *  "could not resolve host example.invalid", "timed out after 30 s",
 *  "redirect to file:///etc/passwd refused (only http and https)",
 *  "too many redirects (over 10)", "address 127.0.0.1 is loopback; refused
 *  (--allow-local-network allows it)", "response over the size limit of N
 *  bytes (-O max-fetch-size)". The README lists them all. */
GALLEY_EXPORT const char *galley_response_error(const galley_response *r);
/** The body, decoded (NULL with *size 0 after a failure). */
GALLEY_EXPORT const unsigned char *
galley_response_data(const galley_response *r, size_t *size);
/** The URL as it was asked for. */
GALLEY_EXPORT const char *galley_response_request_url(const galley_response *r);
/** The URL after redirects: the base for what the body references. NULL
 *  after a failure. */
GALLEY_EXPORT const char *galley_response_url(const galley_response *r);
/** The last HTTP status received (0 when none was). */
GALLEY_EXPORT long galley_response_http_status(const galley_response *r);
/** The Content-Type's media type, lower case, without parameters
 *  ("text/html"); NULL when the server sent none or a malformed one. */
GALLEY_EXPORT const char *galley_response_media_type(const galley_response *r);
/** The Content-Type's charset parameter, unquoted, lower case
 *  ("windows-1252"); NULL when absent. */
GALLEY_EXPORT const char *galley_response_charset(const galley_response *r);
/** galley_media_type_sniff of the body; NULL when unknown. */
GALLEY_EXPORT const char *
galley_response_sniffed_type(const galley_response *r);
/** Frees a response from galley_fetcher_get (not one a batch owns). */
GALLEY_EXPORT void galley_response_free(galley_response *r);

/* ---- The fetcher ----------------------------------------------------------
 * One per document: it holds the connections (reused between fetches), the
 * proxy settings read from the environment, and the counts that the
 * per-document limits apply to. */

typedef struct galley_fetcher galley_fetcher;

/** A new fetcher with `opts` (copied; NULL: the defaults). GALLEY_EINVALID
 *  for an unknown options version, GALLEY_EIO when libcurl cannot start. */
GALLEY_EXPORT int galley_fetcher_new(galley_fetcher **out,
                                     const galley_fetch_options *opts);
/** Frees the fetcher; it must not be running. Responses it returned stay. */
GALLEY_EXPORT void galley_fetcher_free(galley_fetcher *f);
/** Stops every transfer of `f` at its next check, now and for good: later
 *  fetches fail with "cancelled". Safe from any thread. */
GALLEY_EXPORT void galley_fetcher_cancel(galley_fetcher *f);
/** The message of the last failed galley_fetcher_get, or NULL. */
GALLEY_EXPORT const char *galley_fetcher_errmsg(const galley_fetcher *f);
/** Decoded bytes received so far, all responses together. */
GALLEY_EXPORT size_t galley_fetcher_total_bytes(const galley_fetcher *f);

/**
 * Fetches one http(s) URL (a document): follows redirects, decodes, checks
 * every limit. On success sets `*out` to a response the caller frees with
 * galley_response_free and returns GALLEY_OK. On failure sets `*out` to
 * NULL, keeps the message for galley_fetcher_errmsg and returns its status:
 * GALLEY_EINVALID (not a URL), GALLEY_EUNSUPPORTED (refused: scheme,
 * address, offline), GALLEY_ENOTFOUND (HTTP 404 or 410), GALLEY_ELIMIT (a
 * size, count or time limit), GALLEY_ECANCELLED, GALLEY_ENOMEM, GALLEY_EIO
 * (anything else: other HTTP errors, DNS, connection, TLS).
 */
GALLEY_EXPORT int galley_fetcher_get(galley_fetcher *f, galley_response **out,
                                     const char *url);

/* ---- Batches --------------------------------------------------------------
 * Many resources (a page's images) fetched in parallel over the fetcher's
 * connections, at most `parallel` at once and `host_connections` per host,
 * each URL once. */

typedef struct galley_fetch_batch galley_fetch_batch;

/** A new empty batch on `f` (borrowed; it must outlive the batch). */
GALLEY_EXPORT int galley_fetch_batch_new(galley_fetch_batch **out,
                                         galley_fetcher *f);
GALLEY_EXPORT void galley_fetch_batch_free(galley_fetch_batch *b);
/**
 * Adds an absolute URL (resolve relative ones first) and sets `*index` to
 * its result's index. A URL already added (the same after normalising
 * scheme and host case and dropping the fragment) gets the index it
 * already has. A URL that cannot be fetched (bad syntax, refused scheme)
 * still gets an index: its result holds the error. Fails only with
 * GALLEY_ENOMEM, or GALLEY_EINVALID for a NULL argument.
 */
GALLEY_EXPORT int galley_fetch_batch_add(galley_fetch_batch *b, size_t *index,
                                         const char *url);
/**
 * Fetches everything added since the last run and returns when all are
 * done: GALLEY_OK, even when some failed (their results say why), or
 * GALLEY_ECANCELLED when cancelled (what had not finished fails with
 * "cancelled"), or GALLEY_ENOMEM.
 */
GALLEY_EXPORT int galley_fetch_batch_run(galley_fetch_batch *b);
/** How many distinct URLs the batch holds (indexes are 0..count-1). */
GALLEY_EXPORT size_t galley_fetch_batch_count(const galley_fetch_batch *b);
/** The result for `index` (borrowed from the batch); NULL out of range. */
GALLEY_EXPORT const galley_response *
galley_fetch_batch_response(const galley_fetch_batch *b, size_t index);
/** How many results failed (for the one warning that counts them). */
GALLEY_EXPORT size_t galley_fetch_batch_failures(const galley_fetch_batch *b);

#ifdef __cplusplus
}
#endif
#endif
