/* Parts of the epub format tested on their own (built in from
 * formats/epub): the id set that makes ids unique, and the XML reading that
 * refuses entities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "epub.h"

/* ---- The id set ---------------------------------------------------------- */

static void add_tells_new_from_present(void **state) {
  (void)state;
  idset s = {0};
  assert_false(idset_has(&s, "a"));
  assert_int_equal(idset_add(&s, "a"), 1);
  assert_int_equal(idset_add(&s, "a"), 0);
  assert_true(idset_has(&s, "a"));
  assert_false(idset_has(&s, "b"));
  assert_false(idset_has(&s, ""));
  assert_int_equal(idset_add(&s, ""), 1);
  assert_true(idset_has(&s, ""));
  idset_free(&s);
  assert_false(idset_has(&s, "a"));
  assert_int_equal(idset_add(&s, "a"), 1); /* usable again after a free */
  idset_free(&s);
}

static void a_set_that_grows_keeps_every_id(void **state) {
  (void)state;
  idset s = {0};
  char id[32];
  for (int i = 0; i < 100000; i++) {
    snprintf(id, sizeof id, "id%d", i);
    assert_int_equal(idset_add(&s, id), 1);
  }
  assert_int_equal(s.n, 100000);
  assert_true(s.n * 2 <= s.n_slots);
  for (int i = 0; i < 100000; i++) {
    snprintf(id, sizeof id, "id%d", i);
    assert_true(idset_has(&s, id));
    snprintf(id, sizeof id, "di%d", i);
    assert_false(idset_has(&s, id));
  }
  idset_free(&s);
}

static void claim_gives_the_id_then_numbered_copies(void **state) {
  (void)state;
  idset s = {0};
  const char *want[] = {"x", "x-2", "x-3", "x-4"};
  for (size_t i = 0; i < 4; i++) {
    char *id = idset_claim(&s, "x");
    assert_string_equal(id, want[i]);
    free(id);
  }
  char *id = idset_claim(&s, "y");
  assert_string_equal(id, "y");
  free(id);
  idset_free(&s);
}

static void claim_passes_over_suffixes_already_taken(void **state) {
  (void)state;
  idset s = {0};
  assert_int_equal(idset_add(&s, "x"), 1);
  assert_int_equal(idset_add(&s, "x-2"), 1);
  assert_int_equal(idset_add(&s, "x-3"), 1);
  assert_int_equal(idset_add(&s, "x-5"), 1);
  char *a = idset_claim(&s, "x");
  char *b = idset_claim(&s, "x");
  char *c = idset_claim(&s, "x-2");
  assert_string_equal(a, "x-4");
  assert_string_equal(b, "x-6");
  assert_string_equal(c, "x-2-2");
  free(a);
  free(b);
  free(c);
  /* A suffix taken after the base was claimed is passed over too. */
  assert_int_equal(idset_add(&s, "x-7"), 1);
  char *d = idset_claim(&s, "x");
  assert_string_equal(d, "x-8");
  free(d);
  idset_free(&s);
}

/* What the epub format did before the set remembered suffixes: try x,
 * x-2, x-3, … against every id so far. */
static char *naive_claim(char **ids, size_t n, const char *want) {
  char buf[64];
  snprintf(buf, sizeof buf, "%s", want);
  for (unsigned k = 2;; k++) {
    bool taken = false;
    for (size_t i = 0; i < n && !taken; i++)
      taken = strcmp(ids[i], buf) == 0;
    if (!taken)
      return strdup(buf);
    snprintf(buf, sizeof buf, "%s-%u", want, k);
  }
}

static void claim_picks_what_trying_every_suffix_picks(void **state) {
  (void)state;
  /* Ids from a small alphabet, suffixed or not, so that claims collide with
   * each other's suffixes in every way. */
  static const char *const bases[] = {"a",   "b",     "a-2", "a-3",
                                      "b-2", "a-2-2", "c"};
  size_t n_bases = sizeof bases / sizeof bases[0];
  char **ids = calloc(1000, sizeof *ids);
  assert_non_null(ids);
  idset s = {0};
  unsigned long seed = 12345;
  for (size_t n = 0; n < 1000; n++) {
    seed = seed * 6364136223846793005ul + 1442695040888963407ul;
    const char *want = bases[(seed >> 33) % n_bases];
    char *got;
    if ((seed >> 20) % 5 == 0) {
      /* Now and then an id is only added, as chapter ids are checked. */
      got = strdup(want);
      assert_non_null(got);
      if (idset_add(&s, want) == 0) {
        free(got);
        got = NULL;
      }
    } else {
      char *expect = naive_claim(ids, n, want);
      got = idset_claim(&s, want);
      assert_non_null(got);
      assert_string_equal(got, expect);
      free(expect);
    }
    ids[n] = got ? got : strdup("");
  }
  for (size_t n = 0; n < 1000; n++)
    free(ids[n]);
  free(ids);
  idset_free(&s);
}

static void claim_of_20000_copies_numbers_them_all(void **state) {
  (void)state;
  idset s = {0};
  char want[32];
  for (unsigned k = 1; k <= 20000; k++) {
    char *id = idset_claim(&s, "x");
    if (k == 1)
      snprintf(want, sizeof want, "x");
    else
      snprintf(want, sizeof want, "x-%u", k);
    assert_string_equal(id, want);
    free(id);
  }
  assert_int_equal(s.n, 20000);
  idset_free(&s);
}

/* ---- XML without entities ------------------------------------------------ */

static xmlDoc *read_str(const char *xml, bool *entities) {
  galley_input_cursor c = {(const unsigned char *)xml, strlen(xml)};
  return epub_xml_read(
      galley_input_cursor_read, &c, NULL,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING, entities);
}

static void xml_without_a_dtd_is_read(void **state) {
  (void)state;
  bool entities = true;
  xmlDoc *d = read_str("<?xml version=\"1.0\"?><a x=\"1 &amp; 2\">t&lt;</a>",
                       &entities);
  assert_non_null(d);
  assert_false(entities);
  xmlChar *t = xmlNodeGetContent(xmlDocGetRootElement(d));
  assert_string_equal((const char *)t, "t<");
  xmlFree(t);
  xmlFreeDoc(d);
}

static void xml_with_an_external_dtd_and_no_entity_is_read(void **state) {
  (void)state;
  bool entities = true;
  xmlDoc *d = read_str("<!DOCTYPE ncx PUBLIC \"-//NISO//DTD ncx 2005-1//EN\" "
                       "\"http://www.daisy.org/z3986/2005/ncx-2005-1.dtd\">"
                       "<ncx/>",
                       &entities);
  assert_non_null(d);
  assert_false(entities);
  xmlFreeDoc(d);
  /* An internal subset without entities is no reason to refuse either. */
  d = read_str("<!DOCTYPE a [<!ATTLIST a b CDATA #IMPLIED>]><a/>", &entities);
  assert_non_null(d);
  assert_false(entities);
  xmlFreeDoc(d);
}

static void every_kind_of_entity_declaration_is_refused(void **state) {
  (void)state;
  static const char *const docs[] = {
      "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;&e;</a>",
      "<!DOCTYPE a [<!ENTITY e \"x\">]><a/>",
      "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>",
      "<!DOCTYPE a [<!ENTITY % p \"<!ENTITY e 'x'>\"> %p;]><a>&e;</a>",
      "<!DOCTYPE a [<!NOTATION n SYSTEM \"n\"><!ENTITY u SYSTEM \"u\" NDATA "
      "n>]><a/>",
      "<!DOCTYPE a [<!ENTITY e \"x\">]><a b=\"&e;\"/>",
      "<!DOCTYPE a [<!ENTITY lt \"&#38;#60;\">]><a>&lt;</a>",
  };
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    bool entities = false;
    xmlDoc *d = read_str(docs[i], &entities);
    assert_null(d);
    assert_true(entities);
  }
}

static void a_linear_entity_bomb_is_refused_before_it_grows(void **state) {
  (void)state;
  /* 100 KB used 10,000 times: a gigabyte if anything expanded it. */
  size_t big = 100000, uses = 10000;
  char *xml = malloc(big + uses * 6 + 200);
  assert_non_null(xml);
  char *p = xml + sprintf(xml, "<!DOCTYPE a [<!ENTITY b \"");
  memset(p, 'x', big);
  p += big;
  p += sprintf(p, "\">]><a t=\"");
  for (size_t i = 0; i < uses; i++)
    p += sprintf(p, "&b;");
  p += sprintf(p, "\">");
  for (size_t i = 0; i < uses; i++)
    p += sprintf(p, "&b;");
  sprintf(p, "</a>");
  bool entities = false;
  xmlDoc *d = read_str(xml, &entities);
  assert_null(d);
  assert_true(entities);
  free(xml);
}

static void malformed_xml_is_null_without_the_entity_flag(void **state) {
  (void)state;
  bool entities = true;
  assert_null(read_str("<a><b></a>", &entities));
  assert_false(entities);
  assert_null(read_str("", &entities));
  assert_false(entities);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(add_tells_new_from_present),
      cmocka_unit_test(a_set_that_grows_keeps_every_id),
      cmocka_unit_test(claim_gives_the_id_then_numbered_copies),
      cmocka_unit_test(claim_passes_over_suffixes_already_taken),
      cmocka_unit_test(claim_picks_what_trying_every_suffix_picks),
      cmocka_unit_test(claim_of_20000_copies_numbers_them_all),
      cmocka_unit_test(xml_without_a_dtd_is_read),
      cmocka_unit_test(xml_with_an_external_dtd_and_no_entity_is_read),
      cmocka_unit_test(every_kind_of_entity_declaration_is_refused),
      cmocka_unit_test(a_linear_entity_bomb_is_refused_before_it_grows),
      cmocka_unit_test(malformed_xml_is_null_without_the_entity_flag),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
