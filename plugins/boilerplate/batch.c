/* Batch template learning: blocks that repeat across most pages of one
 * site are the site's template (rule `template`). The host gives the
 * transform a batch per site (galley: each folder of three pages or more);
 * the batch hooks count each page's distinct block texts once, and the
 * transform asks whether a block's text is common. Single documents have
 * no batch. */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boilerplate.h"

/* Texts shorter than this say too little to call them template. */
#define MIN_TEXT 3
/* A text is template when at least MIN_DOCS pages, and at least MIN_SHARE
 * of the pages learnt, have it. */
#define MIN_DOCS 3
#define MIN_SHARE 0.6

/* Open addressing on 64-bit text hashes; 0 marks an empty slot. */
typedef struct slot {
  uint64_t hash;
  size_t count;
} slot;

struct bp_template {
  pthread_mutex_t lock; /* batch_learn runs on several threads at once */
  slot *slots;
  size_t cap, used;
  size_t docs;
};

/* FNV-1a over the text with white space collapsed, ASCII folded and the
 * ends trimmed; 0 for a text too short to count. */
static uint64_t text_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  size_t n = 0;
  int pending_space = 0;
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    if (isspace(*p)) {
      pending_space = n > 0;
      continue;
    }
    if (pending_space) {
      h = (h ^ ' ') * 1099511628211ull;
      pending_space = 0;
    }
    h = (h ^ (unsigned char)tolower(*p)) * 1099511628211ull;
    n++;
  }
  if (n < MIN_TEXT)
    return 0;
  return h ? h : 1;
}

static slot *find(slot *slots, size_t cap, uint64_t hash) {
  size_t i = (size_t)(hash & (cap - 1));
  while (slots[i].hash && slots[i].hash != hash)
    i = (i + 1) & (cap - 1);
  return &slots[i];
}

static int grow(slot **slots, size_t *cap, size_t used) {
  if ((used + 1) * 2 <= *cap)
    return GALLEY_OK;
  size_t ncap = *cap ? *cap * 2 : 256;
  slot *ns = calloc(ncap, sizeof *ns);
  if (!ns)
    return GALLEY_ENOMEM;
  for (size_t i = 0; i < *cap; i++)
    if ((*slots)[i].hash)
      *find(ns, ncap, (*slots)[i].hash) = (*slots)[i];
  free(*slots);
  *slots = ns;
  *cap = ncap;
  return GALLEY_OK;
}

static bool counts_as_block(galley_kind k) {
  return galley_kind_is_block(k) && k != GALLEY_NODE_DOCUMENT;
}

void *bp_batch_begin(galley_job *job) {
  (void)job;
  bp_template *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  if (pthread_mutex_init(&t->lock, NULL) != 0) {
    free(t);
    return NULL;
  }
  return t;
}

void bp_batch_end(void *state) {
  bp_template *t = state;
  if (!t)
    return;
  pthread_mutex_destroy(&t->lock);
  free(t->slots);
  free(t);
}

int bp_batch_learn(void *state, galley_job *job, const galley_doc *doc) {
  bp_template *t = state;
  if (!t || !doc)
    return GALLEY_EINVALID;
  /* This document's distinct texts first, so a text repeated within one
   * page still counts once. galley_node_text needs a writable arena; the
   * document is the host's, so a scratch copy of each text is made in a
   * document of our own. */
  galley_doc *scratch = galley_doc_new();
  slot *mine = NULL;
  size_t cap = 0, used = 0;
  int rc = scratch ? GALLEY_OK : GALLEY_ENOMEM;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while (rc == GALLEY_OK && (ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER || !counts_as_block(galley_node_kind(n)))
      continue;
    const char *text = galley_node_text(scratch, n);
    uint64_t h = text ? text_hash(text) : 0;
    if (!h)
      continue;
    if ((rc = grow(&mine, &cap, used)) != GALLEY_OK)
      break;
    slot *s = find(mine, cap, h);
    if (!s->hash) {
      s->hash = h;
      used++;
    }
  }
  galley_doc_free(scratch);
  if (rc == GALLEY_OK) {
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; rc == GALLEY_OK && i < cap; i++) {
      if (!mine[i].hash)
        continue;
      if ((rc = grow(&t->slots, &t->cap, t->used)) != GALLEY_OK)
        break;
      slot *s = find(t->slots, t->cap, mine[i].hash);
      if (!s->hash) {
        s->hash = mine[i].hash;
        t->used++;
      }
      s->count++;
    }
    t->docs++;
    pthread_mutex_unlock(&t->lock);
  }
  free(mine);
  if (rc == GALLEY_ENOMEM)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  return rc;
}

bool bp_batch_template(const bp_template *t, const char *signature,
                       const char *text) {
  (void)signature;
  /* Read only once every page was learnt: no lock is needed. */
  if (!t || !t->cap || t->docs < MIN_DOCS)
    return false;
  uint64_t h = text_hash(text);
  if (!h)
    return false;
  const slot *s = find(t->slots, t->cap, h);
  return s->hash && s->count >= MIN_DOCS &&
         (double)s->count >= MIN_SHARE * (double)t->docs;
}
