/* Batch template learning: blocks that repeat across most pages of one
 * site are the site's template (rule `template`). The host gives the
 * transform a batch per site (galley: the pages whose canonical URL names
 * one host, else the pages of one folder, three or more; -O
 * boilerplate.template=false learns nothing);
 * the batch hooks count each page's distinct block texts once, and the
 * transform asks whether a block's text is common. Single documents have
 * no batch. */
#include <pthread.h>
#include <stdbool.h>
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

/* A text's hash is a polynomial one, modulo the prime 2^61 - 1, over the
 * text with white space collapsed, ASCII folded and the ends trimmed. It
 * is computed the same way from a string (the transform's question) and,
 * bottom-up, from a tree (learning): a block's hash is its children's
 * combined, so one walk hashes every block without copying a text. */
#define MOD (((uint64_t)1 << 61) - 1)
#define BASE (0x1f3d5b79a2c4e687ull % MOD)

/* a * b mod 2^61 - 1, for a, b < 2^61: with a 128-bit product where the
 * compiler has one, else in 64-bit arithmetic. */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;
#endif
static inline uint64_t mulmod(uint64_t a, uint64_t b) {
#ifdef __SIZEOF_INT128__
  u128 p = (u128)a * b;
  uint64_t r = ((uint64_t)p & MOD) + (uint64_t)(p >> 61);
  return r >= MOD ? r - MOD : r;
#else
  uint64_t a1 = a >> 32, a0 = a & 0xffffffffu;
  uint64_t b1 = b >> 32, b0 = b & 0xffffffffu;
  uint64_t mid = a1 * b0 + a0 * b1; /* < 2^62 */
  uint64_t lo = a0 * b0;
  /* 2^64 = 8 and 2^61 = 1 modulo 2^61 - 1. */
  uint64_t sum = (a1 * b1 << 3) + (mid >> 29) +
                 ((mid & (((uint64_t)1 << 29) - 1)) << 32) + (lo & MOD) +
                 (lo >> 61);
  sum = (sum & MOD) + (sum >> 61);
  return sum >= MOD ? sum - MOD : sum;
#endif
}

/* A stretch of text as the hash sees it: the hash and BASE^length of its
 * trimmed, collapsed form, its count of characters that are not space, and
 * whether white space comes before its first or after its last such
 * character (with none: whether it has white space at all, in both). */
typedef struct seg {
  uint64_t h, pw;
  size_t n;
  bool lead, trail;
} seg;

static const seg EMPTY = {0, 1, 0, false, false};

/* BASE^(2^j) for j < 64, for BASE^k in popcount(k) products. */
static uint64_t base_pow2[64];
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

static void make_base_pow2(void) {
  base_pow2[0] = BASE;
  for (int j = 1; j < 64; j++)
    base_pow2[j] = mulmod(base_pow2[j - 1], base_pow2[j - 1]);
}

static uint64_t base_pow(size_t k) {
  uint64_t r = 1;
  for (int j = 0; k; j++, k >>= 1)
    if (k & 1)
      r = mulmod(r, base_pow2[j]);
  return r;
}

/* Appends one character to the hash; the caller multiplies pw by BASE for
 * each (base_pow), once per stretch rather than once per character. */
static inline void push_h(seg *s, unsigned char c) {
  s->h = mulmod(s->h, BASE) + (uint64_t)c + 1;
  if (s->h >= MOD)
    s->h -= MOD;
}

static void push(seg *s, unsigned char c) {
  push_h(s, c);
  s->pw = mulmod(s->pw, BASE);
}

/* White space and case as ASCII has them, whatever the locale: the same
 * text hashes the same everywhere. */
static inline bool hash_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

static void add_bytes(seg *s, const char *p, size_t len) {
  size_t pushed = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)p[i];
    if (hash_space(c)) {
      if (s->n == 0)
        s->lead = true;
      s->trail = true;
      continue;
    }
    if (s->n > 0 && s->trail) {
      push_h(s, ' ');
      pushed++;
    }
    push_h(s, c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c);
    pushed++;
    s->n++;
    s->trail = false;
  }
  if (pushed)
    s->pw = mulmod(s->pw, base_pow(pushed));
}

/* `a` followed by `b`. */
static void add_seg(seg *a, const seg *b) {
  if (b->n == 0) {
    if (b->lead || b->trail) {
      if (a->n == 0)
        a->lead = true;
      a->trail = true;
    }
    return;
  }
  if (a->n == 0) {
    bool lead = a->lead || b->lead;
    *a = *b;
    a->lead = lead;
    return;
  }
  if (a->trail || b->lead)
    push(a, ' ');
  a->h = mulmod(a->h, b->pw) + b->h;
  if (a->h >= MOD)
    a->h -= MOD;
  a->pw = mulmod(a->pw, b->pw);
  a->n += b->n;
  a->trail = b->trail;
}

/* The table key of a stretch: 0 for a text too short to count. */
static uint64_t seg_key(const seg *s) {
  if (s->n < MIN_TEXT)
    return 0;
  /* A finaliser spreads the bits over the table's index. */
  uint64_t h = s->h + s->n * 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h ? h : 1;
}

static uint64_t text_hash(const char *s) {
  seg g = EMPTY;
  if (s)
    add_bytes(&g, s, strlen(s));
  return seg_key(&g);
}

/* What a node itself adds to its text (galley_node_text's rule): the
 * literal of a text, code or code block, a space for a break. */
static void own_text(seg *s, const galley_node *n) {
  switch (galley_node_kind(n)) {
  case GALLEY_NODE_TEXT:
  case GALLEY_NODE_CODE:
  case GALLEY_NODE_CODE_BLOCK: {
    const char *lit = galley_node_get_literal(n);
    if (lit)
      add_bytes(s, lit, strlen(lit));
    break;
  }
  case GALLEY_NODE_SOFT_BREAK:
  case GALLEY_NODE_LINE_BREAK: add_bytes(s, " ", 1); break;
  default: break;
  }
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

/* The hashing walk over a document: each node's key (seg_key of its
 * text), handed to `each` with the node's index in document order (the
 * order of the transform's records) and kind, as soon as it is known (a
 * leaf at once, a container when it closes). Each open container's text
 * so far is a stretch on the stack; a closed one is added to its
 * parent's. GALLEY_OK, GALLEY_ENOMEM or what `each` returned. */
typedef int (*key_fn)(void *ctx, size_t idx, galley_kind kind, uint64_t key);

static int walk_keys(const galley_doc *doc, key_fn each, void *ctx) {
  seg *stack = NULL;
  size_t *at = NULL;
  size_t depth = 0, stack_cap = 0, count = 0;
  int rc = GALLEY_OK;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while (rc == GALLEY_OK && (ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *node = galley_iter_node(&it);
    galley_kind k = galley_node_kind(node);
    if (ev == GALLEY_EVENT_ENTER && galley_kind_is_leaf(k)) {
      seg own = EMPTY;
      own_text(&own, node);
      rc = each(ctx, count++, k, seg_key(&own));
      if (depth)
        add_seg(&stack[depth - 1], &own);
    } else if (ev == GALLEY_EVENT_ENTER) {
      if (depth == stack_cap) {
        size_t ncap = stack_cap ? stack_cap * 2 : 64;
        seg *ns = realloc(stack, ncap * sizeof *ns);
        if (ns)
          stack = ns;
        size_t *na = ns ? realloc(at, ncap * sizeof *na) : NULL;
        if (!na) {
          rc = GALLEY_ENOMEM;
          break;
        }
        at = na;
        stack_cap = ncap;
      }
      stack[depth] = EMPTY;
      own_text(&stack[depth], node);
      at[depth++] = count++;
    } else if (ev == GALLEY_EVENT_EXIT && depth) {
      seg done = stack[--depth];
      rc = each(ctx, at[depth], k, seg_key(&done));
      if (depth)
        add_seg(&stack[depth - 1], &done);
    }
  }
  free(stack);
  free(at);
  return rc;
}

static bool counts_as_block(galley_kind k) {
  return galley_kind_is_block(k) && k != GALLEY_NODE_DOCUMENT;
}

void *bp_batch_begin(galley_job *job) {
  pthread_once(&base_once, make_base_pow2);
  /* -O boilerplate.template=false: nothing to learn, and no first pass. */
  if (!galley_job_option_bool(job, "template", true))
    return NULL;
  bp_template *t = calloc(1, sizeof *t);
  if (!t || pthread_mutex_init(&t->lock, NULL) != 0) {
    free(t);
    galley_job_error(job, GALLEY_ENOMEM, "out of memory");
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

/* A page's distinct block keys: open addressing, 0 an empty slot. */
typedef struct set {
  slot *slots;
  size_t cap, used;
} set;

/* walk_keys' step of learning: a block's key (not 0) into the set. */
static int add_block(void *ctx, size_t idx, galley_kind kind, uint64_t key) {
  (void)idx;
  set *mine = ctx;
  if (!key || !counts_as_block(kind))
    return GALLEY_OK;
  int rc = grow(&mine->slots, &mine->cap, mine->used);
  if (rc != GALLEY_OK)
    return rc;
  slot *s = find(mine->slots, mine->cap, key);
  if (!s->hash) {
    s->hash = key;
    mine->used++;
  }
  return GALLEY_OK;
}

int bp_batch_learn(void *state, galley_job *job, const galley_doc *doc) {
  bp_template *t = state;
  if (!t || !doc)
    return GALLEY_EINVALID;
  if (!galley_job_option_bool(job, "template", true))
    return GALLEY_OK; /* nothing learnt: no block is template */
  /* This document's distinct texts first, so a text repeated within one
   * page still counts once. */
  set mine = {NULL, 0, 0};
  int rc = walk_keys(doc, add_block, &mine);
  if (rc == GALLEY_OK) {
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; rc == GALLEY_OK && i < mine.cap; i++) {
      uint64_t h = mine.slots[i].hash;
      if (!h)
        continue;
      if ((rc = grow(&t->slots, &t->cap, t->used)) != GALLEY_OK)
        break;
      slot *s = find(t->slots, t->cap, h);
      if (!s->hash) {
        s->hash = h;
        t->used++;
      }
      s->count++;
    }
    t->docs++;
    pthread_mutex_unlock(&t->lock);
  }
  free(mine.slots);
  if (rc == GALLEY_ENOMEM)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  return rc;
}

static bool template_ready(const bp_template *t) {
  /* Read only once every page was learnt: no lock is needed. */
  return t && t->cap && t->docs >= MIN_DOCS;
}

static bool is_template(const bp_template *t, uint64_t h) {
  if (!h)
    return false;
  const slot *s = find(t->slots, t->cap, h);
  return s->hash && s->count >= MIN_DOCS &&
         (double)s->count >= MIN_SHARE * (double)t->docs;
}

/* Every node's key at its index, for bp_batch_keys. */
typedef struct keys {
  uint64_t *k;
  size_t n, cap;
} keys;

static int put_key(void *ctx, size_t idx, galley_kind kind, uint64_t key) {
  (void)kind;
  keys *ks = ctx;
  if (idx >= ks->cap &&
      galley_array_grow((void **)&ks->k, &ks->cap, idx + 1, sizeof *ks->k) !=
          GALLEY_OK)
    return GALLEY_ENOMEM;
  ks->k[idx] = key;
  if (idx >= ks->n)
    ks->n = idx + 1;
  return GALLEY_OK;
}

uint64_t *bp_batch_keys(const bp_template *t, const galley_doc *doc,
                        size_t *n) {
  *n = 0;
  if (!template_ready(t))
    return NULL;
  keys ks = {NULL, 0, 0};
  if (walk_keys(doc, put_key, &ks) != GALLEY_OK) {
    free(ks.k);
    return NULL;
  }
  *n = ks.n;
  return ks.k;
}

bool bp_batch_template_key(const bp_template *t, uint64_t key) {
  return template_ready(t) && is_template(t, key);
}

bool bp_batch_template(const bp_template *t, const char *signature,
                       const char *text) {
  (void)signature;
  return template_ready(t) && is_template(t, text_hash(text));
}
