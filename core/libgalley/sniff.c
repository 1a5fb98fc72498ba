/* Media types recognised from a resource's first bytes, never from its name
 * or its Content-Type, and the EPUB 3.3 core image types. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "private.h"

#include "galley/fetch.h"

static bool starts(const unsigned char *d, size_t len, const char *magic,
                   size_t mlen) {
  return len >= mlen && memcmp(d, magic, mlen) == 0;
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
         p[0];
}

/* ISO base media files (HEIF, AVIF) start with an ftyp box: size, "ftyp",
 * the major brand, a minor version, then compatible brands. AVIF is HEIF
 * with AV1 inside, and many AVIF files name the generic HEIF brand "mif1"
 * as major, so any mention of avif/avis wins over the HEIF brands. */
static const char *sniff_ftyp(const unsigned char *d, size_t len) {
  if (len < 16 || memcmp(d + 4, "ftyp", 4) != 0)
    return NULL;
  size_t box = be32(d);
  if (box < 16 || box > 4096)
    return NULL;
  if (box > len)
    box = len;
  bool heif = false;
  for (size_t off = 8; off + 4 <= box; off += 4) {
    if (off == 12)
      continue; /* the minor version, not a brand */
    const unsigned char *b = d + off;
    if (memcmp(b, "avif", 4) == 0 || memcmp(b, "avis", 4) == 0)
      return "image/avif";
    if (memcmp(b, "heic", 4) == 0 || memcmp(b, "heix", 4) == 0 ||
        memcmp(b, "heim", 4) == 0 || memcmp(b, "heis", 4) == 0 ||
        memcmp(b, "hevc", 4) == 0 || memcmp(b, "hevx", 4) == 0 ||
        memcmp(b, "mif1", 4) == 0 || memcmp(b, "msf1", 4) == 0)
      heif = true;
  }
  return heif ? "image/heic" : NULL;
}

static bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skips past the first occurrence of `end` at or after `p`; returns len
 * when there is none. */
static size_t skip_past(const unsigned char *d, size_t len, size_t p,
                        const char *end) {
  size_t elen = strlen(end);
  for (; p + elen <= len; p++)
    if (memcmp(d + p, end, elen) == 0)
      return p + elen;
  return len;
}

/* SVG: XML whose root element is svg (any prefix). Walks past a BOM, white
 * space, the XML declaration, comments, processing instructions and a
 * DOCTYPE (its internal subset may hold '>' inside brackets) to the first
 * element, in one pass. */
static bool sniff_svg(const unsigned char *d, size_t len) {
  size_t p = 0;
  if (starts(d, len, "\xEF\xBB\xBF", 3))
    p = 3;
  while (p < len) {
    if (is_space(d[p])) {
      p++;
      continue;
    }
    if (d[p] != '<')
      return false;
    if (starts(d + p, len - p, "<?", 2)) {
      p = skip_past(d, len, p + 2, "?>");
    } else if (starts(d + p, len - p, "<!--", 4)) {
      p = skip_past(d, len, p + 4, "-->");
    } else if (starts(d + p, len - p, "<!DOCTYPE", 9)) {
      int depth = 0;
      for (p += 9; p < len; p++) {
        if (d[p] == '[')
          depth++;
        else if (d[p] == ']' && depth > 0)
          depth--;
        else if (d[p] == '>' && depth == 0)
          break;
      }
      p++;
    } else {
      /* The root element's name, then its local part after any prefix. */
      size_t start = ++p, colon = 0;
      while (p < len && !is_space(d[p]) && d[p] != '>' && d[p] != '/') {
        if (d[p] == ':')
          colon = p + 1;
        p++;
      }
      size_t local = colon ? colon : start;
      return p < len && p - local == 3 && memcmp(d + local, "svg", 3) == 0;
    }
  }
  return false;
}

GALLEY_API const char *galley_media_type_sniff(const unsigned char *d,
                                               size_t len) {
  if (!d)
    return NULL;
  if (starts(d, len, "\x89PNG\r\n\x1a\n", 8))
    return "image/png";
  if (starts(d, len, "\xFF\xD8\xFF", 3))
    return "image/jpeg";
  if (starts(d, len, "GIF87a", 6) || starts(d, len, "GIF89a", 6))
    return "image/gif";
  if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
    return "image/webp";
  const char *ftyp = sniff_ftyp(d, len);
  if (ftyp)
    return ftyp;
  if (starts(d, len, "II*\0", 4) || starts(d, len, "MM\0*", 4))
    return "image/tiff";
  /* "BM" alone is too common a start for text; the header that follows
   * names its own size (14) plus a DIB header of a known size. */
  if (len >= 18 && d[0] == 'B' && d[1] == 'M') {
    uint32_t dib = le32(d + 14);
    if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 ||
        dib == 108 || dib == 124)
      return "image/bmp";
  }
  /* ICO: reserved 0, type 1, then a non-zero image count. */
  if (len >= 6 && d[0] == 0 && d[1] == 0 && d[2] == 1 && d[3] == 0 &&
      (d[4] || d[5]))
    return "image/vnd.microsoft.icon";
  if (sniff_svg(d, len))
    return "image/svg+xml";
  return NULL;
}

GALLEY_API bool galley_media_type_epub_core(const char *mt) {
  static const char *const core[] = {"image/gif", "image/jpeg", "image/png",
                                     "image/svg+xml", "image/webp"};
  if (!mt)
    return false;
  for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
    if (strcasecmp(mt, core[i]) == 0)
      return true;
  return false;
}
