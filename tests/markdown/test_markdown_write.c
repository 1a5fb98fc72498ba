/* The markdown writer: cmark-gfm renders, fallbacks keep what Markdown lacks. */
#include "mdtest.h"

int main(void) {
  const struct CMUnitTest tests[] = {
  };
  return cmocka_run_group_tests_name("markdown writer", tests, NULL, NULL);
}
