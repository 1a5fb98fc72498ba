/* Buffers, UTF-8 helpers and a small hash map for the text plugin. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

bool tbuf_reserve(tbuf *b, size_t n) {
  if (b->failed)
    return false;
  if (b->cap - b->len > n)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len <= n) {
    if (cap > SIZE_MAX / 2) {
      b->failed = true;
      return false;
    }
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (!p) {
    b->failed = true;
    return false;
  }
  b->data = p;
  b->cap = cap;
  return true;
}

void tbuf_put(tbuf *b, const char *s, size_t n) {
  if (!n || !tbuf_reserve(b, n))
    return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void tbuf_puts(tbuf *b, const char *s) { tbuf_put(b, s, strlen(s)); }

void tbuf_putc(tbuf *b, char c) {
  if (!tbuf_reserve(b, 1))
    return;
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

void tbuf_repeat(tbuf *b, char c, size_t n) {
  if (!n || !tbuf_reserve(b, n))
    return;
  memset(b->data + b->len, c, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void tbuf_free(tbuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

bool txt_grow(void *p, size_t *cap, size_t need, size_t elem) {
  void **arr = p;
  if (need <= *cap)
    return true;
  size_t n = *cap ? *cap : 16;
  while (n < need) {
    if (n > SIZE_MAX / 2 / elem)
      return false;
    n *= 2;
  }
  void *q = realloc(*arr, n * elem);
  if (!q)
    return false;
  *arr = q;
  *cap = n;
  return true;
}

size_t txt_seq_len(unsigned char c) {
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return 2;
  if (c >= 0xE0 && c <= 0xEF)
    return 3;
  if (c >= 0xF0 && c <= 0xF4)
    return 4;
  return 1;
}

size_t txt_utf8_invalid(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len = txt_seq_len(c);
    if (len == 1 || i + len > n)
      return i;
    unsigned char c1 = s[i + 1];
    /* The second byte's range rules out overlong forms, surrogates and code
     * points past U+10FFFF (RFC 3629, table 3-7 of Unicode). */
    unsigned char lo = 0x80, hi = 0xBF;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F;
    else if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
    if (c1 < lo || c1 > hi)
      return i;
    for (size_t k = 2; k < len; k++)
      if ((s[i + k] & 0xC0) != 0x80)
        return i;
    i += len;
  }
  return n;
}

size_t txt_width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      w++;
  return w;
}

/* FNV-1a: short keys, no adversarial pressure beyond what doubling absorbs. */
static size_t hash(const char *s, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return (size_t)h;
}

size_t *tmap_get(const tmap *m, const char *key, size_t len) {
  if (!m->cap)
    return NULL;
  size_t i = hash(key, len) & (m->cap - 1);
  while (m->slots[i].key) {
    if (m->slots[i].len == len && memcmp(m->slots[i].key, key, len) == 0)
      return &m->slots[i].value;
    i = (i + 1) & (m->cap - 1);
  }
  return NULL;
}

static void insert(tmap_slot *slots, size_t cap, tmap_slot s) {
  size_t i = hash(s.key, s.len) & (cap - 1);
  while (slots[i].key)
    i = (i + 1) & (cap - 1);
  slots[i] = s;
}

bool tmap_put(tmap *m, const char *key, size_t len, size_t value) {
  size_t *v = tmap_get(m, key, len);
  if (v) {
    *v = value;
    return true;
  }
  if ((m->count + 1) * 2 > m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    tmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
      return false;
    for (size_t i = 0; i < m->cap; i++)
      if (m->slots[i].key)
        insert(slots, cap, m->slots[i]);
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
  }
  insert(m->slots, m->cap, (tmap_slot){key, len, value});
  m->count++;
  return true;
}

void tmap_free(tmap *m) {
  free(m->slots);
  m->slots = NULL;
  m->cap = m->count = 0;
}
