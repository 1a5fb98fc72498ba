/* Unit tests of jobs and sinks: options, diagnostics, limits, -M overrides,
 * cancellation, and output sinks (memory, stream, atomic file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sched.h>
#include <unistd.h>

#include <cmocka.h>

#include <galley/galley.h>

/* ---- Static test plugins ---- */

/* What the callbacks saw, for the tests to check. One test at a time. */
static struct {
  const char *width; /* galley_job_option(job, "width") inside read */
  const char *inner; /* the same inside the nested reader */
  const char *after; /* the same after the nested reader returned */
  int reads, writes, transforms;
  size_t depth;       /* how deep test_read builds */
  int cancel_in_read; /* call galley_job_cancel from inside read */
  int fail_silently;  /* return an error without a message */
} seen;

static const galley_option reader_options[] = {
    {"width", GALLEY_OPT_INT, "72", NULL, "line width"},
    {"smart", GALLEY_OPT_BOOL, "true", NULL, "smart quotes"},
    {NULL, 0, NULL, NULL, NULL},
};

static const galley_option inner_options[] = {
    {"width", GALLEY_OPT_INT, "40", NULL, "inner width"},
    {NULL, 0, NULL, NULL, NULL},
};

static int inner_read(galley_job *job, const galley_input *in,
                      galley_doc *doc) {
  (void)in;
  (void)doc;
  seen.inner = galley_job_option(job, "width");
  return GALLEY_OK;
}

static const galley_plugin inner_plugin =
    GALLEY_PLUGIN_DESCRIPTOR(.name = "inner", .summary = "nested reader",
                             .caps = GALLEY_CAN_READ, .options = inner_options,
                             .read = inner_read);

/* Reads the input as one paragraph of text, with a title taken from it, and
 * optionally a chain of `seen.depth` nested block quotes. */
static int test_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  seen.reads++;
  seen.width = galley_job_option(job, "width");
  if (seen.fail_silently)
    return GALLEY_EPARSE;
  if (in->size >= 4 && memcmp(in->data, "FAIL", 4) == 0)
    return galley_job_error(job, GALLEY_EPARSE, "the input says FAIL");
  galley_node *parent = galley_doc_root(doc);
  for (size_t i = 0; i < seen.depth; i++) {
    galley_node *q = galley_doc_new_node(doc, GALLEY_NODE_BLOCK_QUOTE);
    if (galley_node_append_child(parent, q) != GALLEY_OK)
      return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    parent = q;
  }
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node_append_child(parent, p);
  galley_node_append_child(
      p, galley_doc_new_text(doc, (const char *)in->data, in->size));
  galley_doc_set_meta(doc, GALLEY_META_TITLE, "from the reader");
  galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Reader Author");
  if (galley_registry_find(galley_job_registry(job), "inner")) {
    galley_input nested = {(const unsigned char *)"", 0, "nested", NULL};
    galley_doc *other = galley_doc_new();
    int rc = galley_plugin_read(job, &inner_plugin, &nested, other);
    galley_doc_free(other);
    if (rc != GALLEY_OK)
      return rc;
    seen.after = galley_job_option(job, "width");
  }
  if (seen.cancel_in_read)
    galley_job_cancel(job);
  return GALLEY_OK;
}

static const galley_plugin reader_plugin =
    GALLEY_PLUGIN_DESCRIPTOR(.name = "testread", .summary = "test reader",
                             .caps = GALLEY_CAN_READ, .options = reader_options,
                             .read = test_read);

/* A transform that sets metadata the -M overrides must win over. */
static int test_transform(galley_job *job, galley_doc *doc) {
  (void)job;
  seen.transforms++;
  galley_doc_set_meta(doc, GALLEY_META_TITLE, "from the transform");
  galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Transform Author");
  galley_doc_set_meta(doc, GALLEY_META_PUBLISHER, "from the transform");
  return GALLEY_OK;
}

static const galley_plugin transform_plugin =
    GALLEY_PLUGIN_DESCRIPTOR(.name = "testtransform",
                             .summary = "test transform",
                             .caps = GALLEY_CAN_TRANSFORM,
                             .transform = test_transform);

/* Writes every metadata entry as "key=value\n", then the text. */
static int write_doc(galley_job *job, const galley_doc *doc, galley_sink *out) {
  (void)job;
  const char *k, *v;
  for (size_t i = 0; galley_doc_meta_entry(doc, i, &k, &v); i++)
    galley_sink_printf(out, "%s=%s\n", k, v);
  char *text = galley_node_text((galley_doc *)doc, galley_doc_root(doc));
  galley_sink_puts(out, text);
  return GALLEY_OK;
}

static int test_write(galley_job *job, const galley_doc *doc,
                      galley_sink *out) {
  seen.writes++;
  return write_doc(job, doc, out);
}

/* The same without counting, for jobs on several threads. */
static const galley_plugin plain_writer_plugin =
    GALLEY_PLUGIN_DESCRIPTOR(.name = "plainwrite",
                             .summary = "test writer for threads",
                             .caps = GALLEY_CAN_WRITE, .write = write_doc);

static const galley_plugin writer_plugin =
    GALLEY_PLUGIN_DESCRIPTOR(.name = "testwrite", .summary = "test writer",
                             .caps = GALLEY_CAN_WRITE, .write = test_write);

static int failing_write(galley_job *job, const galley_doc *doc,
                         galley_sink *out) {
  (void)doc;
  galley_sink_puts(out, "half a docu");
  return galley_job_error(job, GALLEY_EIO, "disk on fire");
}

static const galley_plugin failing_writer_plugin =
    GALLEY_PLUGIN_DESCRIPTOR(.name = "failwrite",
                             .summary = "a writer that fails",
                             .caps = GALLEY_CAN_WRITE, .write = failing_write);

static int reset_seen(void **state) {
  (void)state;
  memset(&seen, 0, sizeof seen);
  return 0;
}

static galley_input input_of(const char *s) {
  galley_input in = {(const unsigned char *)s, strlen(s), "in.txt", NULL};
  return in;
}

/* ---- Input cursors ---- */

static void an_input_cursor_hands_out_every_byte_once(void **state) {
  (void)state;
  const char *text = "abcdefghij";
  galley_input_cursor c = {(const unsigned char *)text, 10};
  char buf[8] = {0};
  assert_int_equal(galley_input_cursor_read(&c, buf, 4), 4);
  assert_memory_equal(buf, "abcd", 4);
  assert_int_equal(galley_input_cursor_read(&c, buf, 8), 6);
  assert_memory_equal(buf, "efghij", 6);
  assert_int_equal(c.left, 0);
  assert_int_equal(galley_input_cursor_read(&c, buf, 8), 0);
  /* A negative or zero request reads nothing and keeps the position. */
  galley_input_cursor d = {(const unsigned char *)text, 10};
  assert_int_equal(galley_input_cursor_read(&d, buf, -1), 0);
  assert_int_equal(galley_input_cursor_read(&d, buf, 0), 0);
  assert_int_equal(d.left, 10);
  /* An empty input: nothing, no matter the pointer. */
  galley_input_cursor e = {NULL, 0};
  assert_int_equal(galley_input_cursor_read(&e, buf, 8), 0);
}

/* ---- Options ---- */

static void options_are_set_replaced_and_removed(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_null(galley_job_option(job, "wrap"));
  assert_int_equal(galley_job_set_option(job, "wrap", "auto"), GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, "css", "a.css"), GALLEY_OK);
  assert_string_equal(galley_job_option(job, "wrap"), "auto");
  char value[] = "never";
  assert_int_equal(galley_job_set_option(job, "wrap", value), GALLEY_OK);
  value[0] = 'X'; /* a copy was kept */
  assert_string_equal(galley_job_option(job, "wrap"), "never");
  assert_int_equal(galley_job_set_option(job, "wrap", NULL), GALLEY_OK);
  assert_null(galley_job_option(job, "wrap"));
  assert_string_equal(galley_job_option(job, "css"), "a.css");
  assert_int_equal(galley_job_set_option(job, "missing", NULL), GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, "", "x"), GALLEY_EINVALID);
  assert_int_equal(galley_job_set_option(job, NULL, "x"), GALLEY_EINVALID);
  assert_null(galley_job_option(job, NULL));
  galley_job_free(job);
}

static void option_int_parses_numbers_and_falls_back_otherwise(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_option_int(job, "n", 7), 7);
  const struct {
    const char *value;
    long expected;
  } cases[] = {
      {"12", 12}, {"-3", -3},   {"0", 0},   {"", 7},
      {"x", 7},   {"12abc", 7}, {"1.5", 7}, {"99999999999999999999999", 7},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    galley_job_set_option(job, "n", cases[i].value);
    if (galley_job_option_int(job, "n", 7) != cases[i].expected)
      fail_msg("option_int(\"%s\") gave %ld, expected %ld", cases[i].value,
               galley_job_option_int(job, "n", 7), cases[i].expected);
  }
  galley_job_free(job);
}

static void option_bool_parses_words_and_falls_back_otherwise(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_true(galley_job_option_bool(job, "b", true));
  assert_false(galley_job_option_bool(job, "b", false));
  const char *yes[] = {"true", "TRUE", "yes", "Yes", "1"};
  const char *no[] = {"false", "False", "no", "NO", "0"};
  for (size_t i = 0; i < 5; i++) {
    galley_job_set_option(job, "b", yes[i]);
    assert_true(galley_job_option_bool(job, "b", false));
    galley_job_set_option(job, "b", no[i]);
    assert_false(galley_job_option_bool(job, "b", true));
  }
  galley_job_set_option(job, "b", "maybe");
  assert_true(galley_job_option_bool(job, "b", true));
  assert_false(galley_job_option_bool(job, "b", false));
  galley_job_free(job);
}

static void option_defaults_come_from_the_plugin_being_called(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  assert_int_equal(galley_registry_add(reg, &reader_plugin, "test"), GALLEY_OK);
  assert_int_equal(galley_registry_add(reg, &inner_plugin, "test"), GALLEY_OK);
  galley_job *job = galley_job_new(reg);
  assert_ptr_equal(galley_job_registry(job), reg);
  /* Outside any plugin there is no declared default. */
  assert_null(galley_job_option(job, "width"));
  galley_doc *doc = galley_doc_new();
  galley_input in = input_of("hello");
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_OK);
  assert_string_equal(seen.width, "72");
  /* The nested reader sees its own default; the caller's comes back after. */
  assert_string_equal(seen.inner, "40");
  assert_string_equal(seen.after, "72");
  assert_null(galley_job_option(job, "width"));
  galley_doc_free(doc);

  /* A value the user gave wins over every default. */
  galley_job_set_option(job, "width", "100");
  doc = galley_doc_new();
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_OK);
  assert_string_equal(seen.width, "100");
  assert_string_equal(seen.inner, "100");
  galley_doc_free(doc);
  galley_job_free(job);
  galley_registry_free(reg);
}

/* ---- Diagnostics ---- */

static void an_error_sets_the_status_and_the_message(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_status(job), GALLEY_OK);
  assert_null(galley_job_errmsg(job));
  assert_int_equal(galley_job_diag_count(job), 0);
  int rc = galley_job_error(job, GALLEY_EPARSE, "not valid UTF-8 at byte %zu",
                            (size_t)17);
  assert_int_equal(rc, GALLEY_EPARSE);
  assert_int_equal(galley_job_status(job), GALLEY_EPARSE);
  assert_string_equal(galley_job_errmsg(job), "not valid UTF-8 at byte 17");
  assert_int_equal(galley_job_diag_count(job), 1);
  const galley_diag *d = galley_job_diag_at(job, 0);
  assert_int_equal(d->level, GALLEY_LEVEL_ERROR);
  assert_int_equal(d->status, GALLEY_EPARSE);
  assert_string_equal(d->message, "not valid UTF-8 at byte 17");
  assert_null(d->location);
  assert_null(galley_job_diag_at(job, 1));
  /* The last error is the one reported. */
  galley_job_error(job, GALLEY_ELIMIT, "second");
  assert_int_equal(galley_job_status(job), GALLEY_ELIMIT);
  assert_string_equal(galley_job_errmsg(job), "second");
  /* An "error" with GALLEY_OK is still an error. */
  assert_int_equal(galley_job_error(job, GALLEY_OK, "oops"), GALLEY_EINVALID);
  assert_int_equal(galley_job_status(job), GALLEY_EINVALID);
  galley_job_free(job);
}

static void diagnostics_at_a_line_name_it_after_the_location(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_set_location(job, "notes.adoc"), GALLEY_OK);
  galley_job_warn_at(job, 12, "unclosed %s", "block");
  assert_int_equal(galley_job_status(job), GALLEY_OK);
  const galley_diag *w = galley_job_diag_at(job, 0);
  assert_int_equal(w->level, GALLEY_LEVEL_WARNING);
  assert_string_equal(w->location, "notes.adoc:12");
  assert_string_equal(w->message, "unclosed block");
  /* Line 0 names no line. */
  galley_job_warn_at(job, 0, "somewhere");
  assert_string_equal(galley_job_diag_at(job, 1)->location, "notes.adoc");
  assert_int_equal(galley_job_error_at(job, GALLEY_EPARSE, 40, "bad table"),
                   GALLEY_EPARSE);
  assert_int_equal(galley_job_status(job), GALLEY_EPARSE);
  assert_string_equal(galley_job_errmsg(job), "bad table");
  assert_string_equal(galley_job_diag_at(job, 2)->location, "notes.adoc:40");
  /* The job's own location is unchanged. */
  assert_string_equal(galley_job_location(job), "notes.adoc");
  galley_job_free(job);
  /* Without a location the line still shows. */
  job = galley_job_new(NULL);
  galley_job_warn_at(job, 3, "x");
  assert_string_equal(galley_job_diag_at(job, 0)->location, "(input):3");
  galley_job_free(job);
}

static void warnings_and_notes_do_not_fail_the_job(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_set_location(job, "page.html"), GALLEY_OK);
  galley_job_warn(job, "dropped %d images", 3);
  galley_job_info(job, "guessed language %s", "en");
  assert_int_equal(galley_job_status(job), GALLEY_OK);
  assert_null(galley_job_errmsg(job));
  assert_int_equal(galley_job_diag_count(job), 2);
  const galley_diag *w = galley_job_diag_at(job, 0);
  assert_int_equal(w->level, GALLEY_LEVEL_WARNING);
  assert_int_equal(w->status, 0);
  assert_string_equal(w->message, "dropped 3 images");
  assert_string_equal(w->location, "page.html");
  const galley_diag *i = galley_job_diag_at(job, 1);
  assert_int_equal(i->level, GALLEY_LEVEL_INFO);
  assert_string_equal(i->message, "guessed language en");
  /* An error after warnings is still found. */
  galley_job_error(job, GALLEY_EIO, "cannot read");
  galley_job_warn(job, "after the error");
  assert_string_equal(galley_job_errmsg(job), "cannot read");
  assert_string_equal(galley_job_diag_at(job, 2)->location, "page.html");
  galley_job_free(job);
}

static void clear_forgets_diagnostics_and_the_error(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_job_set_option(job, "keep", "me");
  galley_job_warn(job, "w");
  galley_job_error(job, GALLEY_EPARSE, "e");
  galley_job_clear(job);
  assert_int_equal(galley_job_diag_count(job), 0);
  assert_int_equal(galley_job_status(job), GALLEY_OK);
  assert_null(galley_job_errmsg(job));
  assert_string_equal(galley_job_option(job, "keep"), "me");
  galley_job_error(job, GALLEY_EIO, "again");
  assert_string_equal(galley_job_errmsg(job), "again");
  galley_job_free(job);
}

static void diagnostics_are_folded_onto_one_line(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_job_error(job, GALLEY_EPARSE, "line one\nline two\r\nline three\n");
  const char *msg = galley_job_errmsg(job);
  assert_non_null(msg);
  assert_null(strchr(msg, '\n'));
  assert_null(strchr(msg, '\r'));
  assert_non_null(strstr(msg, "line one"));
  assert_non_null(strstr(msg, "line three"));
  galley_job_warn(job, "%s", "a\nb");
  assert_null(strchr(galley_job_diag_at(job, 1)->message, '\n'));
  galley_job_free(job);
}

static void many_diagnostics_are_all_kept(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  for (int i = 0; i < 1000; i++)
    galley_job_warn(job, "warning %d", i);
  galley_job_error(job, GALLEY_EPARSE, "the error");
  assert_int_equal(galley_job_diag_count(job), 1001);
  assert_string_equal(galley_job_diag_at(job, 999)->message, "warning 999");
  assert_string_equal(galley_job_errmsg(job), "the error");
  galley_job_free(job);
}

/* ---- Limits ---- */

static void assert_default_limits(const galley_limits *l) {
  assert_int_equal(l->max_input_size, (size_t)256 << 20);
  assert_int_equal(l->max_depth, 512);
  assert_int_equal(l->max_entries, 10000);
  assert_int_equal(l->max_decompressed, (size_t)1 << 30);
  assert_int_equal(l->max_resource_bytes, (size_t)512 << 20);
  assert_int_equal(l->max_image_size, (size_t)64 << 20);
  assert_int_equal(l->max_nodes, 4000000);
}

static void limits_have_the_documented_defaults(void **state) {
  (void)state;
  galley_limits l = GALLEY_LIMITS_INIT;
  assert_int_equal(l.version, GALLEY_LIMITS_VERSION);
  assert_default_limits(&l);
  galley_limits init;
  memset(&init, 0xAA, sizeof init);
  assert_int_equal(galley_limits_init(&init, GALLEY_LIMITS_VERSION), GALLEY_OK);
  assert_int_equal(init.version, GALLEY_LIMITS_VERSION);
  assert_default_limits(&init);
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_limits(job)->version, GALLEY_LIMITS_VERSION);
  assert_default_limits(galley_job_limits(job));
  l.max_depth = 3;
  assert_int_equal(galley_job_set_limits(job, &l), GALLEY_OK);
  assert_int_equal(galley_job_limits(job)->max_depth, 3);
  galley_job_free(job);
}

/* galley_limits as version 1 had it: no max_nodes. */
typedef struct limits_v1 {
  unsigned version;
  size_t max_input_size, max_depth, max_entries, max_decompressed,
      max_resource_bytes, max_image_size;
} limits_v1;

/* A version-1 struct in memory of exactly its size followed by a guard, as
 * a program built before max_nodes existed would have it. */
static unsigned char *v1_in_guarded_memory(void) {
  unsigned char *mem = malloc(sizeof(limits_v1) + 16);
  assert_non_null(mem);
  memset(mem, 0x5A, sizeof(limits_v1) + 16);
  return mem;
}

static void assert_guard_intact(const unsigned char *mem) {
  for (size_t i = 0; i < 16; i++)
    assert_int_equal(mem[sizeof(limits_v1) + i], 0x5A);
}

static void
limits_init_writes_only_the_members_of_an_older_version(void **state) {
  (void)state;
  unsigned char *mem = v1_in_guarded_memory();
  assert_int_equal(galley_limits_init((galley_limits *)(void *)mem, 1),
                   GALLEY_OK);
  assert_guard_intact(mem);
  limits_v1 v1;
  memcpy(&v1, mem, sizeof v1);
  assert_int_equal(v1.version, 1);
  assert_int_equal(v1.max_depth, 512);
  assert_int_equal(v1.max_image_size, (size_t)64 << 20);
  free(mem);
}

static void
set_limits_reads_only_the_members_of_an_older_version(void **state) {
  (void)state;
  unsigned char *mem = v1_in_guarded_memory();
  limits_v1 v1 = {1, 1000, 7, 10, 20, 30, 40};
  memcpy(mem, &v1, sizeof v1);
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(
      galley_job_set_limits(job, (const galley_limits *)(void *)mem),
      GALLEY_OK);
  const galley_limits *l = galley_job_limits(job);
  assert_int_equal(l->version, GALLEY_LIMITS_VERSION);
  assert_int_equal(l->max_input_size, 1000);
  assert_int_equal(l->max_depth, 7);
  assert_int_equal(l->max_image_size, 40);
  /* The guard bytes where max_nodes would be were not read as a limit. */
  assert_int_equal(l->max_nodes, 4000000);
  free(mem);
  galley_job_free(job);
}

static void limits_of_an_unknown_version_are_refused(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_limits l = GALLEY_LIMITS_INIT;
  l.max_depth = 3;
  unsigned bad[] = {0, GALLEY_LIMITS_VERSION + 1, 0xAAAAAAAAu};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    l.version = bad[i];
    assert_int_equal(galley_job_set_limits(job, &l), GALLEY_EINVALID);
    assert_int_equal(galley_job_limits(job)->max_depth, 512);
    galley_limits out;
    memset(&out, 0x5A, sizeof out);
    assert_int_equal(galley_limits_init(&out, bad[i]), GALLEY_EINVALID);
    assert_int_equal(out.max_depth, (size_t)0x5A5A5A5A5A5A5A5Au);
  }
  /* A struct filled with zeros has version 0: refused, not "no limits". */
  memset(&l, 0, sizeof l);
  assert_int_equal(galley_job_set_limits(job, &l), GALLEY_EINVALID);
  assert_int_equal(galley_job_set_limits(job, NULL), GALLEY_EINVALID);
  assert_int_equal(galley_limits_init(NULL, GALLEY_LIMITS_VERSION),
                   GALLEY_EINVALID);
  galley_job_free(job);
}

static void plugin_read_refuses_an_input_over_max_input_size(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_limits l = GALLEY_LIMITS_INIT;
  l.max_input_size = 10;
  galley_job_set_limits(job, &l);
  galley_doc *doc = galley_doc_new();
  galley_input in = input_of("exactly 10");
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_OK);
  galley_doc_free(doc);
  doc = galley_doc_new();
  in = input_of("eleven byte");
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_ELIMIT);
  assert_int_equal(seen.reads, 1); /* the reader never saw the big one */
  assert_int_equal(galley_job_status(job), GALLEY_ELIMIT);
  assert_non_null(strstr(galley_job_errmsg(job), "limit"));
  galley_doc_free(doc);
  galley_job_free(job);
}

static void a_tree_deeper_than_max_depth_is_refused(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_limits l = GALLEY_LIMITS_INIT;
  l.max_depth = 20;
  galley_job_set_limits(job, &l);
  galley_input in = input_of("deep");
  /* root > 18 quotes > paragraph > text: depth 20 is allowed. */
  seen.depth = 18;
  galley_doc *doc = galley_doc_new();
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_OK);
  assert_int_equal(galley_node_max_depth(galley_doc_root(doc)), 20);
  galley_doc_free(doc);
  seen.depth = 19;
  doc = galley_doc_new();
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_ELIMIT);
  assert_non_null(strstr(galley_job_errmsg(job), "depth"));
  galley_doc_free(doc);
  /* The default limit of 512 holds against 10,000 levels. */
  galley_job_clear(job);
  galley_limits_init(&l, GALLEY_LIMITS_VERSION);
  galley_job_set_limits(job, &l);
  seen.depth = 10000;
  doc = galley_doc_new();
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_ELIMIT);
  galley_doc_free(doc);
  galley_job_free(job);
}

static void
a_document_over_max_nodes_is_refused_naming_the_limit(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_limits l = GALLEY_LIMITS_INIT;
  l.max_nodes = 50;
  galley_job_set_limits(job, &l);
  galley_input in = input_of("many");
  /* root + 60 quotes: the reader's own "out of memory" for the refused
   * node gives way to one message that names the limit. */
  seen.depth = 60;
  galley_doc *doc = galley_doc_new();
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_ELIMIT);
  assert_non_null(strstr(galley_job_errmsg(job), "node limit"));
  size_t errors = 0;
  for (size_t i = 0; i < galley_job_diag_count(job); i++)
    errors += galley_job_diag_at(job, i)->level == GALLEY_LEVEL_ERROR;
  assert_int_equal(errors, 1);
  galley_doc_free(doc);
  /* Under the limit, the same reader succeeds. */
  galley_job_clear(job);
  seen.depth = 40;
  doc = galley_doc_new();
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_OK);
  galley_doc_free(doc);
  seen.depth = 0;
  galley_job_free(job);
}

static void a_limit_of_zero_means_no_limit(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_limits l;
  memset(&l, 0, sizeof l);
  l.version = GALLEY_LIMITS_VERSION;
  assert_int_equal(galley_job_set_limits(job, &l), GALLEY_OK);
  seen.depth = 2000;
  galley_input in = input_of("anything at all, any size");
  galley_doc *doc = galley_doc_new();
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_OK);
  galley_doc_free(doc);
  galley_job_free(job);
}

/* ---- Plugin calls ---- */

static void plugin_calls_refuse_what_the_plugin_cannot_do(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_doc *doc = galley_doc_new();
  galley_sink *sink = galley_sink_new_memory();
  galley_input in = input_of("x");
  assert_int_equal(galley_plugin_read(job, &writer_plugin, &in, doc),
                   GALLEY_EUNSUPPORTED);
  assert_non_null(galley_job_errmsg(job));
  assert_int_equal(galley_plugin_write(job, &reader_plugin, doc, sink),
                   GALLEY_EUNSUPPORTED);
  assert_int_equal(galley_plugin_transform(job, &reader_plugin, doc),
                   GALLEY_EUNSUPPORTED);
  assert_int_equal(seen.reads + seen.writes, 0);
  galley_sink_free(sink);
  galley_doc_free(doc);
  galley_job_free(job);
}

static void a_reader_failing_without_a_message_gets_one(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  seen.fail_silently = 1;
  galley_doc *doc = galley_doc_new();
  galley_input in = input_of("x");
  assert_int_equal(galley_plugin_read(job, &reader_plugin, &in, doc),
                   GALLEY_EPARSE);
  assert_int_equal(galley_job_status(job), GALLEY_EPARSE);
  assert_non_null(galley_job_errmsg(job));
  assert_non_null(strstr(galley_job_errmsg(job), "testread"));
  galley_doc_free(doc);
  galley_job_free(job);
}

/* ---- Conversion ---- */

static char *convert(galley_job *job, const char *input,
                     const galley_plugin *const *transforms, size_t n,
                     const galley_plugin *writer, int *rc) {
  galley_sink *sink = galley_sink_new_memory();
  galley_input in = input_of(input);
  *rc =
      galley_job_convert(job, &in, &reader_plugin, transforms, n, writer, sink);
  char *out = strdup(galley_sink_data(sink, NULL));
  galley_sink_free(sink);
  return out;
}

static void convert_runs_read_transforms_and_write(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  int rc;
  char *out = convert(job, "body", NULL, 0, &writer_plugin, &rc);
  assert_int_equal(rc, GALLEY_OK);
  assert_string_equal(out, "title=from the reader\nauthor=Reader Author\nbody");
  free(out);
  const galley_plugin *const ts[] = {&transform_plugin, &transform_plugin};
  out = convert(job, "body", ts, 2, &writer_plugin, &rc);
  assert_int_equal(rc, GALLEY_OK);
  assert_int_equal(seen.transforms, 2);
  assert_string_equal(out,
                      "title=from the transform\nauthor=Reader Author\n"
                      "author=Transform Author\npublisher=from the transform\n"
                      "author=Transform Author\nbody");
  free(out);
  galley_job_free(job);
}

static void
meta_overrides_apply_after_reading_and_after_transforms(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_set_meta(job, "title", "X"), GALLEY_OK);
  assert_int_equal(galley_job_set_meta(job, "author", "Ann"), GALLEY_OK);
  assert_int_equal(galley_job_set_meta(job, "author", "Bob"), GALLEY_OK);
  assert_int_equal(galley_job_set_meta(job, "language", "fr"), GALLEY_OK);
  assert_int_equal(galley_job_set_meta(job, "", "x"), GALLEY_EINVALID);
  assert_int_equal(galley_job_set_meta(job, "k", NULL), GALLEY_EINVALID);
  int rc;
  char *out = convert(job, "body", NULL, 0, &writer_plugin, &rc);
  assert_int_equal(rc, GALLEY_OK);
  assert_string_equal(out,
                      "title=X\nauthor=Ann\nauthor=Bob\nlanguage=fr\nbody");
  free(out);
  /* The transform sets title and adds an author: -M still wins. */
  const galley_plugin *const ts[] = {&transform_plugin};
  out = convert(job, "body", ts, 1, &writer_plugin, &rc);
  assert_int_equal(rc, GALLEY_OK);
  /* Same values per key (the entry order of repeated keys may differ). */
  assert_true(strncmp(out, "title=X\nauthor=Ann\n", 19) == 0);
  assert_non_null(strstr(out, "\nauthor=Bob\n"));
  assert_true(strstr(out, "author=Ann") < strstr(out, "author=Bob"));
  assert_non_null(strstr(out, "\nlanguage=fr\n"));
  assert_non_null(strstr(out, "\npublisher=from the transform\n"));
  assert_null(strstr(out, "Transform Author"));
  assert_null(strstr(out, "Reader Author"));
  assert_null(strstr(out, "title=from"));
  free(out);
  galley_job_free(job);
}

static void a_failed_read_stops_the_conversion_before_writing(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  int rc;
  char *out = convert(job, "FAIL here", NULL, 0, &writer_plugin, &rc);
  assert_int_equal(rc, GALLEY_EPARSE);
  assert_int_equal(seen.writes, 0);
  assert_string_equal(out, "");
  assert_string_equal(galley_job_errmsg(job), "the input says FAIL");
  free(out);
  galley_job_clear(job);
  out = convert(job, "fine", NULL, 0, &failing_writer_plugin, &rc);
  assert_int_equal(rc, GALLEY_EIO);
  assert_string_equal(galley_job_errmsg(job), "disk on fire");
  free(out);
  galley_job_free(job);
}

static void convert_refuses_missing_arguments(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_sink *sink = galley_sink_new_memory();
  galley_input in = input_of("x");
  assert_int_equal(
      galley_job_convert(job, &in, NULL, NULL, 0, &writer_plugin, sink),
      GALLEY_EINVALID);
  assert_int_equal(
      galley_job_convert(job, &in, &reader_plugin, NULL, 0, NULL, sink),
      GALLEY_EINVALID);
  assert_int_equal(galley_job_convert(job, &in, &reader_plugin, NULL, 0,
                                      &writer_plugin, NULL),
                   GALLEY_EINVALID);
  assert_int_equal(galley_job_convert(job, &in, &reader_plugin, NULL, 1,
                                      &writer_plugin, sink),
                   GALLEY_EINVALID);
  galley_sink_free(sink);
  galley_job_free(job);
}

static void
job_build_reads_and_transforms_into_the_callers_document(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_job_set_meta(job, "title", "Override");
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)"built", 5, "in.txt",
                     "some/folder"};
  const galley_plugin *const ts[] = {&transform_plugin};
  assert_int_equal(galley_job_build(job, &in, &reader_plugin, ts, 1, doc),
                   GALLEY_OK);
  assert_int_equal(seen.reads, 1);
  assert_int_equal(seen.transforms, 1);
  assert_int_equal(seen.writes, 0);
  assert_string_equal(galley_node_text(doc, galley_doc_root(doc)), "built");
  assert_string_equal(galley_doc_get_meta(doc, "title"), "Override");
  assert_string_equal(galley_doc_get_meta(doc, "publisher"),
                      "from the transform");
  assert_string_equal(galley_doc_get_base(doc), "some/folder");
  galley_doc_free(doc);
  /* A failing read leaves the status and message on the job. */
  doc = galley_doc_new();
  in.data = (const unsigned char *)"FAIL";
  in.size = 4;
  assert_int_equal(galley_job_build(job, &in, &reader_plugin, NULL, 0, doc),
                   GALLEY_EPARSE);
  assert_string_equal(galley_job_errmsg(job), "the input says FAIL");
  assert_int_equal(galley_job_build(job, &in, NULL, NULL, 0, doc),
                   GALLEY_EINVALID);
  assert_int_equal(galley_job_build(job, &in, &reader_plugin, NULL, 1, doc),
                   GALLEY_EINVALID);
  galley_doc_free(doc);
  galley_job_free(job);
}

static void apply_meta_replaces_first_then_adds(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_doc *doc = galley_doc_new();
  galley_doc_add_meta(doc, "author", "Old One");
  galley_doc_add_meta(doc, "title", "Old title");
  galley_doc_add_meta(doc, "author", "Old Two");
  assert_int_equal(galley_job_apply_meta(job, doc),
                   GALLEY_OK); /* no -M: no change */
  assert_int_equal(galley_doc_meta_size(doc), 3);
  galley_job_set_meta(job, "author", "Ann");
  galley_job_set_meta(job, "author", "Bob");
  galley_job_set_meta(job, "date", "2026-11-27");
  assert_int_equal(galley_job_apply_meta(job, doc), GALLEY_OK);
  assert_int_equal(galley_doc_meta_count(doc, "author"), 2);
  assert_string_equal(galley_doc_meta_value(doc, "author", 0), "Ann");
  assert_string_equal(galley_doc_meta_value(doc, "author", 1), "Bob");
  assert_string_equal(galley_doc_get_meta(doc, "title"), "Old title");
  assert_string_equal(galley_doc_get_meta(doc, "date"), "2026-11-27");
  /* Applying twice gives the same result. */
  assert_int_equal(galley_job_apply_meta(job, doc), GALLEY_OK);
  assert_int_equal(galley_doc_meta_count(doc, "author"), 2);
  assert_int_equal(galley_doc_meta_size(doc), 4);
  galley_doc_free(doc);
  galley_job_free(job);
}

/* ---- Cancellation ---- */

static void a_cancelled_job_stops_with_ecancelled(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_false(galley_job_cancelled(job));
  galley_job_cancel(job);
  assert_true(galley_job_cancelled(job));
  int rc;
  char *out = convert(job, "body", NULL, 0, &writer_plugin, &rc);
  assert_int_equal(rc, GALLEY_ECANCELLED);
  assert_int_equal(seen.writes, 0);
  assert_string_equal(out, "");
  free(out);
  galley_job_free(job);
}

static void cancelling_during_the_read_stops_before_writing(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  seen.cancel_in_read = 1;
  int rc;
  char *out = convert(job, "body", NULL, 0, &writer_plugin, &rc);
  assert_int_equal(rc, GALLEY_ECANCELLED);
  assert_int_equal(seen.reads, 1);
  assert_int_equal(seen.writes, 0);
  assert_int_equal(galley_job_status(job), GALLEY_ECANCELLED);
  free(out);
  galley_job_free(job);
}

/* ---- Many jobs at once ---- */

/* A reader that echoes its option and spins until cancelled when asked. */
static int echo_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  (void)in;
  if (galley_job_option_bool(job, "spin", false)) {
    while (!galley_job_cancelled(job))
      sched_yield();
    return galley_job_error(job, GALLEY_ECANCELLED, "stopped");
  }
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node_append_child(galley_doc_root(doc), p);
  const char *id = galley_job_option(job, "id");
  galley_node_append_child(p, galley_doc_new_text(doc, id, (size_t)-1));
  return GALLEY_OK;
}

static const galley_option echo_options[] = {
    {"id", GALLEY_OPT_STRING, "default", NULL, "what to echo"},
    {"spin", GALLEY_OPT_BOOL, "false", NULL, "wait for cancellation"},
    {NULL, 0, NULL, NULL, NULL},
};

static const galley_plugin echo_plugin =
    GALLEY_PLUGIN_DESCRIPTOR(.name = "echo", .summary = "echoes its id option",
                             .caps = GALLEY_CAN_READ, .options = echo_options,
                             .read = echo_read);

typedef struct worker {
  pthread_t thread;
  int index;
  int failures;
} worker;

static void *convert_many(void *arg) {
  worker *w = arg;
  char id[32], title[32], expected[96];
  for (int i = 0; i < 200; i++) {
    galley_job *job = galley_job_new(NULL);
    snprintf(id, sizeof id, "w%d-%d", w->index, i);
    snprintf(title, sizeof title, "T%d", w->index);
    galley_job_set_option(job, "id", id);
    galley_job_set_meta(job, "title", title);
    galley_sink *sink = galley_sink_new_memory();
    galley_input in = {(const unsigned char *)"", 0, id, NULL};
    int rc = galley_job_convert(job, &in, &echo_plugin, NULL, 0,
                                &plain_writer_plugin, sink);
    snprintf(expected, sizeof expected, "title=%s\n%s", title, id);
    if (rc != GALLEY_OK || strcmp(galley_sink_data(sink, NULL), expected) != 0)
      w->failures++;
    galley_sink_free(sink);
    galley_job_free(job);
  }
  return NULL;
}

static void jobs_on_many_threads_do_not_share_state(void **state) {
  (void)state;
  worker workers[8];
  for (int i = 0; i < 8; i++) {
    workers[i].index = i;
    workers[i].failures = 0;
    assert_int_equal(
        pthread_create(&workers[i].thread, NULL, convert_many, &workers[i]), 0);
  }
  int failures = 0;
  for (int i = 0; i < 8; i++) {
    pthread_join(workers[i].thread, NULL);
    failures += workers[i].failures;
  }
  assert_int_equal(failures, 0);
}

typedef struct running {
  galley_job *job;
  int rc;
} running;

static void *run_spinning(void *arg) {
  running *r = arg;
  galley_sink *sink = galley_sink_new_memory();
  galley_input in = {(const unsigned char *)"", 0, "spin", NULL};
  r->rc = galley_job_convert(r->job, &in, &echo_plugin, NULL, 0,
                             &plain_writer_plugin, sink);
  galley_sink_free(sink);
  return NULL;
}

static void cancel_stops_a_job_running_on_another_thread(void **state) {
  (void)state;
  running r = {galley_job_new(NULL), 1};
  galley_job_set_option(r.job, "spin", "true");
  pthread_t thread;
  assert_int_equal(pthread_create(&thread, NULL, run_spinning, &r), 0);
  usleep(20000);
  galley_job_cancel(r.job);
  pthread_join(thread, NULL);
  assert_int_equal(r.rc, GALLEY_ECANCELLED);
  assert_int_equal(galley_job_status(r.job), GALLEY_ECANCELLED);
  galley_job_free(r.job);
}

/* ---- Resource paths ---- */

static void resource_paths_are_kept_in_order(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_resource_path_count(job), 0);
  assert_int_equal(galley_job_add_resource_path(job, "images"), GALLEY_OK);
  assert_int_equal(galley_job_add_resource_path(job, "/srv/shared"), GALLEY_OK);
  assert_int_equal(galley_job_resource_path_count(job), 2);
  assert_string_equal(galley_job_resource_path(job, 0), "images");
  assert_string_equal(galley_job_resource_path(job, 1), "/srv/shared");
  assert_null(galley_job_resource_path(job, 2));
  galley_job_free(job);
}

static void local_files_are_allowed_until_the_host_says_no(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_true(galley_job_local_files(job));
  galley_job_set_local_files(job, false);
  assert_false(galley_job_local_files(job));
  /* Resource paths do not bring them back. */
  assert_int_equal(galley_job_add_resource_path(job, "images"), GALLEY_OK);
  assert_false(galley_job_local_files(job));
  galley_job_set_local_files(job, true);
  assert_true(galley_job_local_files(job));
  assert_false(galley_job_local_files(NULL));
  galley_job_free(job);
}

/* ---- Sinks ---- */

static void a_memory_sink_collects_everything_written(void **state) {
  (void)state;
  galley_sink *s = galley_sink_new_memory();
  assert_non_null(s);
  size_t len = 99;
  assert_string_equal(galley_sink_data(s, &len), "");
  assert_int_equal(len, 0);
  assert_int_equal(galley_sink_write(s, "ab\0c", 4), GALLEY_OK);
  assert_int_equal(galley_sink_puts(s, "def"), GALLEY_OK);
  assert_int_equal(galley_sink_printf(s, "%d-%s", 42, "x"), GALLEY_OK);
  assert_int_equal(galley_sink_write(s, "", 0), GALLEY_OK);
  const char *data = galley_sink_data(s, &len);
  assert_int_equal(len, 11);
  assert_int_equal(galley_sink_size(s), 11);
  assert_memory_equal(data, "ab\0cdef42-x", 12); /* NUL-terminated too */
  /* A long printf and many small writes. */
  char big[5000];
  memset(big, 'z', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  assert_int_equal(galley_sink_printf(s, "[%s]", big), GALLEY_OK);
  for (int i = 0; i < 10000; i++)
    assert_int_equal(galley_sink_write(s, "0123456789", 10), GALLEY_OK);
  data = galley_sink_data(s, &len);
  assert_int_equal(len, 11 + 5001 + 100000);
  assert_int_equal(data[11], '[');
  assert_int_equal(data[11 + 5000], ']');
  assert_int_equal(data[len], '\0');
  assert_int_equal(galley_sink_commit(s), GALLEY_OK);
  galley_sink_free(s);
}

static void a_stream_sink_writes_to_its_file(void **state) {
  (void)state;
  FILE *f = tmpfile();
  assert_non_null(f);
  galley_sink *s = galley_sink_new_stream(f);
  assert_non_null(s);
  assert_int_equal(galley_sink_puts(s, "streamed"), GALLEY_OK);
  assert_int_equal(galley_sink_commit(s), GALLEY_OK);
  assert_null(galley_sink_data(s, NULL));
  assert_int_equal(galley_sink_size(s), 8);
  galley_sink_free(s);
  rewind(f); /* the sink did not close it */
  char buf[16] = "";
  assert_non_null(fgets(buf, sizeof buf, f));
  assert_string_equal(buf, "streamed");
  fclose(f);
  assert_null(galley_sink_new_stream(NULL));
}

/* A fresh empty folder under TMPDIR; the caller removes it. */
static char *temp_dir(void) {
  const char *tmp = getenv("TMPDIR");
  char *dir = malloc(4096);
  snprintf(dir, 4096, "%s/galley-test-job-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  assert_non_null(mkdtemp(dir));
  return dir;
}

/* Names in `dir` other than . and .., joined with spaces and sorted. */
static void list_dir(const char *dir, char *out, size_t len) {
  struct dirent **names;
  int n = scandir(dir, &names, NULL, alphasort);
  assert_true(n >= 0);
  out[0] = '\0';
  for (int i = 0; i < n; i++) {
    if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
      if (out[0])
        strncat(out, " ", len - strlen(out) - 1);
      strncat(out, names[i]->d_name, len - strlen(out) - 1);
    }
    free(names[i]);
  }
  free(names);
}

static void remove_dir(char *dir) {
  struct dirent **names;
  int n = scandir(dir, &names, NULL, NULL);
  for (int i = 0; i < n; i++) {
    char path[4600];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
    if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
      unlink(path);
    free(names[i]);
  }
  free(names);
  rmdir(dir);
  free(dir);
}

static bool exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static void a_file_sink_appears_only_when_committed(void **state) {
  (void)state;
  char *dir = temp_dir();
  char path[4200], listing[512];
  snprintf(path, sizeof path, "%s/out.txt", dir);
  galley_sink *s = galley_sink_new_file(path);
  assert_non_null(s);
  assert_int_equal(galley_sink_puts(s, "complete document\n"), GALLEY_OK);
  /* Before commit: no target, one temporary file beside it. */
  assert_false(exists(path));
  list_dir(dir, listing, sizeof listing);
  assert_string_not_equal(listing, "");
  assert_null(strchr(listing, ' '));
  assert_string_not_equal(listing, "out.txt");
  assert_null(galley_sink_data(s, NULL));
  assert_int_equal(galley_sink_commit(s), GALLEY_OK);
  /* After commit: the target, and nothing else. */
  list_dir(dir, listing, sizeof listing);
  assert_string_equal(listing, "out.txt");
  galley_sink_free(s);
  list_dir(dir, listing, sizeof listing);
  assert_string_equal(listing, "out.txt");
  size_t n;
  FILE *f = fopen(path, "rb");
  char buf[64] = "";
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  assert_int_equal(n, 18);
  assert_string_equal(buf, "complete document\n");
  /* Committed files get a normal mode, not mkstemp's 0600. */
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  mode_t mask = umask(022);
  umask(mask);
  assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
  remove_dir(dir);
}

static void a_file_sink_freed_without_commit_leaves_no_file(void **state) {
  (void)state;
  char *dir = temp_dir();
  char path[4200], listing[512];
  snprintf(path, sizeof path, "%s/out.md", dir);
  galley_sink *s = galley_sink_new_file(path);
  assert_non_null(s);
  galley_sink_puts(s, "half a docu");
  galley_sink_free(s);
  list_dir(dir, listing, sizeof listing);
  assert_string_equal(listing, "");
  remove_dir(dir);
}

static void a_failed_write_leaves_an_existing_file_untouched(void **state) {
  (void)state;
  char *dir = temp_dir();
  char path[4200], listing[512];
  snprintf(path, sizeof path, "%s/keep.txt", dir);
  FILE *f = fopen(path, "w");
  fputs("precious", f);
  fclose(f);
  galley_sink *s = galley_sink_new_file(path);
  galley_sink_puts(s, "replacement");
  galley_sink_free(s);
  list_dir(dir, listing, sizeof listing);
  assert_string_equal(listing, "keep.txt");
  size_t len;
  FILE *g = fopen(path, "r");
  char buf[32] = "";
  len = fread(buf, 1, sizeof buf - 1, g);
  fclose(g);
  assert_int_equal(len, 8);
  assert_string_equal(buf, "precious");
  /* Through a conversion that fails in the writer, too. */
  galley_job *job = galley_job_new(NULL);
  s = galley_sink_new_file(path);
  galley_input in = input_of("text");
  assert_int_equal(galley_job_convert(job, &in, &reader_plugin, NULL, 0,
                                      &failing_writer_plugin, s),
                   GALLEY_EIO);
  galley_sink_free(s);
  list_dir(dir, listing, sizeof listing);
  assert_string_equal(listing, "keep.txt");
  /* A commit replaces it whole. */
  s = galley_sink_new_file(path);
  assert_int_equal(
      galley_job_convert(job, &in, &reader_plugin, NULL, 0, &writer_plugin, s),
      GALLEY_OK);
  assert_int_equal(galley_sink_commit(s), GALLEY_OK);
  galley_sink_free(s);
  list_dir(dir, listing, sizeof listing);
  assert_string_equal(listing, "keep.txt");
  g = fopen(path, "r");
  len = fread(buf, 1, sizeof buf - 1, g);
  buf[len] = '\0';
  fclose(g);
  assert_true(strncmp(buf, "title=from the reader\n", 22) == 0);
  galley_job_free(job);
  remove_dir(dir);
}

static void a_failed_flush_is_reported_and_stays_failed(void **state) {
  (void)state;
  FILE *f = fopen("/dev/full", "w");
  if (!f)
    skip();
  galley_sink *s = galley_sink_new_stream(f);
  galley_sink_puts(s, "bytes that cannot be written");
  assert_int_equal(galley_sink_commit(s), GALLEY_EIO);
  assert_int_equal(galley_sink_puts(s, "more"), GALLEY_EIO);
  assert_int_equal(galley_sink_commit(s), GALLEY_EIO);
  galley_sink_free(s);
  fclose(f);
}

static void a_file_sink_in_a_missing_folder_fails_cleanly(void **state) {
  (void)state;
  assert_null(galley_sink_new_file("/nonexistent-galley-folder/out.txt"));
  assert_null(galley_sink_new_file(""));
  assert_null(galley_sink_new_file(NULL));
}

int main(int argc, char **argv) {
  if (argc > 1)
    cmocka_set_test_filter(argv[1]); /* run one test: test_job NAME */
#define T(name) cmocka_unit_test_setup(name, reset_seen)
  const struct CMUnitTest tests[] = {
      T(options_are_set_replaced_and_removed),
      T(option_int_parses_numbers_and_falls_back_otherwise),
      T(option_bool_parses_words_and_falls_back_otherwise),
      T(option_defaults_come_from_the_plugin_being_called),
      T(an_error_sets_the_status_and_the_message),
      T(warnings_and_notes_do_not_fail_the_job),
      T(diagnostics_at_a_line_name_it_after_the_location),
      T(clear_forgets_diagnostics_and_the_error),
      T(diagnostics_are_folded_onto_one_line),
      T(many_diagnostics_are_all_kept),
      T(limits_have_the_documented_defaults),
      T(limits_init_writes_only_the_members_of_an_older_version),
      T(set_limits_reads_only_the_members_of_an_older_version),
      T(limits_of_an_unknown_version_are_refused),
      T(plugin_read_refuses_an_input_over_max_input_size),
      T(a_tree_deeper_than_max_depth_is_refused),
      T(a_document_over_max_nodes_is_refused_naming_the_limit),
      T(a_limit_of_zero_means_no_limit),
      T(plugin_calls_refuse_what_the_plugin_cannot_do),
      T(a_reader_failing_without_a_message_gets_one),
      T(convert_runs_read_transforms_and_write),
      T(meta_overrides_apply_after_reading_and_after_transforms),
      T(a_failed_read_stops_the_conversion_before_writing),
      T(convert_refuses_missing_arguments),
      T(job_build_reads_and_transforms_into_the_callers_document),
      T(apply_meta_replaces_first_then_adds),
      T(a_cancelled_job_stops_with_ecancelled),
      T(cancelling_during_the_read_stops_before_writing),
      T(jobs_on_many_threads_do_not_share_state),
      T(cancel_stops_a_job_running_on_another_thread),
      T(resource_paths_are_kept_in_order),
      T(local_files_are_allowed_until_the_host_says_no),
      T(a_memory_sink_collects_everything_written),
      T(a_stream_sink_writes_to_its_file),
      T(a_file_sink_appears_only_when_committed),
      T(a_file_sink_freed_without_commit_leaves_no_file),
      T(a_failed_write_leaves_an_existing_file_untouched),
      T(a_failed_flush_is_reported_and_stays_failed),
      T(a_file_sink_in_a_missing_folder_fails_cleanly),
      T(an_input_cursor_hands_out_every_byte_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
