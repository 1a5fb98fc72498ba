/* The plugin ABI: what a format or transform module exports, and the registry.
 *
 * WHAT A PLUGIN EXPORTS
 *   A plugin is a shared object that exports exactly one symbol,
 *   galley_plugin_init (GALLEY_PLUGIN_INIT_SYMBOL), made by writing the
 *   descriptor once in the module with GALLEY_PLUGIN_DEFINE:
 *       GALLEY_PLUGIN_DEFINE(html_plugin, .name = "html", .summary = "...",
 *                            .caps = GALLEY_CAN_READ, .read = html_read);
 *   It defines `static const galley_plugin html_plugin` from the designated
 *   initialisers given, with abi_version, struct_size and version (this
 *   galley's, unless the plugin gives its own .version) filled in, and the
 *   exported galley_plugin_init that returns it. Build with hidden
 *   visibility (-fvisibility=hidden) so that nothing else is exported, and
 *   link with libgalley (`pkg-config --cflags --libs galley`). The
 *   descriptor lives as long as the module; the loader calls
 *   galley_plugin_init once, right after dlopen.
 *
 * THE DESCRIPTOR
 *   abi_version  GALLEY_ABI_VERSION of the headers the plugin was built
 *                with. First member, always. (GALLEY_PLUGIN_DEFINE)
 *   struct_size  sizeof(galley_plugin) when built; the loader reads only the
 *                members that fit in it. (GALLEY_PLUGIN_DEFINE)
 *   name         what -f, -t and -x take: [a-z0-9_-]+, unique among the
 *                loaded plugins (the first one found wins).
 *   version, summary   one line each; version defaults to
 *                GALLEY_VERSION_STRING.
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
 *   init         optional; sets up the libraries the plugin uses
 *                (xmlInitParser, cmark-gfm's extension registry). The
 *                registry calls it once per process for the module, right
 *                after loading and before anything else of the plugin runs,
 *                under a lock; another registry loading the same module
 *                later gets the first result. A status other than
 *                GALLEY_OK refuses the plugin with one message. Never
 *                called for a descriptor whose struct_size ends before it.
 *   batch_begin, batch_learn, batch_end   optional, transforms only, all
 *                three or none (read only when struct_size covers them,
 *                as init): state per batch of
 *                inputs. batch_begin(job) makes the state (NULL with
 *                galley_job_error: a failure; NULL without one: this
 *                transform learns nothing in this batch, as when its
 *                options turn learning off); batch_learn(state, job, doc)
 *                is given each input of the batch once, read but not
 *                transformed, and may run
 *                on several threads at once with one state (lock what it
 *                shares); batch_end(state) frees it. During transform,
 *                galley_job_batch_state(job) gives the state back, or NULL
 *                when the input is not part of a batch.
 *   embeds       optional, writers only (read only when struct_size covers
 *                it): embeds(job, media_type) says whether the writer, with
 *                the job's options (galley_job_option works in it, as in
 *                write), puts a resource of that media type ("image/png")
 *                inside its output rather than linking to it, and
 *                embeds(job, NULL) whether it puts any there. Core asks
 *                before writing: when the writer embeds, the document's
 *                remote images are fetched under the job's network policy
 *                (job.h, "Remote images") and those whose bytes sniff as
 *                a type it accepts become resources named by their URL
 *                (the IMAGE's url); the others become their alt text.
 *                EPUB accepts the EPUB 3.3 core image types; HTML, with
 *                -O self-contained=true, what browsers show. A pure
 *                function of its arguments and the job's options.
 *   Callbacks return GALLEY_OK or a negative status and explain a failure
 *   with galley_job_error(job, status, "...") (the message names the
 *   problem; the host adds the file name). Losses that still give a
 *   result are galley_job_warn.
 *
 * OPTIONS
 *   An option belongs to the plugin that declares it. The user sets
 *   `-O name=value` for every plugin of the conversion that declares
 *   `name`, or `-O plugin.name=value` for one; core checks names, types and
 *   choices against the declarations before anything runs. A plugin reads
 *   its options with galley_job_option(job, "name") (no scope: it gets its
 *   own), and never changes the job's options: to call another plugin with
 *   values of its own it uses galley_plugin_write_with (and _read_with,
 *   _transform_with).
 *
 * WHAT A PLUGIN MAY CALL
 *   Everything in tree.h and buf.h (galley_buf_* for scratch text,
 *   galley_array_grow for arrays of records, galley_utf8_* to validate,
 *   decode, encode, count and cut UTF-8: use these rather than a copy of
 *   your own); in job.h the plugin side (galley_job_error, _warn,
 *   _error_at, _warn_at, _info, galley_job_option, _option_int, _option_bool, galley_job_limits,
 *   galley_job_registry, galley_job_cancelled, galley_job_resource_path*,
 *   galley_job_local_files, galley_job_add_report, galley_job_batch_state)
 *   and the sink functions on the sink it was given; galley_registry_find
 *   on galley_job_registry(job) and then galley_plugin_read/_write/
 *   _transform (or their _with forms) to hand work to another plugin
 *   (never its callbacks directly); galley_plugin_option, galley_strerror,
 *   galley_version. The host side (galley_job_new, _copy, _run,
 *   _build_doc, _write_doc, _convert, _build, _set_*, _check_options,
 *   galley_batch_*, galley_registry_new, _load_*, _add, galley_sink_new_*,
 *   _commit, _free on a sink it did not make) belongs to the host.
 *
 * FILES
 *   A plugin never writes a file. What a user asks a plugin to save (the
 *   boilerplate transform's explain report) goes to the host through
 *   galley_job_add_report, and the host writes it. A writer that embeds
 *   local files reads them only under the job's roots and resource paths.
 *
 * WHO OWNS WHAT
 *   Every node and string of a document belongs to the document and is freed
 *   with galley_doc_free: create them with galley_doc_new_node,
 *   galley_doc_new_text, galley_doc_strndup, galley_doc_alloc; setters copy
 *   their arguments; getters borrow until the document is freed. A plugin
 *   never frees what it got from a document, a job or a registry. The input,
 *   the job's options and the sink are borrowed for the duration of the
 *   call. Memory a plugin allocates itself (scratch buffers, a galley_buf)
 *   it frees before returning. The descriptor and everything it points to are constant and
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
 * HOW THE ABI CHANGES
 *   One rule for every public struct: whoever allocates a struct decides
 *   its size, so a struct that one side of the library boundary allocates
 *   and the other reads says in its first member which members it has, and
 *   grows only at its end. The reader reads no member that the version
 *   does not have (the library takes its defaults for those) and refuses a
 *   version newer than it knows. No function takes or returns a public
 *   struct by value. Applied:
 *   - galley_limits, filled by hosts: `version` first (GALLEY_LIMITS_VERSION,
 *     set by GALLEY_LIMITS_INIT or galley_limits_init). galley_limits_init
 *     and galley_job_set_limits touch only the members of the version they
 *     are given.
 *   - galley_plugin, filled by plugins: abi_version and struct_size first,
 *     set by GALLEY_PLUGIN_DEFINE; the loader reads only the members that
 *     struct_size covers (a plugin built before `init` existed has none).
 *   Exempt, and why:
 *   - galley_diag, galley_resource, and the galley_limits that
 *     galley_job_limits returns, are allocated by the library and handed out
 *     only by const pointer; callers never allocate, fill or copy one, so
 *     they may grow at their end with nothing else to do. Code that reads a
 *     member added later needs a library that has it (galley_limits says so
 *     in its `version`).
 *   - galley_input, galley_input_cursor, galley_iter and galley_option are
 *     frozen: callers allocate them (on the stack, in arrays whose stride
 *     is compiled into both sides) and they will never change. Something
 *     new about an input comes as a new job function; a new option field as
 *     a new table type named by a new descriptor member.
 *   Compatible changes keep the soname and GALLEY_ABI_VERSION: new
 *   functions, new members at the end of a versioned or library-allocated
 *   struct (with a new version number where the struct has one), new node
 *   kinds and enum values at unused numbers. Anything else (a member added
 *   to a frozen struct, moved, retyped or removed; a function removed or
 *   given another signature or meaning) is incompatible: it raises the soname
 *   (GALLEY_SOVERSION, set in meson.build with the version), and when a
 *   plugin built against the previous headers would break, GALLEY_ABI_VERSION
 *   too. tests/abi compares the built library with the stored ABI of the
 *   last release (abidiff) and fails an incompatible change that kept the
 *   soname. The loader refuses a plugin whose abi_version differs ("built
 *   for plugin ABI N, this galley uses ABI M") or whose struct_size is
 *   smaller than the members every descriptor has, and goes on without it;
 *   `galley --check-plugin FILE` exits 2 with that message.
 *   `pkg-config --variable=abi_version galley` and `galley --version` say
 *   which ABI an installed galley speaks.
 *
 *   Galley 0.2 (soname 1, plugin ABI 2) made this rule: galley_limits grew
 *   `version`, galley_limits_default (which returned the struct by value)
 *   gave way to galley_limits_init, and galley_job_set_limits returns a
 *   status. A plugin of ABI 1 read limits at the old offsets, hence ABI 2.
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

/* GALLEY_ABI_VERSION, the plugin ABI, is in <galley/version.h>. */

typedef enum galley_option_type {
  GALLEY_OPT_BOOL = 1,
  GALLEY_OPT_INT,
  GALLEY_OPT_STRING,
  GALLEY_OPT_ENUM,
  GALLEY_OPT_PATH,
} galley_option_type;

/** One option a plugin accepts (`-O name=value`). Frozen: options come in
 * arrays, whose stride both sides compile in, so it never changes. */
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
  /* Every descriptor has the members above: a struct_size that ends
   * before here is refused. What follows is growth, read only when
   * struct_size covers it. */
  /** Optional: run once after loading, before any other callback. */
  int (*init)(void);
  /** Per-batch state of a transform (see THE DESCRIPTOR above): made once
   * per batch, given each input of the batch, freed at its end. */
  void *(*batch_begin)(galley_job *job);
  int (*batch_learn)(void *state, galley_job *job, const galley_doc *doc);
  void (*batch_end)(void *state);
  /** Optional, writers (see THE DESCRIPTOR above): whether this writer,
   * under the job's options, holds resources of `media_type` inside its
   * output; with `media_type` NULL, whether it holds any at all. */
  bool (*embeds)(galley_job *job, const char *media_type);
  /* New members go below this line only. */
};

/** The one symbol a plugin exports. */
typedef const galley_plugin *(*galley_plugin_init_fn)(void);
#define GALLEY_PLUGIN_INIT_SYMBOL "galley_plugin_init"

/* A later designated initialiser of the same member wins (C11 6.7.9);
 * GCC and clang warn about it under -Wextra, which a plugin's own .version
 * is not worth. */
#if defined(__GNUC__)
#define GALLEY_OVERRIDE_INIT_BEGIN_                                            \
  _Pragma("GCC diagnostic push")                                               \
      _Pragma("GCC diagnostic ignored \"-Woverride-init\"")
#define GALLEY_OVERRIDE_INIT_END_ _Pragma("GCC diagnostic pop")
#else
#define GALLEY_OVERRIDE_INIT_BEGIN_
#define GALLEY_OVERRIDE_INIT_END_
#endif

/**
 * An initialiser for a galley_plugin: abi_version, struct_size and version
 * filled in, then the designated initialisers given. For a descriptor a
 * host links in and adds with galley_registry_add (a module uses
 * GALLEY_PLUGIN_DEFINE):
 *     static const galley_plugin upper =
 *         GALLEY_PLUGIN_DESCRIPTOR(.name = "upper", ...);
 * A .version given here replaces galley's, with a compiler warning
 * (-Woverride-init) that GALLEY_PLUGIN_DEFINE silences.
 */
#define GALLEY_PLUGIN_DESCRIPTOR(...)                                          \
  {                                                                            \
    .abi_version = GALLEY_ABI_VERSION,                                         \
    .struct_size = (unsigned)sizeof(galley_plugin),                            \
    .version = GALLEY_VERSION_STRING, __VA_ARGS__                              \
  }

/**
 * Defines the module's descriptor, `static const galley_plugin name`, from
 * designated initialisers, with abi_version, struct_size and version filled
 * in, and exports galley_plugin_init() returning it. Once per module, at
 * file scope, ended with a semicolon:
 *     GALLEY_PLUGIN_DEFINE(text_plugin, .name = "text", .summary = "...",
 *                          .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE,
 *                          .read = txt_read, .write = txt_write);
 */
#define GALLEY_PLUGIN_DEFINE(name, ...)                                        \
  GALLEY_OVERRIDE_INIT_BEGIN_                                                  \
  static const galley_plugin name = GALLEY_PLUGIN_DESCRIPTOR(__VA_ARGS__);     \
  GALLEY_OVERRIDE_INIT_END_                                                    \
  GALLEY_EXPORT const galley_plugin *galley_plugin_init(void);                 \
  GALLEY_EXPORT const galley_plugin *galley_plugin_init(void) {                \
    return &name;                                                              \
  }                                                                            \
  _Static_assert(sizeof(name) == sizeof(galley_plugin), "the descriptor")

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
  GALLEY_ORIGIN_BUILD, /* GALLEY_PLUGIN_SYSTEM_PATH: an uninstalled build's */
} galley_origin;

GALLEY_EXPORT galley_registry *galley_registry_new(void);
/** Frees the registry. Loaded modules stay mapped until the process ends. */
GALLEY_EXPORT void galley_registry_free(galley_registry *reg);
/**
 * Adds every `*.so` in `dir` (not recursive), in name order. Returns the
 * number of plugins added; refusals are recorded as messages.
 *
 * Lazily: a file that the plugin cache ($XDG_CACHE_HOME/galley/
 * plugins.cache, else ~/.cache/galley/) describes as it is now (same path,
 * device, inode, size, mtime and ctime) is added from its description and
 * dlopened (and its init run) only when a lookup below returns it; any
 * other file is loaded now, and the cache rewritten. A file that is refused
 * is never cached, so its message comes on every run. A described plugin
 * that fails to load when looked up is reported then (a message) and
 * passed over, as if refused at start. No usable cache: every file is
 * loaded now, as before.
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
 * ~/.local/share/galley/plugins), then the installed plugin folder, or in
 * its place, when GALLEY_PLUGIN_SYSTEM_PATH is set (even empty), the
 * folders it names (colon-separated; an uninstalled build's plugins, as
 * `meson devenv` and the tests set it). The first plugin of a name wins; a
 * later one is refused as a duplicate.
 */
GALLEY_EXPORT int galley_registry_load_default(galley_registry *reg,
                                               const char *const *dirs,
                                               size_t n_dirs);
/** Adds a descriptor linked into the program (checked like a loaded one). */
GALLEY_EXPORT int galley_registry_add(galley_registry *reg,
                                      const galley_plugin *plugin,
                                      const char *where);

GALLEY_EXPORT size_t galley_registry_count(const galley_registry *reg);
/** Plugin `i`, loaded now if it was only described; NULL past the end, or
 * when loading it refuses it (a message says why). */
GALLEY_EXPORT const galley_plugin *
galley_registry_at(const galley_registry *reg, size_t i);
/**
 * What plugin `i` says of itself, without loading it: name, version,
 * summary, caps, extensions, media_type and options are those of its
 * descriptor (from the plugin cache when it is not loaded yet); its
 * callbacks may all be NULL. Lives as long as the registry. NULL past the
 * end. galley_registry_at(reg, i) gives the plugin itself, loaded.
 */
GALLEY_EXPORT const galley_plugin *
galley_registry_describe_at(const galley_registry *reg, size_t i);
/** galley_registry_describe_at for the plugin called `name`, or NULL. */
GALLEY_EXPORT const galley_plugin *
galley_registry_describe(const galley_registry *reg, const char *name);
/** Whether plugin `i` has been loaded (dlopened, or linked in) by now. */
GALLEY_EXPORT bool galley_registry_is_loaded(const galley_registry *reg,
                                             size_t i);
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
/**
 * The first plugin with all of `caps` that claims the extension of the file
 * name `path` (the part after its last `/`): compound extensions first, so
 * `a.tar.gz` tries `tar.gz`, then `gz`. NULL for none, for NULL and for "-".
 */
GALLEY_EXPORT const galley_plugin *
galley_registry_find_path(const galley_registry *reg, const char *path,
                          unsigned caps);
/**
 * Format detection, as galley does it for an input called `name` whose
 * first bytes are `head`: galley_registry_find_path(name), else
 * galley_registry_probe over at most the first 64 KiB of `head`. NULL
 * when neither finds one.
 */
GALLEY_EXPORT const galley_plugin *
galley_registry_detect(const galley_registry *reg, const char *name,
                       const unsigned char *head, size_t len, unsigned caps);
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
