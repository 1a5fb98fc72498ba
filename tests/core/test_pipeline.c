/* Unit tests of the one conversion path: format detection, options scoped
 * to the plugin that declares them and checked by core, values a plugin
 * passes to another, reports handed to the host, and batch hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <galley/galley.h>

/* What the callbacks saw, for the tests to check. One test at a time. */
static struct {
  char wrap[64];  /* galley_job_option(job, "wrap") in the writer */
  char inner[64]; /* the same in the writer called with values */
  char xhtml[64]; /* "xhtml" in the called writer */
  int reads, writes, learnt, begun, ended, released;
  const void *state; /* galley_job_batch_state during transform */
  char running_inner[128], running_outer[128]; /* galley_callback_running */
} seen;

/* "PLUGIN ACTION LOCATION" of the callback running on this thread. */
static void keep_running(char *dst) {
  const char *plugin, *action, *location;
  if (galley_callback_running(&plugin, &action, &location))
    snprintf(dst, 128, "%s %s %s", plugin, action,
             location ? location : "(null)");
  else
    snprintf(dst, 128, "(none)");
}

static void keep(char *dst, const char *v) {
  snprintf(dst, 64, "%s", v ? v : "(null)");
}

static int reset_seen(void **state) {
  (void)state;
  memset(&seen, 0, sizeof seen);
  return 0;
}

/* ---- Test plugins ---- */

/* "lines": reads every input as one paragraph; claims .lines and .tar.gz,
 * and probes "LINES" at the start. */
static int lines_read(galley_job *job, const galley_input *in,
                      galley_doc *doc) {
  (void)job;
  seen.reads++;
  galley_node *p = galley_doc_new_node(doc, GALLEY_NODE_PARAGRAPH);
  galley_node_append_child(galley_doc_root(doc), p);
  galley_node_append_child(
      p, galley_doc_new_text(doc, (const char *)in->data, in->size));
  return GALLEY_OK;
}

static int lines_probe(const unsigned char *head, size_t len) {
  return len >= 5 && memcmp(head, "LINES", 5) == 0 ? 90 : 0;
}

static const char *const lines_ext[] = {"lines", "tar.gz", NULL};
static const galley_option lines_options[] = {
    {"strict", GALLEY_OPT_BOOL, "false", NULL, "read: refuse odd lines"},
    {NULL, 0, NULL, NULL, NULL},
};

static const galley_plugin lines_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = sizeof(galley_plugin),
    .name = "lines",
    .version = "1",
    .summary = "one paragraph",
    .caps = GALLEY_CAN_READ,
    .extensions = lines_ext,
    .media_type = "text/x-lines",
    .options = lines_options,
    .probe = lines_probe,
    .read = lines_read,
};

/* "gz": claims the last part of .tar.gz, which must lose to "lines". */
static const char *const gz_ext[] = {"gz", NULL};
static const galley_plugin gz_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = sizeof(galley_plugin),
    .name = "gz",
    .version = "1",
    .summary = "gzip",
    .caps = GALLEY_CAN_READ,
    .extensions = gz_ext,
    .media_type = "application/gzip",
    .read = lines_read,
};

/* "inner": a writer with its own wrap and an xhtml mode. */
static const galley_option inner_options[] = {
    {"wrap", GALLEY_OPT_INT, "40", NULL, "write: width"},
    {"xhtml", GALLEY_OPT_BOOL, "false", NULL, "write: XHTML"},
    {"mode", GALLEY_OPT_ENUM, "a", "a|b", "write: a mode"},
    {NULL, 0, NULL, NULL, NULL},
};

static int inner_write(galley_job *job, const galley_doc *doc,
                       galley_sink *out) {
  (void)doc;
  keep(seen.inner, galley_job_option(job, "wrap"));
  keep(seen.xhtml, galley_job_option(job, "xhtml"));
  keep_running(seen.running_inner);
  galley_sink_puts(out, "inner");
  return GALLEY_OK;
}

static const galley_plugin inner_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = sizeof(galley_plugin),
    .name = "inner",
    .version = "1",
    .summary = "called by outer",
    .caps = GALLEY_CAN_WRITE,
    .extensions = NULL,
    .media_type = "text/x-inner",
    .options = inner_options,
    .write = inner_write,
};

/* "outer": a writer that renders through "inner" with values of its own,
 * as the EPUB writer renders chapters with the html writer. */
static const galley_option outer_options[] = {
    {"wrap", GALLEY_OPT_INT, "72", NULL, "write: width"},
    {NULL, 0, NULL, NULL, NULL},
};

static int outer_write(galley_job *job, const galley_doc *doc,
                       galley_sink *out) {
  seen.writes++;
  keep(seen.wrap, galley_job_option(job, "wrap"));
  const galley_plugin *inner =
      galley_registry_find(galley_job_registry(job), "inner");
  if (inner) {
    const galley_option_value values[] = {{"xhtml", "true"}, {"wrap", NULL}};
    int rc = galley_plugin_write_with(job, inner, doc, out, values, 2);
    if (rc != GALLEY_OK)
      return rc;
    /* The caller's view is back after the call. */
    const char *after = galley_job_option(job, "wrap");
    if (strcmp(seen.wrap, after ? after : "(null)") != 0)
      return galley_job_error(job, GALLEY_EINVALID, "wrap changed");
    keep_running(seen.running_outer);
  }
  galley_sink_printf(out, " %s",
                     galley_node_text((galley_doc *)doc, galley_doc_root(doc)));
  return GALLEY_OK;
}

static const char *const outer_ext[] = {"out", NULL};
static const galley_plugin outer_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = sizeof(galley_plugin),
    .name = "outer",
    .version = "1",
    .summary = "calls inner",
    .caps = GALLEY_CAN_WRITE,
    .extensions = outer_ext,
    .media_type = "text/x-outer",
    .options = outer_options,
    .write = outer_write,
};

/* "learner": a transform with batch hooks that counts the documents of
 * its batch and reports how many it saw. */
typedef struct learnt {
  int docs;
} learnt;

static void *learner_begin(galley_job *job) {
  (void)job;
  seen.begun++;
  return calloc(1, sizeof(learnt));
}

static int learner_learn(void *state, galley_job *job, const galley_doc *doc) {
  (void)job;
  (void)doc;
  seen.learnt++;
  ((learnt *)state)->docs++;
  return GALLEY_OK;
}

static void learner_end(void *state) {
  seen.ended++;
  free(state);
}

static const galley_option learner_options[] = {
    {"report", GALLEY_OPT_PATH, NULL, NULL, "where the report goes"},
    {NULL, 0, NULL, NULL, NULL},
};

static int learner_transform(galley_job *job, galley_doc *doc) {
  (void)doc;
  const learnt *l = galley_job_batch_state(job);
  seen.state = l;
  const char *path = galley_job_option(job, "report");
  if (path) {
    char text[64];
    int n = snprintf(text, sizeof text, "%d docs\n", l ? l->docs : 0);
    return galley_job_add_report(job, "count", path, text, (size_t)n);
  }
  return GALLEY_OK;
}

static const galley_plugin learner_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = sizeof(galley_plugin),
    .name = "learner",
    .version = "1",
    .summary = "learns across a batch",
    .caps = GALLEY_CAN_TRANSFORM,
    .options = learner_options,
    .transform = learner_transform,
    .batch_begin = learner_begin,
    .batch_learn = learner_learn,
    .batch_end = learner_end,
};

/* A transform that has only one of the three hooks: refused. */
static const galley_plugin half_hooks_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = sizeof(galley_plugin),
    .name = "halfhooks",
    .version = "1",
    .summary = "broken",
    .caps = GALLEY_CAN_TRANSFORM,
    .transform = learner_transform,
    .batch_learn = learner_learn,
};

static galley_registry *registry(void) {
  galley_registry *reg = galley_registry_new();
  assert_int_equal(galley_registry_add(reg, &lines_plugin, "test"), GALLEY_OK);
  assert_int_equal(galley_registry_add(reg, &gz_plugin, "test"), GALLEY_OK);
  assert_int_equal(galley_registry_add(reg, &inner_plugin, "test"), GALLEY_OK);
  assert_int_equal(galley_registry_add(reg, &outer_plugin, "test"), GALLEY_OK);
  assert_int_equal(galley_registry_add(reg, &learner_plugin, "test"),
                   GALLEY_OK);
  return reg;
}

static galley_input input_of(const char *s, const char *name) {
  galley_input in = {(const unsigned char *)s, strlen(s), name, NULL};
  return in;
}

/* Runs `job` on `text` named `name`; the output, malloc'd ("" on failure). */
static char *run(galley_job *job, const char *text, const char *name, int *rc) {
  galley_sink *sink = galley_sink_new_memory();
  galley_input in = input_of(text, name);
  *rc = galley_job_run(job, &in, sink);
  char *out = strdup(galley_sink_data(sink, NULL));
  galley_sink_free(sink);
  return out;
}

/* ---- Detection ---- */

static void detection_tries_compound_extensions_first(void **state) {
  (void)state;
  galley_registry *reg = registry();
  assert_ptr_equal(
      galley_registry_find_path(reg, "a/b.tar.gz", GALLEY_CAN_READ),
      &lines_plugin);
  assert_ptr_equal(galley_registry_find_path(reg, "b.gz", GALLEY_CAN_READ),
                   &gz_plugin);
  assert_ptr_equal(galley_registry_find_path(reg, "x.LINES", GALLEY_CAN_READ),
                   &lines_plugin);
  assert_null(galley_registry_find_path(reg, "-", GALLEY_CAN_READ));
  assert_null(galley_registry_find_path(reg, NULL, GALLEY_CAN_READ));
  /* A dot in a folder name is no extension; a leading dot starts none. */
  assert_null(
      galley_registry_find_path(reg, "d.lines/readme", GALLEY_CAN_READ));
  assert_null(galley_registry_find_path(reg, ".lines", GALLEY_CAN_READ));
  /* No extension: the probes decide. */
  const unsigned char head[] = "LINES of text";
  assert_ptr_equal(galley_registry_detect(reg, "noext", head, sizeof head - 1,
                                          GALLEY_CAN_READ),
                   &lines_plugin);
  assert_null(galley_registry_detect(reg, "noext", (const unsigned char *)"x",
                                     1, GALLEY_CAN_READ));
  galley_registry_free(reg);
}

static void a_job_detects_its_reader_or_says_why_not(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  galley_input in = input_of("LINES here", "-");
  assert_ptr_equal(galley_job_detect(job, &in), &lines_plugin);
  in = input_of("nothing to go by", "-");
  assert_null(galley_job_detect(job, &in));
  assert_int_equal(galley_job_status(job), GALLEY_EUNSUPPORTED);
  assert_string_equal(galley_job_errmsg(job),
                      "cannot tell the input format (use -f FORMAT; see "
                      "--list-formats)");
  /* A reader set on the job is used whatever the input. */
  galley_job_clear(job);
  assert_int_equal(galley_job_set_reader(job, &gz_plugin), GALLEY_OK);
  assert_ptr_equal(galley_job_detect(job, &in), &gz_plugin);
  assert_int_equal(galley_job_set_reader(job, &outer_plugin), GALLEY_EINVALID);
  assert_int_equal(galley_job_set_writer(job, &lines_plugin), GALLEY_EINVALID);
  assert_int_equal(galley_job_add_transform(job, &lines_plugin),
                   GALLEY_EINVALID);
  galley_job_free(job);
  galley_registry_free(reg);
}

/* ---- Running a conversion ---- */

static void run_detects_reads_transforms_and_writes(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  assert_int_equal(galley_job_set_writer(job, &outer_plugin), GALLEY_OK);
  assert_int_equal(galley_job_add_transform(job, &learner_plugin), GALLEY_OK);
  assert_int_equal(galley_job_set_meta(job, "title", "T"), GALLEY_OK);
  int rc;
  char *out = run(job, "hello", "page.lines", &rc);
  assert_int_equal(rc, GALLEY_OK);
  assert_string_equal(out, "inner hello");
  assert_int_equal(seen.reads, 1);
  assert_int_equal(seen.writes, 1);
  /* Not part of a batch: no state. */
  assert_null(seen.state);
  free(out);
  /* Nothing claims the input: the conversion stops before reading. */
  galley_job_clear(job);
  out = run(job, "plain", "page.unknown", &rc);
  assert_int_equal(rc, GALLEY_EUNSUPPORTED);
  assert_int_equal(seen.reads, 1);
  assert_string_equal(out, "");
  free(out);
  /* No writer: refused. */
  galley_job *bare = galley_job_new(reg);
  out = run(bare, "LINES", "x", &rc);
  assert_int_equal(rc, GALLEY_EINVALID);
  free(out);
  galley_job_free(bare);
  galley_job_free(job);
  galley_registry_free(reg);
}

static void release_input(void *ctx) {
  (void)ctx;
  seen.released++;
}

static void the_input_is_released_once_read_or_on_failure(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  galley_job_set_writer(job, &outer_plugin);
  galley_job_set_input_release(job, release_input, NULL);
  int rc;
  char *out = run(job, "x", "a.lines", &rc);
  assert_int_equal(rc, GALLEY_OK);
  assert_int_equal(seen.released, 1);
  free(out);
  /* Forgotten after one call. */
  out = run(job, "x", "a.lines", &rc);
  assert_int_equal(seen.released, 1);
  free(out);
  /* Released too when the conversion stops before reading. */
  galley_job_set_input_release(job, release_input, NULL);
  out = run(job, "x", "a.unknown", &rc);
  assert_int_equal(rc, GALLEY_EUNSUPPORTED);
  assert_int_equal(seen.released, 2);
  free(out);
  galley_job_free(job);
  galley_registry_free(reg);
}

static void build_doc_and_write_doc_are_the_two_halves_of_run(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  galley_job_set_writer(job, &outer_plugin);
  galley_job_set_meta(job, "title", "Override");
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)"half", 4, "x.lines", "some/dir"};
  assert_int_equal(galley_job_build_doc(job, &in, doc), GALLEY_OK);
  assert_string_equal(galley_doc_get_meta(doc, "title"), "Override");
  assert_string_equal(galley_doc_get_base(doc), "some/dir");
  galley_sink *sink = galley_sink_new_memory();
  assert_int_equal(galley_job_write_doc(job, doc, sink), GALLEY_OK);
  assert_string_equal(galley_sink_data(sink, NULL), "inner half");
  galley_sink_free(sink);
  galley_doc_free(doc);
  galley_job_free(job);
  galley_registry_free(reg);
}

/* ---- Options ---- */

static void scoped_options_win_over_unscoped_ones(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  galley_job_set_writer(job, &outer_plugin);
  /* Unscoped: for both plugins that declare wrap. */
  galley_job_set_option(job, "wrap", "50");
  int rc;
  char *out = run(job, "x", "a.lines", &rc);
  assert_int_equal(rc, GALLEY_OK);
  assert_string_equal(seen.wrap, "50");
  /* inner gets what outer passed: NULL means its own default. */
  assert_string_equal(seen.inner, "40");
  assert_string_equal(seen.xhtml, "true");
  free(out);
  /* Scoped to outer: only outer. */
  galley_job_set_option(job, "outer.wrap", "60");
  out = run(job, "x", "a.lines", &rc);
  assert_string_equal(seen.wrap, "60");
  free(out);
  /* The user's inner.xhtml does not beat what outer passes. */
  galley_job_set_option(job, "inner.xhtml", "false");
  out = run(job, "x", "a.lines", &rc);
  assert_int_equal(rc, GALLEY_OK);
  assert_string_equal(seen.xhtml, "true");
  free(out);
  /* The host may ask as a plugin would see it. */
  assert_string_equal(galley_job_option(job, "wrap"), "50");
  assert_string_equal(galley_job_option(job, "outer.wrap"), "60");
  assert_string_equal(galley_job_option(job, "inner.wrap"), "50");
  assert_string_equal(galley_job_option(job, "lines.strict"), "false");
  assert_null(galley_job_option(job, "strict"));
  galley_job_free(job);
  galley_registry_free(reg);
}

static void options_are_listed_as_set(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_set_option(job, "wrap", "1"), GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, "text.wrap", "2"), GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, "css", "a.css"), GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, "text.wrap", "3"), GALLEY_OK);
  assert_int_equal(galley_job_set_option(job, ".wrap", "3"), GALLEY_EINVALID);
  assert_int_equal(galley_job_set_option(job, "text.", "3"), GALLEY_EINVALID);
  assert_int_equal(galley_job_option_count(job), 3);
  const char *scope, *name, *value;
  assert_int_equal(galley_job_option_at(job, 1, &scope, &name, &value),
                   GALLEY_OK);
  assert_string_equal(scope, "text");
  assert_string_equal(name, "wrap");
  assert_string_equal(value, "3");
  assert_int_equal(galley_job_option_at(job, 0, &scope, &name, &value),
                   GALLEY_OK);
  assert_null(scope);
  assert_string_equal(value, "1");
  /* Removing keeps the others in order. */
  assert_int_equal(galley_job_set_option(job, "wrap", NULL), GALLEY_OK);
  assert_int_equal(galley_job_option_at(job, 0, &scope, &name, &value),
                   GALLEY_OK);
  assert_string_equal(scope, "text");
  assert_int_equal(galley_job_option_at(job, 2, &scope, &name, &value),
                   GALLEY_ENOTFOUND);
  galley_job_free(job);
}

/* Checks `key=value` on a job with writer `outer` (and `reader`, or every
 * reader); the message on failure, malloc'd, or NULL when accepted. */
static char *check(galley_registry *reg, const galley_plugin *reader,
                   const char *key, const char *value) {
  galley_job *job = galley_job_new(reg);
  galley_job_set_writer(job, &outer_plugin);
  galley_job_set_option(job, key, value);
  int rc = galley_job_check_options(job, reader);
  char *msg = rc == GALLEY_OK ? NULL : strdup(galley_job_errmsg(job));
  if (rc != GALLEY_OK)
    assert_int_equal(rc, GALLEY_EINVALID);
  galley_job_free(job);
  return msg;
}

static void core_checks_options_against_the_declarations(void **state) {
  (void)state;
  galley_registry *reg = registry();
  struct {
    const galley_plugin *reader;
    const char *key, *value, *msg; /* msg NULL: accepted */
  } cases[] = {
      {&lines_plugin, "wrap", "60", NULL},
      {&lines_plugin, "outer.wrap", "60", NULL},
      {&lines_plugin, "inner.mode", "b", NULL},
      {NULL, "strict", "yes", NULL},
      {&lines_plugin, "strict", "true", NULL},
      {&gz_plugin, "strict", "true",
       "unknown option 'strict' for outer, gz (see galley --help-format "
       "NAME)"},
      {&lines_plugin, "nosuch", "1",
       "unknown option 'nosuch' for outer, lines (see galley --help-format "
       "NAME)"},
      {&lines_plugin, "outer.strict", "1",
       "unknown option 'strict' for outer (see galley --help-format outer)"},
      {&lines_plugin, "nosuch.wrap", "1",
       "option nosuch.wrap: no plugin named 'nosuch' is loaded"},
      {&lines_plugin, "wrap", "x",
       "option wrap wants a whole number, got 'x' (outer)"},
      {&lines_plugin, "inner.wrap", "x",
       "option wrap wants a whole number, got 'x' (inner)"},
      {&lines_plugin, "strict", "perhaps",
       "option strict wants true or false, got 'perhaps' (lines)"},
      {&lines_plugin, "inner.mode", "c",
       "option mode wants one of a|b, got 'c' (inner)"},
      {&lines_plugin, "max-depth", "10K", NULL},
      {&lines_plugin, "max-depth", "0",
       "max-depth wants a positive number, got '0'"},
      {&lines_plugin, "max-nodes", "-3",
       "max-nodes wants a positive number, got '-3'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *msg = check(reg, cases[i].reader, cases[i].key, cases[i].value);
    if (!cases[i].msg && msg)
      fail_msg("%s=%s: refused: %s", cases[i].key, cases[i].value, msg);
    if (cases[i].msg && (!msg || strcmp(msg, cases[i].msg) != 0))
      fail_msg("%s=%s: got '%s', want '%s'", cases[i].key, cases[i].value,
               msg ? msg : "(accepted)", cases[i].msg);
    free(msg);
  }
  galley_registry_free(reg);
}

static void a_limit_option_sets_the_limit(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_int_equal(galley_job_set_option(job, "max-depth", "2K"), GALLEY_OK);
  assert_int_equal(galley_job_limits(job)->max_depth, 2048);
  assert_int_equal(galley_job_set_option(job, "max-nodes", "7"), GALLEY_OK);
  assert_int_equal(galley_job_limits(job)->max_nodes, 7);
  /* A bad value changes nothing (the check reports it). */
  assert_int_equal(galley_job_set_option(job, "max-nodes", "0"), GALLEY_OK);
  assert_int_equal(galley_job_limits(job)->max_nodes, 7);
  galley_job_free(job);
}

static void run_checks_options_unless_the_host_did(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  galley_job_set_writer(job, &outer_plugin);
  galley_job_set_option(job, "strict", "true");
  /* gz is this conversion's reader and does not declare strict. */
  int rc;
  char *out = run(job, "x", "a.gz", &rc);
  assert_int_equal(rc, GALLEY_EINVALID);
  assert_int_equal(seen.reads, 0);
  free(out);
  /* A host whose readers vary checks once against every reader. */
  galley_job_clear(job);
  assert_int_equal(galley_job_check_options(job, NULL), GALLEY_OK);
  out = run(job, "x", "a.gz", &rc);
  assert_int_equal(rc, GALLEY_OK);
  free(out);
  /* A copy keeps the options and that they were checked. */
  galley_job *copy = galley_job_copy(job);
  assert_string_equal(galley_job_option(copy, "strict"), "true");
  assert_ptr_equal(galley_job_writer(copy), &outer_plugin);
  out = run(copy, "x", "a.gz", &rc);
  assert_int_equal(rc, GALLEY_OK);
  free(out);
  galley_job_free(copy);
  /* Changing an option needs another check. */
  galley_job_set_option(job, "wrap", "x");
  out = run(job, "x", "a.lines", &rc);
  assert_int_equal(rc, GALLEY_EINVALID);
  free(out);
  galley_job_free(job);
  galley_registry_free(reg);
}

static void calling_another_plugin_leaves_the_options_unchanged(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  galley_job_set_writer(job, &outer_plugin);
  galley_job_set_option(job, "inner.xhtml", "false");
  galley_job_set_option(job, "wrap", "33");
  galley_job_set_location(job, "a.lines");
  int rc;
  char *out = run(job, "x", "a.lines", &rc);
  assert_int_equal(rc, GALLEY_OK);
  free(out);
  /* What a crash handler would name: the callee while it runs, the caller
   * again after, nothing once the conversion is over. */
  assert_string_equal(seen.running_inner, "inner writing a.lines");
  assert_string_equal(seen.running_outer, "outer writing a.lines");
  assert_false(galley_callback_running(NULL, NULL, NULL));
  assert_int_equal(galley_job_option_count(job), 2);
  const char *scope, *name, *value;
  galley_job_option_at(job, 0, &scope, &name, &value);
  assert_string_equal(scope, "inner");
  assert_string_equal(name, "xhtml");
  assert_string_equal(value, "false");
  galley_job_option_at(job, 1, &scope, &name, &value);
  assert_null(scope);
  assert_string_equal(name, "wrap");
  assert_string_equal(value, "33");
  galley_job_free(job);
  galley_registry_free(reg);
}

/* ---- Reports ---- */

static void reports_go_to_the_host_and_a_path_is_reported_once(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  galley_job_set_writer(job, &outer_plugin);
  galley_job_add_transform(job, &learner_plugin);
  galley_job_add_transform(job, &learner_plugin);
  galley_job_set_option(job, "report", "count.txt");
  int rc;
  char *out = run(job, "x", "a.lines", &rc);
  assert_int_equal(rc, GALLEY_OK);
  free(out);
  assert_int_equal(galley_job_report_count(job), 1);
  const galley_report *r = galley_job_report_at(job, 0);
  assert_string_equal(r->plugin, "learner");
  assert_string_equal(r->kind, "count");
  assert_string_equal(r->path, "count.txt");
  assert_int_equal(r->size, 7);
  assert_memory_equal(r->data, "0 docs\n", 7);
  galley_job_clear(job);
  assert_int_equal(galley_job_report_count(job), 0);
  galley_job_free(job);
  galley_registry_free(reg);
}

/* ---- Batches ---- */

static void a_batch_hands_each_transform_its_state(void **state) {
  (void)state;
  galley_registry *reg = registry();
  galley_job *job = galley_job_new(reg);
  galley_job_set_writer(job, &outer_plugin);
  /* No transform with hooks: no batch, and no error. */
  assert_null(galley_batch_new(job));
  assert_int_equal(galley_job_status(job), GALLEY_OK);
  galley_job_add_transform(job, &learner_plugin);
  galley_job_set_option(job, "report", "n.txt");
  galley_batch *batch = galley_batch_new(job);
  assert_non_null(batch);
  assert_int_equal(seen.begun, 1);
  const char *pages[] = {"a", "b", "c"};
  for (size_t i = 0; i < 3; i++) {
    galley_job *j = galley_job_copy(job);
    galley_input in = input_of(pages[i], "p.lines");
    assert_int_equal(galley_batch_learn(batch, j, &in), GALLEY_OK);
    galley_job_free(j);
  }
  assert_int_equal(seen.learnt, 3);
  /* An input no reader takes is not learnt. */
  galley_input bad = input_of("?", "p.unknown");
  assert_int_equal(galley_batch_learn(batch, job, &bad), GALLEY_EUNSUPPORTED);
  galley_job_clear(job);
  galley_job_set_batch(job, batch);
  int rc;
  char *out = run(job, "a", "p.lines", &rc);
  assert_int_equal(rc, GALLEY_OK);
  assert_non_null(seen.state);
  assert_memory_equal(galley_job_report_at(job, 0)->data, "3 docs\n", 7);
  free(out);
  /* A copy is not part of the batch. */
  galley_job *copy = galley_job_copy(job);
  out = run(copy, "a", "p.lines", &rc);
  assert_null(seen.state);
  free(out);
  galley_job_free(copy);
  galley_batch_free(batch);
  assert_int_equal(seen.ended, 1);
  galley_job_free(job);
  galley_registry_free(reg);
}

static void the_loader_refuses_half_a_set_of_batch_hooks(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  assert_int_not_equal(galley_registry_add(reg, &half_hooks_plugin, "test"),
                       GALLEY_OK);
  assert_int_equal(galley_registry_message_count(reg), 1);
  assert_non_null(strstr(galley_registry_message(reg, 0),
                         "only some of batch_begin, batch_learn and "
                         "batch_end"));
  galley_registry_free(reg);
}

int main(void) {
#define T(name) cmocka_unit_test_setup(name, reset_seen)
  const struct CMUnitTest tests[] = {
      T(detection_tries_compound_extensions_first),
      T(a_job_detects_its_reader_or_says_why_not),
      T(run_detects_reads_transforms_and_writes),
      T(the_input_is_released_once_read_or_on_failure),
      T(build_doc_and_write_doc_are_the_two_halves_of_run),
      T(scoped_options_win_over_unscoped_ones),
      T(options_are_listed_as_set),
      T(core_checks_options_against_the_declarations),
      T(a_limit_option_sets_the_limit),
      T(run_checks_options_unless_the_host_did),
      T(calling_another_plugin_leaves_the_options_unchanged),
      T(reports_go_to_the_host_and_a_path_is_reported_once),
      T(a_batch_hands_each_transform_its_state),
      T(the_loader_refuses_half_a_set_of_batch_hooks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
