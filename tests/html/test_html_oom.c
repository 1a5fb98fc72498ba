/* The html reader when libxml2 runs out of memory: an error, never a
 * silently shortened document. libxml2's allocator is replaced with one that
 * refuses any single block over 1 MiB, so a page with 4 MiB of text in one
 * paragraph makes the parser fail part way (found by the hostile suite: a
 * 200 MB line under a 1 GiB cap came out as 49 MB with exit 0). */
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

static void *small_malloc(size_t n) { return n > BIG ? NULL : malloc(n); }
static void *small_realloc(void *p, size_t n) {
  return n > BIG ? NULL : realloc(p, n);
}
static char *small_strdup(const char *s) {
  return strlen(s) >= BIG ? NULL : strdup(s);
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
  xmlMemSetup(free, small_malloc, small_realloc, small_strdup);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_parser_out_of_memory_fails_the_read_with_a_message),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
