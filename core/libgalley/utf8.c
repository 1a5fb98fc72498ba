/* Strict UTF-8: validating, decoding, encoding, counting and cutting. */
#include <stdint.h>
#include <string.h>

#include "private.h"

/* The length of the valid sequence at p that starts with a byte >= 0x80,
 * or 0. The second byte's range rules out overlong forms, surrogates and
 * values past U+10FFFF (Unicode table 3-7); the others are continuation
 * bytes. */
static size_t multibyte(const unsigned char *p, size_t n, uint32_t *cp) {
  unsigned char c = p[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  uint32_t v;
  if (c < 0xC2)
    return 0; /* a continuation byte, or an overlong lead C0/C1 */
  if (c < 0xE0) {
    len = 2;
    v = c & 0x1F;
  } else if (c < 0xF0) {
    len = 3;
    v = c & 0x0F;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F;
  } else if (c < 0xF5) {
    len = 4;
    v = c & 0x07;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi)
    return 0;
  v = v << 6 | (p[1] & 0x3F);
  for (size_t i = 2; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    v = v << 6 | (p[i] & 0x3F);
  }
  *cp = v;
  return len;
}

GALLEY_API bool galley_utf8_valid(const char *s, size_t len,
                                  size_t *bad_offset) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    /* Runs of ASCII, which most text is, eight bytes at a time. */
    while (len - i >= 8) {
      uint64_t w;
      memcpy(&w, p + i, sizeof w);
      if (w & 0x8080808080808080ULL)
        break;
      i += 8;
    }
    if (i == len)
      break;
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    uint32_t cp;
    size_t k = multibyte(p + i, len - i, &cp);
    if (k == 0) {
      if (bad_offset)
        *bad_offset = i;
      return false;
    }
    i += k;
  }
  if (bad_offset)
    *bad_offset = len;
  return true;
}

GALLEY_API size_t galley_utf8_decode(const char *s, size_t len, uint32_t *cp) {
  const unsigned char *p = (const unsigned char *)s;
  if (len == 0)
    return 0;
  uint32_t v;
  size_t k;
  if (p[0] < 0x80) {
    v = p[0];
    k = 1;
  } else if ((k = multibyte(p, len, &v)) == 0) {
    return 0;
  }
  if (cp)
    *cp = v;
  return k;
}

GALLEY_API size_t galley_utf8_encode(uint32_t cp, char out[4]) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    cp = 0xFFFD;
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

GALLEY_API size_t galley_utf8_count(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}

GALLEY_API size_t galley_utf8_truncate(const char *s, size_t len, size_t max) {
  if (max >= len)
    return len;
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
    max--;
  return max;
}
