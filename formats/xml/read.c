/* Reads the tree's own XML form back into a document. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "xmlform.h"

typedef struct reader {
  galley_job *job;
  galley_doc *doc;
  xmlDocPtr xdoc;
  size_t max_depth; /* galley_limits.max_depth; 0: none */
  size_t xml_depth; /* open elements while libxml2 parses */
  int status;    /* a failure found inside a SAX callback, already on the job */
  long err_line; /* libxml2's first error */
  char err_msg[200];
  galley_buf buf; /* scratch for text split over several nodes */
  galley_buf lit; /* a literal being collected */
  size_t resource_bytes;
} reader;

/* ---- Parsing with libxml2 ------------------------------------------------ */

static reader *reader_of(void *ctx) {
  return ((xmlParserCtxtPtr)ctx)->_private;
}

/* Any DOCTYPE is refused before its internal subset is read: the form never
 * needs one, and refusing it here is what keeps entity expansion ("billion
 * laughs") and external entities (file or network reads) out entirely. */
static void on_doctype(void *ctx, const xmlChar *name,
                       const xmlChar *external_id, const xmlChar *system_id) {
  xmlParserCtxtPtr ctxt = ctx;
  reader *r = reader_of(ctx);
  if (r->status == GALLEY_OK)
    r->status =
        galley_job_error(r->job, GALLEY_EPARSE,
                         "line %d: a DOCTYPE is not allowed in galley XML "
                         "(entities are never expanded)",
                         xmlSAX2GetLineNumber(ctx));
  xmlStopParser(ctxt);
}

/* libxml2 builds the tree without a depth limit of its own (it runs with
 * XML_PARSE_HUGE, see gx_read), so the job's limit is enforced here, while
 * parsing, before a hostile nesting can grow the DOM. The document element
 * is depth 1 and an <attr> sits one below its node, hence the slack of 2;
 * the walk checks the exact tree depth. */
static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces,
                     const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes) {
  reader *r = reader_of(ctx);
  r->xml_depth++;
  if (r->max_depth && r->xml_depth > r->max_depth + 2) {
    if (r->status == GALLEY_OK)
      r->status = galley_job_error(
          r->job, GALLEY_ELIMIT,
          "line %d: elements nested deeper than the depth limit of %zu",
          xmlSAX2GetLineNumber(ctx), r->max_depth);
    xmlStopParser((xmlParserCtxtPtr)ctx);
    return;
  }
  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                        nb_attributes, nb_defaulted, attributes);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                   const xmlChar *uri) {
  reader *r = reader_of(ctx);
  if (r->xml_depth)
    r->xml_depth--;
  xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

/* Keeps libxml2's first error for the message instead of letting it print. */
static void on_error(void *data, xmlErrorPtr err) {
  reader *r = reader_of(data); /* libxml2 passes ctxt->userData, the context */
  if (!err || r->err_msg[0] || err->level < XML_ERR_ERROR)
    return;
  r->err_line = err->line;
  const char *msg = err->message ? err->message : "not well-formed";
  size_t len = strlen(msg);
  while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
    len--;
  if (len >= sizeof r->err_msg)
    len = sizeof r->err_msg - 1;
  /* Diagnostics are one line; libxml2's messages may span several. */
  for (size_t i = 0; i < len; i++)
    r->err_msg[i] = msg[i] == '\n' || msg[i] == '\r' ? ' ' : msg[i];
  r->err_msg[len] = '\0';
}

/* The most attributes one element of galley's xml form may have: its
 * elements use a few (and namespace declarations); far more is hostile. */
#define XML_MAX_ATTRS 256

/* Where a start tag with more than XML_MAX_ATTRS attributes begins (its
 * offset + 1), else 0; *count says how many it has. libxml2 2.9 compares
 * each attribute of a start tag with all before it, so thousands cost
 * seconds before the reader could refuse them: this linear scan refuses
 * them first. XML forbids '<' in text and attribute values, so every '<'
 * starts markup; comments, CDATA and processing instructions are skipped. */
static size_t too_many_attrs(const unsigned char *p, size_t n, size_t *count) {
  size_t i = 0;
  while (i < n) {
    const unsigned char *lt = memchr(p + i, '<', n - i);
    if (!lt)
      return 0;
    size_t tag = (size_t)(lt - p);
    i = tag + 1;
    const char *close = NULL;
    if (n - i >= 3 && memcmp(p + i, "!--", 3) == 0)
      close = "-->";
    else if (n - i >= 8 && memcmp(p + i, "![CDATA[", 8) == 0)
      close = "]]>";
    else if (i < n && p[i] == '?')
      close = "?>";
    if (close) {
      size_t cl = strlen(close);
      const unsigned char *e = NULL;
      for (size_t j = i; j + cl <= n; j++) {
        const unsigned char *q = memchr(p + j, close[0], n - j);
        if (!q || (size_t)(q - p) + cl > n)
          break;
        if (memcmp(q, close, cl) == 0) {
          e = q;
          break;
        }
        j = (size_t)(q - p);
      }
      i = e ? (size_t)(e - p) + cl : n;
      continue;
    }
    size_t attrs = 0;
    unsigned char quote = 0;
    for (; i < n; i++) {
      unsigned char c = p[i];
      if (quote) {
        if (c == quote)
          quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '=') {
        attrs++;
      } else if (c == '>') {
        break;
      }
    }
    if (attrs > XML_MAX_ATTRS) {
      *count = attrs;
      return tag + 1;
    }
  }
  return 0;
}

static int parse(reader *r, const galley_input *in) {
  if (in->size > INT_MAX)
    return galley_job_error(r->job, GALLEY_ELIMIT,
                            "input of %zu bytes is too large for XML",
                            in->size);
  if (in->size == 0)
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "empty input, not galley XML");
  size_t n_attrs = 0, at = too_many_attrs(in->data, in->size, &n_attrs);
  if (at) {
    size_t line = 1;
    for (const unsigned char *q = in->data, *end = in->data + at - 1;
         (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
      line++;
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "line %zu: an element has %zu attributes, over "
                            "the %d galley's xml form allows",
                            line, n_attrs, XML_MAX_ATTRS);
  }
  /* Through a read callback, a window at a time: a memory parser context
   * would copy the whole input first. */
  galley_input_cursor src = {in->data, in->size};
  xmlParserCtxtPtr ctxt = xmlCreateIOParserCtxt(
      NULL, NULL, galley_input_cursor_read, NULL, &src, XML_CHAR_ENCODING_NONE);
  if (!ctxt)
    return galley_job_error(r->job, GALLEY_ENOMEM,
                            "out of memory starting the XML parser");
  /* XML_PARSE_HUGE lifts libxml2's own caps: 10 MB per text node (a
   * resource's base64 is one text node and images are larger than that)
   * and a nesting of 256 (below galley's default depth limit). What those
   * caps protect against is covered here: no DOCTYPE at all (so no entity
   * is ever defined), the job's depth limit while parsing, and the host's
   * input size limit. No NOENT, no DTDLOAD, no network. */
  xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING | XML_PARSE_HUGE |
                              XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
  ctxt->_private = r;
  ctxt->sax->internalSubset = on_doctype;
  ctxt->sax->startElementNs = on_start;
  ctxt->sax->endElementNs = on_end;
  ctxt->sax->serror = on_error;
  ctxt->sax->initialized = XML_SAX2_MAGIC;
  xmlParseDocument(ctxt);
  r->xdoc = ctxt->myDoc;
  ctxt->myDoc = NULL;
  int well_formed = ctxt->wellFormed;
  xmlFreeParserCtxt(ctxt);
  if (r->status != GALLEY_OK)
    return r->status;
  if (!well_formed || !r->xdoc) {
    if (r->err_msg[0])
      return galley_job_error(r->job, GALLEY_EPARSE, "line %ld: %s",
                              r->err_line, r->err_msg);
    return galley_job_error(r->job, GALLEY_EPARSE, "not well-formed XML");
  }
  return GALLEY_OK;
}

/* ---- Helpers for the walk ------------------------------------------------ */

static long line_of(const xmlNode *x) { return xmlGetLineNo(x); }

static const char *name_of(const xmlNode *x) { return (const char *)x->name; }

static bool in_namespace(const xmlNode *x) {
  return x->ns && x->ns->href &&
         strcmp((const char *)x->ns->href, GX_NAMESPACE) == 0;
}

static bool is_blank(const char *s) {
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
      return false;
  return true;
}

static int oom(reader *r) {
  return galley_job_error(r->job, GALLEY_ENOMEM, "out of memory");
}

static int buf_append(reader *r, const char *s, size_t len) {
  return galley_buf_add(&r->buf, s, len) == GALLEY_OK ? GALLEY_OK : oom(r);
}

static int lit_append(reader *r, const char *s, size_t len) {
  return galley_buf_add(&r->lit, s, len) == GALLEY_OK ? GALLEY_OK : oom(r);
}

/* The text content of an element that may hold only text. `*out` borrows
 * from the DOM or from r->buf, valid until the next call. */
static int text_only(reader *r, const xmlNode *x, const char **out,
                     size_t *len) {
  const xmlNode *c = x->children;
  if (!c) {
    *out = "";
    *len = 0;
    return GALLEY_OK;
  }
  if (c->type == XML_TEXT_NODE && !c->next) {
    *out = (const char *)c->content;
    *len = strlen(*out);
    return GALLEY_OK;
  }
  galley_buf_clear(&r->buf);
  for (; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      int rc = buf_append(r, (const char *)c->content,
                          strlen((const char *)c->content));
      if (rc != GALLEY_OK)
        return rc;
    } else if (c->type == XML_ELEMENT_NODE) {
      return galley_job_error(r->job, GALLEY_EPARSE,
                              "line %ld: <%s> may hold only text, not <%s>",
                              line_of(c), name_of(x), name_of(c));
    } else if (c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE) {
      return galley_job_error(r->job, GALLEY_EPARSE,
                              "line %ld: unexpected content in <%s>",
                              line_of(c), name_of(x));
    }
  }
  if (r->buf.len == 0 && buf_append(r, "", 0) != GALLEY_OK)
    return GALLEY_ENOMEM;
  *out = r->buf.data;
  *len = r->buf.len;
  return GALLEY_OK;
}

/* An attribute's value, malloc'd by libxml2 (xmlFree it). */
static char *attr_value(const xmlAttr *a) {
  xmlChar *v = xmlNodeListGetString(a->doc, a->children, 1);
  return v ? (char *)v : (char *)xmlStrdup((const xmlChar *)"");
}

static int bad_value(reader *r, const xmlNode *x, const char *attr,
                     const char *value) {
  return galley_job_error(r->job, GALLEY_EPARSE,
                          "line %ld: bad value \"%s\" for %s on <%s>",
                          line_of(x), value, attr, name_of(x));
}

static bool parse_long(const char *s, long min, long max, long *out) {
  if (!*s || !(isdigit((unsigned char)*s) ||
               (*s == '-' && isdigit((unsigned char)s[1]))))
    return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < min || v > max)
    return false;
  *out = v;
  return true;
}

static bool parse_bool(const char *s, bool *out) {
  if (strcmp(s, "true") == 0)
    *out = true;
  else if (strcmp(s, "false") == 0)
    *out = false;
  else
    return false;
  return true;
}

/* The index of `s` in the NULL-terminated `names`, or -1. */
static int parse_enum(const char *s, const char *const *names) {
  for (int i = 0; names[i]; i++)
    if (strcmp(s, names[i]) == 0)
      return i;
  return -1;
}

static const char *const task_names[] = {"none", "open", "done", NULL};
static const char *const part_names[] = {"body", "head", "foot", NULL};
static const char *const align_names[] = {"none", "left", "center", "right",
                                          NULL};

/* Sets one typed field from an XML attribute's value. */
static int set_field(reader *r, const xmlNode *x, galley_node *n, gx_field f,
                     const char *v) {
  long num = 0;
  bool flag = false;
  int idx = -1;
  int rc = GALLEY_OK;
  const char *name = gx_field_name(f);
  switch (f) {
  case GX_LEVEL:
    if (!parse_long(v, 1, 6, &num))
      return bad_value(r, x, name, v);
    rc = galley_node_set_level(n, (int)num);
    break;
  case GX_START:
    if (!parse_long(v, 0, INT_MAX, &num))
      return bad_value(r, x, name, v);
    rc = galley_node_set_list_start(n, (int)num);
    break;
  case GX_COLSPAN:
  case GX_ROWSPAN:
    if (!parse_long(v, 1, INT_MAX, &num))
      return bad_value(r, x, name, v);
    rc = f == GX_COLSPAN ? galley_node_set_colspan(n, (int)num)
                         : galley_node_set_rowspan(n, (int)num);
    break;
  case GX_LINE:
    if (!parse_long(v, 0, INT_MAX, &num))
      return bad_value(r, x, name, v);
    galley_node_set_line(n, (int)num);
    break;
  case GX_ORDERED:
  case GX_TIGHT:
  case GX_HEADER:
    if (!parse_bool(v, &flag))
      return bad_value(r, x, name, v);
    rc = f == GX_ORDERED ? galley_node_set_list_ordered(n, flag)
         : f == GX_TIGHT ? galley_node_set_list_tight(n, flag)
                         : galley_node_set_cell_header(n, flag);
    break;
  case GX_TASK:
    if ((idx = parse_enum(v, task_names)) < 0)
      return bad_value(r, x, name, v);
    rc = galley_node_set_task(n, (galley_task)idx);
    break;
  case GX_PART:
    if ((idx = parse_enum(v, part_names)) < 0)
      return bad_value(r, x, name, v);
    rc = galley_node_set_row_part(n, (galley_row_part)idx);
    break;
  case GX_ALIGN:
    if ((idx = parse_enum(v, align_names)) < 0)
      return bad_value(r, x, name, v);
    rc = galley_node_set_cell_align(n, (galley_align)idx);
    break;
  case GX_INFO: rc = galley_node_set_info(n, v); break;
  case GX_FORMAT: rc = galley_node_set_format(n, v); break;
  case GX_URL: rc = galley_node_set_url(n, v); break;
  case GX_TITLE: rc = galley_node_set_title(n, v); break;
  case GX_LABEL: rc = galley_node_set_label(n, v); break;
  case GX_TAG: rc = galley_node_set_tag(n, v); break;
  case GX_ID: rc = galley_node_set_id(n, v); break;
  case GX_CLASS: rc = galley_node_set_classes(n, v); break;
  case GX_N_FIELDS: break;
  }
  if (rc == GALLEY_ENOMEM)
    return oom(r);
  if (rc != GALLEY_OK)
    return bad_value(r, x, name, v);
  return GALLEY_OK;
}

/* What an absent attribute means, set explicitly so that the form does not
 * depend on the defaults of galley_doc_new_node. */
static int set_defaults(galley_node *n) {
  switch (galley_node_kind(n)) {
  case GALLEY_NODE_LIST:
    if (galley_node_set_list_ordered(n, false) ||
        galley_node_set_list_start(n, 1) || galley_node_set_list_tight(n, true))
      return GALLEY_EINVALID;
    break;
  case GALLEY_NODE_ITEM: return galley_node_set_task(n, GALLEY_TASK_NONE);
  case GALLEY_NODE_TABLE_ROW:
    return galley_node_set_row_part(n, GALLEY_ROW_BODY);
  case GALLEY_NODE_TABLE_CELL:
    if (galley_node_set_cell_header(n, false) ||
        galley_node_set_cell_align(n, GALLEY_ALIGN_NONE) ||
        galley_node_set_colspan(n, 1) || galley_node_set_rowspan(n, 1))
      return GALLEY_EINVALID;
    break;
  default: break;
  }
  return GALLEY_OK;
}

/* The XML attributes of a node element: its typed fields (and on the root,
 * the document's base). */
static int read_fields(reader *r, const xmlNode *x, galley_node *n) {
  galley_kind kind = galley_node_kind(n);
  if (set_defaults(n) != GALLEY_OK)
    return galley_job_error(r->job, GALLEY_EINVALID,
                            "cannot set the defaults of <%s>", name_of(x));
  if (kind == GALLEY_NODE_HEADING && !xmlHasProp(x, (const xmlChar *)"level"))
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "line %ld: <heading> needs a level", line_of(x));
  for (const xmlAttr *a = x->properties; a; a = a->next) {
    const char *aname = (const char *)a->name;
    gx_field f = a->ns ? GX_N_FIELDS : gx_field_from_name(aname);
    bool is_base =
        !a->ns && kind == GALLEY_NODE_DOCUMENT && strcmp(aname, "base") == 0;
    if (!is_base && !gx_kind_has_field(kind, f))
      return galley_job_error(
          r->job, GALLEY_EPARSE, "line %ld: unknown attribute %s%s%s on <%s>",
          line_of(x), a->ns && a->ns->prefix ? (const char *)a->ns->prefix : "",
          a->ns && a->ns->prefix ? ":" : "", aname, name_of(x));
    char *v = attr_value(a);
    if (!v)
      return oom(r);
    int rc;
    if (is_base)
      rc = galley_doc_set_base(r->doc, v) == GALLEY_OK ? GALLEY_OK : oom(r);
    else
      rc = set_field(r, x, n, f, v);
    xmlFree(v);
    if (rc != GALLEY_OK)
      return rc;
  }
  return GALLEY_OK;
}

/* An element in the form's namespace with exactly the attributes `allowed`
 * (NULL-terminated); `required` of them must be there. */
static int check_attrs(reader *r, const xmlNode *x, const char *const *allowed,
                       size_t required) {
  for (const xmlAttr *a = x->properties; a; a = a->next) {
    if (a->ns || parse_enum((const char *)a->name, allowed) < 0)
      return galley_job_error(r->job, GALLEY_EPARSE,
                              "line %ld: unknown attribute %s on <%s>",
                              line_of(x), (const char *)a->name, name_of(x));
  }
  for (size_t i = 0; i < required; i++)
    if (!xmlHasProp(x, (const xmlChar *)allowed[i]))
      return galley_job_error(r->job, GALLEY_EPARSE,
                              "line %ld: <%s> needs a %s attribute", line_of(x),
                              name_of(x), allowed[i]);
  return GALLEY_OK;
}

/* A required attribute's value; xmlFree it. */
static char *get_prop(const xmlNode *x, const char *name) {
  return (char *)xmlGetNoNsProp(x, (const xmlChar *)name);
}

/* <attr key="k">value</attr>: one generic attribute of node `n`. */
static int read_attr(reader *r, const xmlNode *x, galley_node *n) {
  static const char *const allowed[] = {"key", NULL};
  int rc = check_attrs(r, x, allowed, 1);
  if (rc != GALLEY_OK)
    return rc;
  const char *value;
  size_t len;
  if ((rc = text_only(r, x, &value, &len)) != GALLEY_OK)
    return rc;
  char *key = get_prop(x, "key");
  if (!key)
    return oom(r);
  if (galley_node_get_attr(n, key)) {
    rc = galley_job_error(r->job, GALLEY_EPARSE,
                          "line %ld: attribute \"%s\" given twice", line_of(x),
                          key);
  } else if (galley_node_set_attr(n, key, value) != GALLEY_OK) {
    rc = oom(r);
  }
  xmlFree(key);
  return rc;
}

/* Skips the white space that indents elements; anything else is an error. */
static int check_blank(reader *r, const xmlNode *c, const xmlNode *parent) {
  if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
    return GALLEY_OK;
  if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
      is_blank((const char *)c->content))
    return GALLEY_OK;
  if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
    return galley_job_error(
        r->job, GALLEY_EPARSE,
        "line %ld: text directly inside <%s> (text goes in <text>)", line_of(c),
        name_of(parent));
  return galley_job_error(r->job, GALLEY_EPARSE,
                          "line %ld: unexpected content in <%s>", line_of(c),
                          name_of(parent));
}

static int foreign(reader *r, const xmlNode *x) {
  return galley_job_error(
      r->job, GALLEY_EPARSE,
      "line %ld: element <%s> is not in the namespace " GX_NAMESPACE,
      line_of(x), name_of(x));
}

/* An element child of `in`, which holds only <want> elements: ours and
 * so named, or an error. */
static int expect_element(reader *r, const xmlNode *c, const char *want,
                          const xmlNode *in) {
  if (!in_namespace(c))
    return foreign(r, c);
  if (strcmp(name_of(c), want) != 0)
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "line %ld: unknown element <%s> in <%s>",
                            line_of(c), name_of(c), name_of(in));
  return GALLEY_OK;
}

static int read_meta(reader *r, const xmlNode *x) {
  static const char *const none[] = {NULL};
  static const char *const entry_attrs[] = {"key", NULL};
  int rc = check_attrs(r, x, none, 0);
  for (const xmlNode *c = x->children; c && rc == GALLEY_OK; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) {
      rc = check_blank(r, c, x);
      continue;
    }
    if ((rc = expect_element(r, c, "entry", x)) != GALLEY_OK)
      return rc;
    if ((rc = check_attrs(r, c, entry_attrs, 1)) != GALLEY_OK)
      return rc;
    const char *value;
    size_t len;
    if ((rc = text_only(r, c, &value, &len)) != GALLEY_OK)
      return rc;
    char *key = get_prop(c, "key");
    if (!key)
      return oom(r);
    if (galley_doc_add_meta(r->doc, key, value) != GALLEY_OK)
      rc = oom(r);
    xmlFree(key);
  }
  return rc;
}

static bool parse_size(const char *s, size_t *out) {
  if (!*s || !isdigit((unsigned char)*s))
    return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > SIZE_MAX)
    return false;
  *out = (size_t)v;
  return true;
}

static bool is_sha256_hex(const char *s) {
  size_t i = 0;
  for (; s[i]; i++)
    if (!isxdigit((unsigned char)s[i]))
      return false;
  return i == 64;
}

/* One <resource>: checks what it claims (size, sha256) against its bytes. */
static int read_resource(reader *r, const xmlNode *x, char *name,
                         char *media_type, char *size_s, char *sha,
                         char *encoding) {
  const galley_limits *lim = galley_job_limits(r->job);
  long line = line_of(x);
  size_t claimed = 0;
  if (!*name)
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "line %ld: a resource needs a name", line);
  if (size_s && !parse_size(size_s, &claimed))
    return bad_value(r, x, "size", size_s);
  if (sha && !is_sha256_hex(sha))
    return bad_value(r, x, "sha256", sha);
  if (encoding && strcmp(encoding, "base64") != 0)
    return bad_value(r, x, "encoding", encoding);
  if (galley_doc_find_resource(r->doc, name))
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "line %ld: resource \"%s\" given twice", line,
                            name);
  const char *text;
  size_t len;
  int rc = text_only(r, x, &text, &len);
  if (rc != GALLEY_OK)
    return rc;
  if (!encoding) {
    if (!is_blank(text))
      return galley_job_error(
          r->job, GALLEY_EPARSE,
          "line %ld: resource \"%s\" has content but no encoding=\"base64\"",
          line, name);
    galley_job_warn(r->job,
                    "line %ld: resource \"%s\" was written without its bytes "
                    "(-O resources=reference); it is left out",
                    line, name);
    return GALLEY_OK;
  }
  unsigned char *bytes = malloc(len / 4 * 3 + 3);
  if (!bytes)
    return oom(r);
  size_t n = 0;
  if (!gx_base64_decode(text, len, bytes, &n)) {
    rc = galley_job_error(r->job, GALLEY_EPARSE,
                          "line %ld: resource \"%s\" is not valid base64", line,
                          name);
    goto done;
  }
  if (size_s && n != claimed) {
    rc = galley_job_error(
        r->job, GALLEY_EPARSE,
        "line %ld: resource \"%s\" has %zu bytes but says size=\"%zu\"", line,
        name, n, claimed);
    goto done;
  }
  if (sha) {
    char actual[65];
    gx_sha256_hex(bytes, n, actual);
    for (size_t i = 0; i < 64; i++)
      sha[i] = (char)tolower((unsigned char)sha[i]);
    if (strcmp(actual, sha) != 0) {
      rc = galley_job_error(
          r->job, GALLEY_EPARSE,
          "line %ld: resource \"%s\" does not match its sha256", line, name);
      goto done;
    }
  }
  if (lim->max_image_size && strncmp(media_type, "image/", 6) == 0 &&
      n > lim->max_image_size) {
    rc = galley_job_error(
        r->job, GALLEY_ELIMIT,
        "line %ld: image \"%s\" is %zu bytes, over the image size limit of "
        "%zu bytes",
        line, name, n, lim->max_image_size);
    goto done;
  }
  r->resource_bytes += n;
  if (lim->max_resource_bytes && r->resource_bytes > lim->max_resource_bytes) {
    rc = galley_job_error(
        r->job, GALLEY_ELIMIT,
        "line %ld: resources pass the resource limit of %zu bytes per document",
        line, lim->max_resource_bytes);
    goto done;
  }
  if (galley_doc_add_resource(r->doc, name, media_type, bytes, n) != GALLEY_OK)
    rc = oom(r);
done:
  free(bytes);
  return rc;
}

static int read_resources(reader *r, const xmlNode *x) {
  static const char *const none[] = {NULL};
  /* The first two are required. */
  static const char *const res_attrs[] = {"name",   "media-type", "size",
                                          "sha256", "encoding",   NULL};
  int rc = check_attrs(r, x, none, 0);
  for (const xmlNode *c = x->children; c && rc == GALLEY_OK; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) {
      rc = check_blank(r, c, x);
      continue;
    }
    if ((rc = expect_element(r, c, "resource", x)) != GALLEY_OK)
      return rc;
    if ((rc = check_attrs(r, c, res_attrs, 2)) != GALLEY_OK)
      return rc;
    char *v[5];
    for (int i = 0; i < 5; i++)
      v[i] = get_prop(c, res_attrs[i]);
    if (!v[0] || !v[1])
      rc = oom(r);
    else
      rc = read_resource(r, c, v[0], v[1], v[2], v[3], v[4]);
    for (int i = 0; i < 5; i++)
      xmlFree(v[i]);
  }
  return rc;
}

/* The content of a leaf's element: <attr> children, and for the kinds
 * that have one, the literal as text, kept byte for byte. */
static int read_leaf(reader *r, const xmlNode *x, galley_node *n) {
  bool literal = gx_kind_has_literal(galley_node_kind(n));
  galley_buf_clear(&r->lit);
  int rc = lit_append(r, "", 0);
  const xmlNode *text = NULL;
  size_t n_text = 0;
  for (const xmlNode *c = x->children; c && rc == GALLEY_OK; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      if (!in_namespace(c))
        return foreign(r, c);
      if (strcmp(name_of(c), "attr") != 0)
        return galley_job_error(r->job, GALLEY_EPARSE,
                                "line %ld: <%s> cannot contain <%s>",
                                line_of(c), name_of(x), name_of(c));
      rc = read_attr(r, c, n);
    } else if (literal && (c->type == XML_TEXT_NODE ||
                           c->type == XML_CDATA_SECTION_NODE)) {
      /* One text child (the usual case) goes to the node as it is; only
       * several are joined, so a long literal is not copied twice. */
      if (n_text == 1)
        rc = lit_append(r, (const char *)text->content,
                        strlen((const char *)text->content));
      if (n_text >= 1 && rc == GALLEY_OK)
        rc = lit_append(r, (const char *)c->content,
                        strlen((const char *)c->content));
      text = c;
      n_text++;
    } else {
      rc = check_blank(r, c, x);
    }
  }
  if (rc == GALLEY_OK && literal) {
    const char *lit = n_text == 1 ? (const char *)text->content : r->lit.data;
    size_t len = n_text == 1 ? strlen(lit) : r->lit.len;
    if (galley_node_set_literal_n(n, lit, len) != GALLEY_OK)
      rc = oom(r);
  }
  return rc;
}

/* ---- The walk -------------------------------------------------------------
 */

/* Builds the tree from the DOM, iteratively: the DOM's own parent and
 * sibling links are the stack, so input depth never reaches the C stack. */
static int build(reader *r) {
  xmlNode *root = xmlDocGetRootElement(r->xdoc);
  if (!root)
    return galley_job_error(r->job, GALLEY_EPARSE, "no root element");
  if (!in_namespace(root) || strcmp(name_of(root), "document") != 0)
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "line %ld: not galley XML: the root is <%s>, "
                            "not <document xmlns=\"" GX_NAMESPACE "\">",
                            line_of(root), name_of(root));
  galley_node *gparent = galley_doc_root(r->doc);
  int rc = read_fields(r, root, gparent);
  if (rc != GALLEY_OK)
    return rc;
  xmlNode *xparent = root;
  xmlNode *x = root->children;
  size_t depth = 0; /* tree depth of gparent */
  size_t steps = 0;
  for (;;) {
    while (!x) {
      if (xparent == root)
        return GALLEY_OK;
      x = xparent->next;
      xparent = xparent->parent;
      gparent = galley_node_parent(gparent);
      depth--;
    }
    if ((++steps & 0xfff) == 0 && galley_job_cancelled(r->job))
      return galley_job_error(r->job, GALLEY_ECANCELLED, "cancelled");
    if (x->type != XML_ELEMENT_NODE) {
      if ((rc = check_blank(r, x, xparent)) != GALLEY_OK)
        return rc;
      x = x->next;
      continue;
    }
    if (!in_namespace(x))
      return foreign(r, x);
    const char *name = name_of(x);
    if (strcmp(name, "attr") == 0) {
      rc = read_attr(r, x, gparent);
    } else if (xparent == root && strcmp(name, "meta") == 0) {
      rc = read_meta(r, x);
    } else if (xparent == root && strcmp(name, "resources") == 0) {
      rc = read_resources(r, x);
    } else {
      galley_kind kind = galley_kind_from_name(name);
      if (kind == GALLEY_NODE_NONE)
        return galley_job_error(r->job, GALLEY_EPARSE,
                                "line %ld: unknown element <%s>", line_of(x),
                                name);
      if (r->max_depth && depth + 1 > r->max_depth)
        return galley_job_error(
            r->job, GALLEY_ELIMIT,
            "line %ld: nodes nested deeper than the depth limit of %zu",
            line_of(x), r->max_depth);
      galley_node *n = galley_doc_new_node(r->doc, kind);
      if (!n)
        return oom(r);
      if ((rc = read_fields(r, x, n)) != GALLEY_OK)
        return rc;
      rc = galley_node_append_child(gparent, n);
      if (rc == GALLEY_ENOMEM)
        return oom(r);
      if (rc != GALLEY_OK)
        return galley_job_error(
            r->job, GALLEY_EPARSE, "line %ld: <%s> cannot contain <%s>",
            line_of(x), galley_kind_name(galley_node_kind(gparent)), name);
      if (galley_kind_is_leaf(kind)) {
        rc = read_leaf(r, x, n);
      } else {
        xparent = x;
        gparent = n;
        depth++;
        x = x->children;
        continue;
      }
    }
    if (rc != GALLEY_OK)
      return rc;
    x = x->next;
  }
}

int gx_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  reader r;
  memset(&r, 0, sizeof r);
  r.job = job;
  r.doc = doc;
  r.max_depth = galley_job_limits(job)->max_depth;
  int rc = parse(&r, in);
  if (rc == GALLEY_OK)
    rc = build(&r);
  xmlFreeDoc(r.xdoc);
  galley_buf_free(&r.buf);
  galley_buf_free(&r.lit);
  return rc;
}
