/* A UTF-8 step and a small hash map for the text plugin. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

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
