/* Small helpers of the epub module: escaping, hashing, image sniffing,
 * paths. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "epub.h"

void epub_escape_n(galley_buf *b, const char *s, size_t len) {
  size_t start = 0;
  for (size_t i = 0; i < len; i++) {
    const char *rep = NULL;
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    default:
      /* XML 1.0 forbids most control characters even as references. */
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        rep = "";
      break;
    }
    if (!rep)
      continue;
    galley_buf_add(b, s + start, i - start);
    galley_buf_puts(b, rep);
    start = i + 1;
  }
  galley_buf_add(b, s + start, len - start);
}

void epub_escape(galley_buf *b, const char *s) {
  if (s)
    epub_escape_n(b, s, strlen(s));
}

uint64_t epub_hash(const void *data, size_t len, uint64_t seed) {
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  /* A final mix so that short inputs still spread over all bits. */
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

/* epub_hash(data, len, *h1) and epub_hash(data, len, *h2 ^ tweak) in one
 * pass over the data: the two chains are independent, so a chapter of
 * hundreds of megabytes is read once and both advance together. */
void epub_hash2(const void *data, size_t len, uint64_t *h1, uint64_t *h2,
                uint64_t tweak) {
  const unsigned char *p = data;
  uint64_t a = 0xcbf29ce484222325ULL ^ *h1;
  uint64_t b = 0xcbf29ce484222325ULL ^ (*h2 ^ tweak);
  for (size_t i = 0; i < len; i++) {
    a = (a ^ p[i]) * 0x100000001b3ULL;
    b = (b ^ p[i]) * 0x100000001b3ULL;
  }
  a ^= a >> 33;
  a *= 0xff51afd7ed558ccdULL;
  a ^= a >> 33;
  b ^= b >> 33;
  b *= 0xff51afd7ed558ccdULL;
  b ^= b >> 33;
  *h1 = a;
  *h2 = b;
}

static bool has_prefix(const unsigned char *d, size_t len, const char *p) {
  size_t n = strlen(p);
  return len >= n && memcmp(d, p, n) == 0;
}

static bool looks_like_svg(const unsigned char *d, size_t len) {
  size_t n = len < 4096 ? len : 4096;
  size_t i = 0;
  if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
    i = 3;
  while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
    i++;
  if (i >= n || d[i] != '<')
    return false;
  /* Skip the XML declaration, comments and a doctype before the root. */
  for (size_t j = i; j + 4 <= n; j++)
    if (d[j] == '<' && memcmp(d + j + 1, "svg", 3) == 0 &&
        (j + 4 == n || d[j + 4] == ' ' || d[j + 4] == '>' || d[j + 4] == '\n' ||
         d[j + 4] == '\r' || d[j + 4] == '\t'))
      return true;
  return false;
}

const char *epub_sniff_image(const unsigned char *d, size_t len) {
  if (has_prefix(d, len, "\x89PNG\r\n\x1a\n"))
    return "image/png";
  if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
    return "image/jpeg";
  if (has_prefix(d, len, "GIF87a") || has_prefix(d, len, "GIF89a"))
    return "image/gif";
  if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
    return "image/webp";
  if (looks_like_svg(d, len))
    return "image/svg+xml";
  return NULL;
}

const char *epub_image_ext(const char *mt) {
  if (!mt)
    return "bin";
  if (!strcmp(mt, "image/png"))
    return "png";
  if (!strcmp(mt, "image/jpeg"))
    return "jpg";
  if (!strcmp(mt, "image/gif"))
    return "gif";
  if (!strcmp(mt, "image/webp"))
    return "webp";
  if (!strcmp(mt, "image/svg+xml"))
    return "svg";
  return "bin";
}

static unsigned be16(const unsigned char *p) {
  return (unsigned)p[0] << 8 | p[1];
}
static unsigned le16(const unsigned char *p) {
  return (unsigned)p[1] << 8 | p[0];
}
static unsigned long be32(const unsigned char *p) {
  return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
         (unsigned long)p[2] << 8 | p[3];
}

bool epub_image_size(const unsigned char *d, size_t len, unsigned *w,
                     unsigned *h) {
  const char *mt = epub_sniff_image(d, len);
  if (!mt)
    return false;
  if (!strcmp(mt, "image/png")) {
    if (len < 24)
      return false;
    *w = (unsigned)be32(d + 16);
    *h = (unsigned)be32(d + 20);
    return true;
  }
  if (!strcmp(mt, "image/gif")) {
    if (len < 10)
      return false;
    *w = le16(d + 6);
    *h = le16(d + 8);
    return true;
  }
  if (!strcmp(mt, "image/jpeg")) {
    size_t i = 2;
    while (i + 4 <= len) {
      if (d[i] != 0xFF) {
        i++;
        continue;
      }
      unsigned char m = d[i + 1];
      if (m == 0xFF) {
        i++;
        continue;
      }
      if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
        i += 2;
        continue;
      }
      unsigned seg = be16(d + i + 2);
      bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
      if (sof) {
        if (i + 9 > len)
          return false;
        *h = be16(d + i + 5);
        *w = be16(d + i + 7);
        return true;
      }
      if (seg < 2)
        return false;
      i += 2 + seg;
    }
    return false;
  }
  if (!strcmp(mt, "image/webp")) {
    if (len < 30)
      return false;
    if (memcmp(d + 12, "VP8 ", 4) == 0) {
      *w = le16(d + 26) & 0x3FFF;
      *h = le16(d + 28) & 0x3FFF;
      return true;
    }
    if (memcmp(d + 12, "VP8L", 4) == 0) {
      unsigned long bits = (unsigned long)d[21] | (unsigned long)d[22] << 8 |
                           (unsigned long)d[23] << 16 |
                           (unsigned long)d[24] << 24;
      *w = (unsigned)(bits & 0x3FFF) + 1;
      *h = (unsigned)((bits >> 14) & 0x3FFF) + 1;
      return true;
    }
    if (memcmp(d + 12, "VP8X", 4) == 0) {
      *w = ((unsigned)d[24] | (unsigned)d[25] << 8 | (unsigned)d[26] << 16) + 1;
      *h = ((unsigned)d[27] | (unsigned)d[28] << 8 | (unsigned)d[29] << 16) + 1;
      return true;
    }
  }
  return false;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *epub_percent_decode(const char *s, size_t len) {
  char *out = malloc(len + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    int hi = -1, lo = -1;
    if (s[i] == '%' && i + 2 < len) {
      hi = hexval((unsigned char)s[i + 1]);
      lo = hexval((unsigned char)s[i + 2]);
    }
    if (hi >= 0 && lo >= 0) {
      out[o++] = (char)(hi << 4 | lo);
      i += 2;
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  return out;
}

bool epub_has_scheme(const char *url) {
  if (!url)
    return false;
  const char *p = url;
  if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
    return false;
  while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
         (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
    p++;
  return *p == ':';
}

char *epub_join_path(const char *dir, const char *rel) {
  if (!rel || rel[0] == '/')
    return NULL;
  size_t dl = dir ? strlen(dir) : 0, rl = strlen(rel);
  char *tmp = malloc(dl + rl + 2);
  char *out = malloc(dl + rl + 2);
  if (!tmp || !out) {
    free(tmp);
    free(out);
    return NULL;
  }
  memcpy(tmp, dir ? dir : "", dl);
  memcpy(tmp + dl, rel, rl + 1);
  /* Walk the segments, keeping a stack of the output's segment starts. */
  size_t o = 0;
  const char *p = tmp;
  bool ok = true;
  while (*p) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 0 || (n == 1 && p[0] == '.')) {
      /* nothing */
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (o == 0) {
        ok = false;
        break;
      }
      o--; /* drop the '/' that ends the previous segment, if any */
      while (o > 0 && out[o - 1] != '/')
        o--;
    } else {
      memcpy(out + o, p, n);
      o += n;
      if (e)
        out[o++] = '/';
    }
    p += n;
    if (*p == '/')
      p++;
  }
  free(tmp);
  if (!ok) {
    free(out);
    return NULL;
  }
  out[o] = '\0';
  return out;
}

char *epub_collapse(const char *s) {
  size_t n = s ? strlen(s) : 0;
  char *out = malloc(n + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  bool space = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      space = o > 0;
      continue;
    }
    if (space)
      out[o++] = ' ';
    space = false;
    out[o++] = c;
  }
  out[o] = '\0';
  return out;
}

/* ---- XML without entities ---- */

/* libxml2 keeps an entity reference in the tree (no XML_PARSE_NOENT), but
 * whoever reads the tree back (xmlNodeGetContent, xmlGetProp, attribute
 * values while parsing) expands it again at every use, without any limit:
 * a 100 KB entity used 10,000 times makes a gigabyte out of a few kilobytes.
 * So the parse ends at the DTD's first entity declaration, before anything
 * could refer to it. */
static void refuse_entity(void *ctx) {
  xmlParserCtxt *ctxt = ctx;
  *(bool *)ctxt->_private = true;
  xmlStopParser(ctxt);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type,
                           const xmlChar *public_id, const xmlChar *system_id,
                           xmlChar *content) {
  (void)name, (void)type, (void)public_id, (void)system_id, (void)content;
  refuse_entity(ctx);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name,
                                    const xmlChar *public_id,
                                    const xmlChar *system_id,
                                    const xmlChar *notation) {
  (void)name, (void)public_id, (void)system_id, (void)notation;
  refuse_entity(ctx);
}

xmlDoc *epub_xml_read(xmlInputReadCallback read, void *io, const char *encoding,
                      int options, bool *entities) {
  *entities = false;
  xmlParserCtxt *ctxt =
      xmlCreateIOParserCtxt(NULL, NULL, read, NULL, io, XML_CHAR_ENCODING_NONE);
  if (!ctxt)
    return NULL;
  xmlCtxtUseOptions(ctxt, options);
  if (encoding) {
    xmlCharEncodingHandler *h = xmlFindCharEncodingHandler(encoding);
    if (h)
      xmlSwitchToEncoding(ctxt, h);
  }
  /* The context is the callbacks' first argument (its userData). */
  ctxt->_private = entities;
  ctxt->sax->entityDecl = on_entity_decl;
  ctxt->sax->unparsedEntityDecl = on_unparsed_entity_decl;
  xmlParseDocument(ctxt);
  xmlDoc *doc = ctxt->myDoc;
  ctxt->myDoc = NULL;
  if (doc && (!ctxt->wellFormed || *entities)) {
    xmlFreeDoc(doc);
    doc = NULL;
  }
  xmlFreeParserCtxt(ctxt);
  return doc;
}

xmlNode *epub_dom_next(xmlNode *root, xmlNode *n, bool skip_children) {
  if (!skip_children && n->children && n->type == XML_ELEMENT_NODE)
    return n->children;
  while (n && n != root) {
    if (n->next)
      return n->next;
    n = n->parent;
  }
  return NULL;
}

/* ---- A small string map ---- */

static size_t str_hash(const char *s) {
  return (size_t)epub_hash(s, strlen(s), 0);
}

void smap_free(smap *m) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->items[i].key);
    free(m->items[i].value);
  }
  free(m->items);
  free(m->slots);
  memset(m, 0, sizeof *m);
}

smap_entry *smap_get(const smap *m, const char *key) {
  if (!m->n_slots)
    return NULL;
  size_t i = str_hash(key) & (m->n_slots - 1);
  while (m->slots[i]) {
    smap_entry *e = &m->items[m->slots[i] - 1];
    if (strcmp(e->key, key) == 0)
      return e;
    i = (i + 1) & (m->n_slots - 1);
  }
  return NULL;
}

static bool smap_rehash(smap *m, size_t n_slots) {
  size_t *slots = calloc(n_slots, sizeof *slots);
  if (!slots)
    return false;
  for (size_t k = 0; k < m->n; k++) {
    size_t i = str_hash(m->items[k].key) & (n_slots - 1);
    while (slots[i])
      i = (i + 1) & (n_slots - 1);
    slots[i] = k + 1;
  }
  free(m->slots);
  m->slots = slots;
  m->n_slots = n_slots;
  return true;
}

smap_entry *smap_put(smap *m, const char *key, bool *added) {
  smap_entry *e = smap_get(m, key);
  if (added)
    *added = e == NULL;
  if (e)
    return e;
  if ((m->n + 1) * 2 > m->n_slots &&
      !smap_rehash(m, m->n_slots ? m->n_slots * 2 : 64))
    return NULL;
  if (galley_array_grow((void **)&m->items, &m->cap, m->n + 1,
                        sizeof *m->items) != GALLEY_OK)
    return NULL;
  char *k = strdup(key);
  if (!k)
    return NULL;
  e = &m->items[m->n];
  memset(e, 0, sizeof *e);
  e->key = k;
  size_t i = str_hash(key) & (m->n_slots - 1);
  while (m->slots[i])
    i = (i + 1) & (m->n_slots - 1);
  m->slots[i] = ++m->n;
  return e;
}
