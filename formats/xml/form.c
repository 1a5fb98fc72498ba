/* The fields of each kind as the xml form names them. */
#include <string.h>

#include "xmlform.h"

#define K(kind) (UINT64_C(1) << (kind))
#define ANY_KIND UINT64_MAX

static const struct {
  const char *name;
  uint64_t kinds;
} fields[GX_N_FIELDS] = {
    [GX_LEVEL] = {"level", K(GALLEY_NODE_HEADING)},
    [GX_ORDERED] = {"ordered", K(GALLEY_NODE_LIST)},
    [GX_START] = {"start", K(GALLEY_NODE_LIST)},
    [GX_TIGHT] = {"tight", K(GALLEY_NODE_LIST)},
    [GX_TASK] = {"task", K(GALLEY_NODE_ITEM)},
    [GX_INFO] = {"info", K(GALLEY_NODE_CODE_BLOCK)},
    [GX_FORMAT] = {"format",
                   K(GALLEY_NODE_RAW_BLOCK) | K(GALLEY_NODE_RAW_INLINE)},
    [GX_URL] = {"url", K(GALLEY_NODE_LINK) | K(GALLEY_NODE_IMAGE)},
    [GX_TITLE] = {"title", K(GALLEY_NODE_LINK) | K(GALLEY_NODE_IMAGE)},
    [GX_LABEL] = {"label",
                  K(GALLEY_NODE_FOOTNOTE) | K(GALLEY_NODE_FOOTNOTE_REF)},
    [GX_PART] = {"part", K(GALLEY_NODE_TABLE_ROW)},
    [GX_HEADER] = {"header", K(GALLEY_NODE_TABLE_CELL)},
    [GX_ALIGN] = {"align", K(GALLEY_NODE_TABLE_CELL)},
    [GX_COLSPAN] = {"colspan", K(GALLEY_NODE_TABLE_CELL)},
    [GX_ROWSPAN] = {"rowspan", K(GALLEY_NODE_TABLE_CELL)},
    [GX_TAG] = {"tag", ANY_KIND},
    [GX_ID] = {"id", ANY_KIND},
    [GX_CLASS] = {"class", ANY_KIND},
    [GX_LINE] = {"line", ANY_KIND},
};

const char *gx_field_name(gx_field f) {
  return f < GX_N_FIELDS ? fields[f].name : NULL;
}

gx_field gx_field_from_name(const char *name) {
  for (int f = 0; f < GX_N_FIELDS; f++)
    if (strcmp(fields[f].name, name) == 0)
      return (gx_field)f;
  return GX_N_FIELDS;
}

bool gx_kind_has_field(galley_kind kind, gx_field f) {
  if (f >= GX_N_FIELDS || kind <= GALLEY_NODE_NONE || kind >= 64)
    return false;
  return (fields[f].kinds & K(kind)) != 0;
}

bool gx_kind_has_literal(galley_kind kind) {
  switch (kind) {
  case GALLEY_NODE_TEXT:
  case GALLEY_NODE_CODE:
  case GALLEY_NODE_CODE_BLOCK:
  case GALLEY_NODE_RAW_BLOCK:
  case GALLEY_NODE_RAW_INLINE: return true;
  default: return false;
  }
}
