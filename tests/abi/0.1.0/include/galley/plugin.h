/* The plugin ABI: what a format or transform module exports, and the registry.
 *
 * WHAT A PLUGIN EXPORTS
 *   A plugin is a shared object that exports exactly one symbol,
 *   galley_plugin_init (GALLEY_PLUGIN_INIT_SYMBOL), made by writing
 *   GALLEY_PLUGIN_DEFINE(descriptor) once in the module. Build with hidden
 *   visibility (-fvisibility=hidden) so that nothing else is exported, and
 *   link with libgalley (`pkg-config --cflags --libs galley`). The function
 *   returns a pointer to a `static const galley_plugin` that lives as long
 *   as the module; the loader calls it once, right after dlopen.
 *
 * THE DESCRIPTOR
 *   abi_version  GALLEY_ABI_VERSION of the headers the plugin was built
 *                with. First member, always.
 *   struct_size  sizeof(galley_plugin) when built; the loader reads only the
 *                members that fit in it.
 *   name         what -f, -t and -x take: [a-z0-9_-]+, unique among the
 *                loaded plugins (the first one found wins).
 *   version, summary   one line each.
 *   caps         GALLEY_CAN_READ | _WRITE | _TRANSFORM; must match exactly
 *                which of read, write and transform are non-NULL.
 *   extensions   NULL-terminated, without dots, matched ignoring case; may
 *                be NULL.
 *   media_type   "type/subtype".
 *   options      terminated by a zeroed entry; may be NULL. ENUM options
 *                need choices ("a|b|c"); defaults are strings that fit the
 *                type.
 *   probe        optional; scores the first bytes of an input (possibly
 *                none) 0..100. A pure function of its arguments.
 *   read         fills an empty document from the whole input (in->data is
 *                not NUL-terminated and may hold any bytes).
 *   write        writes a document it must not modify into a sink.
 *   transform    changes a document in place.
 *   Callbacks return GALLEY_OK or a negative status and explain a failure
 *   with galley_job_error(job, status, "...") (the message names the
 *   problem; the host adds the file name). Losses that still give a
 *   result are galley_job_warn.
 *
 * WHAT A PLUGIN MAY CALL
 *   Everything in tree.h; in job.h the plugin side (galley_job_error, _warn,
 *   _info, galley_job_option, _option_int, _option_bool, galley_job_limits,
 *   galley_job_registry, galley_job_cancelled, galley_job_resource_path*)
 *   and the sink functions on the sink it was given; galley_registry_find
 *   on galley_job_registry(job) and then galley_plugin_read/_write/
 *   _transform to hand work to another plugin (never its callbacks
 *   directly); galley_plugin_option, galley_strerror, galley_version. The
 *   host side (galley_job_new, _convert, _build, _set_*, galley_registry_new,
 *   _load_*, _add, galley_sink_new_*, _commit, _free on a sink it did not
 *   make) belongs to the host.
 *
 * WHO OWNS WHAT
 *   Every node and string of a document belongs to the document and is freed
 *   with galley_doc_free: create them with galley_doc_new_node,
 *   galley_doc_new_text, galley_doc_strndup, galley_doc_alloc; setters copy
 *   their arguments; getters borrow until the document is freed. A plugin
 *   never frees what it got from a document, a job or a registry. The input,
 *   the job's options and the sink are borrowed for the duration of the
 *   call. Memory a plugin allocates itself (scratch buffers) it frees before
 *   returning. The descriptor and everything it points to are constant and
 *   owned by the module, which stays mapped until the process ends.
 *
 * THREADS
 *   The host runs many jobs at once on a thread pool, and any callback may
 *   run on several threads at the same time with different jobs and
 *   documents. A plugin keeps its state in locals or in memory allocated per
 *   call: no writable globals or static variables, no thread-unsafe libc
 *   calls (strtok, setlocale, ...). A document and a job are used by one
 *   thread at a time; galley_job_cancel is the only call another thread
 *   makes on a running job, and long loops should poll
 *   galley_job_cancelled. A plugin never prints, never exits and never
 *   installs signal handlers. Hostile input may nest 100,000 deep: no
 *   recursion that the input controls; respect galley_job_limits(job).
 *
 * HOW THE ABI VERSION CHANGES
 *   Compatible growth keeps GALLEY_ABI_VERSION: new members are added only
 *   at the end of galley_plugin (after the "ABI 1 ends here" line, and
 *   the loader reads struct_size to know whether a plugin has them), new
 *   functions only ever join the library, new node kinds take unused
 *   numbers. Anything else (a member moved or retyped, a callback's meaning
 *   changed, a function removed) increments GALLEY_ABI_VERSION and the
 *   soname of libgalley. The loader refuses a plugin whose abi_version
 *   differs, with the message "built for plugin ABI N, this galley uses
 *   ABI M", and one whose struct_size is smaller than ABI 1's, and goes on
 *   without it; `galley --check-plugin FILE` exits 2 with that message.
 *   `pkg-config --variable=abi_version galley` and `galley --version` say
 *   which ABI an installed galley speaks.
 */
#ifndef GALLEY_PLUGIN_H
#define GALLEY_PLUGIN_H

#include <stddef.h>

#include "job.h"
#include "status.h"
#include "tree.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The ABI version. A plugin records the version it was built with in its
 * descriptor; the loader refuses any other. Bump on any incompatible change
 * to the descriptor or to the meaning of a callback. Compatible growth (new
 * members at the end of galley_plugin, new library functions) keeps the
 * version: the loader reads struct_size to know which members exist.
 */
#define GALLEY_ABI_VERSION 1

typedef enum galley_option_type {
  GALLEY_OPT_BOOL = 1,
  GALLEY_OPT_INT,
  GALLEY_OPT_STRING,
  GALLEY_OPT_ENUM,
  GALLEY_OPT_PATH,
} galley_option_type;

/** One option a plugin accepts (`-O name=value`). */
typedef struct galley_option {
  const char *name; /* "wrap" */
  galley_option_type type;
  const char *default_value; /* "72"; NULL: unset */
  const char *choices;       /* ENUM: "auto|never|always" */
  const char *help;          /* one line */
} galley_option;

enum {
  GALLEY_CAN_READ = 1u << 0,
  GALLEY_CAN_WRITE = 1u << 1,
  GALLEY_CAN_TRANSFORM = 1u << 2,
};

/** The descriptor a plugin returns from galley_plugin_init. Constant, static.
 */
struct galley_plugin {
  unsigned abi_version; /* GALLEY_ABI_VERSION, first, always */
  unsigned struct_size; /* sizeof(galley_plugin) when built */
  const char *name;     /* "html": what -f/-t/-x take */
  const char *version;
  const char *summary;           /* one line for --list-formats */
  unsigned caps;                 /* GALLEY_CAN_READ | _WRITE | _TRANSFORM */
  const char *const *extensions; /* NULL-terminated, no dot; may be NULL */
  const char *media_type;
  const galley_option *options; /* terminated by a zeroed entry; may be NULL */
  /** Scores the first bytes of an input 0 (not mine) to 100 (certainly mine).
   */
  int (*probe)(const unsigned char *head, size_t len);
  int (*read)(galley_job *job, const galley_input *in, galley_doc *doc);
  int (*write)(galley_job *job, const galley_doc *doc, galley_sink *out);
  int (*transform)(galley_job *job, galley_doc *doc);
  /* ABI 1 ends here. New members go below this line only. */
};

/** The one symbol a plugin exports. */
typedef const galley_plugin *(*galley_plugin_init_fn)(void);
#define GALLEY_PLUGIN_INIT_SYMBOL "galley_plugin_init"

/** Exports galley_plugin_init() returning &descriptor. Use once per module. */
#define GALLEY_PLUGIN_DEFINE(descriptor)                                       \
  GALLEY_EXPORT const galley_plugin *galley_plugin_init(void);                 \
  GALLEY_EXPORT const galley_plugin *galley_plugin_init(void) {                \
    return &(descriptor);                                                      \
  }

/** The declaration of option `name` in `plugin`, or NULL. */
GALLEY_EXPORT const galley_option *
galley_plugin_option(const galley_plugin *plugin, const char *name);

/* ---- Registry --------------------------------------------------------------
 * The set of loaded plugins. Loading never prints: each refused file leaves a
 * message (galley_registry_message) and the rest keep working. */

typedef enum galley_origin {
  GALLEY_ORIGIN_BUILTIN = 0, /* added with galley_registry_add */
  GALLEY_ORIGIN_OPTION,      /* --plugin-dir */
  GALLEY_ORIGIN_ENV,         /* GALLEY_PLUGIN_PATH */
  GALLEY_ORIGIN_USER,        /* $XDG_DATA_HOME/galley/plugins */
  GALLEY_ORIGIN_SYSTEM,      /* the installed plugin folder */
  GALLEY_ORIGIN_BUILD,       /* an uninstalled build's own plugins */
} galley_origin;

GALLEY_EXPORT galley_registry *galley_registry_new(void);
/** Frees the registry. Loaded modules stay mapped until the process ends. */
GALLEY_EXPORT void galley_registry_free(galley_registry *reg);
/**
 * Loads every `*.so` in `dir` (not recursive), in name order. Returns the
 * number of plugins added; refusals are recorded as messages.
 */
GALLEY_EXPORT int galley_registry_load_dir(galley_registry *reg,
                                           const char *dir,
                                           galley_origin origin);
/** Loads one module file. GALLEY_OK, or a status with a message recorded. */
GALLEY_EXPORT int galley_registry_load_file(galley_registry *reg,
                                            const char *path,
                                            galley_origin origin);
/**
 * The standard search, in order: each of `dirs` (--plugin-dir; may be NULL),
 * GALLEY_PLUGIN_PATH (colon-separated), $XDG_DATA_HOME/galley/plugins (or
 * ~/.local/share/galley/plugins), the installed plugin folder, and when the
 * running program lives in galley's own build tree, that build's plugins.
 * The first plugin of a name wins; a later one is refused as a duplicate.
 */
GALLEY_EXPORT int galley_registry_load_default(galley_registry *reg,
                                               const char *const *dirs,
                                               size_t n_dirs);
/** Adds a descriptor linked into the program (checked like a loaded one). */
GALLEY_EXPORT int galley_registry_add(galley_registry *reg,
                                      const galley_plugin *plugin,
                                      const char *where);

GALLEY_EXPORT size_t galley_registry_count(const galley_registry *reg);
GALLEY_EXPORT const galley_plugin *
galley_registry_at(const galley_registry *reg, size_t i);
/** Where plugin `i` was loaded from (a file path, or what galley_registry_add
 * said). */
GALLEY_EXPORT const char *galley_registry_path(const galley_registry *reg,
                                               size_t i);
GALLEY_EXPORT galley_origin galley_registry_origin(const galley_registry *reg,
                                                   size_t i);
/** The plugin called `name`, or NULL. */
GALLEY_EXPORT const galley_plugin *
galley_registry_find(const galley_registry *reg, const char *name);
/** The first plugin with all of `caps` that claims extension `ext` (no dot, any
 * case). */
GALLEY_EXPORT const galley_plugin *
galley_registry_find_ext(const galley_registry *reg, const char *ext,
                         unsigned caps);
/** The plugin with all of `caps` whose probe scores `head` highest (> 0), or
 * NULL. */
GALLEY_EXPORT const galley_plugin *
galley_registry_probe(const galley_registry *reg, const unsigned char *head,
                      size_t len, unsigned caps);
/** Messages recorded while loading (refused files, shadowed duplicates). */
GALLEY_EXPORT size_t galley_registry_message_count(const galley_registry *reg);
GALLEY_EXPORT const char *galley_registry_message(const galley_registry *reg,
                                                  size_t i);
/** The installed plugin folder this library was built for. */
GALLEY_EXPORT const char *galley_plugin_dir(void);

#ifdef __cplusplus
}
#endif
#endif
