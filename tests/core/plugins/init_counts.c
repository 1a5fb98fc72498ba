/* Test-only plugin: counts how often its init runs, and tells through its
 * probe (10 per run), so a test can see that the registry ran it exactly
 * once however many registries and threads loaded the module. */
#include <stdatomic.h>

#include <galley/galley.h>

static atomic_int init_runs; /* a test plugin's counter; real ones keep none */

static int counting_init(void) {
  atomic_fetch_add(&init_runs, 1);
  return GALLEY_OK;
}

static int runs_probe(const unsigned char *head, size_t len) {
  (void)head;
  (void)len;
  return 10 * atomic_load(&init_runs);
}

static int counting_transform(galley_job *job, galley_doc *doc) {
  (void)job;
  (void)doc;
  /* A callback that runs before init would see 0 runs. */
  return atomic_load(&init_runs) == 1 ? GALLEY_OK : GALLEY_EINVALID;
}

GALLEY_PLUGIN_DEFINE(init_counts_plugin, .name = "init_counts",
                     .summary = "counts its init runs",
                     .caps = GALLEY_CAN_TRANSFORM, .probe = runs_probe,
                     .transform = counting_transform, .init = counting_init);
