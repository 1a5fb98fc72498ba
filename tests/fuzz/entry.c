/* The fuzz entry: one input through a reader, or through the whole pipeline.
 *
 * The registry is loaded once per process with the standard search (the
 * test suite and tests/fuzz/run.sh point GALLEY_PLUGIN_SYSTEM_PATH at this
 * build's plugins) and kept for the process's life: libFuzzer calls the
 * entry millions of times and loading is the slow part. */
#include "entry.h"

#include <galley/galley.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const fuzz_targets[] = {"html", "markdown", "text", "epub",
                                    "xml",  "pipeline", NULL};

static galley_registry *registry(void) {
  static galley_registry *reg;
  if (!reg) {
    reg = galley_registry_new();
    if (reg)
      galley_registry_load_default(reg, NULL, 0);
  }
  return reg;
}

/* The defaults, except that a container may unpack and a document may hold
 * 64 MiB rather than 1 GiB and 512 MiB: libFuzzer's memory limit is 2 GiB and
 * a zip bomb that stops at the default limit is not a finding. */
static void fuzz_limits(galley_limits *l) {
  galley_limits_init(l, GALLEY_LIMITS_VERSION);
  l->max_decompressed = (size_t)64 << 20;
  l->max_resource_bytes = (size_t)64 << 20;
  l->max_image_size = (size_t)16 << 20;
}

/* ---- EPUB inputs from parts ------------------------------------------
 * Coverage-guided mutation of a compressed zip mostly breaks the zip, so
 * the epub target also takes inputs that are not zips: the parts of a book
 * separated by NUL bytes (the package document first, then chapters), which
 * are stored, uncompressed, in a zip made here with the fixed mimetype and
 * container.xml. The fuzzer then mutates the XML the reader parses. */

static uint32_t crc32_of(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++)
      c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

typedef struct zbuf {
  uint8_t *p;
  size_t n, cap;
  bool bad;
} zbuf;

static void zput(zbuf *b, const void *data, size_t n) {
  if (b->bad)
    return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->n + n)
      cap *= 2;
    uint8_t *q = realloc(b->p, cap);
    if (!q) {
      b->bad = true;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, data, n);
  b->n += n;
}

static void zle(zbuf *b, uint32_t v, int bytes) {
  uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                   (uint8_t)(v >> 24)};
  zput(b, le, (size_t)bytes);
}

typedef struct zentry {
  char name[32];
  const uint8_t *data;
  size_t n;
  uint32_t crc, offset;
} zentry;

static void zlocal(zbuf *b, zentry *e) {
  e->crc = crc32_of(e->data, e->n);
  e->offset = (uint32_t)b->n;
  size_t nl = strlen(e->name);
  zle(b, 0x04034B50u, 4);
  zle(b, 20, 2);
  zle(b, 0, 2);
  zle(b, 0, 2); /* stored */
  zle(b, 0, 2);
  zle(b, 0x21, 2);
  zle(b, e->crc, 4);
  zle(b, (uint32_t)e->n, 4);
  zle(b, (uint32_t)e->n, 4);
  zle(b, (uint32_t)nl, 2);
  zle(b, 0, 2);
  zput(b, e->name, nl);
  zput(b, e->data, e->n);
}

static void zcentral(zbuf *b, const zentry *e) {
  size_t nl = strlen(e->name);
  zle(b, 0x02014B50u, 4);
  zle(b, 20, 2);
  zle(b, 20, 2);
  zle(b, 0, 2);
  zle(b, 0, 2);
  zle(b, 0, 2);
  zle(b, 0x21, 2);
  zle(b, e->crc, 4);
  zle(b, (uint32_t)e->n, 4);
  zle(b, (uint32_t)e->n, 4);
  zle(b, (uint32_t)nl, 2);
  zle(b, 0, 2);
  zle(b, 0, 2);
  zle(b, 0, 2);
  zle(b, 0, 2);
  zle(b, 0, 4);
  zle(b, e->offset, 4);
  zput(b, e->name, nl);
}

#define MAX_PARTS 16

/* A stored zip of the parts in `data`; NULL when out of memory. */
static uint8_t *epub_from_parts(const uint8_t *data, size_t size,
                                size_t *out_len) {
  static const char mimetype[] = "application/epub+zip";
  static const char container[] =
      "<?xml version=\"1.0\"?>\n<container version=\"1.0\" "
      "xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles>"
      "<rootfile full-path=\"EPUB/package.opf\" "
      "media-type=\"application/oebps-package+xml\"/></rootfiles></container>";
  zentry e[MAX_PARTS + 2];
  size_t n = 0;
  e[n++] = (zentry){"mimetype", (const uint8_t *)mimetype, sizeof mimetype - 1,
                    0, 0};
  e[n++] = (zentry){"META-INF/container.xml", (const uint8_t *)container,
                    sizeof container - 1, 0, 0};
  size_t start = 0;
  for (size_t part = 0; start <= size && n < MAX_PARTS + 2; part++) {
    const uint8_t *nul = memchr(data + start, 0, size - start);
    size_t end = nul ? (size_t)(nul - data) : size;
    zentry *z = &e[n++];
    memset(z, 0, sizeof *z);
    if (part == 0)
      snprintf(z->name, sizeof z->name, "EPUB/package.opf");
    else
      snprintf(z->name, sizeof z->name, "EPUB/c%zu.xhtml", part);
    z->data = data + start;
    z->n = end - start;
    if (!nul)
      break;
    start = end + 1;
  }
  zbuf b = {0};
  for (size_t i = 0; i < n; i++)
    zlocal(&b, &e[i]);
  uint32_t cd = (uint32_t)b.n;
  for (size_t i = 0; i < n; i++)
    zcentral(&b, &e[i]);
  uint32_t cd_len = (uint32_t)b.n - cd;
  zle(&b, 0x06054B50u, 4);
  zle(&b, 0, 2);
  zle(&b, 0, 2);
  zle(&b, (uint32_t)n, 2);
  zle(&b, (uint32_t)n, 2);
  zle(&b, cd_len, 4);
  zle(&b, cd, 4);
  zle(&b, 0, 2);
  if (b.bad) {
    free(b.p);
    return NULL;
  }
  *out_len = b.n;
  return b.p;
}

static int write_with(galley_job *job, const galley_plugin *writer,
                      const galley_doc *doc) {
  galley_sink *out = galley_sink_new_memory();
  if (!out)
    return -1;
  (void)galley_plugin_write(job, writer, doc, out);
  galley_sink_free(out);
  return 0;
}

int fuzz_entry(const char *target, const uint8_t *data, size_t size) {
  galley_registry *reg = registry();
  if (!reg)
    return -1;
  bool pipeline = strcmp(target, "pipeline") == 0;
  const galley_plugin *reader =
      pipeline ? galley_registry_probe(reg, data, size, GALLEY_CAN_READ)
               : galley_registry_find(reg, target);
  if (pipeline && !reader)
    reader = galley_registry_find(reg, "text");
  if (!reader || !(reader->caps & GALLEY_CAN_READ))
    return -1;

  galley_job *job = galley_job_new(reg);
  galley_doc *doc = galley_doc_new();
  if (!job || !doc) {
    galley_job_free(job);
    galley_doc_free(doc);
    return -1;
  }
  galley_limits limits;
  fuzz_limits(&limits);
  galley_job_set_limits(job, &limits);
  galley_job_set_location(job, "fuzz-input");

  /* An epub input that is not a zip is a book's parts (see above). */
  uint8_t *zip = NULL;
  if (strcmp(target, "epub") == 0 &&
      !(size >= 2 && data[0] == 'P' && data[1] == 'K')) {
    size_t zlen = 0;
    zip = epub_from_parts(data, size, &zlen);
    if (!zip) {
      galley_doc_free(doc);
      galley_job_free(job);
      return 0;
    }
    data = zip;
    size = zlen;
  }

  /* No base folder: a fuzzed document may name any path, and nothing may be
   * read from the disk for it. */
  galley_input in = {data, size, "fuzz-input", NULL};
  const galley_plugin *transforms[1];
  size_t n_transforms = 0;
  /* Odd-sized inputs to the pipeline also go through the boilerplate
   * transform, so the fuzzer reaches it without a format of its own. */
  if (pipeline && (size & 1)) {
    transforms[0] = galley_registry_find(reg, "boilerplate");
    if (transforms[0])
      n_transforms = 1;
  }
  int rc = galley_job_build(job, &in, reader, transforms, n_transforms, doc);
  if (rc == GALLEY_OK && pipeline) {
    for (size_t i = 0; i < galley_registry_count(reg); i++) {
      const galley_plugin *w = galley_registry_at(reg, i);
      if (w->caps & GALLEY_CAN_WRITE)
        write_with(job, w, doc);
    }
  }
  galley_doc_free(doc);
  galley_job_free(job);
  free(zip);
  return 0;
}
