/* Fetching pages and their resources over http(s). For now: the address
 * classifier that the network policy will apply to every connection
 * (only public addresses unless the user allows the local network), and
 * media types sniffed from a resource's bytes. */
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

#ifdef __cplusplus
}
#endif
#endif
