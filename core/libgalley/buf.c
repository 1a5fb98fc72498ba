/* Growable byte buffers and arrays for plugins and the library itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

/* The first allocation of a buffer: small strings cost one malloc. */
#define BUF_MIN_CAP 64
/* The first capacity of an array, in items. */
#define ARRAY_MIN_CAP 8

GALLEY_API void galley_buf_init(galley_buf *buf) {
  buf->data = NULL;
  buf->len = 0;
  buf->cap = 0;
  buf->failed = false;
}

/* Room for `n` more bytes and the NUL. Appends double the capacity from
 * BUF_MIN_CAP until the bytes fit, so appending is linear overall and a
 * buffer built by appends ends at a power of two, as the plugins' own
 * buffers did. A reserve is told what the caller needs: it grows to that
 * or to twice the capacity, whichever is more, so one large reserve on an
 * empty buffer (a file read whole, iconv's output) allocates just that. */
static int grow(galley_buf *buf, size_t n, bool reserve) {
  if (buf->failed)
    return GALLEY_ENOMEM;
  if (n > SIZE_MAX - 1 - buf->len) {
    buf->failed = true;
    return GALLEY_ENOMEM;
  }
  size_t need = buf->len + n + 1;
  if (need <= buf->cap)
    return GALLEY_OK;
  size_t cap;
  if (reserve) {
    cap = buf->cap > SIZE_MAX / 2 || buf->cap * 2 < need ? need : buf->cap * 2;
  } else {
    cap = buf->cap ? buf->cap : BUF_MIN_CAP;
    while (cap < need)
      cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  }
  if (cap < BUF_MIN_CAP)
    cap = BUF_MIN_CAP;
  char *p = realloc(buf->data, cap);
  if (!p) {
    buf->failed = true;
    return GALLEY_ENOMEM;
  }
  if (!buf->data)
    p[0] = '\0';
  buf->data = p;
  buf->cap = cap;
  return GALLEY_OK;
}

GALLEY_API int galley_buf_reserve(galley_buf *buf, size_t n) {
  return grow(buf, n, true);
}

GALLEY_API int galley_buf_add(galley_buf *buf, const void *data, size_t len) {
  int rc = grow(buf, len, false);
  if (rc != GALLEY_OK)
    return rc;
  if (len)
    memcpy(buf->data + buf->len, data, len);
  buf->len += len;
  buf->data[buf->len] = '\0';
  return GALLEY_OK;
}

GALLEY_API int galley_buf_puts(galley_buf *buf, const char *s) {
  return galley_buf_add(buf, s, strlen(s));
}

GALLEY_API int galley_buf_putc(galley_buf *buf, char c) {
  if (buf->cap - buf->len < 2 || buf->failed) {
    int rc = grow(buf, 1, false);
    if (rc != GALLEY_OK)
      return rc;
  }
  buf->data[buf->len++] = c;
  buf->data[buf->len] = '\0';
  return GALLEY_OK;
}

GALLEY_API int galley_buf_repeat(galley_buf *buf, char c, size_t n) {
  int rc = grow(buf, n, false);
  if (rc != GALLEY_OK)
    return rc;
  memset(buf->data + buf->len, (unsigned char)c, n);
  buf->len += n;
  buf->data[buf->len] = '\0';
  return GALLEY_OK;
}

GALLEY_API int galley_buf_vprintf(galley_buf *buf, const char *fmt,
                                  va_list ap) {
  if (buf->failed)
    return GALLEY_ENOMEM;
  /* Most expansions fit in the room already there: one vsnprintf. */
  size_t room = buf->cap - buf->len;
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(room ? buf->data + buf->len : NULL, room, fmt, ap);
  if (n < 0) {
    va_end(again);
    if (buf->data)
      buf->data[buf->len] = '\0';
    buf->failed = true;
    return GALLEY_EINVALID;
  }
  if ((size_t)n >= room) {
    if (buf->data)
      buf->data[buf->len] = '\0'; /* undo the cut-off attempt */
    int rc = grow(buf, (size_t)n, false);
    if (rc != GALLEY_OK) {
      va_end(again);
      return rc;
    }
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, again);
  }
  va_end(again);
  buf->len += (size_t)n;
  return GALLEY_OK;
}

GALLEY_API int galley_buf_printf(galley_buf *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = galley_buf_vprintf(buf, fmt, ap);
  va_end(ap);
  return rc;
}

GALLEY_API int galley_buf_set_len(galley_buf *buf, size_t len) {
  if (len >= buf->cap)
    return GALLEY_EINVALID;
  buf->len = len;
  buf->data[len] = '\0';
  return GALLEY_OK;
}

GALLEY_API void galley_buf_truncate(galley_buf *buf, size_t len) {
  if (len >= buf->len)
    return;
  buf->len = len;
  buf->data[len] = '\0';
}

GALLEY_API void galley_buf_clear(galley_buf *buf) {
  galley_buf_truncate(buf, 0);
}

GALLEY_API char *galley_buf_detach(galley_buf *buf, size_t *len) {
  char *p = buf->failed ? NULL : buf->data;
  size_t n = buf->len;
  if (buf->failed)
    free(buf->data);
  else if (!p && (p = malloc(1)) != NULL)
    p[0] = '\0';
  galley_buf_init(buf);
  if (len)
    *len = p ? n : 0;
  return p;
}

GALLEY_API void galley_buf_free(galley_buf *buf) {
  if (!buf)
    return;
  free(buf->data);
  galley_buf_init(buf);
}

GALLEY_API int galley_array_grow(void **items, size_t *cap, size_t need,
                                 size_t elem_size) {
  if (elem_size == 0)
    return GALLEY_EINVALID;
  if (need <= *cap)
    return GALLEY_OK;
  size_t ncap = *cap ? *cap : ARRAY_MIN_CAP;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2 / elem_size)
      return GALLEY_ENOMEM;
    ncap *= 2;
  }
  if (ncap > SIZE_MAX / elem_size)
    return GALLEY_ENOMEM;
  /* The array is some T *; its bytes are copied rather than read through
   * a void * lvalue, which would not be T *'s type. */
  void *old;
  memcpy(&old, items, sizeof old);
  void *p = realloc(old, ncap * elem_size);
  if (!p)
    return GALLEY_ENOMEM;
  memcpy(items, &p, sizeof p);
  *cap = ncap;
  return GALLEY_OK;
}
