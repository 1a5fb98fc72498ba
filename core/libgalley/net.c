/* The address classifier: is an IPv4 or IPv6 address public, or loopback,
 * private, link-local, ...? Pure functions, no resolving, no sockets. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "private.h"

#include "galley/fetch.h"

/* An IPv4 range: `bits` leading bits of `net` (host order). */
typedef struct v4_range {
  uint32_t net;
  unsigned bits;
  galley_net_class cls;
} v4_range;

#define V4(a, b, c, d)                                                         \
  (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) |      \
   (uint32_t)(d))

/* The IANA IPv4 special-purpose registry, narrowest first where ranges
 * nest: 255.255.255.255 is broadcast before 240/4 makes it reserved. */
static const v4_range v4_ranges[] = {
    {V4(255, 255, 255, 255), 32, GALLEY_NET_BROADCAST},
    {V4(0, 0, 0, 0), 8, GALLEY_NET_UNSPECIFIED},
    {V4(10, 0, 0, 0), 8, GALLEY_NET_PRIVATE},
    {V4(100, 64, 0, 0), 10, GALLEY_NET_SHARED},
    {V4(127, 0, 0, 0), 8, GALLEY_NET_LOOPBACK},
    {V4(169, 254, 0, 0), 16, GALLEY_NET_LINK_LOCAL},
    {V4(172, 16, 0, 0), 12, GALLEY_NET_PRIVATE},
    {V4(192, 0, 0, 0), 24, GALLEY_NET_RESERVED},
    {V4(192, 0, 2, 0), 24, GALLEY_NET_RESERVED},
    {V4(192, 88, 99, 0), 24, GALLEY_NET_RESERVED},
    {V4(192, 168, 0, 0), 16, GALLEY_NET_PRIVATE},
    {V4(198, 18, 0, 0), 15, GALLEY_NET_RESERVED},
    {V4(198, 51, 100, 0), 24, GALLEY_NET_RESERVED},
    {V4(203, 0, 113, 0), 24, GALLEY_NET_RESERVED},
    {V4(224, 0, 0, 0), 4, GALLEY_NET_MULTICAST},
    {V4(240, 0, 0, 0), 4, GALLEY_NET_RESERVED},
};

static galley_net_class classify_v4(const unsigned char b[4]) {
  uint32_t a = V4(b[0], b[1], b[2], b[3]);
  for (size_t i = 0; i < sizeof v4_ranges / sizeof v4_ranges[0]; i++) {
    const v4_range *r = &v4_ranges[i];
    uint32_t mask = r->bits ? ~(uint32_t)0 << (32 - r->bits) : 0;
    if ((a & mask) == r->net)
      return r->cls;
  }
  return GALLEY_NET_PUBLIC;
}

/* True when the first `bits` bits of `a` equal those of `prefix`. */
static bool has_prefix(const unsigned char a[16], const unsigned char *prefix,
                       unsigned bits) {
  unsigned whole = bits / 8, rest = bits % 8;
  if (memcmp(a, prefix, whole) != 0)
    return false;
  if (!rest)
    return true;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (a[whole] & mask) == (prefix[whole] & mask);
}

typedef struct v6_range {
  unsigned char prefix[16];
  unsigned bits;
  galley_net_class cls;
} v6_range;

static const v6_range v6_ranges[] = {
    {{0x01, 0x00}, 64, GALLEY_NET_RESERVED},             /* 100::/64 discard */
    {{0x20, 0x01, 0x00, 0x02}, 48, GALLEY_NET_RESERVED}, /* 2001:2::/48 */
    {{0x20, 0x01, 0x0d, 0xb8}, 32, GALLEY_NET_RESERVED}, /* 2001:db8::/32 */
    /* 64:ff9b:1::/48, local-use IPv4/IPv6 translation (RFC 8215): what it
     * carries depends on the site, so it counts as the site's own. */
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, GALLEY_NET_PRIVATE},
    {{0xfc}, 7, GALLEY_NET_PRIVATE}, /* unique-local */
    {{0xfe, 0x80}, 10, GALLEY_NET_LINK_LOCAL},
    {{0xfe, 0xc0}, 10, GALLEY_NET_PRIVATE}, /* site-local, deprecated */
    {{0xff}, 8, GALLEY_NET_MULTICAST},
};

static galley_net_class classify_v6(const unsigned char a[16]) {
  static const unsigned char zero[16] = {0};
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                           0, 0, 0, 0, 0xff, 0xff};
  static const unsigned char translated[12] = {0, 0, 0,    0,    0, 0,
                                               0, 0, 0xff, 0xff, 0, 0};
  static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};
  static const unsigned char sixto4[2] = {0x20, 0x02};

  if (memcmp(a, zero, 15) == 0 && a[15] <= 1)
    return a[15] ? GALLEY_NET_LOOPBACK : GALLEY_NET_UNSPECIFIED;
  /* IPv4 inside IPv6: what a connection reaches is the IPv4 address (the
   * kernel maps ::ffff:a.b.c.d to it; NAT64 and 6to4 gateways forward to
   * it), so that address decides. ::a.b.c.d (IPv4-compatible) is
   * deprecated, but some stacks still route it as IPv4. */
  if (memcmp(a, mapped, 12) == 0 || memcmp(a, translated, 12) == 0 ||
      memcmp(a, zero, 12) == 0 || memcmp(a, nat64, 12) == 0)
    return classify_v4(a + 12);
  if (memcmp(a, sixto4, 2) == 0)
    return classify_v4(a + 2);
  for (size_t i = 0; i < sizeof v6_ranges / sizeof v6_ranges[0]; i++)
    if (has_prefix(a, v6_ranges[i].prefix, v6_ranges[i].bits))
      return v6_ranges[i].cls;
  return GALLEY_NET_PUBLIC;
}

GALLEY_API galley_net_class
galley_net_address_class_bytes(const unsigned char *bytes, size_t len) {
  if (!bytes)
    return GALLEY_NET_NOT_IP;
  if (len == 4)
    return classify_v4(bytes);
  if (len == 16)
    return classify_v6(bytes);
  return GALLEY_NET_NOT_IP;
}

GALLEY_API galley_net_class
galley_net_address_class(const struct sockaddr *addr, size_t len) {
  if (!addr || len < sizeof addr->sa_family)
    return GALLEY_NET_NOT_IP;
  if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in in;
    memcpy(&in, addr, sizeof in);
    return classify_v4((const unsigned char *)&in.sin_addr.s_addr);
  }
  if (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 in6;
    memcpy(&in6, addr, sizeof in6);
    return classify_v6(in6.sin6_addr.s6_addr);
  }
  return GALLEY_NET_NOT_IP;
}

GALLEY_API int galley_net_address_class_text(galley_net_class *out,
                                             const char *text) {
  if (!out || !text)
    return GALLEY_EINVALID;
  /* A host in a URL: "[v6]" or "[v6%zone]"; the zone only picks an
   * interface, the address is what is classified. */
  char buf[INET6_ADDRSTRLEN + 8];
  size_t len = strlen(text);
  if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
    text++;
    len -= 2;
  }
  const char *zone = memchr(text, '%', len);
  if (zone)
    len = (size_t)(zone - text);
  if (len == 0 || len >= sizeof buf)
    return GALLEY_EINVALID;
  memcpy(buf, text, len);
  buf[len] = '\0';

  unsigned char bytes[16];
  if (inet_pton(AF_INET6, buf, bytes) == 1) {
    *out = classify_v6(bytes);
    return GALLEY_OK;
  }
  if (zone)
    return GALLEY_EINVALID;
  /* inet_aton, unlike inet_pton, takes the legacy forms ("127.1",
   * "0x7f000001", "017700000001") that resolvers and some URL parsers
   * still turn into addresses. It stops at white space, so refuse any. */
  for (const char *p = buf; *p; p++)
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
        *p == '\v')
      return GALLEY_EINVALID;
  struct in_addr in;
  if (inet_aton(buf, &in) == 1) {
    *out = classify_v4((const unsigned char *)&in.s_addr);
    return GALLEY_OK;
  }
  return GALLEY_EINVALID;
}

GALLEY_API const char *galley_net_class_name(galley_net_class cls) {
  switch (cls) {
  case GALLEY_NET_PUBLIC: return "public";
  case GALLEY_NET_LOOPBACK: return "loopback";
  case GALLEY_NET_PRIVATE: return "private";
  case GALLEY_NET_LINK_LOCAL: return "link-local";
  case GALLEY_NET_MULTICAST: return "multicast";
  case GALLEY_NET_UNSPECIFIED: return "unspecified";
  case GALLEY_NET_SHARED: return "carrier-grade NAT";
  case GALLEY_NET_BROADCAST: return "broadcast";
  case GALLEY_NET_RESERVED: return "reserved";
  case GALLEY_NET_NOT_IP: return "not an IP address";
  }
  return "not an IP address";
}
