/* Unit tests of URL reference resolution (RFC 3986 section 5): the
 * standard's own examples, then what pages write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <galley/galley.h>

static void check(const char *base, const char *ref, const char *want) {
  char *got = NULL;
  int rc = galley_url_resolve(&got, base, ref);
  if (rc != GALLEY_OK)
    fail_msg("resolve(%s, %s) failed: %d", base, ref, rc);
  if (strcmp(got, want) != 0)
    fail_msg("resolve(%s, %s) = %s, want %s", base, ref, got, want);
  free(got);
}

/* RFC 3986 section 5.4.1, every example. */
static void normal_examples_of_the_standard_resolve(void **state) {
  (void)state;
  const char *b = "http://a/b/c/d;p?q";
  static const char *const pairs[][2] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    check(b, pairs[i][0], pairs[i][1]);
}

/* RFC 3986 section 5.4.2, every example (the strict parser). */
static void abnormal_examples_of_the_standard_resolve(void **state) {
  (void)state;
  const char *b = "http://a/b/c/d;p?q";
  static const char *const pairs[][2] = {
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", "http://a/b/c/g#s/../x"},
      {"http:g", "http:g"},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    check(b, pairs[i][0], pairs[i][1]);
}

static void page_references_resolve(void **state) {
  (void)state;
  /* A base without a path, a base with a fragment, scheme-relative. */
  check("https://example.org", "a/b", "https://example.org/a/b");
  check("https://example.org#top", "#n1", "https://example.org#n1");
  check("https://example.org/wiki/Page", "//upload.example.org/i.png",
        "https://upload.example.org/i.png");
  check("https://example.org/a/b.html?x=1", "?page=2",
        "https://example.org/a/b.html?page=2");
  check("https://example.org/a/b.html", "/wiki/C",
        "https://example.org/wiki/C");
  /* A reference with its own scheme and an opaque path stays as written. */
  check("https://example.org/", "mailto:a/./b@example.org",
        "mailto:a/./b@example.org");
  check("https://example.org/", "data:image/gif;base64,R0l/./G",
        "data:image/gif;base64,R0l/./G");
  check("https://example.org/a/", "HTTPS://Other.example/x/../y",
        "HTTPS://Other.example/y");
  /* A colon in a first segment that is no scheme. */
  check("https://example.org/a/", "1x:y", "https://example.org/a/1x:y");
}

static void a_base_without_a_scheme_is_refused(void **state) {
  (void)state;
  char *out = (char *)"x";
  assert_int_equal(galley_url_resolve(&out, "/var/www/", "a.png"),
                   GALLEY_EINVALID);
  assert_null(out);
  assert_int_equal(galley_url_resolve(&out, NULL, "a"), GALLEY_EINVALID);
  assert_int_equal(galley_url_resolve(&out, "http://a/", NULL),
                   GALLEY_EINVALID);
  assert_int_equal(galley_url_resolve(NULL, "http://a/", "b"), GALLEY_EINVALID);
}

static void many_dot_segments_resolve_in_linear_time(void **state) {
  (void)state;
  /* 200,000 "../" and "a/": quadratic work here would take minutes. */
  size_t n = 200000;
  char *ref = malloc(5 * n + 2);
  assert_non_null(ref);
  for (size_t i = 0; i < n; i++)
    memcpy(ref + 2 * i, "a/", 2);
  for (size_t i = 0; i < n; i++)
    memcpy(ref + 2 * n + 3 * i, "../", 3);
  strcpy(ref + 5 * n, "z");
  char *got = NULL;
  assert_int_equal(galley_url_resolve(&got, "http://h/p/", ref), GALLEY_OK);
  assert_string_equal(got, "http://h/p/z");
  free(got);
  free(ref);
}

static void schemes_and_web_urls_are_told_apart(void **state) {
  (void)state;
  assert_true(galley_url_has_scheme("https://x"));
  assert_true(galley_url_has_scheme("mailto:a@b"));
  assert_true(galley_url_has_scheme("a+b-c.d:x"));
  assert_false(galley_url_has_scheme("//host/x"));
  assert_false(galley_url_has_scheme("img/a:b.png"));
  assert_false(galley_url_has_scheme("1x:y"));
  assert_false(galley_url_has_scheme("#a:b"));
  assert_false(galley_url_has_scheme(NULL));
  assert_true(galley_url_is_web("https://example.org/a"));
  assert_true(galley_url_is_web("HTTP://example.org"));
  assert_false(galley_url_is_web("https:///x"));
  assert_false(galley_url_is_web("https:x"));
  assert_false(galley_url_is_web("ftp://example.org/"));
  assert_false(galley_url_is_web("/home/a/page.html"));
  assert_false(galley_url_is_web("."));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(normal_examples_of_the_standard_resolve),
      cmocka_unit_test(abnormal_examples_of_the_standard_resolve),
      cmocka_unit_test(page_references_resolve),
      cmocka_unit_test(a_base_without_a_scheme_is_refused),
      cmocka_unit_test(many_dot_segments_resolve_in_linear_time),
      cmocka_unit_test(schemes_and_web_urls_are_told_apart),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
