/* Writes a document as the tree's own lossless XML form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmlform.h"

/* Lines of base64 in a resource are this long, so that a large image does
 * not become one enormous line. */
#define B64_LINE 76

typedef struct writer {
  galley_job *job;
  galley_sink *out;
  size_t replaced; /* characters XML cannot carry, written as U+FFFD */
} writer;

static void put(writer *w, const char *s, size_t len) {
  galley_sink_write(w->out, s, len);
}

static void puts_(writer *w, const char *s) {
  galley_sink_write(w->out, s, strlen(s));
}

static void indent(writer *w, size_t depth) {
  static const char spaces[] = "                                ";
  size_t n = depth * 2;
  while (n > 0) {
    size_t chunk = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
    put(w, spaces, chunk);
    n -= chunk;
  }
}

/* Length of the well-formed UTF-8 sequence at s (at most `left` bytes) that
 * encodes an XML 1.0 character, or 0 when there is none. */
static size_t xml_char_len(const unsigned char *s, size_t left) {
  unsigned char c = s[0];
  if (c < 0x80)
    return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
  uint32_t cp;
  size_t len = galley_utf8_decode((const char *)s, left, &cp);
  /* U+FFFE and U+FFFF are UTF-8 but not XML characters. */
  if (len == 0 || cp == 0xfffe || cp == 0xffff)
    return 0;
  return len;
}

/* Writes `s` escaped for element content or (in_attr) a double-quoted
 * attribute value. Carriage returns, and in attributes tabs and newlines,
 * become character references because a parser would otherwise normalise
 * them away. */
static void put_escaped(writer *w, const char *str, size_t len, bool in_attr) {
  const unsigned char *s = (const unsigned char *)str;
  size_t run = 0; /* start of the bytes not yet written */
  size_t i = 0;
  while (i < len) {
    const char *rep = NULL;
    switch (s[i]) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = in_attr ? "&quot;" : NULL; break;
    case '\r': rep = "&#13;"; break;
    case '\t': rep = in_attr ? "&#9;" : NULL; break;
    case '\n': rep = in_attr ? "&#10;" : NULL; break;
    default: break;
    }
    size_t clen = 1;
    if (!rep) {
      clen = xml_char_len(s + i, len - i);
      if (clen == 0) {
        rep = "\xef\xbf\xbd";
        w->replaced++;
        /* Skip one byte only: what follows may be a good character. */
        clen = 1;
      }
    }
    if (rep) {
      put(w, str + run, i - run);
      puts_(w, rep);
      run = i + clen;
    }
    i += clen;
  }
  put(w, str + run, len - run);
}

static void put_attr(writer *w, const char *name, const char *value) {
  put(w, " ", 1);
  puts_(w, name);
  put(w, "=\"", 2);
  put_escaped(w, value, strlen(value), true);
  put(w, "\"", 1);
}

static void put_int_attr(writer *w, const char *name, long value) {
  char buf[32];
  snprintf(buf, sizeof buf, "%ld", value);
  put_attr(w, name, buf);
}

/* Writes the typed fields of `n` as XML attributes, each only when it
 * differs from the default the reader assumes when it is absent. */
static void put_fields(writer *w, const galley_node *n) {
  galley_kind kind = galley_node_kind(n);
  for (int f = 0; f < GX_N_FIELDS; f++) {
    if (!gx_kind_has_field(kind, (gx_field)f))
      continue;
    const char *name = gx_field_name((gx_field)f);
    const char *s = NULL;
    switch ((gx_field)f) {
    case GX_LEVEL: put_int_attr(w, name, galley_node_get_level(n)); break;
    case GX_ORDERED:
      if (galley_node_get_list_ordered(n))
        put_attr(w, name, "true");
      break;
    case GX_START:
      if (galley_node_get_list_start(n) != 1)
        put_int_attr(w, name, galley_node_get_list_start(n));
      break;
    case GX_TIGHT:
      if (!galley_node_get_list_tight(n))
        put_attr(w, name, "false");
      break;
    case GX_TASK:
      switch (galley_node_get_task(n)) {
      case GALLEY_TASK_OPEN: put_attr(w, name, "open"); break;
      case GALLEY_TASK_DONE: put_attr(w, name, "done"); break;
      default: break;
      }
      break;
    case GX_INFO: s = galley_node_get_info(n); break;
    case GX_FORMAT: s = galley_node_get_format(n); break;
    case GX_URL: s = galley_node_get_url(n); break;
    case GX_TITLE: s = galley_node_get_title(n); break;
    case GX_LABEL: s = galley_node_get_label(n); break;
    case GX_PART:
      switch (galley_node_get_row_part(n)) {
      case GALLEY_ROW_HEAD: put_attr(w, name, "head"); break;
      case GALLEY_ROW_FOOT: put_attr(w, name, "foot"); break;
      default: break;
      }
      break;
    case GX_HEADER:
      if (galley_node_get_cell_header(n))
        put_attr(w, name, "true");
      break;
    case GX_ALIGN:
      switch (galley_node_get_cell_align(n)) {
      case GALLEY_ALIGN_LEFT: put_attr(w, name, "left"); break;
      case GALLEY_ALIGN_CENTER: put_attr(w, name, "center"); break;
      case GALLEY_ALIGN_RIGHT: put_attr(w, name, "right"); break;
      default: break;
      }
      break;
    case GX_COLSPAN:
      if (galley_node_get_colspan(n) != 1)
        put_int_attr(w, name, galley_node_get_colspan(n));
      break;
    case GX_ROWSPAN:
      if (galley_node_get_rowspan(n) != 1)
        put_int_attr(w, name, galley_node_get_rowspan(n));
      break;
    case GX_TAG: s = galley_node_get_tag(n); break;
    case GX_ID: s = galley_node_get_id(n); break;
    case GX_CLASS: s = galley_node_get_classes(n); break;
    case GX_LINE:
      if (galley_node_get_line(n) > 0)
        put_int_attr(w, name, galley_node_get_line(n));
      break;
    case GX_N_FIELDS: break;
    }
    /* A string field is written when set, even when empty: NULL and ""
     * are different values. */
    if (s)
      put_attr(w, name, s);
  }
}

/* <attr key="k">value</attr> for each generic attribute; each on its own
 * indented line when depth is given, else all on the current line. */
static void put_node_attrs(writer *w, const galley_node *n, bool own_lines,
                           size_t depth) {
  size_t count = galley_node_attr_count(n);
  for (size_t i = 0; i < count; i++) {
    const char *key = NULL, *value = NULL;
    if (!galley_node_attr_at(n, i, &key, &value) || !key)
      continue;
    if (own_lines)
      indent(w, depth);
    puts_(w, "<attr");
    put_attr(w, "key", key);
    if (value && *value) {
      put(w, ">", 1);
      put_escaped(w, value, strlen(value), false);
      puts_(w, "</attr>");
    } else {
      puts_(w, "/>");
    }
    if (own_lines)
      put(w, "\n", 1);
  }
}

static void put_meta(writer *w, const galley_doc *doc) {
  size_t count = galley_doc_meta_size(doc);
  if (count == 0)
    return;
  indent(w, 1);
  puts_(w, "<meta>\n");
  for (size_t i = 0; i < count; i++) {
    const char *key = NULL, *value = NULL;
    if (!galley_doc_meta_entry(doc, i, &key, &value) || !key)
      continue;
    indent(w, 2);
    puts_(w, "<entry");
    put_attr(w, "key", key);
    if (value && *value) {
      put(w, ">", 1);
      put_escaped(w, value, strlen(value), false);
      puts_(w, "</entry>\n");
    } else {
      puts_(w, "/>\n");
    }
  }
  indent(w, 1);
  puts_(w, "</meta>\n");
}

static int put_resources(writer *w, const galley_doc *doc) {
  size_t count = galley_doc_resource_count(doc);
  if (count == 0)
    return GALLEY_OK;
  const char *mode = galley_job_option(w->job, "resources");
  bool inline_bytes = !mode || strcmp(mode, "reference") != 0;
  char *b64 = NULL;
  size_t b64_cap = 0;
  indent(w, 1);
  puts_(w, "<resources>\n");
  for (size_t i = 0; i < count; i++) {
    const galley_resource *r = galley_doc_resource_at(doc, i);
    if (!r)
      continue;
    char sha[65];
    gx_sha256_hex(r->data, r->size, sha);
    indent(w, 2);
    puts_(w, "<resource");
    put_attr(w, "name", r->name ? r->name : "");
    put_attr(w, "media-type",
             r->media_type ? r->media_type : "application/octet-stream");
    char size[32];
    snprintf(size, sizeof size, "%zu", r->size);
    put_attr(w, "size", size);
    put_attr(w, "sha256", sha);
    /* Without encoding="base64" the element is a reference: the reader
     * knows the bytes were left out, even for an empty resource. */
    if (!inline_bytes) {
      puts_(w, "/>\n");
      continue;
    }
    put_attr(w, "encoding", "base64");
    if (r->size == 0) {
      puts_(w, "/>\n");
      continue;
    }
    put(w, ">", 1);
    size_t need = gx_base64_encoded_size(r->size);
    if (need > b64_cap) {
      /* Scratch space: the old bytes are not kept, so a new block. */
      free(b64);
      b64 = malloc(need);
      if (!b64)
        return galley_job_error(
            w->job, GALLEY_ENOMEM,
            "out of memory encoding resource %s (%zu bytes)", r->name, r->size);
      b64_cap = need;
    }
    gx_base64_encode(r->data, r->size, b64);
    if (need <= B64_LINE) {
      put(w, b64, need);
    } else {
      put(w, "\n", 1);
      for (size_t off = 0; off < need; off += B64_LINE) {
        size_t chunk = need - off < B64_LINE ? need - off : B64_LINE;
        put(w, b64 + off, chunk);
        put(w, "\n", 1);
      }
      indent(w, 2);
    }
    puts_(w, "</resource>\n");
  }
  free(b64);
  indent(w, 1);
  puts_(w, "</resources>\n");
  return GALLEY_OK;
}

/* Whether a container's element has anything between its tags. */
static bool has_content(const galley_node *n) {
  return galley_node_first_child(n) || galley_node_attr_count(n) > 0 ||
         (galley_node_kind(n) == GALLEY_NODE_DOCUMENT &&
          (galley_doc_meta_size(galley_node_doc(n)) > 0 ||
           galley_doc_resource_count(galley_node_doc(n)) > 0));
}

static int write_doc(writer *w, const galley_doc *doc) {
  puts_(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  galley_node *root = galley_doc_root(doc);
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  size_t depth = 0;
  size_t steps = 0;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    if ((++steps & 0xfff) == 0 && galley_job_cancelled(w->job))
      return galley_job_error(w->job, GALLEY_ECANCELLED, "cancelled");
    galley_node *n = galley_iter_node(&it);
    galley_kind kind = galley_node_kind(n);
    const char *name = galley_kind_name(kind);
    if (ev == GALLEY_EVENT_EXIT) {
      if (!has_content(n))
        continue; /* written as an empty element on ENTER */
      depth--;
      indent(w, depth);
      puts_(w, "</");
      puts_(w, name);
      puts_(w, ">\n");
      continue;
    }
    indent(w, depth);
    put(w, "<", 1);
    puts_(w, name);
    if (n == root) {
      put_attr(w, "xmlns", GX_NAMESPACE);
      const char *base = galley_doc_get_base(doc);
      if (base)
        put_attr(w, "base", base);
    }
    put_fields(w, n);
    if (galley_kind_is_leaf(kind)) {
      /* A leaf is one line; nothing may be added around a literal, whose
       * every byte is content. */
      const char *literal =
          gx_kind_has_literal(kind) ? galley_node_get_literal(n) : NULL;
      if ((!literal || !*literal) && galley_node_attr_count(n) == 0) {
        puts_(w, "/>\n");
        continue;
      }
      put(w, ">", 1);
      put_node_attrs(w, n, false, 0);
      if (literal)
        put_escaped(w, literal, strlen(literal), false);
      puts_(w, "</");
      puts_(w, name);
      puts_(w, ">\n");
      continue;
    }
    if (!has_content(n)) {
      puts_(w, "/>\n");
      continue;
    }
    puts_(w, ">\n");
    depth++;
    put_node_attrs(w, n, true, depth);
    if (n == root) {
      put_meta(w, doc);
      int rc = put_resources(w, doc);
      if (rc != GALLEY_OK)
        return rc;
    }
  }
  return GALLEY_OK;
}

int gx_write(galley_job *job, const galley_doc *doc, galley_sink *out) {
  writer w = {job, out, 0};
  int rc = write_doc(&w, doc);
  if (rc != GALLEY_OK)
    return rc;
  if (w.replaced)
    galley_job_warn(
        job,
        "%zu byte%s that XML cannot carry (control characters or bad UTF-8) "
        "written as U+FFFD",
        w.replaced, w.replaced == 1 ? "" : "s");
  rc = galley_sink_write(out, "", 0);
  if (rc != GALLEY_OK)
    return galley_job_error(job, rc, "cannot write the XML output");
  return GALLEY_OK;
}
