/* The xml form is lossless: tree -> xml -> tree -> xml changes nothing. */
#include <pthread.h>
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

static void sample_uses_every_kind(void **state) {
  (void)state;
  galley_doc *doc = sample_every_kind();
  bool seen[64] = {false};
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE)
    seen[galley_node_kind(galley_iter_node(&it))] = true;
  for (int k = GALLEY_NODE_FIRST_BLOCK; k <= GALLEY_NODE_LAST_INLINE; k++) {
    if (!galley_kind_is_block((galley_kind)k) &&
        !galley_kind_is_inline((galley_kind)k))
      continue;
    if (!seen[k])
      fail_msg("the sample lacks a %s node", galley_kind_name((galley_kind)k));
  }
  galley_doc_free(doc);
}

static void every_kind_survives_xml_to_tree_to_xml_byte_for_byte(void **state) {
  (void)state;
  galley_doc *doc = sample_every_kind();
  char *first = xml_write(doc, NULL, NULL);
  galley_doc *back = NULL;
  char *err = NULL;
  int rc = xml_read(first, strlen(first), NULL, &back, &err);
  if (rc != GALLEY_OK)
    fail_msg("reading our own output failed: %s", err ? err : "?");
  char *second = xml_write(back, NULL, NULL);
  assert_string_equal(first, second);
  free(first);
  free(second);
  galley_doc_free(back);
  galley_doc_free(doc);
}

static void every_field_survives_tree_to_xml_to_tree(void **state) {
  (void)state;
  galley_doc *doc = sample_every_kind();
  char *xml = xml_write(doc, NULL, NULL);
  galley_doc *back = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), NULL, &back, NULL), GALLEY_OK);
  assert_same_doc(doc, back);
  free(xml);
  galley_doc_free(back);
  galley_doc_free(doc);
}

static void every_kind_matches_the_golden_file(void **state) {
  (void)state;
  galley_doc *doc = sample_every_kind();
  char *xml = xml_write(doc, NULL, NULL);
  tu_assert_golden(xml, "xml/every-kind.xml");
  free(xml);
  galley_doc_free(doc);
}

static void golden_file_reads_back_to_the_sample(void **state) {
  (void)state;
  size_t len;
  char *xml = tu_read_file(tu_fixture("xml/every-kind.xml"), &len);
  assert_non_null(xml);
  galley_doc *back = NULL;
  assert_int_equal(xml_read(xml, len, NULL, &back, NULL), GALLEY_OK);
  galley_doc *doc = sample_every_kind();
  assert_same_doc(doc, back);
  galley_doc_free(doc);
  galley_doc_free(back);
  free(xml);
}

static void writing_twice_gives_the_same_bytes(void **state) {
  (void)state;
  galley_doc *doc = sample_every_kind();
  char *a = xml_write(doc, NULL, NULL);
  char *b = xml_write(doc, NULL, NULL);
  assert_string_equal(a, b);
  free(a);
  free(b);
  galley_doc_free(doc);
}

static void
output_starts_with_the_declaration_and_ends_with_a_newline(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  char *xml = xml_write(doc, NULL, NULL);
  assert_string_equal(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<document xmlns=\"urn:galley:tree:1\"/>\n");
  free(xml);
  galley_doc_free(doc);
}

static void empty_document_round_trips(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  char *xml = xml_write(doc, NULL, NULL);
  galley_doc *back = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), NULL, &back, NULL), GALLEY_OK);
  assert_same_doc(doc, back);
  free(xml);
  galley_doc_free(back);
  galley_doc_free(doc);
}

static void resources_keep_every_byte_including_nul(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  unsigned char bytes[256];
  for (int i = 0; i < 256; i++)
    bytes[i] = (unsigned char)(255 - i);
  assert_int_equal(galley_doc_add_resource(doc, "all-bytes", "x/y", bytes, 256),
                   GALLEY_OK);
  for (size_t n = 0; n < 5; n++) {
    char name[16];
    snprintf(name, sizeof name, "short%zu", n);
    assert_int_equal(galley_doc_add_resource(doc, name, "x/y", "\0\1\2\3", n),
                     GALLEY_OK);
  }
  char *xml = xml_write(doc, NULL, NULL);
  galley_doc *back = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), NULL, &back, NULL), GALLEY_OK);
  assert_same_doc(doc, back);
  const galley_resource *r = galley_doc_find_resource(back, "all-bytes");
  assert_non_null(r);
  assert_int_equal(r->size, 256);
  assert_memory_equal(r->data, bytes, 256);
  free(xml);
  galley_doc_free(back);
  galley_doc_free(doc);
}

/* libxml2 caps a text node at 10 MB unless told otherwise; an image may be
 * bigger, and its base64 is one text node. */
static void resource_larger_than_ten_megabytes_round_trips(void **state) {
  (void)state;
  size_t size = 11u << 20;
  unsigned char *bytes = malloc(size);
  assert_non_null(bytes);
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    bytes[i] = (unsigned char)x;
  }
  galley_doc *doc = galley_doc_new();
  assert_int_equal(galley_doc_add_resource(doc, "big.bin", "x/y", bytes, size),
                   GALLEY_OK);
  free(bytes);
  char *xml = xml_write(doc, NULL, NULL);
  galley_doc *back = NULL;
  char *err = NULL;
  if (xml_read(xml, strlen(xml), NULL, &back, &err) != GALLEY_OK)
    fail_msg("%s", err ? err : "?");
  assert_same_doc(doc, back);
  free(xml);
  galley_doc_free(back);
  galley_doc_free(doc);
}

static void reference_mode_leaves_bytes_out_and_reading_warns(void **state) {
  (void)state;
  galley_doc *doc = sample_every_kind();
  static const char *const opts[] = {"resources=reference", NULL};
  char *xml = xml_write(doc, opts, NULL);
  assert_null(strstr(xml, "encoding=\"base64\""));
  assert_non_null(strstr(xml,
                         "name=\"images/cover.png\" media-type=\"image/png\" "
                         "size=\"14\" sha256=\""));
  galley_job *job = galley_job_new(tu_registry());
  galley_doc *back = galley_doc_new();
  galley_input in = {(const unsigned char *)xml, strlen(xml), "ref.xml", NULL};
  assert_int_equal(galley_plugin_read(job, xml_plugin(), &in, back), GALLEY_OK);
  assert_int_equal(galley_doc_resource_count(back), 0);
  bool warned = false;
  for (size_t i = 0; i < galley_job_diag_count(job); i++) {
    const galley_diag *d = galley_job_diag_at(job, i);
    if (d->level == GALLEY_LEVEL_WARNING && strstr(d->message, "cover.png"))
      warned = true;
  }
  assert_true(warned);
  galley_job_free(job);
  galley_doc_free(back);
  free(xml);
  galley_doc_free(doc);
}

static void
characters_xml_cannot_carry_become_u_fffd_with_a_warning(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_append_child(galley_doc_root(doc), p),
                   GALLEY_OK);
  galley_node *t = galley_doc_new_text(doc,
                                       "a\x01"
                                       "b\xff"
                                       "c",
                                       (size_t)-1);
  assert_int_equal(galley_node_append_child(p, t), GALLEY_OK);
  galley_job *job = NULL;
  char *xml = xml_write(doc, NULL, &job);
  assert_non_null(strstr(xml, "<text>a\xef\xbf\xbd"
                              "b\xef\xbf\xbd"
                              "c</text>"));
  assert_true(galley_job_diag_count(job) > 0);
  assert_int_equal(galley_job_diag_at(job, 0)->level, GALLEY_LEVEL_WARNING);
  galley_doc *back = NULL;
  assert_int_equal(xml_read(xml, strlen(xml), NULL, &back, NULL), GALLEY_OK);
  galley_job_free(job);
  galley_doc_free(back);
  free(xml);
  galley_doc_free(doc);
}

static void whitespace_only_literals_are_kept(void **state) {
  (void)state;
  static const char xml[] =
      "<document xmlns='urn:galley:tree:1'><paragraph>\n"
      "  <text> </text>\n  <text>\n\n</text><code>\t</code>"
      "<text><![CDATA[<&>]]></text>\n"
      "</paragraph></document>";
  galley_doc *doc = NULL;
  assert_int_equal(xml_read(xml, sizeof xml - 1, NULL, &doc, NULL), GALLEY_OK);
  galley_node *p = galley_node_first_child(galley_doc_root(doc));
  galley_node *c = galley_node_first_child(p);
  assert_string_equal(galley_node_get_literal(c), " ");
  c = galley_node_next(c);
  assert_string_equal(galley_node_get_literal(c), "\n\n");
  c = galley_node_next(c);
  assert_string_equal(galley_node_get_literal(c), "\t");
  c = galley_node_next(c);
  assert_string_equal(galley_node_get_literal(c), "<&>");
  assert_null(galley_node_next(c));
  galley_doc_free(doc);
}

static void lenient_input_is_written_in_canonical_form(void **state) {
  (void)state;
  size_t len;
  char *xml = tu_read_file(tu_fixture("xml/lenient-input.xml"), &len);
  assert_non_null(xml);
  galley_doc *doc = NULL;
  char *err = NULL;
  if (xml_read(xml, len, NULL, &doc, &err) != GALLEY_OK)
    fail_msg("%s", err ? err : "?");
  char *out = xml_write(doc, NULL, NULL);
  tu_assert_golden(out, "xml/lenient-canonical.xml");
  free(out);
  galley_doc_free(doc);
  free(xml);
}

static void converting_xml_to_xml_through_a_job_changes_nothing(void **state) {
  (void)state;
  size_t len;
  char *xml = tu_read_file(tu_fixture("xml/every-kind.xml"), &len);
  assert_non_null(xml);
  char *err = NULL;
  char *out = tu_convert("xml", "xml", xml, len, NULL, &err);
  if (!out)
    fail_msg("%s", err ? err : "?");
  assert_string_equal(out, xml);
  free(out);
  free(xml);
}

/* One thread's share of many_jobs_at_once: write and read back, with its
 * own jobs and documents. Returns NULL on success, else a message. */
static void *convert_repeatedly(void *arg) {
  const char *expected = arg;
  const galley_plugin *p = galley_registry_find(tu_registry(), "xml");
  for (int i = 0; i < 25; i++) {
    galley_job *job = galley_job_new(tu_registry());
    galley_doc *doc = galley_doc_new();
    galley_sink *sink = galley_sink_new_memory();
    galley_input in = {(const unsigned char *)expected, strlen(expected),
                       "t.xml", NULL};
    const char *failure = NULL;
    size_t len = 0;
    if (galley_plugin_read(job, p, &in, doc) != GALLEY_OK)
      failure = "read failed";
    else if (galley_plugin_write(job, p, doc, sink) != GALLEY_OK)
      failure = "write failed";
    else if (strcmp(galley_sink_data(sink, &len), expected) != 0)
      failure = "output differs";
    galley_sink_free(sink);
    galley_doc_free(doc);
    galley_job_free(job);
    if (failure)
      return (void *)failure;
  }
  return NULL;
}

static void many_jobs_at_once_give_the_same_output(void **state) {
  (void)state;
  galley_doc *doc = sample_every_kind();
  char *xml = xml_write(doc, NULL, NULL);
  pthread_t threads[8];
  for (int i = 0; i < 8; i++)
    assert_int_equal(pthread_create(&threads[i], NULL, convert_repeatedly, xml),
                     0);
  for (int i = 0; i < 8; i++) {
    void *result = NULL;
    assert_int_equal(pthread_join(threads[i], &result), 0);
    if (result)
      fail_msg("thread %d: %s", i, (const char *)result);
  }
  free(xml);
  galley_doc_free(doc);
}

static void probe_claims_only_galley_xml(void **state) {
  (void)state;
  const galley_plugin *p = xml_plugin();
  static const char ours[] =
      "<?xml version=\"1.0\"?>\n<document xmlns=\"urn:galley:tree:1\">";
  static const char xhtml[] =
      "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">";
  assert_int_equal(p->probe((const unsigned char *)ours, sizeof ours - 1), 100);
  assert_int_equal(p->probe((const unsigned char *)xhtml, sizeof xhtml - 1), 0);
  assert_int_equal(p->probe((const unsigned char *)"", 0), 0);
  const galley_plugin *by_ext =
      galley_registry_find_ext(tu_registry(), "xml", GALLEY_CAN_READ);
  assert_ptr_equal(by_ext, p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sample_uses_every_kind),
      cmocka_unit_test(every_kind_survives_xml_to_tree_to_xml_byte_for_byte),
      cmocka_unit_test(every_field_survives_tree_to_xml_to_tree),
      cmocka_unit_test(every_kind_matches_the_golden_file),
      cmocka_unit_test(golden_file_reads_back_to_the_sample),
      cmocka_unit_test(writing_twice_gives_the_same_bytes),
      cmocka_unit_test(
          output_starts_with_the_declaration_and_ends_with_a_newline),
      cmocka_unit_test(empty_document_round_trips),
      cmocka_unit_test(resources_keep_every_byte_including_nul),
      cmocka_unit_test(resource_larger_than_ten_megabytes_round_trips),
      cmocka_unit_test(reference_mode_leaves_bytes_out_and_reading_warns),
      cmocka_unit_test(
          characters_xml_cannot_carry_become_u_fffd_with_a_warning),
      cmocka_unit_test(whitespace_only_literals_are_kept),
      cmocka_unit_test(lenient_input_is_written_in_canonical_form),
      cmocka_unit_test(converting_xml_to_xml_through_a_job_changes_nothing),
      cmocka_unit_test(many_jobs_at_once_give_the_same_output),
      cmocka_unit_test(probe_claims_only_galley_xml),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
