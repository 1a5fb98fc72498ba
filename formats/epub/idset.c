/* The ids of one book: an open-addressing hash set of strings that also
 * makes a repeated id unique ("x", "x-2", "x-3", …) in constant time per
 * copy, however often one id repeats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epub.h"

static size_t slot_of(const idset *s, const char *id) {
  size_t i = (size_t)epub_hash(id, strlen(id), s->seed) & (s->n_slots - 1);
  while (s->slots[i].id && strcmp(s->slots[i].id, id) != 0)
    i = (i + 1) & (s->n_slots - 1);
  return i;
}

static bool grow(idset *s) {
  size_t n_slots = s->n_slots ? s->n_slots * 2 : 64;
  idset_slot *slots = calloc(n_slots, sizeof *slots);
  if (!slots)
    return false;
  /* A seed nobody outside the process knows (the address of the first
   * table, random under ASLR): ids chosen to collide in one run cannot be
   * prepared in advance to collide in another. The order of the set never
   * shows in any output, so the seed changes nothing a user sees. */
  if (!s->n_slots)
    s->seed = epub_hash(&slots, sizeof slots, (uint64_t)(uintptr_t)slots);
  idset old = *s;
  s->slots = slots;
  s->n_slots = n_slots;
  for (size_t i = 0; i < old.n_slots; i++)
    if (old.slots[i].id)
      s->slots[slot_of(s, old.slots[i].id)] = old.slots[i];
  free(old.slots);
  return true;
}

void idset_free(idset *s) {
  for (size_t i = 0; i < s->n_slots; i++)
    free(s->slots[i].id);
  free(s->slots);
  memset(s, 0, sizeof *s);
}

bool idset_has(const idset *s, const char *id) {
  return s->n_slots && s->slots[slot_of(s, id)].id;
}

int idset_add(idset *s, const char *id) {
  if (idset_has(s, id))
    return 0;
  /* At most half full, so that a probe ends soon. */
  if ((s->n + 1) * 2 > s->n_slots && !grow(s))
    return GALLEY_ENOMEM;
  char *copy = strdup(id);
  if (!copy)
    return GALLEY_ENOMEM;
  idset_slot *slot = &s->slots[slot_of(s, id)];
  slot->id = copy;
  slot->next = 0;
  s->n++;
  return 1;
}

char *idset_claim(idset *s, const char *want) {
  int rc = idset_add(s, want);
  if (rc < 0)
    return NULL;
  if (rc == 1)
    return strdup(want);
  /* `want` remembers where its suffixes stopped: every want-k below `next`
   * is taken (the set only grows), so the first free suffix from there is
   * the first free one from 2, and each want-k is tried by one base only
   * (the digits after the last '-' say which). n copies cost O(n). */
  idset_slot *base = &s->slots[slot_of(s, want)];
  size_t k = base->next < 2 ? 2 : base->next;
  size_t len = strlen(want) + 24;
  char *id = malloc(len);
  if (!id)
    return NULL;
  do
    snprintf(id, len, "%s-%zu", want, k++);
  while (idset_has(s, id));
  base->next = k; /* before the add, which may move every slot */
  if (idset_add(s, id) < 0) {
    free(id);
    return NULL;
  }
  return id;
}
