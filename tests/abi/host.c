/* A host program built against stored headers, run with this build's
 * library and plugins (tests/abi, suite abi).
 *
 * meson builds it twice, each time against headers that are not the
 * source tree's and linked to this build's libgalley:
 *   - abi_host_0.2.0: the headers of tests/abi/0.2.0/include, the stored
 *     release of the current soname. It proves that a program compiled
 *     against that release still works with the library and the plugins
 *     built now: it loads the plugins through the standard search
 *     (GALLEY_PLUGIN_SYSTEM_PATH, as meson test sets it), sets limits, and
 *     converts a page html -> markdown -> epub -> text, checking what comes
 *     out at each step. Today the stored 0.2.0 headers are the same as the
 *     source's, so this is a guard for later changes: a change to a struct
 *     or function this host uses that the ABI check let through would show
 *     here as a wrong result or a crash.
 *   - abi_host_limits_v1: the same headers except job.h, which is
 *     tests/abi/limits-v1/galley/job.h: galley_limits at version 1, without
 *     its last member (max_nodes), as a program built before the struct
 *     grew would have it. It proves the growth rule of plugin.h ("How the
 *     ABI changes") on a real struct: the library reads and writes only the
 *     members of the version it is given and takes its defaults for the
 *     rest. The structs are placed in heap blocks of exactly their size, so
 *     AddressSanitizer (the build-asan run) reports any access past them,
 *     and in blocks followed by guard bytes, so that a plain build sees a
 *     stray write too.
 * What it does not prove: that a program built against 0.1.0 runs with
 * this library. It does not, by design: 0.2 changed galley_limits
 * incompatibly and raised the soname to 1, so such a program keeps loading
 * libgalley.so.0; the ABI check against tests/abi/0.1.0 asserts that the
 * soname did change. */
#include <galley/galley.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (cond) {                                                                \
      printf("ok - ");                                                         \
    } else {                                                                   \
      printf("not ok - ");                                                     \
      failures++;                                                              \
    }                                                                          \
    printf(__VA_ARGS__);                                                       \
    printf("\n");                                                              \
  } while (0)

enum { GUARD = 32 };

/* A galley_limits of these headers' size in a block of exactly that size
 * (for AddressSanitizer) or followed by GUARD bytes of 0x5A. */
static galley_limits *limits_block(int guarded) {
  unsigned char *mem = malloc(sizeof(galley_limits) + (guarded ? GUARD : 0));
  if (!mem)
    exit(2);
  memset(mem, 0x5A, sizeof(galley_limits) + (guarded ? GUARD : 0));
  return (galley_limits *)(void *)mem;
}

static int guard_intact(const galley_limits *l) {
  const unsigned char *g = (const unsigned char *)(const void *)l;
  for (size_t i = 0; i < GUARD; i++)
    if (g[sizeof(galley_limits) + i] != 0x5A)
      return 0;
  return 1;
}

/* Runs one conversion; returns the output (malloc'd) or NULL. */
static char *convert(galley_registry *reg, const galley_limits *limits,
                     const char *from, const char *to, const char *data,
                     size_t size, size_t *out_size, int *status) {
  galley_job *job = galley_job_new(reg);
  galley_sink *sink = galley_sink_new_memory();
  if (!job || !sink)
    exit(2);
  if (galley_job_set_limits(job, limits) != GALLEY_OK)
    CHECK(0, "galley_job_set_limits accepts limits of version %u",
          limits->version);
  galley_input in = {(const unsigned char *)data, size, "host-input", NULL};
  *status = galley_job_convert(job, &in, galley_registry_find(reg, from), NULL,
                               0, galley_registry_find(reg, to), sink);
  char *out = NULL;
  if (*status == GALLEY_OK) {
    size_t len = 0;
    const char *bytes = galley_sink_data(sink, &len);
    out = malloc(len + 1);
    if (!out)
      exit(2);
    memcpy(out, bytes, len);
    out[len] = '\0';
    *out_size = len;
  } else {
    printf("# %s -> %s: %s\n", from, to,
           galley_job_errmsg(job) ? galley_job_errmsg(job) : "(no message)");
  }
  galley_sink_free(sink);
  galley_job_free(job);
  return out;
}

static const char page[] =
    "<!DOCTYPE html><html lang=\"en\"><head><title>Harbour notes</title>"
    "</head><body><article><h1>Harbour notes</h1>"
    "<p>The ferry to Bore leaves at <em>nine</em> every morning.</p>"
    "<ul><li>Tickets at the kiosk</li><li>Bicycles go free</li></ul>"
    "<h2>Tides</h2><p>High water comes twice a day.</p>"
    "</article></body></html>";

int main(void) {
  printf("# headers: galley %s, galley_limits version %u; library: %s\n",
         GALLEY_VERSION_STRING, (unsigned)GALLEY_LIMITS_VERSION,
         galley_version());

  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, NULL, 0);
  for (size_t i = 0; i < galley_registry_message_count(reg); i++)
    printf("# %s\n", galley_registry_message(reg, i));
  const char *needed[] = {"html", "markdown", "epub", "text"};
  for (size_t i = 0; i < 4; i++)
    CHECK(galley_registry_find(reg, needed[i]) != NULL,
          "the %s plugin of this build loads", needed[i]);
  if (failures)
    return 1;

  /* Limits of this host's version, in exactly its size. */
  galley_limits *exact = limits_block(0);
  CHECK(galley_limits_init(exact, GALLEY_LIMITS_VERSION) == GALLEY_OK &&
            exact->version == GALLEY_LIMITS_VERSION &&
            exact->max_depth == 512 && exact->max_image_size == (64u << 20),
        "galley_limits_init fills a version-%u struct with the defaults",
        (unsigned)GALLEY_LIMITS_VERSION);
  galley_limits *guarded = limits_block(1);
  galley_limits_init(guarded, GALLEY_LIMITS_VERSION);
  CHECK(guard_intact(guarded),
        "galley_limits_init writes nothing past a version-%u struct",
        (unsigned)GALLEY_LIMITS_VERSION);
  guarded->max_depth = 40;
  galley_job *job = galley_job_new(reg);
  CHECK(galley_job_set_limits(job, guarded) == GALLEY_OK,
        "galley_job_set_limits takes a version-%u struct",
        (unsigned)GALLEY_LIMITS_VERSION);
  const galley_limits *got = galley_job_limits(job);
  CHECK(got->version >= GALLEY_LIMITS_VERSION && got->max_depth == 40,
        "the job has the host's max_depth (version %u, depth %zu)",
        got->version, got->max_depth);
#if GALLEY_LIMITS_VERSION < 2
  /* The host's headers do not know max_nodes; by the growth rule it is the
   * member right after the last one they know, there only when the
   * library's version says so. The guard bytes were not read into it. */
  size_t nodes = 0;
  if (got->version >= 2)
    memcpy(&nodes, (const char *)got + sizeof(galley_limits), sizeof nodes);
  CHECK(got->version >= 2 && nodes == 4000000,
        "members the host does not know keep the library's defaults "
        "(max_nodes %zu)",
        nodes);
#else
  CHECK(got->max_nodes == 4000000, "max_nodes keeps its default");
#endif
  galley_job_free(job);
  CHECK(guard_intact(guarded), "nothing wrote past the host's struct");

  /* The conversions, with the exact-size struct. */
  int status;
  size_t md_size = 0, epub_size = 0, text_size = 0;
  char *md = convert(reg, exact, "html", "markdown", page, strlen(page),
                     &md_size, &status);
  CHECK(md && strstr(md, "# Harbour notes") &&
            strstr(md, "leaves at *nine* every") &&
            strstr(md, "Bicycles go free") && strstr(md, "## Tides"),
        "html -> markdown keeps the headings, emphasis and list");
  char *epub = md ? convert(reg, exact, "markdown", "epub", md, md_size,
                            &epub_size, &status)
                  : NULL;
  CHECK(epub && epub_size > 58 && memcmp(epub, "PK\3\4", 4) == 0 &&
            memcmp(epub + 30, "mimetypeapplication/epub+zip", 28) == 0,
        "markdown -> epub makes a zip that starts with the EPUB mimetype "
        "(%zu bytes)",
        epub_size);
  char *text = epub ? convert(reg, exact, "epub", "text", epub, epub_size,
                              &text_size, &status)
                    : NULL;
  CHECK(text && strstr(text, "Harbour notes") &&
            strstr(text, "High water comes twice a day.") &&
            strstr(text, "Tickets at the kiosk"),
        "epub -> text gives back every part of the page");

  /* A limit the host set takes effect: 60 nested sections against a depth
   * of 40. */
  char deep[4096] = "<html><body>";
  for (int i = 0; i < 60; i++)
    strcat(deep, "<div>");
  strcat(deep, "<p>deep</p></body></html>");
  size_t deep_size = 0;
  char *deep_out = convert(reg, guarded, "html", "text", deep, strlen(deep),
                           &deep_size, &status);
  CHECK(!deep_out && status == GALLEY_ELIMIT,
        "the host's max_depth of 40 refuses a page nested 60 deep");
  free(deep_out);

  free(md);
  free(epub);
  free(text);
  free(exact);
  free(guarded);
  galley_registry_free(reg);
  printf("# %s\n", failures ? "FAILED" : "all passed");
  return failures ? 1 : 0;
}
