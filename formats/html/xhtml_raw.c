/* html-libxml.mod: raw HTML written back as XML for XHTML output, and the
 * module's entry (libxml_module.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "html.h"
#include "libxml_module.h"

static int raw_xhtml(const char *raw, size_t n, char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  const char pre[] = "<html><body>", post[] = "</body></html>";
  char *doc = malloc(n + sizeof pre + sizeof post);
  if (!doc)
    return GALLEY_ENOMEM;
  memcpy(doc, pre, sizeof pre - 1);
  memcpy(doc + sizeof pre - 1, raw, n);
  memcpy(doc + sizeof pre - 1 + n, post, sizeof post);
  int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
             HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED;
  xmlDoc *xd = htmlReadMemory(doc, (int)strlen(doc), NULL, "UTF-8", opts);
  free(doc);
  xmlNode *body = NULL;
  for (xmlNode *c = xd ? xmlDocGetRootElement(xd) : NULL; c; c = c->children)
    if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "body")) {
      body = c;
      break;
    }
  if (!body) {
    if (xd)
      xmlFreeDoc(xd);
    return GALLEY_OK;
  }
  int rc = GALLEY_OK;
  xmlBufferPtr buf = xmlBufferCreate();
  xmlSaveCtxtPtr save =
      buf ? xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_AS_XML | XML_SAVE_NO_DECL)
          : NULL;
  if (save) {
    for (xmlNode *c = body->children; c; c = c->next)
      xmlSaveTree(save, c);
    xmlSaveClose(save);
    size_t len = (size_t)xmlBufferLength(buf);
    *out = malloc(len + 1);
    if (*out) {
      memcpy(*out, xmlBufferContent(buf), len);
      (*out)[len] = '\0';
      *out_len = len;
    } else {
      rc = GALLEY_ENOMEM;
    }
  } else {
    rc = GALLEY_ENOMEM;
  }
  if (buf)
    xmlBufferFree(buf);
  xmlFreeDoc(xd);
  return rc;
}

static const html_libxml module_table = {html_read, raw_xhtml};

/* libxml2's global set-up is not safe to race: html.so calls this entry
 * once per process (pthread_once), before anything else of the module. */
__attribute__((visibility("default"))) const html_libxml *
galley_html_libxml(unsigned version) {
  if (version != HTML_LIBXML_VERSION)
    return NULL;
  xm_setup();
  xmlInitParser();
  return &module_table;
}
