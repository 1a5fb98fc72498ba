/* <galley/safe.h>: raw HTML defused, script URLs and attributes told. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <galley/galley.h>

static char *defuse(const char *html) {
  galley_buf b = GALLEY_BUF_INIT;
  galley_html_defuse(&b, html, strlen(html));
  assert_false(b.failed);
  return b.data ? b.data : strdup("");
}

static void expect(const char *in, const char *want) {
  char *got = defuse(in);
  if (strcmp(got, want))
    fail_msg("defuse(%s)\n  want %s\n  got  %s", in, want, got);
  free(got);
}

static void tags_of_the_filter_show_as_text(void **state) {
  (void)state;
  expect("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>");
  expect("<SCRIPT SRC=x.js></SCRIPT>", "&lt;SCRIPT SRC=x.js>&lt;/SCRIPT>");
  expect("<iframe srcdoc=\"<script>alert(1)</script>\">",
         "&lt;iframe srcdoc=\"&lt;script>alert(1)&lt;/script>\">");
  expect("<style>p{}</style><title>t</title><textarea>",
         "&lt;style>p{}&lt;/style>&lt;title>t&lt;/title>&lt;textarea>");
  expect("<object data=x></object><embed src=y><base href=z><meta a=b>",
         "&lt;object data=x>&lt;/object>&lt;embed src=y>&lt;base href=z>"
         "&lt;meta a=b>");
  /* Names that only start like one are other tags. */
  expect("<scripts>x</scripts><stylish>", "<scripts>x</scripts><stylish>");
}

static void handlers_and_script_urls_go_the_rest_stays(void **state) {
  (void)state;
  expect("<img src=x onerror=alert(1) alt=\"a\">", "<img src=\"x\" alt=\"a\">");
  expect("<a href=\"javascript:alert(1)\" title='t'>x</a>",
         "<a title=\"t\">x</a>");
  expect("<a href=\"&#106;avascript:alert(1)\">x</a>", "<a>x</a>");
  expect("<a href=\"&#x6A&#x61vascript:alert(1)\">x</a>", "<a>x</a>");
  expect("<a href=\"java&#9;script:alert(1)\">x</a>", "<a>x</a>");
  expect("<a href=\"javascript&colon;alert(1)\">x</a>", "<a>x</a>");
  expect("<a href=\" \x0e JAVASCRIPT:x\">x</a>", "<a>x</a>");
  expect("<a href=vbscript:x>x</a>", "<a>x</a>");
  expect("<a href=\"data:text/html,x\">x</a>", "<a>x</a>");
  expect("<form action=javascript:x><button formaction=javascript:y>",
         "<form><button>");
  expect("<svg onload=alert(1)/>", "<svg />");
  expect("<div style=\"width: expression(alert(1))\" class=c>",
         "<div class=\"c\">");
  expect("<p title='say \"hi\"' onclick=x>", "<p title=\"say &quot;hi&quot;\">");
  /* Safe tags and attributes are copied as written. */
  expect("<a href='https://example.org/?a=1&b=2' ID=x>k</a>",
         "<a href='https://example.org/?a=1&b=2' ID=x>k</a>");
  expect("<img src=\"data:image/png;base64,AAAA\">",
         "<img src=\"data:image/png;base64,AAAA\">");
  expect("<a href=\"data:image/png;base64,AAAA\">", "<a>");
  expect("<input value=\"a>b\" disabled>", "<input value=\"a>b\" disabled>");
}

static void text_comments_and_broken_tags(void **state) {
  (void)state;
  expect("a < b and c<3", "a < b and c<3");
  expect("<!-- <script>alert(1)</script> -->x", "<!-- <script>alert(1)</script> -->x");
  expect("<!DOCTYPE html><p>", "<!DOCTYPE html><p>");
  expect("<a href=\"x", "&lt;a href=\"x");
  expect("<img src=x onerror=alert(1)", "&lt;img src=x onerror=alert(1)");
  expect("", "");
}

static void urls_and_attributes(void **state) {
  (void)state;
  assert_true(galley_url_is_safe(NULL, false));
  assert_true(galley_url_is_safe("https://example.org/", false));
  assert_true(galley_url_is_safe("notes/javascript:x", false));
  assert_true(galley_url_is_safe("#javascript:x", false));
  assert_false(galley_url_is_safe("javascript:alert(1)", false));
  assert_false(galley_url_is_safe(" JavaScript:alert(1)", false));
  assert_false(galley_url_is_safe("java\tscript:alert(1)", false));
  assert_false(galley_url_is_safe("\x01javascript:alert(1)", false));
  assert_false(galley_url_is_safe("vbscript:x", true));
  assert_false(galley_url_is_safe("data:text/html,x", false));
  assert_false(galley_url_is_safe("data:image/png;base64,AA", false));
  assert_true(galley_url_is_safe("data:image/png;base64,AA", true));
  /* Tree values are text: a reference there is literal, no scheme. */
  assert_true(galley_url_is_safe("&#106;avascript:x", false));
  assert_false(galley_attr_is_safe("onclick", "x"));
  assert_false(galley_attr_is_safe("OnLoad", ""));
  assert_false(galley_attr_is_safe("srcdoc", "<p>"));
  assert_false(galley_attr_is_safe("formaction", "javascript:x"));
  assert_false(galley_attr_is_safe("xlink:href", "javascript:x"));
  assert_true(galley_attr_is_safe("href", "https://x/"));
  assert_true(galley_attr_is_safe("src", "data:image/gif;base64,R0"));
  assert_true(galley_attr_is_safe("data-x", "javascript:x"));
  assert_true(galley_attr_is_safe("lang", "en"));
}

/* Linear in its input: 4 MB of one tag shape and of unclosed ones. */
static void long_inputs_take_linear_time(void **state) {
  (void)state;
  const char *units[] = {"<a onclick=x href=javascript:y>t</a>", "<a b=\"",
                         "<!--", "<script>", "<"};
  for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
    size_t ul = strlen(units[u]), n = (4u << 20) / ul;
    char *s = malloc(n * ul + 1);
    for (size_t i = 0; i < n; i++)
      memcpy(s + i * ul, units[u], ul);
    s[n * ul] = 0;
    clock_t t0 = clock();
    galley_buf b = GALLEY_BUF_INIT;
    galley_html_defuse(&b, s, n * ul);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_false(b.failed);
    free(b.data);
    free(s);
    /* A generous bound: linear work is a few hundredths of a second;
     * a quadratic scan would be minutes. */
    if (cpu > 5.0)
      fail_msg("%s repeated: %.1f s of CPU", units[u], cpu);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tags_of_the_filter_show_as_text),
      cmocka_unit_test(handlers_and_script_urls_go_the_rest_stays),
      cmocka_unit_test(text_comments_and_broken_tags),
      cmocka_unit_test(urls_and_attributes),
      cmocka_unit_test(long_inputs_take_linear_time),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
