/* libxml2's memory from a per-thread arena while a page is parsed
 * (formats/html/xmlmem.c): blocks of a window come from the arena and are
 * rewound at its end, blocks from outside a window are malloc's whichever
 * side frees them, realloc keeps the contents, libxml2's copy of the last
 * error does not outlive the window, and pages parsed on two threads at
 * once come out whole. Built with the module's source. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

#include "html.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_OFF 1
#endif

static void blocks_of_a_window_come_from_the_arena_and_are_rewound(void **state) {
  (void)state;
  char *before = xmlMalloc(100); /* outside a window: malloc's */
  memset(before, 'b', 100);
  xm_begin();
  char *a = xmlMalloc(40);
  char *s = (char *)xmlStrdup((const xmlChar *)"a string of the page");
  assert_non_null(a);
  assert_string_equal(s, "a string of the page");
#ifndef ARENA_OFF
  /* One after the other in the arena. */
  assert_true(s > a && s - a < 128);
#endif
  /* realloc keeps the contents, grown in place or moved. */
  memcpy(a, "0123456789", 11);
  char *g = xmlRealloc(a, 4000);
  assert_non_null(g);
  assert_string_equal(g, "0123456789");
  char *big = xmlRealloc(g, 1 << 20); /* past the arena's size: malloc's */
  assert_non_null(big);
  assert_string_equal(big, "0123456789");
  big[(1 << 20) - 1] = 'z';
  xmlFree(before); /* malloc's, freed inside the window */
  xmlFree(big);
  xmlFree(s);
  char *kept = xmlMalloc(64); /* freed after the window */
  xm_end();
  xmlFree(kept); /* does nothing: the arena's */
  xm_begin();
  char *again = xmlMalloc(40);
#ifndef ARENA_OFF
  assert_ptr_equal(again, a); /* the arena was rewound */
#endif
  xmlFree(again);
  xm_end();
  /* Outside a window: malloc's, and realloc's too. */
  char *m = xmlMalloc(10);
  memcpy(m, "abc", 4);
  m = xmlRealloc(m, 100000);
  assert_string_equal(m, "abc");
  xmlFree(m);
}

static void nested_windows_rewind_at_the_outermost_end(void **state) {
  (void)state;
  xm_begin();
  char *a = xmlMalloc(16);
  xm_begin();
  char *b = xmlMalloc(16);
  xm_end();
  char *c = xmlMalloc(16); /* the inner end did not rewind */
  memcpy(a, "a", 2);
  memcpy(c, "c", 2);
  assert_ptr_not_equal(b, c);
  assert_string_equal(a, "a");
  xmlFree(a);
  xmlFree(b);
  xmlFree(c);
  xm_end();
}

static void the_last_error_does_not_outlive_the_window(void **state) {
  (void)state;
  const char *bad = "<?xml version='1.0'?><a><b></a>";
  xm_begin();
  xmlDoc *d = xmlReadMemory(bad, (int)strlen(bad), NULL, NULL,
                            XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING);
  xmlErrorPtr e = xmlGetLastError();
  assert_non_null(e);
  assert_int_not_equal(e->code, 0);
  xmlFreeDoc(d);
  xm_end();
#ifndef ARENA_OFF
  e = xmlGetLastError();
  assert_true(e == NULL || (e->code == 0 && e->message == NULL));
#endif
  /* An error outside a window frees the last one as malloc's would. */
  d = xmlReadMemory(bad, (int)strlen(bad), NULL, NULL,
                    XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlFreeDoc(d);
  assert_non_null(xmlGetLastError());
  xmlResetLastError();
}

/* A page of n paragraphs, parsed in a window, read back. */
static void *parse_pages(void *arg) {
  int base = *(int *)arg;
  long bad = 0;
  for (int round = 0; round < 30; round++) {
    char *page = malloc(200000);
    if (!page)
      return (void *)1;
    size_t o = (size_t)sprintf(page, "<html><body>");
    int n = 200 + round * 20;
    for (int i = 0; i < n; i++)
      o += (size_t)sprintf(page + o, "<p class=c%d>paragraph %d of page %d</p>", i,
                           i, base + round);
    sprintf(page + o, "</body></html>");
    xm_begin();
    htmlDocPtr d = htmlReadMemory(page, (int)strlen(page), NULL, "UTF-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    xmlNode *body = d ? xmlDocGetRootElement(d)->children : NULL;
    int i = 0;
    for (xmlNode *p = body ? body->children : NULL; p; p = p->next, i++) {
      char want[64];
      sprintf(want, "paragraph %d of page %d", i, base + round);
      xmlChar *t = xmlNodeGetContent(p);
      if (!t || strcmp((char *)t, want) != 0)
        bad++;
      xmlFree(t);
    }
    if (i != n)
      bad++;
    xmlFreeDoc(d);
    xm_end();
    free(page);
  }
  return (void *)bad;
}

static void pages_parsed_on_two_threads_come_out_whole(void **state) {
  (void)state;
  int bases[2] = {0, 1000};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, parse_pages, &bases[1]), 0);
  void *mine = parse_pages(&bases[0]), *theirs = NULL;
  pthread_join(th, &theirs);
  assert_int_equal((long)mine, 0);
  assert_int_equal((long)theirs, 0);
}

int main(void) {
  xm_setup();
  xmlInitParser();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(blocks_of_a_window_come_from_the_arena_and_are_rewound),
      cmocka_unit_test(nested_windows_rewind_at_the_outermost_end),
      cmocka_unit_test(the_last_error_does_not_outlive_the_window),
      cmocka_unit_test(pages_parsed_on_two_threads_come_out_whole),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
