/* The html reader when libxml2 runs out of memory: an error, never a
 * silently shortened document. libxml2's realloc is replaced with one that
 * refuses to grow a block past 1 MiB, so a page with 4 MiB of text in one
 * paragraph makes the parser fail part way through that text, which it then
 * drops while reporting success (found by the hostile suite: a 200 MB line
 * under a 1 GiB cap came out as 49 MB with exit 0). Only realloc fails:
 * libxml2 2.9 leaks its input buffer when the first malloc of it fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

#include "testutil.h"

#define BIG ((size_t)1 << 20)

static void *small_realloc(void *p, size_t n) {
  return n > BIG ? NULL : realloc(p, n);
}

static void a_parser_out_of_memory_fails_the_read_with_a_message(void **state) {
  (void)state;
  size_t n = 4 * BIG;
  char *page = malloc(n + 16);
  assert_non_null(page);
  memcpy(page, "<p>", 3);
  for (size_t i = 3; i < n; i++)
    page[i] = (char)('a' + i % 7);
  memcpy(page + n, "</p>", 5);
  char *err = NULL;
  char *out = tu_convert("html", "text", page, strlen(page), NULL, &err);
  if (out)
    fail_msg("converted %zu of %zu bytes with no error", strlen(out), n - 3);
  assert_non_null(err);
  if (!strstr(err, "out of memory while parsing the HTML"))
    fail_msg("error: %s", err);
  free(err);
  free(page);
}

int main(void) {
  /* Before anything touches libxml2 (the registry loads the plugins). */
  xmlMemSetup(free, malloc, small_realloc, strdup);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_parser_out_of_memory_fails_the_read_with_a_message),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
