/* What the xml plugin's reader and writer share: the namespace, the fields
 * each kind carries, and the codecs for resource bytes. */
#ifndef GALLEY_XMLFORM_H
#define GALLEY_XMLFORM_H

#include <galley/galley.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The namespace of every element of the form. The trailing number is the
 * form's version: an incompatible change gets a new URN. */
#define GX_NAMESPACE "urn:galley:tree:1"

/* The typed fields a node may carry, written as XML attributes in this
 * order. Generic attributes, metadata and resources are elements. */
typedef enum gx_field {
  GX_LEVEL,
  GX_ORDERED,
  GX_START,
  GX_TIGHT,
  GX_TASK,
  GX_INFO,
  GX_FORMAT,
  GX_URL,
  GX_TITLE,
  GX_LABEL,
  GX_PART,
  GX_HEADER,
  GX_ALIGN,
  GX_COLSPAN,
  GX_ROWSPAN,
  GX_TAG,
  GX_ID,
  GX_CLASS,
  GX_LINE,
  GX_N_FIELDS
} gx_field;

/* The XML attribute name of a field ("colspan"). */
const char *gx_field_name(gx_field f);
/* The field an XML attribute name stands for, or GX_N_FIELDS. */
gx_field gx_field_from_name(const char *name);
/* True when nodes of `kind` carry field `f`. */
bool gx_kind_has_field(galley_kind kind, gx_field f);
/* True for the kinds whose element content is their literal text. */
bool gx_kind_has_literal(galley_kind kind);

/* Base64 (RFC 4648, with padding). gx_base64_encode writes
 * 4 * ceil(len / 3) bytes to `out`. gx_base64_decode skips ASCII white
 * space, writes at most 3 * (len / 4) + 3 bytes to `out`, and returns false
 * on any other character or bad padding. */
size_t gx_base64_encoded_size(size_t len);
void gx_base64_encode(const unsigned char *in, size_t len, char *out);
bool gx_base64_decode(const char *in, size_t len, unsigned char *out,
                      size_t *out_len);

/* SHA-256 of `len` bytes as 64 lower-case hex digits and a NUL. */
void gx_sha256_hex(const unsigned char *data, size_t len, char out[65]);

int gx_probe(const unsigned char *head, size_t len);
int gx_read(galley_job *job, const galley_input *in, galley_doc *doc);
int gx_write(galley_job *job, const galley_doc *doc, galley_sink *out);

#endif
