/* The markdown reader resolves the relative links and images of a document
 * fetched from the web against its address (issue 15); a local file's stay
 * as written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static const char *const page =
    "---\nurl: https://frontmatter.example/\n---\n"
    "[a](/wiki/A) [b](../b.md) [c](//cdn.example/c) [d](#d) "
    "[e](mailto:e@example.org) ![i](img/i.png)\n\n# d\n";

/* Reads `page` with `base` as its folder or address and `url` (may be
 * NULL) as its url metadata before the read; the tree in a flat list of
 * "url " strings, in order. */
static char *urls(const char *base, const char *url) {
  galley_registry *reg = tu_registry();
  const galley_plugin *md = galley_registry_find(reg, "markdown");
  assert_non_null(md);
  galley_job *job = galley_job_new(reg);
  galley_doc *doc = galley_doc_new();
  if (url)
    galley_doc_set_meta(doc, "url", url);
  galley_input in = {(const unsigned char *)page, strlen(page), "in.md", base};
  assert_int_equal(galley_job_build(job, &in, md, NULL, 0, doc), GALLEY_OK);
  galley_buf b = GALLEY_BUF_INIT;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    if (ev == GALLEY_EVENT_ENTER &&
        (k == GALLEY_NODE_LINK || k == GALLEY_NODE_IMAGE)) {
      galley_buf_puts(&b, galley_node_get_url(n));
      galley_buf_putc(&b, ' ');
    }
  }
  galley_doc_free(doc);
  galley_job_free(job);
  return galley_buf_detach(&b, NULL);
}

static void
a_fetched_documents_links_resolve_against_its_address(void **state) {
  (void)state;
  const char *want = "https://example.org/wiki/A https://example.org/docs/b.md "
                     "https://cdn.example/c #d mailto:e@example.org "
                     "https://example.org/docs/v1/img/i.png ";
  char *got = urls("https://example.org/docs/v1/page.md", NULL);
  assert_string_equal(got, want);
  free(got);
  got = urls(NULL, "https://example.org/docs/v1/page.md");
  assert_string_equal(got, want);
  free(got);
}

static void a_local_documents_links_stay_as_written(void **state) {
  (void)state;
  /* Its front matter's url says what it is about, not where it was read. */
  char *got = urls(".", NULL);
  assert_string_equal(got, "/wiki/A ../b.md //cdn.example/c #d "
                           "mailto:e@example.org img/i.png ");
  free(got);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_fetched_documents_links_resolve_against_its_address),
      cmocka_unit_test(a_local_documents_links_stay_as_written),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
