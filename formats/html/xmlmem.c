/* libxml2's memory while a page is parsed and walked: a bump arena of the
 * thread, given back whole when the page is done.
 *
 * libxml2 builds a tree of the page (a malloc for every element, attribute
 * and text, and another for each string), which the reader walks once and
 * frees node by node: a quarter of a page's conversion went to malloc and
 * free. Inside a window (xm_begin .. xm_end, around the parse, the walk and
 * xmlFreeDoc) the small requests of this thread come from its arena; free
 * does nothing to them, and xm_end rewinds the arena for the next page.
 *
 * The hooks are libxml2's for the whole process (xmlMemSetup), so they
 * must take what they did not give: a pointer is the arena's when it lies
 * in one of the arenas' reserved ranges (an address check, no header
 * read), and anything else (allocated before the hooks, on another thread,
 * outside a window, or too big for the arena) is malloc's. Nothing the
 * arena gave may outlive its window: libxml2 keeps a copy of the last
 * error per thread, which xm_end clears.
 *
 * Off under AddressSanitizer, whose checks of libxml2's memory are worth
 * more than the speed, and when the host gave libxml2 allocators of its
 * own before the module was loaded (it must not change them after). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

#include "html.h"

#if defined(__SANITIZE_ADDRESS__)
#define XM_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XM_OFF 1
#endif
#endif

/* A thread's reserved range (pages are only used as it is filled), the
 * largest request it serves, and how many threads may have one. */
#define XM_CHUNK ((size_t)64 << 20)
#define XM_SMALL ((size_t)32 << 10)
#define XM_MAX_CHUNKS 128
/* Each block is preceded by its size (for realloc's copy). */
#define XM_HEAD 16

typedef struct xm_thread {
  char *base, *at, *end;
  char *last; /* the last block given: realloc may grow it in place */
  int depth;  /* windows open */
  size_t slot;
} xm_thread;

static char *chunks[XM_MAX_CHUNKS];
static atomic_size_t n_chunks;
/* Chunks of threads that ended, for the next threads. */
static bool chunk_free[XM_MAX_CHUNKS];
static pthread_mutex_t chunk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t key;
static bool ready;

static bool ours(const void *p) {
  const char *c = p;
  size_t n = atomic_load_explicit(&n_chunks, memory_order_acquire);
  for (size_t i = 0; i < n; i++)
    if (c >= chunks[i] && c < chunks[i] + XM_CHUNK)
      return true;
  return false;
}

static void *xm_malloc(size_t n) {
  xm_thread *t = ready ? pthread_getspecific(key) : NULL;
  if (t && t->depth > 0 && n <= XM_SMALL) {
    size_t need = XM_HEAD + ((n + 15) & ~(size_t)15);
    if ((size_t)(t->end - t->at) >= need) {
      char *p = t->at + XM_HEAD;
      memcpy(p - sizeof n, &n, sizeof n);
      t->at += need;
      t->last = p;
      return p;
    }
  }
  return malloc(n);
}

static void xm_free(void *p) {
  if (p && !ours(p))
    free(p);
}

static void *xm_realloc(void *p, size_t n) {
  if (!p)
    return xm_malloc(n);
  if (!ours(p))
    return realloc(p, n);
  size_t old;
  memcpy(&old, (char *)p - sizeof old, sizeof old);
  xm_thread *t = pthread_getspecific(key);
  if (t && t->depth > 0 && p == t->last && n <= XM_SMALL) {
    size_t need = (n + 15) & ~(size_t)15;
    if ((size_t)(t->end - (char *)p) >= need) { /* the last block grows */
      t->at = (char *)p + need;
      memcpy((char *)p - sizeof n, &n, sizeof n);
      return p;
    }
  }
  void *q = xm_malloc(n);
  if (q)
    memcpy(q, p, old < n ? old : n);
  return q;
}

static char *xm_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = xm_malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

/* A thread's state went with it: its chunk, rewound, to the next. */
static void thread_gone(void *v) {
  xm_thread *t = v;
  pthread_mutex_lock(&chunk_lock);
  chunk_free[t->slot] = true;
  pthread_mutex_unlock(&chunk_lock);
  free(t);
}

void xm_setup(void) {
#ifndef XM_OFF
  /* A host that gave libxml2 allocators of its own keeps them. */
  xmlFreeFunc f = NULL;
  xmlMallocFunc m = NULL;
  xmlReallocFunc r = NULL;
  xmlStrdupFunc d = NULL;
  if (xmlMemGet(&f, &m, &r, &d) != 0 || f != free || m != malloc ||
      r != realloc)
    return;
  if (pthread_key_create(&key, thread_gone) != 0)
    return;
  if (xmlMemSetup(xm_free, xm_malloc, xm_realloc, xm_strdup) != 0)
    return;
  ready = true;
#endif
}

/* This thread's state, with a chunk; NULL when none can be had. */
static xm_thread *thread_state(void) {
  xm_thread *t = pthread_getspecific(key);
  if (t)
    return t;
  t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  pthread_mutex_lock(&chunk_lock);
  size_t n = atomic_load(&n_chunks), slot = n;
  for (size_t i = 0; i < n; i++)
    if (chunk_free[i]) {
      slot = i;
      break;
    }
  if (slot == n) {
    char *m = n < XM_MAX_CHUNKS
                  ? mmap(NULL, XM_CHUNK, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                  : MAP_FAILED;
    if (m == MAP_FAILED) {
      pthread_mutex_unlock(&chunk_lock);
      free(t);
      return NULL;
    }
    chunks[slot] = m;
    atomic_store_explicit(&n_chunks, n + 1, memory_order_release);
  }
  chunk_free[slot] = false;
  pthread_mutex_unlock(&chunk_lock);
  t->slot = slot;
  t->base = t->at = chunks[slot];
  t->end = t->base + XM_CHUNK;
  if (pthread_setspecific(key, t) != 0) {
    pthread_mutex_lock(&chunk_lock);
    chunk_free[slot] = true;
    pthread_mutex_unlock(&chunk_lock);
    free(t);
    return NULL;
  }
  return t;
}

void xm_begin(void) {
  if (!ready)
    return;
  xm_thread *t = thread_state();
  if (!t)
    return;
  /* libxml2's state of this thread, made on its first use, lives as long
   * as the thread: made now, outside the window. */
  if (t->depth == 0)
    (void)xmlGetLastError();
  t->depth++;
}

void xm_end(void) {
  xm_thread *t = ready ? pthread_getspecific(key) : NULL;
  if (!t || t->depth == 0 || --t->depth > 0)
    return;
  /* libxml2's copy of this thread's last error may hold strings of the
   * arena: cleared (its free of them does nothing) before they go. */
  xmlResetLastError();
  /* A page that took much: its pages back to the system. */
  if ((size_t)(t->at - t->base) > ((size_t)32 << 20))
    (void)madvise(t->base, (size_t)(t->at - t->base), MADV_DONTNEED);
  t->at = t->base;
  t->last = NULL;
}
