/* Unit tests of the address classifier: every special range, IPv4 inside
 * IPv6, literals as URLs write them. Pure: nothing here resolves a name or
 * opens a socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include <galley/fetch.h>

/* The class of a literal, through the text entry point; -1 when refused. */
static int text_class(const char *text) {
  galley_net_class cls;
  if (galley_net_address_class_text(&cls, text) != GALLEY_OK)
    return -1;
  return (int)cls;
}

/* The class through a struct sockaddr, as libcurl hands it over. */
static int sockaddr_class(const char *text) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in *in = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(80);
    return (int)galley_net_address_class((struct sockaddr *)in, sizeof *in);
  }
  if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(443);
    return (int)galley_net_address_class((struct sockaddr *)in6, sizeof *in6);
  }
  fail_msg("not an address: %s", text);
  return -1;
}

typedef struct expect {
  const char *addr;
  galley_net_class cls;
} expect;

/* Checks every case through both entry points (they must agree). */
static void check_all(const expect *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int by_text = text_class(cases[i].addr);
    int by_sockaddr = sockaddr_class(cases[i].addr);
    if (by_text != (int)cases[i].cls || by_sockaddr != (int)cases[i].cls)
      fail_msg("%s: expected %s, got %s (text) and %s (sockaddr)",
               cases[i].addr, galley_net_class_name(cases[i].cls),
               by_text < 0 ? "refused"
                           : galley_net_class_name((galley_net_class)by_text),
               galley_net_class_name((galley_net_class)by_sockaddr));
  }
}

#define CHECK(cases) check_all(cases, sizeof cases / sizeof cases[0])

static void ipv4_special_ranges_are_classified(void **state) {
  (void)state;
  static const expect cases[] = {
      {"127.0.0.1", GALLEY_NET_LOOPBACK},
      {"127.255.255.254", GALLEY_NET_LOOPBACK},
      {"10.0.0.1", GALLEY_NET_PRIVATE},
      {"10.255.255.255", GALLEY_NET_PRIVATE},
      {"172.16.0.1", GALLEY_NET_PRIVATE},
      {"172.31.255.254", GALLEY_NET_PRIVATE},
      {"192.168.1.1", GALLEY_NET_PRIVATE},
      {"169.254.169.254", GALLEY_NET_LINK_LOCAL}, /* cloud metadata */
      {"169.254.0.1", GALLEY_NET_LINK_LOCAL},
      {"224.0.0.1", GALLEY_NET_MULTICAST},
      {"239.255.255.250", GALLEY_NET_MULTICAST},
      {"0.0.0.0", GALLEY_NET_UNSPECIFIED},
      {"0.1.2.3", GALLEY_NET_UNSPECIFIED},
      {"100.64.0.1", GALLEY_NET_SHARED},
      {"100.127.255.254", GALLEY_NET_SHARED},
      {"255.255.255.255", GALLEY_NET_BROADCAST},
      {"192.0.0.8", GALLEY_NET_RESERVED},
      {"192.0.2.1", GALLEY_NET_RESERVED},
      {"192.88.99.1", GALLEY_NET_RESERVED},
      {"198.18.0.1", GALLEY_NET_RESERVED},
      {"198.19.255.254", GALLEY_NET_RESERVED},
      {"198.51.100.7", GALLEY_NET_RESERVED},
      {"203.0.113.9", GALLEY_NET_RESERVED},
      {"240.0.0.1", GALLEY_NET_RESERVED},
      {"255.255.255.254", GALLEY_NET_RESERVED},
  };
  CHECK(cases);
}

static void ipv4_range_edges_are_public(void **state) {
  (void)state;
  /* One past each end of the ranges above. */
  static const expect cases[] = {
      {"1.1.1.1", GALLEY_NET_PUBLIC},
      {"8.8.8.8", GALLEY_NET_PUBLIC},
      {"9.255.255.255", GALLEY_NET_PUBLIC},
      {"11.0.0.0", GALLEY_NET_PUBLIC},
      {"100.63.255.255", GALLEY_NET_PUBLIC},
      {"100.128.0.0", GALLEY_NET_PUBLIC},
      {"126.255.255.255", GALLEY_NET_PUBLIC},
      {"128.0.0.0", GALLEY_NET_PUBLIC},
      {"169.253.255.255", GALLEY_NET_PUBLIC},
      {"169.255.0.0", GALLEY_NET_PUBLIC},
      {"172.15.255.255", GALLEY_NET_PUBLIC},
      {"172.32.0.0", GALLEY_NET_PUBLIC},
      {"192.0.1.0", GALLEY_NET_PUBLIC},
      {"192.0.3.0", GALLEY_NET_PUBLIC},
      {"192.167.255.255", GALLEY_NET_PUBLIC},
      {"192.169.0.0", GALLEY_NET_PUBLIC},
      {"198.17.255.255", GALLEY_NET_PUBLIC},
      {"198.20.0.0", GALLEY_NET_PUBLIC},
      {"203.0.112.255", GALLEY_NET_PUBLIC},
      {"223.255.255.255", GALLEY_NET_PUBLIC},
  };
  CHECK(cases);
}

static void ipv6_special_ranges_are_classified(void **state) {
  (void)state;
  static const expect cases[] = {
      {"::1", GALLEY_NET_LOOPBACK},
      {"::", GALLEY_NET_UNSPECIFIED},
      {"fd00::1", GALLEY_NET_PRIVATE},
      {"fc00::1", GALLEY_NET_PRIVATE},
      {"fdff:ffff::1", GALLEY_NET_PRIVATE},
      {"fec0::1", GALLEY_NET_PRIVATE},
      {"fe80::1", GALLEY_NET_LINK_LOCAL},
      {"febf:ffff::1", GALLEY_NET_LINK_LOCAL},
      {"ff02::1", GALLEY_NET_MULTICAST},
      {"ff0e::101", GALLEY_NET_MULTICAST},
      {"2001:db8::1", GALLEY_NET_RESERVED},
      {"2001:2::1", GALLEY_NET_RESERVED},
      {"100::1", GALLEY_NET_RESERVED},
      {"64:ff9b:1::a00:1", GALLEY_NET_PRIVATE},
      {"2606:4700:4700::1111", GALLEY_NET_PUBLIC},
      {"2a00:1450:4001::200e", GALLEY_NET_PUBLIC},
      {"fbff:ffff::1", GALLEY_NET_PUBLIC},
      {"2001:db9::1", GALLEY_NET_PUBLIC},
  };
  CHECK(cases);
}

static void ipv4_inside_ipv6_is_classified_by_the_ipv4_address(void **state) {
  (void)state;
  static const expect cases[] = {
      /* mapped */
      {"::ffff:127.0.0.1", GALLEY_NET_LOOPBACK},
      {"::ffff:7f00:1", GALLEY_NET_LOOPBACK},
      {"::ffff:169.254.169.254", GALLEY_NET_LINK_LOCAL},
      {"::ffff:10.0.0.1", GALLEY_NET_PRIVATE},
      {"::ffff:8.8.8.8", GALLEY_NET_PUBLIC},
      /* translated (SIIT) */
      {"::ffff:0:192.168.0.1", GALLEY_NET_PRIVATE},
      /* compatible (deprecated) */
      {"::127.0.0.1", GALLEY_NET_LOOPBACK},
      {"::10.1.2.3", GALLEY_NET_PRIVATE},
      {"::8.8.4.4", GALLEY_NET_PUBLIC},
      /* NAT64 well-known prefix */
      {"64:ff9b::127.0.0.1", GALLEY_NET_LOOPBACK},
      {"64:ff9b::a9fe:a9fe", GALLEY_NET_LINK_LOCAL},
      {"64:ff9b::1.1.1.1", GALLEY_NET_PUBLIC},
      /* 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD */
      {"2002:7f00:1::1", GALLEY_NET_LOOPBACK},
      {"2002:c0a8:101::1", GALLEY_NET_PRIVATE},
      {"2002:a9fe:a9fe::", GALLEY_NET_LINK_LOCAL},
      {"2002:808:808::1", GALLEY_NET_PUBLIC},
  };
  CHECK(cases);
}

static void literals_in_url_form_are_classified(void **state) {
  (void)state;
  assert_int_equal(text_class("[::1]"), GALLEY_NET_LOOPBACK);
  assert_int_equal(text_class("fe80::1%eth0"), GALLEY_NET_LINK_LOCAL);
  assert_int_equal(text_class("[fe80::1%25eth0]"), GALLEY_NET_LINK_LOCAL);
  assert_int_equal(text_class("[::ffff:127.0.0.1]"), GALLEY_NET_LOOPBACK);
  assert_int_equal(text_class("[fd00::1]"), GALLEY_NET_PRIVATE);
  /* Legacy IPv4 spellings that resolvers still accept. */
  assert_int_equal(text_class("127.1"), GALLEY_NET_LOOPBACK);
  assert_int_equal(text_class("2130706433"), GALLEY_NET_LOOPBACK);
  assert_int_equal(text_class("0x7f000001"), GALLEY_NET_LOOPBACK);
  assert_int_equal(text_class("0251.0376.0251.0376"), GALLEY_NET_LINK_LOCAL);
  assert_int_equal(text_class("10.1"), GALLEY_NET_PRIVATE);
}

static void host_names_are_not_literals(void **state) {
  (void)state;
  assert_int_equal(text_class("example.com"), -1);
  assert_int_equal(text_class("localhost"), -1);
  assert_int_equal(text_class(""), -1);
  assert_int_equal(text_class("[]"), -1);
  assert_int_equal(text_class("127.0.0.1 "), -1);
  assert_int_equal(text_class("127.0.0.1%eth0"), -1);
  assert_int_equal(text_class("[127.0.0.1"), -1);
  assert_int_equal(text_class("::1::2"), -1);
  galley_net_class cls;
  assert_int_equal(galley_net_address_class_text(&cls, NULL), GALLEY_EINVALID);
}

static void other_families_and_short_lengths_are_not_ip(void **state) {
  (void)state;
  struct sockaddr_un un;
  memset(&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  assert_int_equal(galley_net_address_class((struct sockaddr *)&un, sizeof un),
                   GALLEY_NET_NOT_IP);
  struct sockaddr_in in;
  memset(&in, 0, sizeof in);
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(0x7f000001);
  assert_int_equal(galley_net_address_class((struct sockaddr *)&in, 4),
                   GALLEY_NET_NOT_IP);
  assert_int_equal(galley_net_address_class(NULL, 0), GALLEY_NET_NOT_IP);

  const unsigned char v4[4] = {169, 254, 169, 254};
  assert_int_equal(galley_net_address_class_bytes(v4, 4),
                   GALLEY_NET_LINK_LOCAL);
  assert_int_equal(galley_net_address_class_bytes(v4, 3), GALLEY_NET_NOT_IP);
  const unsigned char v6[16] = {0xfd, 0, [15] = 1};
  assert_int_equal(galley_net_address_class_bytes(v6, 16), GALLEY_NET_PRIVATE);
}

static void every_class_has_a_name(void **state) {
  (void)state;
  assert_string_equal(galley_net_class_name(GALLEY_NET_PUBLIC), "public");
  assert_string_equal(galley_net_class_name(GALLEY_NET_LOOPBACK), "loopback");
  assert_string_equal(galley_net_class_name(GALLEY_NET_PRIVATE), "private");
  assert_string_equal(galley_net_class_name(GALLEY_NET_LINK_LOCAL),
                      "link-local");
  assert_string_equal(galley_net_class_name(GALLEY_NET_MULTICAST), "multicast");
  assert_string_equal(galley_net_class_name(GALLEY_NET_UNSPECIFIED),
                      "unspecified");
  assert_string_equal(galley_net_class_name(GALLEY_NET_SHARED),
                      "carrier-grade NAT");
  assert_string_equal(galley_net_class_name(GALLEY_NET_BROADCAST), "broadcast");
  assert_string_equal(galley_net_class_name(GALLEY_NET_RESERVED), "reserved");
  assert_string_equal(galley_net_class_name(GALLEY_NET_NOT_IP),
                      "not an IP address");
  assert_string_equal(galley_net_class_name((galley_net_class)99),
                      "not an IP address");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ipv4_special_ranges_are_classified),
      cmocka_unit_test(ipv4_range_edges_are_public),
      cmocka_unit_test(ipv6_special_ranges_are_classified),
      cmocka_unit_test(ipv4_inside_ipv6_is_classified_by_the_ipv4_address),
      cmocka_unit_test(literals_in_url_form_are_classified),
      cmocka_unit_test(host_names_are_not_literals),
      cmocka_unit_test(other_families_and_short_lengths_are_not_ip),
      cmocka_unit_test(every_class_has_a_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
