/* Jobs: one conversion's input, options, limits, diagnostics and output sink.
 */
#ifndef GALLEY_JOB_H
#define GALLEY_JOB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"
#include "tree.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct galley_job galley_job;
typedef struct galley_sink galley_sink;
typedef struct galley_registry galley_registry;
typedef struct galley_plugin galley_plugin;

/** One input document. The host fills it in; readers only read it. Frozen:
 *  it never changes (plugin.h, "How the ABI changes"). */
typedef struct galley_input {
  const unsigned char *data; /* the whole input */
  size_t size;
  const char *name; /* for messages: the path as given, or "-" for stdin */
  const char
      *base_dir; /* folder that relative resources resolve under; may be NULL */
} galley_input;

/** A read position in bytes, for parsers that pull their input through a
 *  callback (libxml2's xmlInputReadCallback has this shape): the parser
 *  gets a window at a time instead of a copy of the whole input.
 *      galley_input_cursor c = {in->data, in->size};
 *      xmlReadIO(galley_input_cursor_read, NULL, &c, ...);
 *  Frozen: it never changes. */
typedef struct galley_input_cursor {
  const unsigned char *next;
  size_t left;
} galley_input_cursor;

/** Copies up to `len` bytes from the cursor `ctx` to `buf` and moves it on;
 *  returns how many (0 at the end). */
GALLEY_EXPORT int galley_input_cursor_read(void *ctx, char *buf, int len);

/**
 * The galley_limits version these headers describe. A struct's version
 * says which members it has: 1 the first six limits (galley 0.1), 2 adds
 * max_nodes. The library reads only the members of the version it is
 * given and takes its defaults for the rest (plugin.h, "How the ABI
 * changes").
 */
#define GALLEY_LIMITS_VERSION 2

/**
 * Limits that protect the machine. 0 in a limit means "no limit". Set
 * `version` before anything else, with GALLEY_LIMITS_INIT or
 * galley_limits_init; never fill one in from nothing or copy one into a
 * struct of another version.
 */
typedef struct galley_limits {
  unsigned version;          /* GALLEY_LIMITS_VERSION when built; first */
  size_t max_input_size;     /* bytes of one input */
  size_t max_depth;          /* tree nesting */
  size_t max_entries;        /* entries in a container (EPUB zip) */
  size_t max_decompressed;   /* bytes decompressed from one container */
  size_t max_resource_bytes; /* all resources of one document */
  size_t max_image_size;     /* bytes of one image */
  size_t max_nodes;          /* nodes of one document (version 2) */
  /* Version 2 ends here. New members go below this line only, each with a
   * new GALLEY_LIMITS_VERSION. */
} galley_limits;

/** An initialiser with GALLEY_LIMITS_VERSION and the defaults of these
 *  headers: 256 MiB input, depth 512, 10,000 entries, 1 GiB decompressed,
 *  512 MiB resources, 64 MiB per image, 4,000,000 nodes.
 *      galley_limits l = GALLEY_LIMITS_INIT;
 *      l.max_depth = 64;
 *      galley_job_set_limits(job, &l); */
#define GALLEY_LIMITS_INIT                                                     \
  {                                                                            \
    .version = GALLEY_LIMITS_VERSION, .max_input_size = (size_t)256 << 20,     \
    .max_depth = 512, .max_entries = 10000,                                    \
    .max_decompressed = (size_t)1 << 30,                                       \
    .max_resource_bytes = (size_t)512 << 20,                                   \
    .max_image_size = (size_t)64 << 20, .max_nodes = 4000000                   \
  }

/**
 * Sets `limits->version` to `version` and every member that version has to
 * the running library's default; writes nothing past that version's last
 * member. Pass GALLEY_LIMITS_VERSION. GALLEY_EINVALID (and nothing
 * written) for a version this library does not know: 0, or newer than it.
 */
GALLEY_EXPORT int galley_limits_init(galley_limits *limits, unsigned version);

typedef enum galley_level {
  GALLEY_LEVEL_INFO = 0,
  GALLEY_LEVEL_WARNING,
  GALLEY_LEVEL_ERROR,
} galley_level;

/** One diagnostic. Owned by the job and handed out by const pointer only;
 *  may grow at its end. */
typedef struct galley_diag {
  galley_level level;
  int status;           /* for errors: the status code; else 0 */
  const char *message;  /* one line, no trailing newline */
  const char *location; /* the input's name, or NULL */
} galley_diag;

/* ---- Host side ----------------------------------------------------------- */

/** A new job that looks formats up in `registry` (borrowed; may be NULL). */
GALLEY_EXPORT galley_job *galley_job_new(galley_registry *registry);
GALLEY_EXPORT void galley_job_free(galley_job *job);
/**
 * Sets an option (`-O key=value`); `value` is copied, NULL removes it.
 * `key` is `name`, for every plugin that declares `name` (`wrap`), or
 * `plugin.name`, for that plugin only (`text.wrap`); a scoped value wins
 * over an unscoped one. The unscoped names of galley_limits (`max-depth`,
 * `max-entries`, `max-decompressed`, `max-resource-bytes`,
 * `max-image-size`, `max-nodes`) are core's own options: a positive size
 * (suffixes K, M, G) sets that limit. Nothing is checked here (see
 * galley_job_check_options). GALLEY_EINVALID for an empty name or scope.
 */
GALLEY_EXPORT int galley_job_set_option(galley_job *job, const char *key,
                                        const char *value);
/** Number of options set on the job, in the order they were first set. */
GALLEY_EXPORT size_t galley_job_option_count(const galley_job *job);
/**
 * Option `i` as the host set it: `*scope` is the plugin name of a scoped
 * option (`text` of `text.wrap`) or NULL, `*name` and `*value` the rest.
 * Borrowed from the job. GALLEY_ENOTFOUND when `i` is out of range.
 */
GALLEY_EXPORT int galley_job_option_at(const galley_job *job, size_t i,
                                       const char **scope, const char **name,
                                       const char **value);
/**
 * Checks the job's options against the declarations of the plugins of its
 * conversion: `reader` (NULL: the job's reader, or when none is set every
 * loaded reader, for a host whose readers vary per input), the transforms
 * and the writer set on the job.
 * A scoped option (`text.wrap`) must name a loaded plugin that declares
 * it; an unscoped one must be declared by at least one plugin of the
 * conversion; each value must fit the type and choices of every
 * declaration it applies to; a limit must be a positive size. GALLEY_OK,
 * or GALLEY_EINVALID with one of these messages on the job:
 *     unknown option 'wrap' for html, text (see galley --help-format NAME)
 *     unknown option 'wrap' for html (see galley --help-format html)
 *     option nosuch.wrap: no plugin named 'nosuch' is loaded
 *     option wrap wants a whole number, got 'x' (text)
 *     option wrap wants true or false, got 'x' (text)
 *     option raw-html wants one of keep|parse, got 'x' (markdown)
 *     max-depth wants a positive number, got '0'
 * Once accepted, galley_job_run and galley_job_build_doc do not check
 * again (until an option changes).
 */
GALLEY_EXPORT int galley_job_check_options(galley_job *job,
                                           const galley_plugin *reader);
/** Adds a metadata override (`-M key=value`) applied after reading and after
 * each transform. */
GALLEY_EXPORT int galley_job_set_meta(galley_job *job, const char *key,
                                      const char *value);
/**
 * Replaces the job's limits with `limits`, reading only the members its
 * `version` has; the job takes the library's defaults for the rest.
 * GALLEY_EINVALID, and the job's limits unchanged, for a version this
 * library does not know (0, or newer than it).
 */
GALLEY_EXPORT int galley_job_set_limits(galley_job *job,
                                        const galley_limits *limits);
/** Adds a folder under which resources may be read (`--resource-path`):
 * relative resource names are also looked up there. */
GALLEY_EXPORT int galley_job_add_resource_path(galley_job *job,
                                               const char *dir);
/** Whether the document may pull in local files (true by default). False
 *  takes every resource root away, whatever the input says: its folder,
 *  the base a document names for itself and the resource paths. For inputs
 *  that come from elsewhere (galley --jsonl records). Files named by the
 *  host in options (`css`, `cover`) are the host's, not the document's. */
GALLEY_EXPORT void galley_job_set_local_files(galley_job *job, bool allowed);
/** Asks a running job to stop at its next check; safe from another thread. */
GALLEY_EXPORT void galley_job_cancel(galley_job *job);
/** The location diagnostics name (the input's name as given), or NULL. */
GALLEY_EXPORT const char *galley_job_location(const galley_job *job);
/** Sets the location that diagnostics name (usually the input's name). */
GALLEY_EXPORT int galley_job_set_location(galley_job *job,
                                          const char *location);

GALLEY_EXPORT size_t galley_job_diag_count(const galley_job *job);
GALLEY_EXPORT const galley_diag *galley_job_diag_at(const galley_job *job,
                                                    size_t i);
/** The message of the last error, or NULL when none was set. */
GALLEY_EXPORT const char *galley_job_errmsg(const galley_job *job);
/** The status of the last error, or GALLEY_OK. */
GALLEY_EXPORT int galley_job_status(const galley_job *job);
/** Forgets the diagnostics, the error and the reports (to reuse the job for
 * another input). */
GALLEY_EXPORT void galley_job_clear(galley_job *job);
/**
 * A new job set up as `job` is: its registry, formats and transforms,
 * options (and whether they were checked), -M overrides, limits, resource
 * paths and roots, and whether local files may be read. Not copied: the
 * diagnostics, reports, location, cancellation, batch and input release.
 * A host sets one job up, checks it, and copies it for each input. NULL
 * when out of memory.
 */
GALLEY_EXPORT galley_job *galley_job_copy(const galley_job *job);
/** Forgets the -M overrides (a digest reads its articles without them:
 * they are the book's). */
GALLEY_EXPORT void galley_job_clear_meta(galley_job *job);

/* ---- The conversion --------------------------------------------------------
 * One path for every host: the galley command line (one document, a batch,
 * a digest, --jsonl, --check-plugin) runs exactly these calls. */

/**
 * The input format: `reader` for every input (`-f`), or NULL (the default)
 * to detect it per input (galley_job_detect). GALLEY_EINVALID, with a
 * message, for a plugin that cannot read.
 */
GALLEY_EXPORT int galley_job_set_reader(galley_job *job,
                                        const galley_plugin *reader);
/** The output format (`-t`). GALLEY_EINVALID, with a message, for a plugin
 * that cannot write. */
GALLEY_EXPORT int galley_job_set_writer(galley_job *job,
                                        const galley_plugin *writer);
/** Appends a transform (`-x`), applied in the order added. GALLEY_EINVALID,
 * with a message, for a plugin that is not a transform. */
GALLEY_EXPORT int galley_job_add_transform(galley_job *job,
                                           const galley_plugin *transform);
/** The reader set with galley_job_set_reader, or NULL (detected per input). */
GALLEY_EXPORT const galley_plugin *galley_job_reader(const galley_job *job);
/** The writer set with galley_job_set_writer, or NULL. */
GALLEY_EXPORT const galley_plugin *galley_job_writer(const galley_job *job);
/** The number of transforms, and each one in order. */
GALLEY_EXPORT size_t galley_job_transform_count(const galley_job *job);
GALLEY_EXPORT const galley_plugin *
galley_job_transform_at(const galley_job *job, size_t i);
/**
 * The reader for `in`: the job's reader when one is set; else the reader
 * that claims the extension of `in->name` (galley_registry_find_path:
 * compound extensions such as `tar.gz` first); else the reader whose
 * probe scores the first 64 KiB of `in->data` highest. NULL when none
 * does, with GALLEY_EUNSUPPORTED and the message "cannot tell the input
 * format (use -f FORMAT; see --list-formats)" on the job.
 */
GALLEY_EXPORT const galley_plugin *galley_job_detect(galley_job *job,
                                                     const galley_input *in);
/**
 * Asks the next conversion on the job (galley_job_run, _build_doc, or
 * galley_job_convert, _build) to call `release(ctx)` once, as soon as
 * `in->data` is no longer needed: right after the reader returns (the
 * tree holds copies of all it needs), or when galley_job_run or
 * galley_job_build_doc fails before reading. A host that reads a large input
 * whole so gets its memory back before the transforms and the writer run.
 * The callback is then forgotten.
 */
GALLEY_EXPORT void galley_job_set_input_release(galley_job *job,
                                                void (*release)(void *ctx),
                                                void *ctx);

/*
 * Remote images. When the writer holds images in its output (its
 * descriptor's `embeds`: EPUB, and HTML with -O self-contained=true),
 * galley_job_run, _build_doc, _build (with the job's writer) and _convert
 * fetch, after the transforms and before the writer, every remote image of
 * the document: an IMAGE whose URL is http(s), relative to a base that is
 * (galley_doc_set_base; a page fetched from a URL), or protocol-relative
 * ("//host/path": the base's scheme, https under a local folder). Only
 * what the transforms kept is fetched. Each URL once, in parallel over
 * reused connections, under the job's network policy and limits
 * (galley_job_set_network and galley_job_fetch_options in fetch.h: the
 * address policy, -O max-fetch-size, max-fetch-bytes, max-fetches,
 * host-connections), then max-image-size and max-resource-bytes. A
 * response whose bytes (never its URL or Content-Type) sniff as a type
 * the writer accepts becomes a resource named by the image's absolute URL,
 * and the IMAGE points at it; any other image becomes its alt text (the
 * IMAGE's children), and the job gets one warning that counts them,
 *     3 of 12 remote images could not be fetched; kept their alt text
 * with each reason as an info line ("image URL: HTTP 404"). Offline
 * (GALLEY_NETWORK_OFFLINE) nothing is fetched or resolved and the warning
 * is "12 remote images not fetched (offline); kept their alt text".
 * Failed images never fail the conversion; running out of memory or
 * galley_job_cancel does. (core/libgalley/resources.c)
 */

/**
 * The whole conversion of one input: detects the reader (galley_job_detect),
 * checks the options against this conversion's plugins unless
 * galley_job_check_options already accepted them, reads `in`, applies the
 * -M overrides, applies each transform (the -M overrides again after
 * each), and writes the document with the job's writer into `out`. The
 * document is freed before returning; `out` is not committed (the host
 * delivers it). GALLEY_OK or the first failure's status (the message is
 * on the job).
 */
GALLEY_EXPORT int galley_job_run(galley_job *job, const galley_input *in,
                                 galley_sink *out);
/**
 * The first half of galley_job_run, for a host that needs the tree itself
 * (a digest, metadata): detection, the check of the options, read, -M,
 * transforms, into `doc` (a new, empty document the caller owns). The
 * input's folder (`in->base_dir`) becomes the document's base and one of
 * the job's resource roots.
 */
GALLEY_EXPORT int galley_job_build_doc(galley_job *job, const galley_input *in,
                                       galley_doc *doc);
/**
 * The second half of galley_job_run: writes `doc` with the job's writer
 * into `out` (not committed). Checks the options first unless they were
 * accepted already (with the job's reader, or every reader when none is
 * set).
 */
GALLEY_EXPORT int galley_job_write_doc(galley_job *job, const galley_doc *doc,
                                       galley_sink *out);

/**
 * galley_job_run with the formats given here rather than set on the job,
 * and without detection or the check of the options: read `in` with
 * `reader`, apply `transforms` in order (the -M overrides after the read
 * and after each), write with `writer` into `out`. `transforms` may be
 * NULL when n_transforms is 0. The document is freed before returning.
 * Returns GALLEY_OK or the first failure's status (the message is on the
 * job).
 */
GALLEY_EXPORT int galley_job_convert(galley_job *job, const galley_input *in,
                                     const galley_plugin *reader,
                                     const galley_plugin *const *transforms,
                                     size_t n_transforms,
                                     const galley_plugin *writer,
                                     galley_sink *out);

/**
 * The first half of galley_job_convert: reads `in` into `doc` (a new,
 * empty document the caller owns), applies the transforms and the -M
 * overrides (galley_job_build_doc with the formats given here).
 */
GALLEY_EXPORT int galley_job_build(galley_job *job, const galley_input *in,
                                   const galley_plugin *reader,
                                   const galley_plugin *const *transforms,
                                   size_t n_transforms, galley_doc *doc);

/**
 * Applies the -M overrides to `doc`: the first -M of a key replaces the
 * document's values, later ones of the same key add values.
 */
GALLEY_EXPORT int galley_job_apply_meta(galley_job *job, galley_doc *doc);

/**
 * The plugin callback running on the calling thread, for a host's handler
 * of a fatal signal (SIGSEGV...): its plugin's name, what it does
 * ("reading", "writing", "transforming") and the job's location (NULL when
 * unset). False when no callback runs on this thread. Async-signal-safe:
 * it reads a thread-local pointer and allocates nothing. galley's CLI
 * prints "galley: FILE: the PLUGIN plugin crashed while reading (signal 11)"
 * with it and exits 3.
 */
GALLEY_EXPORT bool galley_callback_running(const char **plugin,
                                           const char **action,
                                           const char **location);

/* ---- Plugin side -----------------------------------------------------------
 */

/**
 * Records an error on the job and returns `status`, so a reader can write
 * `return galley_job_error(job, GALLEY_EPARSE, "not valid UTF-8 at byte %zu",
 * off);`. The message names the problem, not the file: the host adds the
 * location.
 */
GALLEY_EXPORT int galley_job_error(galley_job *job, int status, const char *fmt,
                                   ...) GALLEY_PRINTF(3, 4);
/** Records a warning: the conversion goes on but loses or guesses something. */
GALLEY_EXPORT void galley_job_warn(galley_job *job, const char *fmt, ...)
    GALLEY_PRINTF(2, 3);
/**
 * galley_job_error and galley_job_warn for a place in the input: the
 * diagnostic's location becomes "NAME:LINE" (the job's location, then the
 * 1-based line), as compilers print it: `galley: notes.adoc:12: unclosed
 * block`. A `line` of 0 names no line.
 */
GALLEY_EXPORT int galley_job_error_at(galley_job *job, int status, size_t line,
                                      const char *fmt, ...) GALLEY_PRINTF(4, 5);
GALLEY_EXPORT void galley_job_warn_at(galley_job *job, size_t line,
                                      const char *fmt, ...) GALLEY_PRINTF(3, 4);
/** Records an informational note (shown with -v). */
GALLEY_EXPORT void galley_job_info(galley_job *job, const char *fmt, ...)
    GALLEY_PRINTF(2, 3);

/**
 * The value of option `key` for the calling plugin: what the plugin that
 * called it passed (galley_plugin_write_with and friends), else the
 * user's value scoped to the calling plugin (`text.wrap` for `text`), else
 * the user's unscoped value (`wrap`), else the default the calling plugin
 * declares, else NULL. Outside any plugin (the host asking), `key` may be
 * scoped: `text.wrap` is what `text` would get. Borrowed from the job.
 */
GALLEY_EXPORT const char *galley_job_option(const galley_job *job,
                                            const char *key);
/** galley_job_option read as an integer; `fallback` when unset or not a number.
 */
GALLEY_EXPORT long galley_job_option_int(const galley_job *job, const char *key,
                                         long fallback);
/** galley_job_option read as a boolean (true/false/yes/no/1/0); `fallback` when
 * unset. */
GALLEY_EXPORT bool galley_job_option_bool(const galley_job *job,
                                          const char *key, bool fallback);
/**
 * The job's limits, owned by the job. Its `version` is the running
 * library's GALLEY_LIMITS_VERSION, which may be newer than a plugin's
 * headers (members past those it knows are there) but never older than
 * 2; code that reads a member added after version 2 checks `version`
 * first.
 */
GALLEY_EXPORT const galley_limits *galley_job_limits(const galley_job *job);
/** The registry the job looks formats up in (for a plugin that hands work to
 * another). */
GALLEY_EXPORT galley_registry *galley_job_registry(const galley_job *job);
/** True once galley_job_cancel was called; long loops should check it. */
GALLEY_EXPORT bool galley_job_cancelled(const galley_job *job);
/** Adds a folder an input came from: local resources may be read from
 * under it. galley_job_build adds its input's `base_dir`; a runner that
 * writes several inputs as one document (a digest) adds each input's. A
 * document's own base (`galley_doc_get_base`, which a document may set to
 * anything) only says how relative names resolve, never where reading is
 * allowed. A job with no root and no resource path reads no local file. */
GALLEY_EXPORT int galley_job_add_resource_root(galley_job *job,
                                               const char *dir);
/** True when `real`, an absolute path with every symlink resolved
 * (realpath), lies under one of the job's roots or resource paths. */
GALLEY_EXPORT bool galley_job_resource_allowed(const galley_job *job,
                                               const char *real);
/** False when the job's document may read no local file at all
 *  (galley_job_set_local_files): a plugin that would read an image or
 *  another resource from disk for the document reads nothing instead. */
GALLEY_EXPORT bool galley_job_local_files(const galley_job *job);
/** Number of folders given with galley_job_add_resource_path, and each one. */
GALLEY_EXPORT size_t galley_job_resource_path_count(const galley_job *job);
GALLEY_EXPORT const char *galley_job_resource_path(const galley_job *job,
                                                   size_t i);

/**
 * Calls `plugin`'s read/write/transform on behalf of the current plugin:
 * options then default to what `plugin` declares, and the result is checked
 * (for read: the tree's depth against the limit). Use these, not the
 * descriptor's callbacks, to hand work to another format.
 */
GALLEY_EXPORT int galley_plugin_read(galley_job *job,
                                     const galley_plugin *plugin,
                                     const galley_input *in, galley_doc *doc);
GALLEY_EXPORT int galley_plugin_write(galley_job *job,
                                      const galley_plugin *plugin,
                                      const galley_doc *doc, galley_sink *out);
GALLEY_EXPORT int galley_plugin_transform(galley_job *job,
                                          const galley_plugin *plugin,
                                          galley_doc *doc);

/** An option value one plugin passes to another it calls. */
typedef struct galley_option_value {
  const char *name;  /* an option the called plugin declares: "xhtml" */
  const char *value; /* "true"; NULL: unset, the called plugin's default */
} galley_option_value;

/**
 * galley_plugin_read/_write/_transform with `n` option values of the
 * caller's own for the called plugin: during the call, galley_job_option
 * in `plugin` gives these first (a NULL value hides the user's value and
 * gives `plugin`'s default). The job's options are never changed: this is
 * how the EPUB writer renders chapters with the html writer's XHTML mode
 * whatever the user set for html. `values` is borrowed for the call.
 */
GALLEY_EXPORT int
galley_plugin_read_with(galley_job *job, const galley_plugin *plugin,
                        const galley_input *in, galley_doc *doc,
                        const galley_option_value *values, size_t n);
GALLEY_EXPORT int
galley_plugin_write_with(galley_job *job, const galley_plugin *plugin,
                         const galley_doc *doc, galley_sink *out,
                         const galley_option_value *values, size_t n);
GALLEY_EXPORT int
galley_plugin_transform_with(galley_job *job, const galley_plugin *plugin,
                             galley_doc *doc, const galley_option_value *values,
                             size_t n);

/* ---- Reports ---------------------------------------------------------------
 * A plugin never writes files: a report the user asked for (the
 * boilerplate transform's `-O explain=FILE`) is handed to the host, which
 * writes it (galley writes each one atomically, once the conversion is
 * done, and fails the conversion if it cannot). */

/** One report handed to the host. Owned by the job. */
typedef struct galley_report {
  const char *plugin;        /* the plugin that made it: "boilerplate" */
  const char *kind;          /* what it is: "explain" */
  const char *path;          /* where the user asked for it */
  const unsigned char *data; /* its bytes */
  size_t size;
} galley_report;

/**
 * Plugin side: hands the host `size` bytes (copied) of a report of `kind`
 * for the file `path` the user named in one of the calling plugin's
 * options. A later report for the same path replaces an earlier one.
 */
GALLEY_EXPORT int galley_job_add_report(galley_job *job, const char *kind,
                                        const char *path, const void *data,
                                        size_t size);
/** Host side: the number of reports, and each one (borrowed). */
GALLEY_EXPORT size_t galley_job_report_count(const galley_job *job);
GALLEY_EXPORT const galley_report *galley_job_report_at(const galley_job *job,
                                                        size_t i);

/* ---- Batches ---------------------------------------------------------------
 * What a transform learns across the inputs of one batch (the boilerplate
 * transform: blocks that repeat on most pages of one site). A transform
 * that has batch hooks (galley_plugin's batch_begin, batch_learn,
 * batch_end) gets state per batch; the host makes a batch for each group
 * of inputs (galley: each folder of three pages or more), hands it every
 * input once, then converts each input with the batch set on its job. */

typedef struct galley_batch galley_batch;

/**
 * A batch for the transforms of `job`: batch_begin of each transform that
 * has batch hooks. NULL when none has them or every one declined (its
 * batch_begin gave no state and no error: nothing to learn), or when a
 * hook failed or memory ran out (then with a message on `job`).
 */
GALLEY_EXPORT galley_batch *galley_batch_new(galley_job *job);
/**
 * Reads `in` (the reader detected as galley_job_run does; no -M, no
 * transforms) and hands the document to batch_learn of each transform
 * of the batch. May run on several threads at once, each with its own
 * job. GALLEY_OK, or the failure's status with its message on `job`.
 */
GALLEY_EXPORT int galley_batch_learn(galley_batch *batch, galley_job *job,
                                     const galley_input *in);
/**
 * galley_batch_learn for a document the host has read already (with
 * galley_job_read_doc): hands `doc` to batch_learn of each transform of
 * the batch. A host that keeps the documents it learnt from converts each
 * with galley_job_finish_doc and galley_job_write_doc, so each input is
 * read and parsed once.
 */
GALLEY_EXPORT int galley_batch_learn_doc(galley_batch *batch, galley_job *job,
                                         const galley_doc *doc);
/**
 * galley_job_build_doc in two halves, for a host that does something with
 * the document between reading and transforming it (a batch's learning):
 * galley_job_read_doc detects the reader, checks the options, reads `in`
 * into `doc` and applies -M; galley_job_finish_doc then applies the job's
 * transforms (-M after each), finds the language and fetches what the
 * writer embeds. galley_job_build_doc is the one followed by the other.
 */
GALLEY_EXPORT int galley_job_read_doc(galley_job *job, const galley_input *in,
                                      galley_doc *doc);
GALLEY_EXPORT int galley_job_finish_doc(galley_job *job, galley_doc *doc);
/**
 * Roughly the bytes a document holds (its arena, metadata and resources):
 * what a host keeping documents between passes counts against its budget.
 */
GALLEY_EXPORT size_t galley_doc_footprint(const galley_doc *doc);
/** Calls batch_end of each transform and frees the batch. */
GALLEY_EXPORT void galley_batch_free(galley_batch *batch);
/** Makes `job`'s transforms see the state they learnt in `batch`
 * (borrowed; NULL: none, as for a single document). */
GALLEY_EXPORT void galley_job_set_batch(galley_job *job,
                                        const galley_batch *batch);
/**
 * Plugin side: during its transform, the calling transform's state from
 * its batch_begin, or NULL when the input is not part of a batch.
 */
GALLEY_EXPORT void *galley_job_batch_state(const galley_job *job);

/* ---- Output sinks
 * ------------------------------------------------------------ */

/** A sink that collects output in memory. NULL when out of memory. */
GALLEY_EXPORT galley_sink *galley_sink_new_memory(void);
/**
 * A sink that writes `path` atomically: output goes to a temporary file in the
 * same folder, renamed over `path` by galley_sink_commit. A symlink is
 * followed: its target is what gets replaced. A target that exists and is
 * not a regular file (a device, a FIFO, a socket) is never replaced: the
 * bytes are held and written to it by galley_sink_commit. NULL on failure
 * (errno tells why; EISDIR for a folder).
 */
GALLEY_EXPORT galley_sink *galley_sink_new_file(const char *path);
/** A sink that writes to an open stdio stream (not closed by the sink). */
GALLEY_EXPORT galley_sink *galley_sink_new_stream(void *file /* FILE * */);
/** Appends `len` bytes. Returns GALLEY_EIO after any failure (sticky). */
GALLEY_EXPORT int galley_sink_write(galley_sink *sink, const void *data,
                                    size_t len);
GALLEY_EXPORT int galley_sink_puts(galley_sink *sink, const char *s);
/** Unlinks the temporary file of every file sink neither committed nor
 *  freed yet, so that a process that is about to die leaves no partial
 *  output. Async-signal-safe: for a host's fatal-signal handler. */
GALLEY_EXPORT void galley_sinks_abandon(void);
GALLEY_EXPORT int galley_sink_printf(galley_sink *sink, const char *fmt, ...)
    GALLEY_PRINTF(2, 3);
/** Bytes written so far. */
GALLEY_EXPORT size_t galley_sink_size(const galley_sink *sink);
/** For a memory sink: the bytes so far (NUL-terminated), borrowed. */
GALLEY_EXPORT const char *galley_sink_data(const galley_sink *sink,
                                           size_t *len);
/** Finishes: a file sink is flushed, synced and renamed into place. Frees
 * nothing. */
GALLEY_EXPORT int galley_sink_commit(galley_sink *sink);
/**
 * Whether galley_sink_commit of a file sink syncs the file to disk before
 * renaming it into place (true, the default). A host that writes many
 * files turns it off and syncs them all at once (syncfs(2), or fsync of
 * each file and folder) before it calls them done; the rename stays
 * atomic either way.
 */
GALLEY_EXPORT void galley_sink_set_sync(galley_sink *sink, bool sync);
/** Frees the sink; an uncommitted file sink removes its temporary file. */
GALLEY_EXPORT void galley_sink_free(galley_sink *sink);

#ifdef __cplusplus
}
#endif
#endif
