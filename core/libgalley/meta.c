/* Document metadata (ordered, repeatable keys) and resources. */
#include <stdlib.h>
#include <string.h>

#include "private.h"

GALLEY_API const char *galley_doc_get_meta(const galley_doc *doc,
                                           const char *key) {
  return galley_doc_meta_value(doc, key, 0);
}

GALLEY_API size_t galley_doc_meta_count(const galley_doc *doc,
                                        const char *key) {
  size_t count = 0;
  for (size_t i = 0; doc && key && i < doc->n_meta; i++)
    if (strcmp(doc->meta[i].key, key) == 0)
      count++;
  return count;
}

GALLEY_API const char *galley_doc_meta_value(const galley_doc *doc,
                                             const char *key, size_t n) {
  for (size_t i = 0; doc && key && i < doc->n_meta; i++)
    if (strcmp(doc->meta[i].key, key) == 0 && n-- == 0)
      return doc->meta[i].value;
  return NULL;
}

GALLEY_API int galley_doc_add_meta(galley_doc *doc, const char *key,
                                   const char *value) {
  if (!doc || !key || !*key || !value)
    return GALLEY_EINVALID;
  if (galley_array_grow((void **)&doc->meta, &doc->cap_meta, doc->n_meta + 1,
                        sizeof *doc->meta))
    return GALLEY_ENOMEM;
  const char *k = arena_strndup(&doc->arena, key, (size_t)-1);
  const char *v = arena_strndup(&doc->arena, value, (size_t)-1);
  if (!k || !v)
    return GALLEY_ENOMEM;
  doc->meta[doc->n_meta].key = k;
  doc->meta[doc->n_meta].value = v;
  doc->n_meta++;
  return GALLEY_OK;
}

GALLEY_API void galley_doc_remove_meta(galley_doc *doc, const char *key) {
  if (!doc || !key)
    return;
  size_t out = 0;
  for (size_t i = 0; i < doc->n_meta; i++)
    if (strcmp(doc->meta[i].key, key) != 0)
      doc->meta[out++] = doc->meta[i];
  doc->n_meta = out;
}

GALLEY_API int galley_doc_set_meta(galley_doc *doc, const char *key,
                                   const char *value) {
  if (!doc || !key || !*key || !value)
    return GALLEY_EINVALID;
  /* Keep the key's place in the order when it already exists. */
  for (size_t i = 0; i < doc->n_meta; i++) {
    if (strcmp(doc->meta[i].key, key) != 0)
      continue;
    const char *v = arena_strndup(&doc->arena, value, (size_t)-1);
    if (!v)
      return GALLEY_ENOMEM;
    doc->meta[i].value = v;
    size_t out = i + 1;
    for (size_t j = i + 1; j < doc->n_meta; j++)
      if (strcmp(doc->meta[j].key, key) != 0)
        doc->meta[out++] = doc->meta[j];
    doc->n_meta = out;
    return GALLEY_OK;
  }
  return galley_doc_add_meta(doc, key, value);
}

GALLEY_API size_t galley_doc_meta_size(const galley_doc *doc) {
  return doc ? doc->n_meta : 0;
}

GALLEY_API bool galley_doc_meta_entry(const galley_doc *doc, size_t i,
                                      const char **key, const char **value) {
  if (!doc || i >= doc->n_meta)
    return false;
  if (key)
    *key = doc->meta[i].key;
  if (value)
    *value = doc->meta[i].value;
  return true;
}

GALLEY_API int galley_doc_add_resource(galley_doc *doc, const char *name,
                                       const char *media_type, const void *data,
                                       size_t size) {
  if (!doc || !name || !*name || (!data && size))
    return GALLEY_EINVALID;
  galley_resource *r = arena_alloc(&doc->arena, sizeof *r);
  if (!r)
    return GALLEY_ENOMEM;
  r->name = arena_strndup(&doc->arena, name, (size_t)-1);
  r->media_type = arena_strndup(
      &doc->arena, media_type ? media_type : "application/octet-stream",
      (size_t)-1);
  unsigned char *bytes = arena_alloc(&doc->arena, size ? size : 1);
  if (!r->name || !r->media_type || !bytes)
    return GALLEY_ENOMEM;
  if (size)
    memcpy(bytes, data, size);
  r->data = bytes;
  r->size = size;
  for (size_t i = 0; i < doc->n_res; i++) {
    if (strcmp(doc->res[i]->name, name) == 0) {
      /* Replace in place so pointers handed out earlier see the new bytes. */
      *doc->res[i] = *r;
      return GALLEY_OK;
    }
  }
  if (galley_array_grow((void **)&doc->res, &doc->cap_res, doc->n_res + 1,
                        sizeof *doc->res))
    return GALLEY_ENOMEM;
  doc->res[doc->n_res++] = r;
  return GALLEY_OK;
}

GALLEY_API size_t galley_doc_resource_count(const galley_doc *doc) {
  return doc ? doc->n_res : 0;
}

GALLEY_API const galley_resource *galley_doc_resource_at(const galley_doc *doc,
                                                         size_t i) {
  return doc && i < doc->n_res ? doc->res[i] : NULL;
}

GALLEY_API const galley_resource *
galley_doc_find_resource(const galley_doc *doc, const char *name) {
  for (size_t i = 0; doc && name && i < doc->n_res; i++)
    if (strcmp(doc->res[i]->name, name) == 0)
      return doc->res[i];
  return NULL;
}
