/* The writer's output is valid against the schema in the repository,
 * formats/xml/galley.rng (RELAX NG, checked with libxml2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "sample.h"
#include "testutil.h"

typedef struct schema {
  xmlRelaxNGPtr rng;
  char first_error[512];
} schema;

static void collect(void *data, xmlErrorPtr err) {
  schema *s = data;
  if (!s->first_error[0] && err && err->message)
    snprintf(s->first_error, sizeof s->first_error, "line %d: %s", err->line,
             err->message);
}

static int setup(void **state) {
  static schema s;
  const char *root = getenv("GALLEY_SOURCE_ROOT");
  if (!root)
    return -1;
  char path[4096];
  snprintf(path, sizeof path, "%s/formats/xml/galley.rng", root);
  xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(path);
  if (!pctxt)
    return -1;
  xmlRelaxNGSetParserStructuredErrors(pctxt, collect, &s);
  s.rng = xmlRelaxNGParse(pctxt);
  xmlRelaxNGFreeParserCtxt(pctxt);
  if (!s.rng) {
    fprintf(stderr, "galley.rng does not parse: %s\n", s.first_error);
    return -1;
  }
  *state = &s;
  return 0;
}

static int teardown(void **state) {
  schema *s = *state;
  xmlRelaxNGFree(s->rng);
  return 0;
}

/* 0 when `xml` is valid; else fails with the validator's first message,
 * unless `expect_invalid`. */
static int validate(schema *s, const char *xml, bool expect_invalid) {
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "out.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_HUGE |
                                    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  assert_non_null(doc);
  xmlRelaxNGValidCtxtPtr vctxt = xmlRelaxNGNewValidCtxt(s->rng);
  assert_non_null(vctxt);
  s->first_error[0] = '\0';
  xmlRelaxNGSetValidStructuredErrors(vctxt, collect, s);
  int rc = xmlRelaxNGValidateDoc(vctxt, doc);
  xmlRelaxNGFreeValidCtxt(vctxt);
  xmlFreeDoc(doc);
  if (rc != 0 && !expect_invalid)
    fail_msg("not valid against galley.rng: %s", s->first_error);
  return rc;
}

static void every_kind_document_is_valid(void **state) {
  galley_doc *doc = sample_every_kind();
  char *xml = xml_write(doc, NULL, NULL);
  validate(*state, xml, false);
  free(xml);
  galley_doc_free(doc);
}

static void reference_mode_output_is_valid(void **state) {
  galley_doc *doc = sample_every_kind();
  static const char *const opts[] = {"resources=reference", NULL};
  char *xml = xml_write(doc, opts, NULL);
  validate(*state, xml, false);
  free(xml);
  galley_doc_free(doc);
}

static void empty_document_is_valid(void **state) {
  galley_doc *doc = galley_doc_new();
  char *xml = xml_write(doc, NULL, NULL);
  validate(*state, xml, false);
  free(xml);
  galley_doc_free(doc);
}

static void golden_files_are_valid(void **state) {
  static const char *const files[] = {"xml/every-kind.xml",
                                      "xml/lenient-canonical.xml"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *xml = tu_read_file(tu_fixture(files[i]), NULL);
    assert_non_null(xml);
    validate(*state, xml, false);
    free(xml);
  }
}

/* The schema says no to what the reader refuses (so a passing validation
 * above means something). */
static void schema_refuses_impossible_trees(void **state) {
  static const char *const bad[] = {
      "<document xmlns='urn:galley:tree:1'><foo/></document>",
      "<document xmlns='urn:galley:tree:1'><paragraph><heading level='1'/>"
      "</paragraph></document>",
      "<document xmlns='urn:galley:tree:1'><heading/></document>",
      "<document xmlns='urn:galley:tree:1'><list><paragraph/></list>"
      "</document>",
      "<document xmlns='urn:galley:tree:1'><paragraph>loose</paragraph>"
      "</document>",
      "<document xmlns='urn:galley:tree:1'><paragraph url='x'/></document>",
      "<document/>",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (validate(*state, bad[i], true) == 0)
      fail_msg("the schema accepts: %s", bad[i]);
}

/* Every pair of kinds the schema allows as parent and child is one the tree
 * allows too, and the other way round. */
static void schema_containment_matches_the_tree(void **state) {
  for (int p = GALLEY_NODE_FIRST_BLOCK; p <= GALLEY_NODE_LAST_INLINE; p++) {
    galley_kind parent = (galley_kind)p;
    if (!galley_kind_is_block(parent) && !galley_kind_is_inline(parent))
      continue;
    for (int c = GALLEY_NODE_FIRST_BLOCK; c <= GALLEY_NODE_LAST_INLINE; c++) {
      galley_kind child = (galley_kind)c;
      if (!galley_kind_is_block(child) && !galley_kind_is_inline(child))
        continue;
      char xml[512];
      const char *pn = galley_kind_name(parent), *cn = galley_kind_name(child);
      /* Wrap the pair where the parent itself may stand. */
      const char *pre = "", *post = "";
      if (galley_kind_is_inline(parent)) {
        pre = "<paragraph>";
        post = "</paragraph>";
      } else if (parent == GALLEY_NODE_ITEM) {
        pre = "<list>";
        post = "</list>";
      } else if (parent == GALLEY_NODE_TABLE_ROW) {
        pre = "<table>";
        post = "</table>";
      } else if (parent == GALLEY_NODE_TABLE_CELL) {
        pre = "<table><table_row>";
        post = "</table_row></table>";
      } else if (parent == GALLEY_NODE_CAPTION) {
        pre = "<figure>";
        post = "</figure>";
      } else if (parent == GALLEY_NODE_TERM ||
                 parent == GALLEY_NODE_DEFINITION) {
        pre = "<definition_list>";
        post = "</definition_list>";
      }
      const char *plevel = parent == GALLEY_NODE_HEADING ? " level='1'" : "";
      const char *clevel = child == GALLEY_NODE_HEADING ? " level='1'" : "";
      if (parent == GALLEY_NODE_DOCUMENT)
        snprintf(xml, sizeof xml,
                 "<document xmlns='urn:galley:tree:1'><%s%s/></document>", cn,
                 clevel);
      else
        snprintf(xml, sizeof xml,
                 "<document xmlns='urn:galley:tree:1'>%s<%s%s><%s%s/></%s>%s"
                 "</document>",
                 pre, pn, plevel, cn, clevel, pn, post);
      bool tree_ok = galley_kind_can_contain(parent, child) &&
                     !galley_kind_is_leaf(parent);
      bool schema_ok = validate(*state, xml, true) == 0;
      if (tree_ok != schema_ok)
        fail_msg("<%s> in <%s>: the tree says %s, the schema says %s", cn, pn,
                 tree_ok ? "yes" : "no", schema_ok ? "yes" : "no");
      bool reader_ok = xml_read(xml, strlen(xml), NULL, NULL, NULL) == 0;
      if (tree_ok != reader_ok)
        fail_msg("<%s> in <%s>: the tree says %s, the reader says %s", cn, pn,
                 tree_ok ? "yes" : "no", reader_ok ? "yes" : "no");
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_kind_document_is_valid),
      cmocka_unit_test(reference_mode_output_is_valid),
      cmocka_unit_test(empty_document_is_valid),
      cmocka_unit_test(golden_files_are_valid),
      cmocka_unit_test(schema_refuses_impossible_trees),
      cmocka_unit_test(schema_containment_matches_the_tree),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
