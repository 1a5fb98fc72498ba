/* The xml reader refuses what is not the form, hostile input included,
 * with a message that names the line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sample.h"
#include "testutil.h"

#define NS "xmlns=\"urn:galley:tree:1\""

/* Reads `xml` and checks that it fails with `status` and a message
 * containing `needle`. */
static void refuses(const char *xml, int status, const char *needle) {
  char *err = NULL;
  int rc = xml_read(xml, strlen(xml), NULL, NULL, &err);
  if (rc != status)
    fail_msg("expected status %d, got %d (%s) for: %s", status, rc,
             err ? err : "no message", xml);
  if (!err || !strstr(err, needle))
    fail_msg("message \"%s\" lacks \"%s\"", err ? err : "(none)", needle);
  free(err);
}

static void malformed_xml_is_a_parse_error_naming_the_line(void **state) {
  (void)state;
  refuses("<document " NS ">\n<paragraph>\n</document>", GALLEY_EPARSE,
          "line 3");
  refuses("", GALLEY_EPARSE, "");
  refuses("not xml at all", GALLEY_EPARSE, "line 1");
}

static void bad_utf8_is_a_parse_error_on_one_line(void **state) {
  (void)state;
  char *err = NULL;
  const char *xml = "<document " NS ">\n<paragraph><text>\xff</text>"
                    "</paragraph></document>";
  assert_int_equal(xml_read(xml, strlen(xml), NULL, NULL, &err), GALLEY_EPARSE);
  assert_non_null(strstr(err, "line 2: "));
  assert_null(strchr(err, '\n'));
  free(err);
}

static void unknown_element_is_named_with_its_line(void **state) {
  (void)state;
  refuses("<document " NS ">\n\n<paragraph>\n<foo/></paragraph></document>",
          GALLEY_EPARSE, "line 4: unknown element <foo>");
  refuses("<document " NS "><none/></document>", GALLEY_EPARSE,
          "unknown element <none>");
  refuses("<document " NS "><paragraph><entry key='a'/></paragraph></document>",
          GALLEY_EPARSE, "unknown element <entry>");
}

static void root_that_is_not_ours_is_refused(void **state) {
  (void)state;
  refuses("<html xmlns='http://www.w3.org/1999/xhtml'/>", GALLEY_EPARSE,
          "not galley XML");
  refuses("<document/>", GALLEY_EPARSE, "not galley XML");
  refuses("<document " NS "><x:div xmlns:x='urn:other'/></document>",
          GALLEY_EPARSE, "not in the namespace");
}

static void bad_attributes_are_refused(void **state) {
  (void)state;
  refuses("<document " NS "><paragraph url='x'/></document>", GALLEY_EPARSE,
          "unknown attribute url on <paragraph>");
  refuses("<document " NS "><heading level='7'/></document>", GALLEY_EPARSE,
          "bad value \"7\" for level");
  refuses("<document " NS "><heading/></document>", GALLEY_EPARSE,
          "<heading> needs a level");
  refuses("<document " NS "><list ordered='yes'/></document>", GALLEY_EPARSE,
          "bad value \"yes\" for ordered");
  refuses("<document " NS "><list start='-1'/></document>", GALLEY_EPARSE,
          "bad value \"-1\" for start");
  refuses("<document " NS "><list start='99999999999'/></document>",
          GALLEY_EPARSE, "for start");
  refuses("<document " NS "><table><table_row><table_cell colspan='0'/>"
          "</table_row></table></document>",
          GALLEY_EPARSE, "bad value \"0\" for colspan");
  refuses("<document " NS "><table><table_row part='side'/></table></document>",
          GALLEY_EPARSE, "for part");
  refuses("<document " NS " xmlns:x='urn:x' x:id='a'/>", GALLEY_EPARSE,
          "unknown attribute x:id");
  refuses("<document " NS "><paragraph><text line=' 3'>a</text></paragraph>"
          "</document>",
          GALLEY_EPARSE, "for line");
}

static void duplicate_generic_attribute_is_refused(void **state) {
  (void)state;
  refuses("<document " NS "><div><attr key='a'>1</attr><attr key='a'>2</attr>"
          "</div></document>",
          GALLEY_EPARSE, "attribute \"a\" given twice");
  refuses("<document " NS "><div><attr>1</attr></div></document>",
          GALLEY_EPARSE, "<attr> needs a key attribute");
}

static void text_outside_a_text_element_is_refused(void **state) {
  (void)state;
  refuses("<document " NS ">\n<paragraph>hello</paragraph></document>",
          GALLEY_EPARSE, "line 2: text directly inside <paragraph>");
  refuses("<document " NS "><paragraph><text>a<emph/></text></paragraph>"
          "</document>",
          GALLEY_EPARSE, "<text> cannot contain <emph>");
}

static void impossible_trees_are_refused_naming_the_line(void **state) {
  (void)state;
  refuses("<document " NS ">\n<paragraph>\n<heading level='1'/>"
          "</paragraph></document>",
          GALLEY_EPARSE, "line 3: <paragraph> cannot contain <heading>");
  refuses("<document " NS "><list><paragraph/></list></document>",
          GALLEY_EPARSE, "<list> cannot contain <paragraph>");
  refuses("<document " NS "><text>loose</text></document>", GALLEY_EPARSE,
          "<document> cannot contain <text>");
  refuses("<document " NS "><div><document/></div></document>", GALLEY_EPARSE,
          "<div> cannot contain <document>");
  refuses("<document " NS "><div><meta/></div></document>", GALLEY_EPARSE,
          "unknown element <meta>");
}

static void billion_laughs_doctype_is_refused(void **state) {
  (void)state;
  char xml[4096];
  int n = snprintf(xml, sizeof xml,
                   "<?xml version=\"1.0\"?>\n"
                   "<!DOCTYPE document [\n"
                   "<!ENTITY lol0 \"lol\">\n");
  for (int i = 1; i < 10; i++)
    n += snprintf(xml + n, sizeof xml - (size_t)n,
                  "<!ENTITY lol%d \"&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;"
                  "&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;\">\n",
                  i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                  i - 1, i - 1);
  snprintf(xml + n, sizeof xml - (size_t)n,
           "]>\n<document " NS "><paragraph><text>&lol9;</text></paragraph>"
           "</document>\n");
  refuses(xml, GALLEY_EPARSE, "line 2: a DOCTYPE is not allowed");
}

static void external_entity_is_never_read(void **state) {
  (void)state;
  const char *xml = "<?xml version=\"1.0\"?>\n"
                    "<!DOCTYPE document [<!ENTITY xxe SYSTEM "
                    "\"file:///etc/passwd\">]>\n"
                    "<document " NS "><paragraph><text>&xxe;</text>"
                    "</paragraph></document>";
  refuses(xml, GALLEY_EPARSE, "DOCTYPE is not allowed");
  refuses("<!DOCTYPE document SYSTEM \"http://example.org/galley.dtd\">"
          "<document " NS "/>",
          GALLEY_EPARSE, "DOCTYPE is not allowed");
  /* Without a DOCTYPE an entity reference is simply undefined. */
  refuses("<document " NS "><paragraph><text>&xxe;</text></paragraph>"
          "</document>",
          GALLEY_EPARSE, "line 1");
}

static char *nested(const char *open, const char *close, size_t depth) {
  size_t olen = strlen(open), clen = strlen(close);
  static const char head[] = "<document " NS ">";
  static const char tail[] = "</document>";
  char *xml = malloc(sizeof head + sizeof tail + depth * (olen + clen));
  assert_non_null(xml);
  char *p = xml;
  memcpy(p, head, sizeof head - 1);
  p += sizeof head - 1;
  for (size_t i = 0; i < depth; i++, p += olen)
    memcpy(p, open, olen);
  for (size_t i = 0; i < depth; i++, p += clen)
    memcpy(p, close, clen);
  memcpy(p, tail, sizeof tail);
  return xml;
}

static void hundred_thousand_nested_elements_hit_the_depth_limit(void **state) {
  (void)state;
  char *xml = nested("<div>", "</div>", 100000);
  refuses(xml, GALLEY_ELIMIT, "depth limit of 512");
  free(xml);
  /* Unknown elements are no way around it. */
  xml = nested("<x>", "</x>", 100000);
  refuses(xml, GALLEY_ELIMIT, "depth limit");
  free(xml);
  xml = nested("<emph>", "</emph>", 100000);
  refuses(xml, GALLEY_ELIMIT, "depth limit");
  free(xml);
}

static void nesting_up_to_the_limit_is_read(void **state) {
  (void)state;
  galley_limits lim = GALLEY_LIMITS_INIT;
  lim.max_depth = 40;
  char *xml = nested("<div>", "</div>", 40);
  galley_doc *doc = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), &lim, &doc, NULL), GALLEY_OK);
  assert_int_equal(galley_node_max_depth(galley_doc_root(doc)), 40);
  galley_doc_free(doc);
  free(xml);
  xml = nested("<div>", "</div>", 41);
  char *err = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), &lim, NULL, &err), GALLEY_ELIMIT);
  assert_non_null(strstr(err, "depth limit of 40"));
  free(err);
  free(xml);
  /* The default limit (512) is above libxml2's own cap of 256. */
  xml = nested("<div>", "</div>", 512);
  assert_int_equal(xml_read(xml, strlen(xml), NULL, NULL, NULL), GALLEY_OK);
  free(xml);
  /* A node at the limit may still carry generic attributes. */
  xml = nested("<div><attr key='k'>v</attr>", "</div>", 40);
  assert_int_equal(xml_read(xml, strlen(xml), &lim, NULL, NULL), GALLEY_OK);
  free(xml);
}

static void resources_are_checked_against_what_they_claim(void **state) {
  (void)state;
  refuses("<document " NS "><resources><resource name='a' media-type='x/y' "
          "encoding='base64'>AAE*</resource></resources></document>",
          GALLEY_EPARSE, "resource \"a\" is not valid base64");
  refuses("<document " NS "><resources><resource name='a' media-type='x/y' "
          "size='3' encoding='base64'>AAE=</resource></resources></document>",
          GALLEY_EPARSE, "has 2 bytes but says size=\"3\"");
  refuses("<document " NS "><resources><resource name='a' media-type='x/y' "
          "sha256='"
          "0000000000000000000000000000000000000000000000000000000000000000'"
          " encoding='base64'>AAE=</resource></resources></document>",
          GALLEY_EPARSE, "does not match its sha256");
  refuses("<document " NS "><resources><resource name='a' media-type='x/y' "
          "encoding='base64'/><resource name='a' media-type='x/y' "
          "encoding='base64'/></resources></document>",
          GALLEY_EPARSE, "resource \"a\" given twice");
  refuses("<document " NS "><resources><resource name='a' media-type='x/y' "
          "encoding='hex'/></resources></document>",
          GALLEY_EPARSE, "for encoding");
  refuses("<document " NS "><resources><resource media-type='x/y'/>"
          "</resources></document>",
          GALLEY_EPARSE, "needs a name attribute");
  refuses("<document " NS "><resources><resource name='a' media-type='x/y'>"
          "AAE=</resource></resources></document>",
          GALLEY_EPARSE, "no encoding=\"base64\"");
}

static void resources_over_the_limits_are_refused(void **state) {
  (void)state;
  galley_limits lim = GALLEY_LIMITS_INIT;
  lim.max_resource_bytes = 4;
  lim.max_image_size = 2;
  const char *xml = "<document " NS "><resources>"
                    "<resource name='a' media-type='x/y' encoding='base64'>"
                    "AAECAw==</resource>"
                    "<resource name='b' media-type='x/y' encoding='base64'>"
                    "AA==</resource></resources></document>";
  char *err = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), &lim, NULL, &err), GALLEY_ELIMIT);
  /* Each message names its limit (the hostile suite's rule). */
  assert_non_null(strstr(err, "over the resource limit of 4 bytes") ||
                  strstr(err, "pass the resource limit of 4 bytes"));
  free(err);
  xml = "<document " NS "><resources>"
        "<resource name='i.png' media-type='image/png' encoding='base64'>"
        "AAEC</resource></resources></document>";
  assert_int_equal(xml_read(xml, strlen(xml), &lim, NULL, &err), GALLEY_ELIMIT);
  assert_non_null(strstr(err, "over the image size limit of 2 bytes"));
  free(err);
}

static void reader_sets_what_absent_attributes_mean(void **state) {
  (void)state;
  const char *xml = "<document " NS "><list><item/></list><table><table_row>"
                    "<table_cell/></table_row></table></document>";
  galley_doc *doc = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), NULL, &doc, NULL), GALLEY_OK);
  galley_node *list = galley_node_first_child(galley_doc_root(doc));
  assert_false(galley_node_get_list_ordered(list));
  assert_int_equal(galley_node_get_list_start(list), 1);
  assert_true(galley_node_get_list_tight(list));
  assert_int_equal(galley_node_get_task(galley_node_first_child(list)),
                   GALLEY_TASK_NONE);
  galley_node *cell =
      galley_node_find(galley_doc_root(doc), GALLEY_NODE_TABLE_CELL);
  assert_int_equal(galley_node_get_colspan(cell), 1);
  assert_int_equal(galley_node_get_rowspan(cell), 1);
  assert_int_equal(galley_node_get_cell_align(cell), GALLEY_ALIGN_NONE);
  assert_false(galley_node_get_cell_header(cell));
  galley_doc_free(doc);
}

static void carriage_returns_and_tabs_in_attributes_survive(void **state) {
  (void)state;
  const char *xml = "<document " NS "><div id='a&#9;b&#10;c&#13;d'>"
                    "<attr key='k'>x\r\ny</attr></div></document>";
  galley_doc *doc = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), NULL, &doc, NULL), GALLEY_OK);
  galley_node *div = galley_node_first_child(galley_doc_root(doc));
  assert_string_equal(galley_node_get_id(div), "a\tb\nc\rd");
  /* A literal CR LF in the input is a line end, which XML reads as LF. */
  assert_string_equal(galley_node_get_attr(div, "k"), "x\ny");
  galley_doc_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(malformed_xml_is_a_parse_error_naming_the_line),
      cmocka_unit_test(bad_utf8_is_a_parse_error_on_one_line),
      cmocka_unit_test(unknown_element_is_named_with_its_line),
      cmocka_unit_test(root_that_is_not_ours_is_refused),
      cmocka_unit_test(bad_attributes_are_refused),
      cmocka_unit_test(duplicate_generic_attribute_is_refused),
      cmocka_unit_test(text_outside_a_text_element_is_refused),
      cmocka_unit_test(impossible_trees_are_refused_naming_the_line),
      cmocka_unit_test(billion_laughs_doctype_is_refused),
      cmocka_unit_test(external_entity_is_never_read),
      cmocka_unit_test(hundred_thousand_nested_elements_hit_the_depth_limit),
      cmocka_unit_test(nesting_up_to_the_limit_is_read),
      cmocka_unit_test(resources_are_checked_against_what_they_claim),
      cmocka_unit_test(resources_over_the_limits_are_refused),
      cmocka_unit_test(reader_sets_what_absent_attributes_mean),
      cmocka_unit_test(carriage_returns_and_tabs_in_attributes_survive),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
