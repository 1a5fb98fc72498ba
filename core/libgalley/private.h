/* Internal structures of libgalley, shared by its source files only. */
#ifndef GALLEY_PRIVATE_H
#define GALLEY_PRIVATE_H

#include <stdatomic.h>

#include "galley/galley.h"

#define GALLEY_API GALLEY_EXPORT

/* ---- arena.c ---- */
typedef struct arena_block arena_block;
typedef struct arena {
  arena_block *head;
} arena;

void arena_init(arena *a);
void *arena_alloc(arena *a, size_t size);
char *arena_strndup(arena *a, const char *s, size_t len);
void arena_free(arena *a);

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
};

/* Forgets the error diagnostics recorded from index `first` on (job.c). */
void job_drop_errors_since(galley_job *job, size_t first);

/* ---- job.c ---- */
typedef struct kv {
  char *key, *value;
} kv;

struct galley_job {
  galley_registry *registry;
  const galley_plugin
      *current; /* whose declared defaults galley_job_option uses */
  kv *options;
  size_t n_options, cap_options;
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
  const galley_template *tpl;
  bool no_local_files; /* galley_job_set_local_files(job, false) */
};

#endif
