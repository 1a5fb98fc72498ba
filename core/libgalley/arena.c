/* A bump allocator: every node and string of a document, freed in one call. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "private.h"

struct arena_block {
  arena_block *next;
  size_t used, size;
  max_align_t data[]; /* aligned storage */
};

/* Blocks start small (most documents are small) and double, so a big
 * document costs few mallocs; a large single request gets its own block.
 * Blocks come from malloc, not calloc: arena_alloc clears what it hands
 * out, and a string is written once, by its copy (calloc cleared every
 * block whole first, its unused end too, and in a thread's malloc arena
 * even the big ones). */
#define ARENA_MIN_BLOCK 4096

void arena_init(arena *a) { a->head = NULL; }

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
    arena_block *nb = malloc(sizeof(arena_block) + want);
    if (!nb)
      return NULL;
    huge_pages(nb, sizeof(arena_block) + want);
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
    free(b);
    b = next;
  }
  a->head = NULL;
}
