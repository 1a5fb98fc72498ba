/* Declarations shared by the files of the boilerplate transform. */
#ifndef GALLEY_BOILERPLATE_H
#define GALLEY_BOILERPLATE_H

#include <galley/galley.h>
#include <stdbool.h>
#include <stddef.h>

/* Per-node statistics, one record per node in document order (pre-order),
 * so that a node's descendants follow it and sums can be made without
 * recursion by walking the array backwards. */
typedef struct bp_rec {
  galley_node *node;
  int parent; /* index of the parent record, -1 for the root */
  int end;    /* one past the index of the last descendant */
  galley_kind kind;
  unsigned text;    /* characters of visible text in the subtree */
  unsigned link;    /* of which inside links */
  unsigned commas;  /* ',' and its CJK forms */
  unsigned stops;   /* sentence ends: . ! ? and CJK forms */
  unsigned paras;   /* paragraphs of 40+ characters */
  unsigned prose;   /* characters of those paragraphs not mostly links */
  unsigned images;  /* IMAGE nodes */
  unsigned items;   /* ITEM nodes */
  unsigned heads;   /* HEADING nodes */
  unsigned figures; /* FIGURE nodes */
  unsigned hints;   /* article/main/articleBody nodes */
  int weight;       /* class/id/tag weight (see class_weight) */
  double score;     /* content score (candidates only) */
  bool candidate;   /* score initialised */
  const char *rule; /* why it is dropped, or NULL */
} bp_rec;

/** One dropped block, for the explain report. */
typedef struct bp_drop {
  const char *rule;
  galley_node *node;
  unsigned chars;
} bp_drop;

/** Per-batch knowledge: block texts counted across the pages of one site
 * (batch.c). NULL in single-document runs. */
typedef struct bp_template bp_template;

/** A byline or date seen on the page (before anything was dropped). */
typedef struct bp_cand {
  galley_node *node;
  const char *value;  /* the date (ISO 8601), or the byline's first name */
  const char **names; /* a byline's names, value first */
  size_t n_names;
  bool is_author;
  bool from_byline; /* a date a byline gives: used only when no other */
} bp_cand;

enum { BP_MAX_CAND = 32 };

/* A text node's counts, kept from one build of the records to the next:
 * between builds the tree only loses nodes (and gains figure boxes around
 * pictures), so the text nodes left come in the same order with the same
 * literals, and are not counted again. */
typedef struct bp_tcount {
  const galley_node *node;
  const char *lit;
  unsigned text, commas, stops;
} bp_tcount;

typedef struct bp_ctx {
  galley_job *job;
  galley_doc *doc;
  bp_rec *rec;
  size_t n, cap;
  bp_tcount *tc[2]; /* [0]: the build before, [1]: this one */
  size_t n_tc[2], cap_tc[2];
  bp_drop *drops;
  size_t n_drops, cap_drops;
  const bp_template *batch; /* the site's template, or NULL */
  int top;                  /* the chosen content container */
  galley_node *top_node;
  /* Options. */
  int min_para;         /* characters a paragraph needs to score */
  double link_max;      /* link density over which a block is navigation */
  bool keep_title;      /* keep a heading that repeats the title */
  bool flat;            /* the document has no containers (plain text) */
  const char *headline; /* the title the page gives, or NULL */
  bp_cand cand[BP_MAX_CAND];
  size_t n_cand;
  /* Signatures made so far, by node (bp_sig): the rules ask for the same
   * node's many times, and a node keeps its attributes and its address
   * (unlinked nodes stay in the document's arena) for the whole run. */
  struct bp_sig_slot {
    const galley_node *node;
    const char *sig;
  } *sigs;
  size_t n_sigs, cap_sigs;
} bp_ctx;

/* strip.c */
int bp_strip(bp_ctx *c);

/* meta.c: metadata from visible bylines and dates (galley/recognise.h). */
int bp_meta_collect(bp_ctx *c);
int bp_meta_apply(bp_ctx *c);
/* The excerpt, when the page has no description: the article's first real
 * paragraph (meta.c). */
int bp_meta_excerpt(bp_ctx *c);

/* text.c: small text helpers. */
unsigned bp_utf8_len(const char *s);
/** Lower-cased "id classes tag role itemprop " of a node, in the doc
 * arena (ASCII letters lowered, whatever the locale). */
const char *bp_node_signature(galley_doc *doc, const galley_node *node);
/** bp_node_signature, made once per node and run. */
const char *bp_sig(bp_ctx *c, const galley_node *node);
/** The node's tag when it is all its signature holds and has no capital
 * (the signature is then the tag and a space; "" for no tag), else NULL:
 * a signature's words can be looked for in it without making one. */
const char *bp_bare_tag(const galley_node *node);
/** Text of a node with white space collapsed, in the doc arena. */
char *bp_node_text(galley_doc *doc, const galley_node *node);
bool bp_same_text(const char *a, const char *b);
/** True when the text ends like a sentence (. ! ? … : ” and CJK forms). */
bool bp_ends_sentence(const char *s);

/* batch.c: the batch hooks (galley_plugin's batch_begin, batch_learn,
 * batch_end) and the question the transform asks. */
void *bp_batch_begin(galley_job *job);
int bp_batch_learn(void *state, galley_job *job, const galley_doc *doc);
void bp_batch_end(void *state);
/**
 * True when a block with this "id classes tag" signature and this text is
 * part of the site's template: it repeats on at least 3 pages of the batch
 * and on at least 60% of them. Always false without a template (single
 * documents).
 */
bool bp_batch_template(const bp_template *t, const char *signature,
                       const char *text);
/**
 * The same question for every node of `doc` at once, without copying a
 * text: the key of each node in document order (the order of the
 * records), hashed as learning hashes a page, for
 * bp_batch_template_key. NULL (n 0) without a template or memory.
 */
uint64_t *bp_batch_keys(const bp_template *t, const galley_doc *doc,
                        size_t *n);
bool bp_batch_template_key(const bp_template *t, uint64_t key);

/* explain.c: the explain report, handed to the host for `path`. */
int bp_explain_report(bp_ctx *c, const char *path);

#endif
