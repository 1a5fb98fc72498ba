/* Unit tests of the plugin loader and registry: refusals with one message
 * each, first-found-wins, lookups by name, extension and probe, and the
 * search order of galley_registry_load_default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <galley/galley.h>

#ifndef TEST_PLUGIN_DIR
#error "TEST_PLUGIN_DIR must name the build folder of the test plugins"
#endif

static const char *plugin_path(const char *file) {
  static _Thread_local char path[4096]; /* loader threads call this at once */
  snprintf(path, sizeof path, "%s/%s", TEST_PLUGIN_DIR, file);
  return path;
}

/* The messages that mention `needle`. */
static size_t count_messages(const galley_registry *reg, const char *needle) {
  size_t n = 0;
  for (size_t i = 0; i < galley_registry_message_count(reg); i++)
    if (strstr(galley_registry_message(reg, i), needle))
      n++;
  return n;
}

/* The one message about file `path`: it must start with "plugin PATH:". */
static const char *message_about(const galley_registry *reg, const char *path) {
  char prefix[4200];
  snprintf(prefix, sizeof prefix, "plugin %s:", path);
  const char *found = NULL;
  for (size_t i = 0; i < galley_registry_message_count(reg); i++) {
    const char *m = galley_registry_message(reg, i);
    if (strncmp(m, prefix, strlen(prefix)) == 0) {
      if (found)
        fail_msg("two messages about %s:\n  %s\n  %s", path, found, m);
      found = m;
    }
  }
  if (!found) {
    fail_msg("no message about %s", path);
    return "";
  }
  assert_null(strchr(found, '\n'));
  return found;
}

static void assert_contains(const char *haystack, const char *needle) {
  if (!haystack || !needle || !strstr(haystack, needle))
    fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)",
             needle ? needle : "(null)");
}

static size_t index_of(const galley_registry *reg, const char *name) {
  for (size_t i = 0; i < galley_registry_count(reg); i++)
    if (strcmp(galley_registry_at(reg, i)->name, name) == 0)
      return i;
  fail_msg("no plugin named %s", name);
  return 0;
}

/* ---- Loading the test plugins' folder ---- */

static void
load_dir_loads_only_the_valid_plugin_and_refuses_the_rest(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  assert_non_null(reg);
  assert_int_equal(
      galley_registry_load_dir(reg, TEST_PLUGIN_DIR, GALLEY_ORIGIN_OPTION), 3);
  assert_int_equal(galley_registry_count(reg), 3);
  /* Files load in name order: duplicate.so comes before good.so and wins. */
  size_t i = index_of(reg, "good");
  assert_string_equal(galley_registry_path(reg, i),
                      plugin_path("duplicate.so"));
  assert_int_equal(galley_registry_origin(reg, i), GALLEY_ORIGIN_OPTION);
  index_of(reg, "init_counts");
  index_of(reg, "before_init");
  /* One message per refused file, each naming the file and the reason. */
  assert_int_equal(galley_registry_message_count(reg), 7);
  char dup_path[4096];
  snprintf(dup_path, sizeof dup_path, "%s", plugin_path("duplicate.so"));
  const char *m = message_about(reg, plugin_path("good.so"));
  assert_contains(m, "duplicate");
  assert_contains(m, "'good'");
  assert_contains(m, dup_path);
  m = message_about(reg, plugin_path("wrong_abi.so"));
  char abi_msg[128];
  snprintf(abi_msg, sizeof abi_msg,
           "built for plugin ABI 999, this galley uses ABI %d",
           GALLEY_ABI_VERSION);
  assert_contains(m, abi_msg);
  m = message_about(reg, plugin_path("no_entry.so"));
  assert_contains(m, "galley_plugin_init");
  m = message_about(reg, plugin_path("not_a_plugin.so"));
  assert_contains(m, "cannot load");
  m = message_about(reg, plugin_path("small_struct.so"));
  assert_contains(m, "size 16");
  m = message_about(reg, plugin_path("caps_mismatch.so"));
  assert_contains(m, "declares read");
  assert_contains(m, "read callback");
  m = message_about(reg, plugin_path("init_fails.so"));
  assert_contains(m, "init of 'init_fails' failed (not supported)");
  galley_registry_free(reg);
}

/* ---- init ---- */

typedef struct loader {
  pthread_t thread;
  int probe, transform;
} loader;

static void *load_init_counts(void *arg) {
  loader *l = arg;
  galley_registry *reg = galley_registry_new();
  l->probe = -1;
  if (galley_registry_load_file(reg, plugin_path("init_counts.so"),
                                GALLEY_ORIGIN_OPTION) == GALLEY_OK) {
    const galley_plugin *p = galley_registry_find(reg, "init_counts");
    l->probe = p->probe(NULL, 0);
    galley_job *job = galley_job_new(reg);
    galley_doc *doc = galley_doc_new();
    l->transform = galley_plugin_transform(job, p, doc);
    galley_doc_free(doc);
    galley_job_free(job);
  }
  galley_registry_free(reg);
  return NULL;
}

static void init_runs_once_whatever_loads_the_module(void **state) {
  (void)state;
  /* Eight registries on eight threads at once, then one more: init_counts
   * reports 10 per run of its init, and its transform fails unless init
   * ran before it. */
  loader loaders[8];
  for (size_t i = 0; i < 8; i++)
    assert_int_equal(
        pthread_create(&loaders[i].thread, NULL, load_init_counts, &loaders[i]),
        0);
  for (size_t i = 0; i < 8; i++) {
    pthread_join(loaders[i].thread, NULL);
    assert_int_equal(loaders[i].probe, 10);
    assert_int_equal(loaders[i].transform, GALLEY_OK);
  }
  loader again;
  load_init_counts(&again);
  assert_int_equal(again.probe, 10);
}

static void a_failing_init_refuses_the_plugin_with_one_message(void **state) {
  (void)state;
  for (int round = 0; round < 2; round++) {
    /* The second registry gets the first run's answer. */
    galley_registry *reg = galley_registry_new();
    assert_int_equal(galley_registry_load_file(reg,
                                               plugin_path("init_fails.so"),
                                               GALLEY_ORIGIN_OPTION),
                     GALLEY_EUNSUPPORTED);
    assert_int_equal(galley_registry_count(reg), 0);
    assert_int_equal(galley_registry_message_count(reg), 1);
    assert_contains(message_about(reg, plugin_path("init_fails.so")),
                    "init of 'init_fails' failed (not supported); skipped");
    assert_null(galley_registry_find(reg, "init_fails"));
    galley_registry_free(reg);
  }
}

static void a_descriptor_that_ends_before_init_loads_without_it(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  assert_int_equal(galley_registry_load_file(reg, plugin_path("before_init.so"),
                                             GALLEY_ORIGIN_OPTION),
                   GALLEY_OK);
  assert_int_equal(galley_registry_message_count(reg), 0);
  assert_non_null(galley_registry_find(reg, "before_init"));
  galley_registry_free(reg);
}

static atomic_int builtin_inits;
static int builtin_init(void) {
  atomic_fetch_add(&builtin_inits, 1);
  return GALLEY_OK;
}
static int builtin_init_fails(void) { return GALLEY_ENOTFOUND; }
static int builtin_transform(galley_job *job, galley_doc *doc) {
  (void)job;
  (void)doc;
  return GALLEY_OK;
}

static void builtin_descriptors_are_initialised_once_too(void **state) {
  (void)state;
  static const galley_plugin with_init =
      GALLEY_PLUGIN_DESCRIPTOR(.name = "withinit", .caps = GALLEY_CAN_TRANSFORM,
                               .transform = builtin_transform,
                               .init = builtin_init);
  static const galley_plugin failing =
      GALLEY_PLUGIN_DESCRIPTOR(.name = "failinginit",
                               .caps = GALLEY_CAN_TRANSFORM,
                               .transform = builtin_transform,
                               .init = builtin_init_fails);
  for (int round = 0; round < 2; round++) {
    galley_registry *reg = galley_registry_new();
    assert_int_equal(galley_registry_add(reg, &with_init, "linked in"),
                     GALLEY_OK);
    assert_int_equal(galley_registry_add(reg, &failing, "linked in too"),
                     GALLEY_ENOTFOUND);
    assert_contains(message_about(reg, "linked in too"),
                    "init of 'failinginit' failed (not found)");
    assert_int_equal(galley_registry_count(reg), 1);
    galley_registry_free(reg);
  }
  assert_int_equal(atomic_load(&builtin_inits), 1);
}

static void plugins_fill_in_their_numbers_with_plugin_define(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  assert_int_equal(
      galley_registry_load_file(reg, plugin_path("good.so"), GALLEY_ORIGIN_ENV),
      GALLEY_OK);
  const galley_plugin *p = galley_registry_find(reg, "good");
  assert_int_equal(p->abi_version, GALLEY_ABI_VERSION);
  assert_int_equal(p->struct_size, sizeof(galley_plugin));
  assert_string_equal(p->version, "1.0"); /* its own, given after galley's */
  assert_null(p->init);
  assert_int_equal(galley_registry_load_file(reg, plugin_path("init_counts.so"),
                                             GALLEY_ORIGIN_ENV),
                   GALLEY_OK);
  /* No version of its own: galley's. */
  assert_string_equal(galley_registry_find(reg, "init_counts")->version,
                      GALLEY_VERSION_STRING);
  galley_registry_free(reg);
}

/* The message for a capability mismatch should read as English. */
static void the_capability_mismatch_message_reads_well(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  assert_int_equal(galley_registry_load_file(reg,
                                             plugin_path("caps_mismatch.so"),
                                             GALLEY_ORIGIN_OPTION),
                   GALLEY_EABI);
  const char *m = message_about(reg, plugin_path("caps_mismatch.so"));
  assert_contains(m, "declares read but has no read callback");
  galley_registry_free(reg);
}

static void load_file_returns_a_status_for_each_refusal(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  assert_int_equal(
      galley_registry_load_file(reg, plugin_path("good.so"), GALLEY_ORIGIN_ENV),
      GALLEY_OK);
  assert_int_equal(galley_registry_load_file(reg, plugin_path("wrong_abi.so"),
                                             GALLEY_ORIGIN_ENV),
                   GALLEY_EABI);
  assert_int_equal(galley_registry_load_file(reg, plugin_path("no_entry.so"),
                                             GALLEY_ORIGIN_ENV),
                   GALLEY_EABI);
  assert_int_equal(galley_registry_load_file(
                       reg, plugin_path("not_a_plugin.so"), GALLEY_ORIGIN_ENV),
                   GALLEY_EABI);
  assert_int_equal(galley_registry_load_file(
                       reg, plugin_path("small_struct.so"), GALLEY_ORIGIN_ENV),
                   GALLEY_EABI);
  assert_int_equal(galley_registry_load_file(
                       reg, plugin_path("caps_mismatch.so"), GALLEY_ORIGIN_ENV),
                   GALLEY_EABI);
  assert_int_not_equal(galley_registry_load_file(
                           reg, plugin_path("duplicate.so"), GALLEY_ORIGIN_ENV),
                       GALLEY_OK);
  assert_int_not_equal(galley_registry_load_file(reg, plugin_path("missing.so"),
                                                 GALLEY_ORIGIN_ENV),
                       GALLEY_OK);
  message_about(reg, plugin_path("missing.so"));
  assert_int_equal(galley_registry_message_count(reg), 7);
  /* Loaded in this order, good.so is the one that stays. */
  assert_int_equal(galley_registry_count(reg), 1);
  assert_string_equal(galley_registry_path(reg, 0), plugin_path("good.so"));
  assert_string_equal(galley_registry_at(reg, 0)->summary,
                      "the good test plugin");
  assert_int_equal(galley_registry_origin(reg, 0), GALLEY_ORIGIN_ENV);
  const char *m = message_about(reg, plugin_path("duplicate.so"));
  assert_contains(m, plugin_path("good.so"));
  galley_registry_free(reg);
}

static void the_registry_still_works_after_refusals(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  galley_registry_load_file(reg, plugin_path("not_a_plugin.so"),
                            GALLEY_ORIGIN_OPTION);
  galley_registry_load_file(reg, plugin_path("wrong_abi.so"),
                            GALLEY_ORIGIN_OPTION);
  galley_registry_load_file(reg, plugin_path("no_entry.so"),
                            GALLEY_ORIGIN_OPTION);
  assert_int_equal(galley_registry_load_file(reg, plugin_path("good.so"),
                                             GALLEY_ORIGIN_OPTION),
                   GALLEY_OK);
  const galley_plugin *good = galley_registry_find(reg, "good");
  assert_non_null(good);
  /* Its callbacks run: read "hello" and write it back. */
  galley_job *job = galley_job_new(reg);
  galley_sink *sink = galley_sink_new_memory();
  galley_input in = {(const unsigned char *)"hello", 5, "in.good", NULL};
  assert_int_equal(galley_job_convert(job, &in, good, NULL, 0, good, sink),
                   GALLEY_OK);
  assert_string_equal(galley_sink_data(sink, NULL), "hello");
  galley_sink_free(sink);
  galley_job_free(job);
  assert_null(galley_registry_find(reg, "wrong_abi"));
  assert_null(galley_registry_find(reg, "no_entry"));
  galley_registry_free(reg);
}

static void a_folder_that_does_not_exist_is_quietly_skipped(void **state) {
  (void)state;
  galley_registry *reg = galley_registry_new();
  assert_int_equal(galley_registry_load_dir(reg, "/nonexistent/galley/plugins",
                                            GALLEY_ORIGIN_USER),
                   0);
  assert_int_equal(
      galley_registry_load_dir(reg, plugin_path("good.so"), GALLEY_ORIGIN_USER),
      0);
  assert_int_equal(galley_registry_load_dir(reg, "", GALLEY_ORIGIN_USER), 0);
  assert_int_equal(galley_registry_load_dir(reg, NULL, GALLEY_ORIGIN_USER), 0);
  assert_int_equal(galley_registry_message_count(reg), 0);
  assert_int_equal(galley_registry_count(reg), 0);
  galley_registry_free(reg);
  galley_registry_free(NULL);
}

/* ---- Built-in descriptors ---- */

static int probe_html(const unsigned char *head, size_t len) {
  return len >= 5 && memcmp(head, "<html", 5) == 0 ? 90
         : len && head[0] == '<'                   ? 30
                                                   : 0;
}
static int probe_xml(const unsigned char *head, size_t len) {
  return len && head[0] == '<' ? 50 : 0;
}
static int probe_text(const unsigned char *head, size_t len) {
  (void)head;
  return len ? 10 : 0;
}
static int probe_never(const unsigned char *head, size_t len) {
  (void)head;
  (void)len;
  return 0;
}
static int probe_text_twin(const unsigned char *head, size_t len) {
  return probe_text(head, len);
}

static int dummy_read(galley_job *job, const galley_input *in,
                      galley_doc *doc) {
  (void)job;
  (void)in;
  (void)doc;
  return GALLEY_OK;
}
static int dummy_write(galley_job *job, const galley_doc *doc,
                       galley_sink *out) {
  (void)job;
  (void)doc;
  (void)out;
  return GALLEY_OK;
}
static int dummy_transform(galley_job *job, galley_doc *doc) {
  (void)job;
  (void)doc;
  return GALLEY_OK;
}

static const char *const html_ext[] = {"html", "htm", "xhtml", NULL};
static const char *const xml_ext[] = {"xml", NULL};
static const char *const text_ext[] = {"txt", "text", NULL};
static const char *const wo_ext[] = {"HTML", NULL}; /* a write-only claimant */

#define DESC(nm, cps, exts, prb, rd, wr, tr)                                   \
  GALLEY_PLUGIN_DESCRIPTOR(.name = nm, .summary = nm " format", .caps = cps,   \
                           .extensions = exts, .media_type = "x/" nm,          \
                           .probe = prb, .read = rd, .write = wr,              \
                           .transform = tr)

static const galley_plugin d_wo = DESC("htmlout", GALLEY_CAN_WRITE, wo_ext,
                                       probe_never, NULL, dummy_write, NULL);
static const galley_plugin d_html =
    DESC("html", GALLEY_CAN_READ | GALLEY_CAN_WRITE, html_ext, probe_html,
         dummy_read, dummy_write, NULL);
static const galley_plugin d_xml =
    DESC("xml", GALLEY_CAN_READ | GALLEY_CAN_WRITE, xml_ext, probe_xml,
         dummy_read, dummy_write, NULL);
static const galley_plugin d_text =
    DESC("text", GALLEY_CAN_READ | GALLEY_CAN_WRITE, text_ext, probe_text,
         dummy_read, dummy_write, NULL);
static const galley_plugin d_text2 = DESC(
    "text2", GALLEY_CAN_READ, NULL, probe_text_twin, dummy_read, NULL, NULL);
static const galley_plugin d_strip = DESC("strip", GALLEY_CAN_TRANSFORM, NULL,
                                          NULL, NULL, NULL, dummy_transform);

static galley_registry *builtin_registry(void) {
  galley_registry *reg = galley_registry_new();
  const galley_plugin *all[] = {&d_wo,   &d_html,  &d_xml,
                                &d_text, &d_text2, &d_strip};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    assert_int_equal(galley_registry_add(reg, all[i], "linked in"), GALLEY_OK);
  return reg;
}

static void find_looks_plugins_up_by_exact_name(void **state) {
  (void)state;
  galley_registry *reg = builtin_registry();
  assert_int_equal(galley_registry_count(reg), 6);
  assert_ptr_equal(galley_registry_find(reg, "html"), &d_html);
  assert_ptr_equal(galley_registry_find(reg, "strip"), &d_strip);
  assert_null(galley_registry_find(reg, "HTML"));
  assert_null(galley_registry_find(reg, "htm"));
  assert_null(galley_registry_find(reg, ""));
  assert_null(galley_registry_find(reg, NULL));
  size_t i = index_of(reg, "xml");
  assert_string_equal(galley_registry_path(reg, i), "linked in");
  assert_int_equal(galley_registry_origin(reg, i), GALLEY_ORIGIN_BUILTIN);
  assert_null(galley_registry_at(reg, 6));
  assert_null(galley_registry_path(reg, 6));
  galley_registry_free(reg);
}

static void
find_ext_is_case_insensitive_and_respects_capabilities(void **state) {
  (void)state;
  galley_registry *reg = builtin_registry();
  assert_ptr_equal(galley_registry_find_ext(reg, "htm", GALLEY_CAN_READ),
                   &d_html);
  assert_ptr_equal(galley_registry_find_ext(reg, "HTM", GALLEY_CAN_READ),
                   &d_html);
  assert_ptr_equal(galley_registry_find_ext(reg, "XHtml", GALLEY_CAN_READ),
                   &d_html);
  assert_ptr_equal(galley_registry_find_ext(reg, ".txt", GALLEY_CAN_READ),
                   &d_text);
  assert_ptr_equal(galley_registry_find_ext(reg, "TXT", GALLEY_CAN_WRITE),
                   &d_text);
  /* The first plugin with the capabilities wins: htmlout claims HTML for
   * writing and comes first; for reading it does not count. */
  assert_ptr_equal(galley_registry_find_ext(reg, "html", GALLEY_CAN_WRITE),
                   &d_wo);
  assert_ptr_equal(galley_registry_find_ext(reg, "html", GALLEY_CAN_READ),
                   &d_html);
  assert_ptr_equal(
      galley_registry_find_ext(reg, "html", GALLEY_CAN_READ | GALLEY_CAN_WRITE),
      &d_html);
  assert_null(galley_registry_find_ext(reg, "zzz", GALLEY_CAN_READ));
  assert_null(galley_registry_find_ext(reg, "xml", GALLEY_CAN_TRANSFORM));
  assert_null(galley_registry_find_ext(reg, "", GALLEY_CAN_READ));
  assert_null(galley_registry_find_ext(reg, NULL, GALLEY_CAN_READ));
  assert_null(galley_registry_find_ext(reg, "ht", GALLEY_CAN_READ));
  galley_registry_free(reg);
}

static void probe_picks_the_highest_score(void **state) {
  (void)state;
  galley_registry *reg = builtin_registry();
  const unsigned char html[] = "<html><body>";
  const unsigned char xml[] = "<?xml version='1.0'?>";
  const unsigned char text[] = "Just words.";
  assert_ptr_equal(
      galley_registry_probe(reg, html, sizeof html - 1, GALLEY_CAN_READ),
      &d_html);
  assert_ptr_equal(
      galley_registry_probe(reg, xml, sizeof xml - 1, GALLEY_CAN_READ), &d_xml);
  /* text and text2 tie at 10: the first registered wins. */
  assert_ptr_equal(
      galley_registry_probe(reg, text, sizeof text - 1, GALLEY_CAN_READ),
      &d_text);
  /* Nobody scores above 0 for nothing at all. */
  assert_null(galley_registry_probe(reg, text, 0, GALLEY_CAN_READ));
  /* Capabilities filter the bidders. */
  assert_null(
      galley_registry_probe(reg, html, sizeof html - 1, GALLEY_CAN_TRANSFORM));
  assert_ptr_equal(galley_registry_probe(reg, html, sizeof html - 1,
                                         GALLEY_CAN_READ | GALLEY_CAN_WRITE),
                   &d_html);
  galley_registry_free(reg);
}

static void probe_finds_a_loaded_module_by_content(void **state) {
  (void)state;
  galley_registry *reg = builtin_registry();
  assert_int_equal(galley_registry_load_file(reg, plugin_path("good.so"),
                                             GALLEY_ORIGIN_OPTION),
                   GALLEY_OK);
  const unsigned char head[] = "GOOD stuff";
  const galley_plugin *p =
      galley_registry_probe(reg, head, sizeof head - 1, GALLEY_CAN_READ);
  assert_non_null(p);
  assert_string_equal(p->name, "good");
  assert_ptr_equal(galley_registry_find_ext(reg, "gd", GALLEY_CAN_READ), p);
  assert_ptr_equal(galley_registry_find_ext(reg, "GOOD", GALLEY_CAN_WRITE), p);
  const galley_option *o = galley_plugin_option(p, "width");
  assert_non_null(o);
  assert_int_equal(o->type, GALLEY_OPT_INT);
  assert_string_equal(o->default_value, "72");
  assert_null(galley_plugin_option(p, "height"));
  assert_null(galley_plugin_option(&d_html, "width")); /* no options at all */
  galley_registry_free(reg);
}

static int bad_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  return dummy_read(job, in, doc);
}

static const galley_option enum_without_choices[] = {
    {"mode", GALLEY_OPT_ENUM, "a", NULL, "no choices"},
    {NULL, 0, NULL, NULL, NULL},
};
static const galley_option unknown_type[] = {
    {"mode", (galley_option_type)42, "a", NULL, "bad type"},
    {NULL, 0, NULL, NULL, NULL},
};

static void add_checks_builtin_descriptors_like_loaded_ones(void **state) {
  (void)state;
  galley_plugin wrong_abi = d_text2;
  wrong_abi.abi_version = GALLEY_ABI_VERSION + 1;
  wrong_abi.name = "wrongabi";
  galley_plugin tiny = d_text2;
  tiny.struct_size = 8;
  tiny.name = "tiny";
  galley_plugin bad_name = d_text2;
  bad_name.name = "Bad Name";
  galley_plugin no_name = d_text2;
  no_name.name = NULL;
  galley_plugin no_caps = d_text2;
  no_caps.name = "nocaps";
  no_caps.caps = 0;
  galley_plugin extra_callback = d_strip;
  extra_callback.name = "extra";
  extra_callback.read = bad_read; /* has read but does not declare it */
  galley_plugin missing_write = d_text2;
  missing_write.name = "nowrite";
  missing_write.caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE;
  galley_plugin bad_enum = d_text2;
  bad_enum.name = "badenum";
  bad_enum.options = enum_without_choices;
  galley_plugin bad_type = d_text2;
  bad_type.name = "badtype";
  bad_type.options = unknown_type;

  galley_registry *reg = galley_registry_new();
  const galley_plugin *refused[] = {&wrong_abi,     &tiny,     &bad_name,
                                    &no_name,       &no_caps,  &extra_callback,
                                    &missing_write, &bad_enum, &bad_type};
  char wrong_abi_why[32];
  snprintf(wrong_abi_why, sizeof wrong_abi_why, "ABI %d",
           GALLEY_ABI_VERSION + 1);
  const char *why[] = {wrong_abi_why, "size 8", "name",    "name", "capabilit",
                       "read",        "write",  "choices", "type"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    char where[32];
    snprintf(where, sizeof where, "case-%zu", i);
    assert_int_not_equal(galley_registry_add(reg, refused[i], where),
                         GALLEY_OK);
    assert_contains(message_about(reg, where), why[i]);
  }
  assert_int_equal(galley_registry_count(reg), 0);
  assert_int_not_equal(galley_registry_add(reg, NULL, "null"), GALLEY_OK);
  assert_int_equal(galley_registry_count(reg), 0);
  /* A good one still goes in; the same name twice does not. */
  assert_int_equal(galley_registry_add(reg, &d_text, NULL), GALLEY_OK);
  assert_int_not_equal(galley_registry_add(reg, &d_text, "again"), GALLEY_OK);
  assert_contains(message_about(reg, "again"), "duplicate");
  assert_int_equal(galley_registry_count(reg), 1);
  assert_non_null(galley_registry_path(reg, 0));
  galley_registry_free(reg);
}

static void the_installed_plugin_folder_is_known(void **state) {
  (void)state;
  const char *dir = galley_plugin_dir();
  assert_non_null(dir);
  assert_non_null(strstr(dir, "galley"));
  assert_string_equal(galley_version(), GALLEY_VERSION_STRING);
  assert_non_null(galley_strerror(GALLEY_EABI));
  assert_non_null(galley_strerror(12345));
}

/* ---- Search order ---- */

typedef struct tree {
  char root[4096];
} tree;

static void make_dir(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      mkdir(buf, 0755);
      *p = '/';
    }
  }
  mkdir(buf, 0755);
}

/* Links `module` (a test plugin) into folder `sub` of the tree as `name`. */
static void link_plugin(const tree *t, const char *sub, const char *module,
                        const char *name) {
  char dir[4200], link[4400];
  snprintf(dir, sizeof dir, "%s/%s", t->root, sub);
  make_dir(dir);
  snprintf(link, sizeof link, "%s/%s", dir, name);
  if (symlink(plugin_path(module), link) != 0)
    fail_msg("cannot link %s", link);
}

static void remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return;
  if (S_ISDIR(st.st_mode)) {
    struct dirent **names;
    int n = scandir(path, &names, NULL, NULL);
    for (int i = 0; i < n; i++) {
      if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
        char sub[4400];
        snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
        remove_tree(sub);
      }
      free(names[i]);
    }
    free(names);
    rmdir(path);
  } else {
    unlink(path);
  }
}

static int setup_tree(void **state) {
  tree *t = calloc(1, sizeof *t);
  const char *tmp = getenv("TMPDIR");
  snprintf(t->root, sizeof t->root, "%s/galley-test-registry-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(t->root))
    return -1;
  unsetenv("GALLEY_PLUGIN_PATH");
  unsetenv("XDG_DATA_HOME");
  setenv("HOME", t->root, 1); /* so ~/.local/share is ours too */
  /* A plugin cache of each test's own. */
  char cache[4200];
  snprintf(cache, sizeof cache, "%s/cache", t->root);
  setenv("XDG_CACHE_HOME", cache, 1);
  *state = t;
  return 0;
}

static int teardown_tree(void **state) {
  tree *t = *state;
  remove_tree(t->root);
  free(t);
  return 0;
}

static char *path_in(const tree *t, const char *sub) {
  static char buf[4][4200];
  static int next;
  char *p = buf[next++ % 4];
  snprintf(p, 4200, "%s/%s", t->root, sub);
  return p;
}

/* Which "good" won, from where, and whether the loser was reported. */
static void assert_winner(galley_registry *reg, const char *summary,
                          const char *path, galley_origin origin) {
  const galley_plugin *p = galley_registry_find(reg, "good");
  assert_non_null(p);
  assert_string_equal(p->summary, summary);
  size_t i = index_of(reg, "good");
  assert_string_equal(galley_registry_path(reg, i), path);
  assert_int_equal(galley_registry_origin(reg, i), origin);
}

static const char *const GOOD = "the good test plugin";
static const char *const TWIN = "a second plugin named good";

static void plugin_dirs_come_before_galley_plugin_path(void **state) {
  tree *t = *state;
  link_plugin(t, "opt", "duplicate.so", "a.so");
  link_plugin(t, "env", "good.so", "b.so");
  link_plugin(t, "xdg/galley/plugins", "good.so", "c.so");
  setenv("GALLEY_PLUGIN_PATH", path_in(t, "env"), 1);
  setenv("XDG_DATA_HOME", path_in(t, "xdg"), 1);
  const char *dirs[] = {path_in(t, "opt")};
  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, dirs, 1);
  assert_winner(reg, TWIN, path_in(t, "opt/a.so"), GALLEY_ORIGIN_OPTION);
  /* Each shadowed copy is reported as a duplicate naming the winner. */
  const char *m = message_about(reg, path_in(t, "env/b.so"));
  assert_contains(m, "duplicate");
  assert_contains(m, path_in(t, "opt/a.so"));
  m = message_about(reg, path_in(t, "xdg/galley/plugins/c.so"));
  assert_contains(m, "duplicate");
  assert_int_equal(count_messages(reg, t->root), 2);
  galley_registry_free(reg);
}

static void several_plugin_dirs_are_searched_in_the_order_given(void **state) {
  tree *t = *state;
  link_plugin(t, "first", "good.so", "z.so");
  link_plugin(t, "second", "duplicate.so", "a.so");
  const char *dirs[] = {path_in(t, "first"), path_in(t, "second")};
  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, dirs, 2);
  assert_winner(reg, GOOD, path_in(t, "first/z.so"), GALLEY_ORIGIN_OPTION);
  assert_contains(message_about(reg, path_in(t, "second/a.so")), "duplicate");
  galley_registry_free(reg);
}

static void galley_plugin_path_comes_before_the_user_folder(void **state) {
  tree *t = *state;
  link_plugin(t, "env", "good.so", "b.so");
  link_plugin(t, "xdg/galley/plugins", "duplicate.so", "a.so");
  setenv("GALLEY_PLUGIN_PATH", path_in(t, "env"), 1);
  setenv("XDG_DATA_HOME", path_in(t, "xdg"), 1);
  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, NULL, 0);
  assert_winner(reg, GOOD, path_in(t, "env/b.so"), GALLEY_ORIGIN_ENV);
  assert_contains(message_about(reg, path_in(t, "xdg/galley/plugins/a.so")),
                  "duplicate");
  galley_registry_free(reg);
}

static void
galley_plugin_path_folders_are_searched_left_to_right(void **state) {
  tree *t = *state;
  link_plugin(t, "env1", "good.so", "z.so");
  link_plugin(t, "env2", "duplicate.so", "a.so");
  char value[9000];
  snprintf(value, sizeof value, "%s::%s:/nonexistent", path_in(t, "env2"),
           path_in(t, "env1"));
  setenv("GALLEY_PLUGIN_PATH", value, 1);
  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, NULL, 0);
  assert_winner(reg, TWIN, path_in(t, "env2/a.so"), GALLEY_ORIGIN_ENV);
  assert_contains(message_about(reg, path_in(t, "env1/z.so")), "duplicate");
  galley_registry_free(reg);
}

static void the_user_folder_comes_from_xdg_data_home(void **state) {
  tree *t = *state;
  link_plugin(t, "xdg/galley/plugins", "good.so", "good.so");
  link_plugin(t, ".local/share/galley/plugins", "duplicate.so", "dup.so");
  setenv("XDG_DATA_HOME", path_in(t, "xdg"), 1);
  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, NULL, 0);
  assert_winner(reg, GOOD, path_in(t, "xdg/galley/plugins/good.so"),
                GALLEY_ORIGIN_USER);
  /* With XDG_DATA_HOME set, ~/.local/share is not searched at all. */
  assert_int_equal(count_messages(reg, ".local/share"), 0);
  galley_registry_free(reg);
}

static void without_xdg_data_home_the_user_folder_is_under_home(void **state) {
  tree *t = *state;
  link_plugin(t, ".local/share/galley/plugins", "duplicate.so", "dup.so");
  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, NULL, 0);
  assert_winner(reg, TWIN, path_in(t, ".local/share/galley/plugins/dup.so"),
                GALLEY_ORIGIN_USER);
  galley_registry_free(reg);
}

static void
the_system_path_comes_last_in_place_of_the_installed_folder(void **state) {
  tree *t = *state;
  const char *saved = getenv("GALLEY_PLUGIN_SYSTEM_PATH");
  char *restore = saved ? strdup(saved) : NULL;
  link_plugin(t, "xdg/galley/plugins", "good.so", "a.so");
  link_plugin(t, "sys1", "duplicate.so", "b.so");
  link_plugin(t, "sys2", "before_init.so", "c.so");
  setenv("XDG_DATA_HOME", path_in(t, "xdg"), 1);
  char value[9000];
  snprintf(value, sizeof value, "%s::%s", path_in(t, "sys1"),
           path_in(t, "sys2"));
  setenv("GALLEY_PLUGIN_SYSTEM_PATH", value, 1);
  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, NULL, 0);
  assert_winner(reg, GOOD, path_in(t, "xdg/galley/plugins/a.so"),
                GALLEY_ORIGIN_USER);
  assert_contains(message_about(reg, path_in(t, "sys1/b.so")), "duplicate");
  size_t i = index_of(reg, "before_init");
  assert_string_equal(galley_registry_path(reg, i), path_in(t, "sys2/c.so"));
  assert_int_equal(galley_registry_origin(reg, i), GALLEY_ORIGIN_BUILD);
  /* Nothing else: the installed folder was not searched. */
  assert_int_equal(galley_registry_count(reg), 2);
  galley_registry_free(reg);
  /* Set but empty: no folder at all in the installed folder's place. */
  setenv("GALLEY_PLUGIN_SYSTEM_PATH", "", 1);
  reg = galley_registry_new();
  galley_registry_load_default(reg, NULL, 0);
  assert_int_equal(galley_registry_count(reg), 1);
  galley_registry_free(reg);
  if (restore)
    setenv("GALLEY_PLUGIN_SYSTEM_PATH", restore, 1);
  else
    unsetenv("GALLEY_PLUGIN_SYSTEM_PATH");
  free(restore);
}

static void
refused_files_in_the_search_path_leave_one_message_each(void **state) {
  tree *t = *state;
  const char *modules[] = {"wrong_abi.so", "no_entry.so", "not_a_plugin.so",
                           "small_struct.so", "caps_mismatch.so"};
  for (size_t i = 0; i < 5; i++)
    link_plugin(t, "opt", modules[i], modules[i]);
  link_plugin(t, "opt", "good.so", "good.so");
  const char *dirs[] = {path_in(t, "opt")};
  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, dirs, 1);
  assert_winner(reg, GOOD, path_in(t, "opt/good.so"), GALLEY_ORIGIN_OPTION);
  for (size_t i = 0; i < 5; i++) {
    char sub[64];
    snprintf(sub, sizeof sub, "opt/%s", modules[i]);
    message_about(reg, path_in(t, sub));
  }
  assert_int_equal(count_messages(reg, t->root), 5);
  galley_registry_free(reg);
}

static void hidden_and_non_module_files_are_ignored(void **state) {
  tree *t = *state;
  link_plugin(t, "opt", "good.so", ".hidden.so");
  link_plugin(t, "opt", "good.so", "good.so.disabled");
  link_plugin(t, "opt", "not_a_plugin.so", "README");
  make_dir(path_in(t, "opt/folder.so"));
  galley_registry *reg = galley_registry_new();
  assert_int_equal(
      galley_registry_load_dir(reg, path_in(t, "opt"), GALLEY_ORIGIN_OPTION),
      0);
  assert_int_equal(galley_registry_count(reg), 0);
  assert_int_equal(galley_registry_message_count(reg), 0);
  galley_registry_free(reg);
}

/* ---- The plugin cache ---- */

/* Copies test plugin `module` to `dst` through a temporary file renamed
 * over it: a new inode, as an upgrade installs one. */
static void install_plugin(const char *module, const char *dst) {
  char tmp[4400];
  snprintf(tmp, sizeof tmp, "%s.tmp", dst);
  FILE *in = fopen(plugin_path(module), "rb");
  FILE *out = fopen(tmp, "wb");
  assert_non_null(in);
  assert_non_null(out);
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    assert_int_equal(fwrite(buf, 1, n, out), n);
  fclose(in);
  assert_int_equal(fclose(out), 0);
  assert_int_equal(rename(tmp, dst), 0);
}

static char *read_whole(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *data = NULL;
  size_t cap = 0, n = 0, got;
  do {
    if (n + 4096 > cap) {
      cap = (n + 4096) * 2;
      data = realloc(data, cap);
      assert_non_null(data);
    }
  } while ((got = fread(data + n, 1, cap - n, f)) > 0 && (n += got));
  fclose(f);
  *len = n;
  return data;
}

static void write_whole(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

/* A registry of folder `opt` of the tree, and whether the plugin called
 * `name` (which must be there) was dlopened by the scan itself. */
static galley_registry *scan(tree *t, const char *name, bool *loaded) {
  galley_registry *reg = galley_registry_new();
  assert_non_null(reg);
  galley_registry_load_dir(reg, path_in(t, "opt"), GALLEY_ORIGIN_OPTION);
  size_t n = galley_registry_count(reg);
  size_t i = 0;
  while (i < n && strcmp(galley_registry_describe_at(reg, i)->name, name))
    i++;
  if (i == n)
    fail_msg("no plugin named %s", name);
  *loaded = galley_registry_is_loaded(reg, i);
  return reg;
}

/* Whether `needle` occurs in the `len` bytes at `hay`. */
static char *find_bytes(char *hay, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(hay + i, needle, n) == 0)
      return hay + i;
  return NULL;
}

/* scan() in a child process: the cache is written, and this process
 * does not map the module (dlopen of a path already loaded gives the
 * mapping it has, whatever the file holds now). */
static void scan_in_child(tree *t, const char *name) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    bool loaded;
    galley_registry_free(scan(t, name, &loaded));
    _exit(0);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void use_cache_in_tree(tree *t) {
  setenv("XDG_CACHE_HOME", path_in(t, "cache"), 1);
  make_dir(path_in(t, "opt"));
}

static const char *cache_path(tree *t) {
  return path_in(t, "cache/galley/plugins.cache");
}

static void a_described_plugin_is_loaded_only_when_looked_up(void **state) {
  tree *t = *state;
  use_cache_in_tree(t);
  install_plugin("good.so", path_in(t, "opt/a.so"));
  bool loaded;
  galley_registry *reg = scan(t, "good", &loaded);
  assert_true(loaded); /* nothing cached yet: loaded, and described */
  galley_registry_free(reg);
  size_t len;
  char *data = read_whole(cache_path(t), &len);
  assert_non_null(data);
  free(data);

  reg = scan(t, "good", &loaded);
  assert_false(loaded);
  /* Its description, from the cache, is the descriptor's. */
  const galley_plugin *d = galley_registry_describe(reg, "good");
  assert_string_equal(d->summary, GOOD);
  assert_string_equal(d->version, "1.0");
  assert_string_equal(d->media_type, "text/x-good");
  assert_string_equal(d->extensions[0], "good");
  assert_string_equal(d->extensions[1], "GD");
  assert_null(d->extensions[2]);
  const galley_option *o = galley_plugin_option(d, "width");
  assert_non_null(o);
  assert_int_equal(o->type, GALLEY_OPT_INT);
  assert_string_equal(o->default_value, "72");
  assert_false(galley_registry_is_loaded(reg, 0));
  /* A lookup by extension loads it, and gives the module's descriptor. */
  const galley_plugin *p = galley_registry_find_ext(reg, "gd", GALLEY_CAN_READ);
  assert_non_null(p);
  assert_non_null(p->read);
  assert_true(galley_registry_is_loaded(reg, 0));
  assert_ptr_equal(galley_registry_find(reg, "good"), p);
  assert_ptr_equal(galley_registry_describe(reg, "good"), p);
  assert_int_equal(galley_registry_message_count(reg), 0);
  galley_registry_free(reg);

  /* Probing loads the plugins that probe. */
  reg = scan(t, "good", &loaded);
  assert_false(loaded);
  const unsigned char head[] = "GOOD stuff";
  p = galley_registry_probe(reg, head, sizeof head - 1, GALLEY_CAN_READ);
  assert_non_null(p);
  assert_string_equal(p->name, "good");
  galley_registry_free(reg);
}

static void a_changed_plugin_file_gets_its_new_description(void **state) {
  tree *t = *state;
  use_cache_in_tree(t);
  install_plugin("good.so", path_in(t, "opt/a.so"));
  scan_in_child(t, "good");
  bool loaded;
  galley_registry *reg = scan(t, "good", &loaded);
  assert_false(loaded);
  assert_string_equal(galley_registry_describe(reg, "good")->summary, GOOD);
  galley_registry_free(reg);
  /* Another module, same name "good", same path: the cache is stale. */
  install_plugin("duplicate.so", path_in(t, "opt/a.so"));
  reg = scan(t, "good", &loaded);
  assert_true(loaded);
  assert_string_equal(galley_registry_describe(reg, "good")->summary, TWIN);
  assert_string_equal(galley_registry_find(reg, "good")->summary, TWIN);
  galley_registry_free(reg);
  /* And the cache was rewritten: the next run need not load it. */
  reg = scan(t, "good", &loaded);
  assert_false(loaded);
  assert_string_equal(galley_registry_describe(reg, "good")->summary, TWIN);
  galley_registry_free(reg);
  /* Touched, same content: a new mtime, loaded again. */
  struct timespec times[2] = {{0, UTIME_NOW}, {12345, 0}};
  assert_int_equal(utimensat(AT_FDCWD, path_in(t, "opt/a.so"), times, 0), 0);
  reg = scan(t, "good", &loaded);
  assert_true(loaded);
  galley_registry_free(reg);
}

static void added_and_removed_plugins_are_seen(void **state) {
  tree *t = *state;
  use_cache_in_tree(t);
  install_plugin("good.so", path_in(t, "opt/a.so"));
  bool loaded;
  galley_registry_free(scan(t, "good", &loaded));
  /* Added: loaded and described; the cached one is not loaded. */
  install_plugin("before_init.so", path_in(t, "opt/b.so"));
  galley_registry *reg = scan(t, "before_init", &loaded);
  assert_true(loaded);
  assert_int_equal(galley_registry_count(reg), 2);
  assert_false(galley_registry_is_loaded(reg, 0));
  galley_registry_free(reg);
  reg = scan(t, "before_init", &loaded);
  assert_false(loaded);
  galley_registry_free(reg);
  /* Removed: gone from the registry and from the cache. */
  assert_int_equal(unlink(path_in(t, "opt/a.so")), 0);
  reg = scan(t, "before_init", &loaded);
  assert_false(loaded);
  assert_int_equal(galley_registry_count(reg), 1);
  assert_null(galley_registry_describe(reg, "good"));
  assert_null(galley_registry_find(reg, "good"));
  galley_registry_free(reg);
  size_t len;
  char *data = read_whole(cache_path(t), &len);
  assert_non_null(data);
  assert_null(find_bytes(data, len, "opt/a.so"));
  assert_non_null(find_bytes(data, len, "opt/b.so"));
  free(data);
  /* A duplicate is described too, and reported from its description. */
  install_plugin("duplicate.so", path_in(t, "opt/c.so"));
  install_plugin("good.so", path_in(t, "opt/d.so"));
  for (int round = 0; round < 2; round++) {
    reg = scan(t, "good", &loaded);
    assert_int_equal(loaded, round == 0);
    assert_string_equal(galley_registry_describe(reg, "good")->summary, TWIN);
    assert_contains(message_about(reg, path_in(t, "opt/d.so")),
                    "duplicate name 'good'");
    assert_int_equal(galley_registry_message_count(reg), 1);
    galley_registry_free(reg);
  }
}

/* The FNV-1a 64 hash that ends a cache file (plugin_cache.c). */
static unsigned long long fnv1a(const char *p, size_t n) {
  unsigned long long h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 1099511628211ull;
  }
  return h;
}

/* `body` with the right trailer, as the cache file. */
static void write_signed(const char *path, const char *body, size_t len) {
  char *data = malloc(len + 18);
  assert_non_null(data);
  memcpy(data, body, len);
  char trailer[19];
  snprintf(trailer, sizeof trailer, "Z%016llx\n", fnv1a(body, len));
  memcpy(data + len, trailer, 18);
  write_whole(path, data, len + 18);
  free(data);
}

/* After the cache file was spoilt: the right answer, no message, and a
 * cache that works again afterwards. */
static void assert_rebuilt(tree *t, const char *what) {
  bool loaded;
  galley_registry *reg = scan(t, "good", &loaded);
  if (!loaded)
    fail_msg("%s: the cache was trusted", what);
  assert_string_equal(galley_registry_find(reg, "good")->summary, GOOD);
  assert_int_equal(galley_registry_count(reg), 1);
  assert_int_equal(galley_registry_message_count(reg), 0);
  galley_registry_free(reg);
  reg = scan(t, "good", &loaded);
  if (loaded)
    fail_msg("%s: the cache was not rewritten", what);
  assert_string_equal(galley_registry_describe(reg, "good")->summary, GOOD);
  galley_registry_free(reg);
}

static void a_corrupt_cache_is_rebuilt(void **state) {
  tree *t = *state;
  use_cache_in_tree(t);
  install_plugin("good.so", path_in(t, "opt/a.so"));
  bool loaded;
  galley_registry_free(scan(t, "good", &loaded));
  size_t len;
  char *good = read_whole(cache_path(t), &len);
  assert_non_null(good);
  assert_true(len > 100);

  /* Random bytes, with and without the magic line. */
  unsigned seed = 18;
  char noise[4096];
  for (size_t i = 0; i < sizeof noise; i++)
    noise[i] = (char)(rand_r(&seed) & 0xff);
  write_whole(cache_path(t), noise, sizeof noise);
  assert_rebuilt(t, "random bytes");
  memcpy(noise, good, 40);
  write_whole(cache_path(t), noise, sizeof noise);
  assert_rebuilt(t, "random bytes after the header");
  /* Empty, and truncated anywhere. */
  write_whole(cache_path(t), "", 0);
  assert_rebuilt(t, "empty");
  for (size_t cut = 1; cut < len; cut += len / 9) {
    write_whole(cache_path(t), good, cut);
    assert_rebuilt(t, "truncated");
  }
  /* One byte changed: the checksum says so. */
  char *flipped = malloc(len);
  memcpy(flipped, good, len);
  char *summary = find_bytes(flipped, len, "good test");
  assert_non_null(summary);
  summary[0] = 'G';
  write_whole(cache_path(t), flipped, len);
  assert_rebuilt(t, "a changed byte");
  free(flipped);

  /* Well signed but hostile: every length and count out of range, strings
   * that run past the end, numbers that overflow, a NUL inside a string. */
  char header[256];
  int hl = snprintf(header, sizeof header,
                    "GALLEY-PLUGIN-CACHE\ns%zu:%s%ci%d;i%zu;i%zu;",
                    strlen(galley_version()), galley_version(), '\0',
                    GALLEY_ABI_VERSION, sizeof(galley_plugin), sizeof(void *));
  const char *tails[] = {
      "i99999999999;",
      "i1;Es999999999:x",
      "i1;Es4000000:x",
      "i1;Es10:ab",
      "i99999999999999999999999;",
      "i-1;",
      "i1;Es3:a\0b\0",
      "i1;E",
      "i2;",
      "",
  };
  size_t tail_len[] = {13, 16, 14, 10, 25, 4, 12, 4, 3, 0};
  for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
    char body[512];
    memcpy(body, header, (size_t)hl);
    memcpy(body + hl, tails[i], tail_len[i]);
    write_signed(cache_path(t), body, (size_t)hl + tail_len[i]);
    assert_rebuilt(t, tails[i]);
  }
  /* Another galley's cache: the same file, said to be of ABI 999. */
  char *foreign = malloc(len + 16);
  size_t at = (size_t)(strchr(good + 21, '\0') - good) + 1; /* after version */
  assert_int_equal(good[at], 'i');
  char *semi = memchr(good + at, ';', len - at);
  int fl = snprintf(foreign, len + 16, "%.*si999", (int)at, good);
  size_t rest = len - 18 - (size_t)(semi - good);
  memcpy(foreign + fl, semi, rest);
  write_signed(cache_path(t), foreign, (size_t)fl + rest);
  assert_rebuilt(t, "another ABI");
  free(foreign);

  /* A valid entry with the wrong stat (another file at that path). */
  struct timespec times[2] = {{0, UTIME_NOW}, {777, 0}};
  write_whole(cache_path(t), good, len);
  assert_int_equal(utimensat(AT_FDCWD, path_in(t, "opt/a.so"), times, 0), 0);
  assert_rebuilt(t, "a stale entry");
  free(good);
}

static void an_unusable_cache_location_still_works(void **state) {
  tree *t = *state;
  make_dir(path_in(t, "opt"));
  install_plugin("good.so", path_in(t, "opt/a.so"));
  /* XDG_CACHE_HOME is a file: no folder can be made under it. */
  write_whole(path_in(t, "file"), "x", 1);
  setenv("XDG_CACHE_HOME", path_in(t, "file"), 1);
  for (int round = 0; round < 2; round++) {
    bool loaded;
    galley_registry *reg = scan(t, "good", &loaded);
    assert_true(loaded); /* no cache: loaded each time */
    assert_string_equal(galley_registry_find(reg, "good")->summary, GOOD);
    assert_int_equal(galley_registry_message_count(reg), 0);
    galley_registry_free(reg);
  }
  /* A relative XDG_CACHE_HOME is ignored (the XDG rule): ~/.cache. */
  setenv("XDG_CACHE_HOME", "relative/cache", 1);
  bool loaded;
  galley_registry_free(scan(t, "good", &loaded));
  size_t len;
  char *data = read_whole(path_in(t, ".cache/galley/plugins.cache"), &len);
  assert_non_null(data);
  free(data);
  /* Neither: no cache at all, and it still works. */
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "", 1);
  galley_registry *reg = scan(t, "good", &loaded);
  assert_true(loaded);
  galley_registry_free(reg);
  /* A cache folder that cannot be written (a read-only one, for a user
   * that permissions bind): still works. */
  make_dir(path_in(t, "ro/galley"));
  chmod(path_in(t, "ro/galley"), 0500);
  setenv("XDG_CACHE_HOME", path_in(t, "ro"), 1);
  reg = scan(t, "good", &loaded);
  assert_string_equal(galley_registry_find(reg, "good")->summary, GOOD);
  galley_registry_free(reg);
  chmod(path_in(t, "ro/galley"), 0700);
}

static void refused_files_are_never_cached(void **state) {
  tree *t = *state;
  use_cache_in_tree(t);
  install_plugin("good.so", path_in(t, "opt/a.so"));
  install_plugin("init_fails.so", path_in(t, "opt/b.so"));
  install_plugin("wrong_abi.so", path_in(t, "opt/c.so"));
  for (int round = 0; round < 2; round++) {
    bool loaded;
    galley_registry *reg = scan(t, "good", &loaded);
    assert_int_equal(loaded, round == 0);
    assert_contains(message_about(reg, path_in(t, "opt/b.so")),
                    "init of 'init_fails' failed");
    assert_contains(message_about(reg, path_in(t, "opt/c.so")),
                    "built for plugin ABI 999");
    assert_int_equal(galley_registry_count(reg), 1);
    galley_registry_free(reg);
  }
}

int main(int argc, char **argv) {
  if (argc > 1)
    cmocka_set_test_filter(argv[1]); /* run one test: test_registry NAME */
#define T(name) cmocka_unit_test_setup_teardown(name, setup_tree, teardown_tree)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          load_dir_loads_only_the_valid_plugin_and_refuses_the_rest),
      cmocka_unit_test(the_capability_mismatch_message_reads_well),
      cmocka_unit_test(init_runs_once_whatever_loads_the_module),
      cmocka_unit_test(a_failing_init_refuses_the_plugin_with_one_message),
      cmocka_unit_test(a_descriptor_that_ends_before_init_loads_without_it),
      cmocka_unit_test(builtin_descriptors_are_initialised_once_too),
      cmocka_unit_test(plugins_fill_in_their_numbers_with_plugin_define),
      cmocka_unit_test(load_file_returns_a_status_for_each_refusal),
      cmocka_unit_test(the_registry_still_works_after_refusals),
      cmocka_unit_test(a_folder_that_does_not_exist_is_quietly_skipped),
      cmocka_unit_test(find_looks_plugins_up_by_exact_name),
      cmocka_unit_test(find_ext_is_case_insensitive_and_respects_capabilities),
      cmocka_unit_test(probe_picks_the_highest_score),
      cmocka_unit_test(probe_finds_a_loaded_module_by_content),
      cmocka_unit_test(add_checks_builtin_descriptors_like_loaded_ones),
      cmocka_unit_test(the_installed_plugin_folder_is_known),
      T(plugin_dirs_come_before_galley_plugin_path),
      T(several_plugin_dirs_are_searched_in_the_order_given),
      T(galley_plugin_path_comes_before_the_user_folder),
      T(galley_plugin_path_folders_are_searched_left_to_right),
      T(the_user_folder_comes_from_xdg_data_home),
      T(without_xdg_data_home_the_user_folder_is_under_home),
      T(the_system_path_comes_last_in_place_of_the_installed_folder),
      T(refused_files_in_the_search_path_leave_one_message_each),
      T(hidden_and_non_module_files_are_ignored),
      T(a_described_plugin_is_loaded_only_when_looked_up),
      T(a_changed_plugin_file_gets_its_new_description),
      T(added_and_removed_plugins_are_seen),
      T(a_corrupt_cache_is_rebuilt),
      T(an_unusable_cache_location_still_works),
      T(refused_files_are_never_cached),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
