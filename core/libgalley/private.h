/* Internal structures of libgalley, shared by its source files only. */
#ifndef GALLEY_PRIVATE_H
#define GALLEY_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "galley/fetch.h"
#include "galley/galley.h"

#define GALLEY_API GALLEY_EXPORT

/* ---- arena.c ---- */
typedef struct arena_block arena_block;
typedef struct arena {
  arena_block *head;
  bool pooled; /* new blocks from the pool of long-lived documents */
} arena;

void arena_init(arena *a);
void *arena_alloc(arena *a, size_t size);
char *arena_strndup(arena *a, const char *s, size_t len);
void arena_free(arena *a);
/* Bytes the arena holds from malloc (batch.c's galley_doc_footprint). */
size_t arena_size(const arena *a);

/* ---- tree.c ---- */
typedef struct node_attr {
  const char *key;
  const char *value;
} node_attr;

struct galley_node {
  galley_doc *doc;
  galley_node *parent, *first, *last, *prev, *next;
  galley_kind kind;
  int line;
  /* Kind-specific fields; only the ones a kind has are set. */
  const char *literal; /* TEXT, CODE, CODE_BLOCK, RAW_* */
  const char *str1;    /* url, info, format, label */
  const char *str2;    /* title */
  int num1;            /* level, list start, colspan, row part, task */
  int num2;            /* rowspan, align */
  unsigned flags;      /* ordered, tight, header */
  /* Attributes. */
  const char *tag, *id, *classes;
  node_attr *attrs;
  size_t n_attrs, cap_attrs;
  /* A hash of attrs (slot: index + 1, 0 empty) once a node has many, so
   * that setting n attributes stays linear; NULL below ATTR_INDEX_MIN or
   * after a removal (rebuilt by the next addition). */
  uint32_t *attr_index;
  size_t attr_slots;
};

typedef struct meta_entry {
  const char *key;
  const char *value;
} meta_entry;

struct galley_doc {
  arena arena;
  galley_node *root;
  const char *base;
  meta_entry *meta; /* malloc'd array of arena strings */
  size_t n_meta, cap_meta;
  galley_resource **res; /* malloc'd array of arena structs */
  size_t n_res, cap_res;
  size_t n_nodes, node_limit; /* node_limit 0: none */
  bool over_node_limit;       /* a node was refused for the limit */
  /* Structural edits and label changes so far: galley_doc_footnote's index
   * is rebuilt when it was made at another count. */
  size_t edits;
  pthread_mutex_t notes_lock; /* guards notes */
  struct note_index *notes;   /* malloc'd, or NULL */
};

/* What follows (n, ev) in an enter/exit walk of the subtree at `root`
 * (iter.c): galley_iter and galley_citer take the same steps. */
void iter_step(const galley_node *root, const galley_node *n, galley_event ev,
               const galley_node **next, galley_event *next_ev);

/* Frees the footnote index of `doc` (tree.c, on galley_doc_free). */
void note_index_free(struct note_index *idx);
/* FNV-1a of a NUL-terminated string: the hash of the footnote index and of
 * notes.c's maps (view.c). */
size_t label_hash(const char *s);

/* Forgets the error diagnostics recorded from index `first` on (job.c). */
void job_drop_errors_since(galley_job *job, size_t first);

/* ---- job.c ---- */
typedef struct kv {
  char *key, *value;
} kv;

/* One option as the host set it: `scope` is a plugin name or NULL. */
typedef struct opt_entry {
  char *scope, *name, *value;
} opt_entry;

/* A plugin call in progress (galley_plugin_*_with): whose declared
 * defaults galley_job_option uses, and the values its caller passed. */
typedef struct call_frame {
  const galley_plugin *plugin;
  const galley_option_value *values;
  size_t n_values;
  const struct call_frame *prev;
  /* What the callback does ("reading"...), the job's location, and the
   * frame that ran on this thread before (galley_callback_running). */
  const char *action;
  const char *location;
  const struct call_frame *prev_running;
} call_frame;

/* Makes `plugin` the job's current plugin, with `values` (n) first, for
 * one callback that does `action`; frame_leave puts the caller's back. */
void frame_enter(galley_job *job, call_frame *frame,
                 const galley_plugin *plugin,
                 const galley_option_value *values, size_t n,
                 const char *action);
void frame_leave(galley_job *job, const call_frame *frame);

typedef struct report_entry {
  galley_report r; /* every pointer in it is malloc'd */
} report_entry;

struct galley_job {
  galley_registry *registry;
  const call_frame *frame; /* the plugin running now, or NULL */
  opt_entry *options;
  size_t n_options, cap_options;
  bool options_checked; /* galley_job_check_options accepted them */
  kv *meta;
  size_t n_meta, cap_meta;
  char **resource_paths;
  size_t n_resource_paths, cap_resource_paths;
  /* Folders the input came from (galley_job_add_resource_root): with the
   * resource paths, the only places a local resource may be read from. */
  char **roots;
  size_t n_roots, cap_roots;
  galley_limits limits;
  galley_diag *diags;
  size_t n_diags, cap_diags;
  char *location;
  int status;
  const char *errmsg; /* points into diags */
  atomic_bool cancelled;
  bool no_local_files; /* galley_job_set_local_files(job, false) */
  /* The conversion (galley_job_set_reader, _set_writer, _add_transform). */
  const galley_plugin *reader, *writer;
  const galley_plugin **transforms;
  size_t n_transforms, cap_transforms;
  void (*release)(void *ctx); /* galley_job_set_input_release */
  void *release_ctx;
  report_entry *reports;
  size_t n_reports, cap_reports;
  const galley_batch *batch;
  unsigned network;           /* galley_job_set_network */
  struct job_remote *remote;  /* galley_job_fetch_input's input (remote.c) */
};

/* The plugin running on the job now, or NULL (job.c). */
const galley_plugin *job_current(const galley_job *job);

/* Whether descriptor `p` was built with member `m` (struct_size says). */
#define PLUGIN_HAS(p, m)                                                       \
  ((p)->struct_size >= offsetof(galley_plugin, m) + sizeof((p)->m))

/* Whether `p` has batch hooks (a descriptor with all three). */
bool plugin_has_batch(const galley_plugin *p);

/* ---- resources.c ---- */
/* Between the transforms and `writer`: when it embeds, fetches the remote
 * images of `doc` under the job's network policy and attaches them as
 * resources, the rest becoming their alt text (fetch.h, "Remote images").
 * GALLEY_OK, or GALLEY_ENOMEM / GALLEY_ECANCELLED with the message on the
 * job; failed images are warnings, never errors. */
int resources_fetch(galley_job *job, const galley_plugin *writer,
                    galley_doc *doc);

/* ---- options.c ---- */
/* The limit that core option `name` sets, or NULL: its offset in
 * galley_limits through *offset. */
bool core_limit_option(const char *name, size_t *offset);
/* Parses a positive size ("64K", "10M", "1G"). */
bool parse_positive_size(const char *s, size_t *out);

/* ---- remote.c ---- */
/* The input a job fetched (galley_job_fetch_input), until the job is
 * freed. */
typedef struct job_remote job_remote;
void remote_free(job_remote *r);
/* Frees the fetched bytes once the reader is done with them. */
void remote_release(job_remote *r);
/* The reader for a fetched input: by its Content-Type, else probed. NULL
 * with the message on the job when none takes it. */
const galley_plugin *remote_detect(galley_job *job, const galley_input *in);
/* Reads a fetched input with `reader` into `doc`: its URL as the base,
 * the response's charset for a reader that takes one, the URL after
 * redirects as `url` metadata. */
int remote_read(galley_job *job, const galley_plugin *reader,
                const galley_input *in, galley_doc *doc);
/* True when the option `name` is one of core's network options; `kind`
 * says how its value is read (remote.c). */
bool core_net_option(const char *name, int *kind);
enum { NET_OPT_SIZE, NET_OPT_COUNT, NET_OPT_SECONDS };
/* Parses a positive number of seconds ("30", "0.5") into milliseconds. */
bool parse_positive_seconds(const char *s, long *ms);

/* ---- fetch.c ---- */
/* Why the fetch module (galley-fetch.so) could not be loaded, or NULL when
 * it is loaded (loads it on first call). */
const char *fetch_module_error(void);

/* ---- lang.c ---- */
/* The language step, once after the transforms: the declared language made
 * a regular BCP 47 tag, or guessed from the text when there is none (or
 * it is not a tag and -M did not set it); the direction recorded. */
int lang_step(galley_job *job, galley_doc *doc);

#endif
