/* A plugin that does everything --check-plugin looks for wrong: its reader
 * crashes on some inputs and hangs on one, its writer fails without a
 * message, and an enum option's default is not one of its choices. */
#include <galley/galley.h>

#include <signal.h>

static const char *const extensions[] = {"bad", NULL};

static const galley_option options[] = {
    {"mode", GALLEY_OPT_ENUM, "sometimes", "always|never", "a bad default"},
    {0},
};

static int probe(const unsigned char *head, size_t len) {
  (void)head;
  return len > 1000 ? 101 : 0; /* out of range on long inputs */
}

static int bad_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  (void)job;
  (void)doc;
  if (in->size == 1) {
    for (volatile int spin = 1; spin;)
      ; /* hangs */
  }
  if (in->size >= 1024)
    raise(SIGSEGV);
  return GALLEY_OK;
}

static int bad_write(galley_job *job, const galley_doc *doc, galley_sink *out) {
  (void)job;
  (void)doc;
  (void)out;
  return GALLEY_EPARSE; /* and no message */
}

GALLEY_PLUGIN_DEFINE(bad_plugin, .name = "bad", .version = "0.0.1",
                     .summary = "a plugin that fails every check it can",
                     .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE,
                     .extensions = extensions,
                     .media_type = "application/x-bad", .options = options,
                     .probe = probe, .read = bad_read, .write = bad_write);
