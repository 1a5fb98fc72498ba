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

/** One input document. The host fills it in; readers only read it. */
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
 *      xmlReadIO(galley_input_cursor_read, NULL, &c, ...); */
typedef struct galley_input_cursor {
  const unsigned char *next;
  size_t left;
} galley_input_cursor;

/** Copies up to `len` bytes from the cursor `ctx` to `buf` and moves it on;
 *  returns how many (0 at the end). */
GALLEY_EXPORT int galley_input_cursor_read(void *ctx, char *buf, int len);

/** Limits that protect the machine. 0 in a field means "no limit". */
typedef struct galley_limits {
  size_t max_input_size;     /* bytes of one input */
  size_t max_depth;          /* tree nesting */
  size_t max_entries;        /* entries in a container (EPUB zip) */
  size_t max_decompressed;   /* bytes decompressed from one container */
  size_t max_resource_bytes; /* all resources of one document */
  size_t max_image_size;     /* bytes of one image */
  size_t max_nodes;          /* nodes of one document (ABI 1 growth) */
} galley_limits;

/** The defaults: 256 MiB input, depth 512, 10,000 entries, 1 GiB decompressed,
 *  512 MiB resources, 64 MiB per image, 4,000,000 nodes. */
GALLEY_EXPORT galley_limits galley_limits_default(void);

typedef enum galley_level {
  GALLEY_LEVEL_INFO = 0,
  GALLEY_LEVEL_WARNING,
  GALLEY_LEVEL_ERROR,
} galley_level;

/** One diagnostic. Owned by the job. */
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
/** Sets a format option (`-O key=value`); value is copied. NULL removes it. */
GALLEY_EXPORT int galley_job_set_option(galley_job *job, const char *key,
                                        const char *value);
/** Adds a metadata override (`-M key=value`) applied after reading and after
 * each transform. */
GALLEY_EXPORT int galley_job_set_meta(galley_job *job, const char *key,
                                      const char *value);
/** Replaces the job's limits. */
GALLEY_EXPORT void galley_job_set_limits(galley_job *job,
                                         const galley_limits *limits);
/** Adds a folder under which resources may be read (`--resource-path`). */
GALLEY_EXPORT int galley_job_add_resource_path(galley_job *job,
                                               const char *dir);
/** Asks a running job to stop at its next check; safe from another thread. */
GALLEY_EXPORT void galley_job_cancel(galley_job *job);
/** Sets the location that diagnostics name (usually the input's name). */
/** The location diagnostics name (the input's name as given), or NULL. */
GALLEY_EXPORT const char *galley_job_location(const galley_job *job);
GALLEY_EXPORT int galley_job_set_location(galley_job *job,
                                          const char *location);

GALLEY_EXPORT size_t galley_job_diag_count(const galley_job *job);
GALLEY_EXPORT const galley_diag *galley_job_diag_at(const galley_job *job,
                                                    size_t i);
/** The message of the last error, or NULL when none was set. */
GALLEY_EXPORT const char *galley_job_errmsg(const galley_job *job);
/** The status of the last error, or GALLEY_OK. */
GALLEY_EXPORT int galley_job_status(const galley_job *job);
/** Forgets the diagnostics and the error (to reuse the job for another input).
 */
GALLEY_EXPORT void galley_job_clear(galley_job *job);

/**
 * Runs a whole conversion: read `in` with `reader`, apply `transforms` in
 * order, apply the -M overrides, write with `writer` into `out`. Any of
 * transforms may be NULL when n_transforms is 0. The document is freed
 * before returning. Returns GALLEY_OK or the first failure's status (the
 * message is on the job).
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
 * overrides. For callers that need the tree itself (digests, metadata).
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
/** Records an informational note (shown with -v). */
GALLEY_EXPORT void galley_job_info(galley_job *job, const char *fmt, ...)
    GALLEY_PRINTF(2, 3);

/**
 * The value of option `key`: what the user gave, else the default that the
 * calling plugin declares, else NULL. Borrowed from the job.
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
GALLEY_EXPORT const galley_limits *galley_job_limits(const galley_job *job);
/** The registry the job looks formats up in (for a plugin that hands work to
 * another). */
GALLEY_EXPORT galley_registry *galley_job_registry(const galley_job *job);
/** True once galley_job_cancel was called; long loops should check it. */
GALLEY_EXPORT bool galley_job_cancelled(const galley_job *job);
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

/* ---- Site templates
 * ---------------------------------------------------------- What repeats
 * across the pages of one site. A batch reads a site's pages once, counts each
 * distinct block text per page, and hands the model to every job of that site;
 * a transform (boilerplate) asks whether a block's text is part of the
 * template. */

typedef struct galley_template galley_template;

/** A new empty model; NULL when out of memory. */
GALLEY_EXPORT galley_template *galley_template_new(void);
GALLEY_EXPORT void galley_template_free(galley_template *tpl);
/**
 * Counts every distinct block text of `doc` once (texts are compared with
 * white space collapsed and ASCII case folded). Safe to call from several
 * threads at once.
 */
GALLEY_EXPORT int galley_template_add_doc(galley_template *tpl,
                                          const galley_doc *doc);
/** How many documents were added. */
GALLEY_EXPORT size_t galley_template_doc_count(const galley_template *tpl);
/**
 * True when `text` is template: it is in at least 3 documents and in at
 * least 60% of those added. Call only once every document was added.
 */
GALLEY_EXPORT bool galley_template_is_common(const galley_template *tpl,
                                             const char *text);
/** Gives a job the model of its document's site (borrowed; NULL: none). */
GALLEY_EXPORT void galley_job_set_template(galley_job *job,
                                           const galley_template *tpl);
/** The model set with galley_job_set_template, or NULL. */
GALLEY_EXPORT const galley_template *galley_job_template(const galley_job *job);

/* ---- Output sinks
 * ------------------------------------------------------------ */

/** A sink that collects output in memory. NULL when out of memory. */
GALLEY_EXPORT galley_sink *galley_sink_new_memory(void);
/**
 * A sink that writes `path` atomically: output goes to a temporary file in the
 * same folder, renamed over `path` by galley_sink_commit. NULL on failure
 * (errno tells why).
 */
GALLEY_EXPORT galley_sink *galley_sink_new_file(const char *path);
/** A sink that writes to an open stdio stream (not closed by the sink). */
GALLEY_EXPORT galley_sink *galley_sink_new_stream(void *file /* FILE * */);
/** Appends `len` bytes. Returns GALLEY_EIO after any failure (sticky). */
GALLEY_EXPORT int galley_sink_write(galley_sink *sink, const void *data,
                                    size_t len);
GALLEY_EXPORT int galley_sink_puts(galley_sink *sink, const char *s);
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
/** Frees the sink; an uncommitted file sink removes its temporary file. */
GALLEY_EXPORT void galley_sink_free(galley_sink *sink);

#ifdef __cplusplus
}
#endif
#endif
