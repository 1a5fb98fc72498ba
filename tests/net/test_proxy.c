/* Unit tests of the proxy choice (core/libgalley/proxy.c, compiled in):
 * which variable applies to which scheme, and no_proxy matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch_private.h"

static void clear_env(void) {
  const char *names[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                         "HTTPS_PROXY", "all_proxy",  "ALL_PROXY",
                         "no_proxy",    "NO_PROXY"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    unsetenv(names[i]);
}

static int setup(void **state) {
  (void)state;
  clear_env();
  return 0;
}

static void pick(const char *scheme, const char *host, const char *expected) {
  proxy_env env;
  assert_int_equal(proxy_env_load(&env), 0);
  const char *got = proxy_env_pick(&env, scheme, host);
  if (expected)
    assert_non_null(got);
  if (!expected && got)
    fail_msg("%s://%s: expected no proxy, got %s", scheme, host, got);
  if (expected)
    assert_string_equal(got, expected);
  proxy_env_free(&env);
}

static void each_scheme_reads_its_own_variable(void **state) {
  (void)state;
  setenv("http_proxy", "http://p1:3128", 1);
  setenv("HTTPS_PROXY", "http://p2:3128", 1);
  pick("http", "example.com", "http://p1:3128");
  pick("https", "example.com", "http://p2:3128");
  setenv("https_proxy", "http://p3:3128", 1);
  pick("https", "example.com", "http://p3:3128");
}

static void upper_case_http_proxy_is_ignored(void **state) {
  (void)state;
  /* In CGI, HTTP_PROXY comes from a request header ("httpoxy"). */
  setenv("HTTP_PROXY", "http://evil:80", 1);
  pick("http", "example.com", NULL);
  setenv("ALL_PROXY", "socks5h://fallback:1080", 1);
  pick("http", "example.com", "socks5h://fallback:1080");
  pick("https", "example.com", "socks5h://fallback:1080");
}

static void empty_variables_mean_no_proxy(void **state) {
  (void)state;
  setenv("http_proxy", "", 1);
  pick("http", "example.com", NULL);
}

static void no_proxy_skips_the_proxy_for_the_hosts_it_names(void **state) {
  (void)state;
  setenv("http_proxy", "http://p:1", 1);
  setenv("no_proxy", "example.com, .internal.test,10.0.0.0/8 ::1", 1);
  pick("http", "example.com", NULL);
  pick("http", "www.example.com", NULL);
  pick("http", "EXAMPLE.COM.", NULL);
  pick("http", "notexample.com", "http://p:1");
  pick("http", "example.com.org", "http://p:1");
  pick("http", "a.internal.test", NULL);
  pick("http", "internal.test", NULL);
  pick("http", "10.20.30.40", NULL);
  pick("http", "11.0.0.1", "http://p:1");
  pick("http", "[::1]", NULL);
  pick("http", "[::2]", "http://p:1");
}

static void no_proxy_matching_rules(void **state) {
  (void)state;
  assert_true(proxy_no_proxy_matches("*", "anything.example"));
  assert_true(proxy_no_proxy_matches("a.test,*", "b.example"));
  assert_false(proxy_no_proxy_matches("", "example.com"));
  assert_false(proxy_no_proxy_matches(NULL, "example.com"));
  assert_true(proxy_no_proxy_matches("192.168.0.0/16", "192.168.7.1"));
  assert_false(proxy_no_proxy_matches("192.168.0.0/16", "192.169.0.1"));
  assert_true(proxy_no_proxy_matches("fd00::/8", "[fd12::1]"));
  /* An address entry never matches a name, nor a name an address. */
  assert_false(proxy_no_proxy_matches("127.0.0.1", "localhost"));
  assert_false(proxy_no_proxy_matches("localhost", "127.0.0.1"));
  assert_false(proxy_no_proxy_matches("10.0.0.0/33", "10.0.0.1"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(each_scheme_reads_its_own_variable, setup),
      cmocka_unit_test_setup(upper_case_http_proxy_is_ignored, setup),
      cmocka_unit_test_setup(empty_variables_mean_no_proxy, setup),
      cmocka_unit_test_setup(no_proxy_skips_the_proxy_for_the_hosts_it_names,
                             setup),
      cmocka_unit_test_setup(no_proxy_matching_rules, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
