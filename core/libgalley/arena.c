/* A bump allocator: every node and string of a document, freed in one call. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "private.h"

struct arena_block {
  arena_block *next;
  size_t used, size;
  unsigned pool_class; /* 0: from malloc; else 1 + its size class */
  max_align_t data[];  /* aligned storage */
};

/* Blocks start small (most documents are small) and double, so a big
 * document costs few mallocs; a large single request gets its own block.
 * Blocks come from malloc, not calloc: arena_alloc clears what it hands
 * out, and a string is written once, by its copy (calloc cleared every
 * block whole first, its unused end too, and in a thread's malloc arena
 * even the big ones). */
#define ARENA_MIN_BLOCK 4096

void arena_init(arena *a) {
  a->head = NULL;
  a->pooled = false;
}

/* A big block is backed by huge pages where the kernel allows them
 * (transparent huge pages in "madvise" mode, the common default): a big
 * document's tree is walked all over, and with 4 KiB pages the walks miss
 * the TLB. Asked for the 2 MiB-aligned middle of the block before it is
 * first touched; refused or unsupported, nothing changes. */
#define HUGE_PAGE ((size_t)2 << 20)
static void huge_pages(void *p, size_t len) {
#ifdef MADV_HUGEPAGE
  if (len < 2 * HUGE_PAGE)
    return;
  uintptr_t from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
  uintptr_t to = ((uintptr_t)p + len) & ~(uintptr_t)(HUGE_PAGE - 1);
  if (to > from)
    (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
  (void)p;
  (void)len;
#endif
}

/* ---- The pool of documents kept long (galley_doc_set_long_lived) -------
 * A host keeping many documents at once (a batch between its passes)
 * touches all their memory for the first time: with 4 KiB pages, a page
 * fault every 4 KiB, which on a virtual machine costs more than filling
 * the page. Their blocks come instead from regions of POOL_REGION bytes
 * backed by huge pages where the kernel gives them, one fault per 2 MiB.
 * A block freed goes to a free list of its size (blocks are 4 KiB times a
 * power of two) for the next; when the last pooled block is freed, the
 * regions go back to the system. Not under AddressSanitizer: its leak
 * check does not look for pointers in memory it did not allocate. */
#define POOL_REGION ((size_t)8 << 20)
#define POOL_CLASSES 12 /* blocks of 4 KiB << 0 .. 11: up to 8 MiB */

#if defined(__SANITIZE_ADDRESS__)
#define POOL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_OFF 1
#endif
#endif

static struct {
  pthread_mutex_t lock;
  void **regions;
  size_t n_regions, cap_regions;
  char *at, *end; /* free space of the newest region */
  arena_block *free[POOL_CLASSES];
  size_t live; /* pooled blocks handed out */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* A new region, 2 MiB aligned, or false. Under pool.lock. */
static bool pool_region(void) {
  if (pool.n_regions == pool.cap_regions) {
    size_t ncap = pool.cap_regions ? pool.cap_regions * 2 : 16;
    void **nr = realloc(pool.regions, ncap * sizeof *nr);
    if (!nr)
      return false;
    pool.regions = nr;
    pool.cap_regions = ncap;
  }
  size_t len = POOL_REGION + HUGE_PAGE;
  char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED)
    return false;
  uintptr_t start = ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
  char *r = (char *)start;
  if (r > m)
    munmap(m, (size_t)(r - m));
  if (m + len > r + POOL_REGION)
    munmap(r + POOL_REGION, (size_t)(m + len - (r + POOL_REGION)));
#ifdef MADV_HUGEPAGE
  (void)madvise(r, POOL_REGION, MADV_HUGEPAGE);
#endif
  pool.regions[pool.n_regions++] = r;
  pool.at = r;
  pool.end = r + POOL_REGION;
  return true;
}

/* A block of `want` bytes of storage from the pool, or NULL (then from
 * malloc). */
static arena_block *pool_get(size_t want) {
#ifdef POOL_OFF
  (void)want;
  return NULL;
#else
  unsigned k = 0;
  while (k < POOL_CLASSES && ((size_t)ARENA_MIN_BLOCK << k) != want)
    k++;
  if (k == POOL_CLASSES)
    return NULL;
  size_t need = (sizeof(arena_block) + want + 63) & ~(size_t)63;
  pthread_mutex_lock(&pool.lock);
  arena_block *b = pool.free[k];
  if (b) {
    pool.free[k] = b->next;
  } else if ((size_t)(pool.end - pool.at) >= need || pool_region()) {
    b = (arena_block *)pool.at;
    pool.at += need;
  }
  if (b) {
    pool.live++;
    b->pool_class = k + 1;
  }
  pthread_mutex_unlock(&pool.lock);
  return b;
#endif
}

static void pool_put(arena_block *b) {
  pthread_mutex_lock(&pool.lock);
  b->next = pool.free[b->pool_class - 1];
  pool.free[b->pool_class - 1] = b;
  if (--pool.live == 0) {
    for (size_t i = 0; i < pool.n_regions; i++)
      munmap(pool.regions[i], POOL_REGION);
    free(pool.regions);
    pool.regions = NULL;
    pool.n_regions = pool.cap_regions = 0;
    pool.at = pool.end = NULL;
    memset(pool.free, 0, sizeof pool.free);
  }
  pthread_mutex_unlock(&pool.lock);
}

/* Storage, not cleared (see above). */
static void *arena_alloc_raw(arena *a, size_t size) {
  const size_t align = sizeof(max_align_t);
  size = (size + align - 1) & ~(align - 1);
  if (size == 0)
    size = align;
  arena_block *b = a->head;
  if (!b || b->size - b->used < size) {
    size_t want = b ? b->size * 2 : ARENA_MIN_BLOCK;
    if (want > ((size_t)1 << 24))
      want = (size_t)1 << 24;
    if (want < size)
      want = size;
    if (want > SIZE_MAX - sizeof(arena_block))
      return NULL;
    arena_block *nb = a->pooled ? pool_get(want) : NULL;
    if (!nb) {
      nb = malloc(sizeof(arena_block) + want);
      if (!nb)
        return NULL;
      nb->pool_class = 0;
      huge_pages(nb, sizeof(arena_block) + want);
    }
    nb->used = 0;
    nb->size = want;
    if (b && b->size - b->used >= 256 && want == size) {
      /* A one-off large block: keep filling the current one afterwards. */
      nb->next = b->next;
      b->next = nb;
    } else {
      nb->next = b;
      a->head = nb;
    }
    b = nb;
  }
  void *p = (char *)b->data + b->used;
  b->used += size;
  return p;
}

size_t arena_size(const arena *a) {
  size_t n = 0;
  for (const arena_block *b = a->head; b; b = b->next)
    n += sizeof *b + b->size;
  return n;
}

void *arena_alloc(arena *a, size_t size) {
  void *p = arena_alloc_raw(a, size);
  if (p)
    memset(p, 0, size);
  return p;
}

char *arena_strndup(arena *a, const char *s, size_t len) {
  if (len == (size_t)-1)
    len = s ? strlen(s) : 0;
  if (len == SIZE_MAX)
    return NULL;
  char *p = arena_alloc_raw(a, len + 1);
  if (!p)
    return NULL;
  if (len)
    memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

void arena_free(arena *a) {
  arena_block *b = a->head;
  while (b) {
    arena_block *next = b->next;
    if (b->pool_class)
      pool_put(b);
    else
      free(b);
    b = next;
  }
  a->head = NULL;
}
