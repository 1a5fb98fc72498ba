/* The epub reader: container.xml, then the package document's metadata,
 * manifest and spine; each chapter read by the html reader and merged into
 * one tree; images and other files kept as resources. Hostile archives
 * (zip bombs, escaping names, DRM) end in clear errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <zip.h>

#include "epub.h"

typedef struct mitem {
  char *id;
  char *path; /* full path inside the zip */
  char *media_type;
  char *props;
} mitem;

typedef struct rchap {
  char *path;
  galley_node *div;
} rchap;

typedef struct reader {
  galley_job *job;
  galley_doc *doc;
  const galley_limits *lim;
  zip_t *za;
  size_t decompressed;
  size_t res_bytes;
  char *opf_path;
  char *opf_dir; /* "" or ends in '/' */
  mitem *items;
  size_t n_items;
  smap item_ids;   /* manifest id -> index + 1 in items (the first one) */
  smap obfuscated; /* font paths the package scrambles */
  smap labels;     /* chapter path -> nav or NCX title */
  smap skip;       /* cover and title pages */
  idset ids;       /* ids used in the tree */
  smap idmap;      /* "path#old" -> new id */
  smap chapters;   /* path -> index + 1 */
  smap resources;  /* names of the resources added to the document */
  smap notes;      /* "path#label" -> a footnote label unique in the book */
  rchap *ch;
  size_t n_ch, cap_ch;
  const galley_plugin *html;
} reader;

static int nomem(reader *r) {
  return galley_job_error(r->job, GALLEY_ENOMEM, "out of memory");
}

/* ---- The zip ------------------------------------------------------------- */

static bool unsafe_name(const char *name) {
  if (!*name || name[0] == '/' || name[0] == '\\' || strchr(name, '\\'))
    return true;
  if (((name[0] >= 'a' && name[0] <= 'z') ||
       (name[0] >= 'A' && name[0] <= 'Z')) &&
      name[1] == ':')
    return true;
  for (const char *p = name; *p;) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 2 && p[0] == '.' && p[1] == '.')
      return true;
    p += n;
    if (*p == '/')
      p++;
  }
  return false;
}

static int check_archive(reader *r) {
  zip_int64_t n = zip_get_num_entries(r->za, 0);
  if (n < 0)
    return galley_job_error(r->job, GALLEY_EPARSE, "not a readable zip");
  if (r->lim->max_entries && (zip_uint64_t)n > r->lim->max_entries)
    return galley_job_error(r->job, GALLEY_ELIMIT,
                            "the EPUB has %lld entries, over the entry limit "
                            "of %zu",
                            (long long)n, r->lim->max_entries);
  zip_uint64_t total = 0;
  for (zip_int64_t i = 0; i < n; i++) {
    zip_stat_t st;
    if (zip_stat_index(r->za, (zip_uint64_t)i, 0, &st) < 0)
      return galley_job_error(r->job, GALLEY_EPARSE,
                              "zip entry %lld is damaged", (long long)i);
    const char *name = (st.valid & ZIP_STAT_NAME) ? st.name : "";
    if (unsafe_name(name))
      return galley_job_error(r->job, GALLEY_EPARSE,
                              "unsafe entry name '%.200s' (absolute, or with "
                              "'..'): refused",
                              name);
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
        st.encryption_method != ZIP_EM_NONE)
      return galley_job_error(r->job, GALLEY_EUNSUPPORTED,
                              "entry %.200s is encrypted: this EPUB is "
                              "protected by DRM and cannot be read",
                              name);
    if (st.valid & ZIP_STAT_SIZE) {
      total += st.size;
      if (r->lim->max_decompressed && total > r->lim->max_decompressed)
        return galley_job_error(r->job, GALLEY_ELIMIT,
                                "the EPUB unpacks to more than the "
                                "decompressed size limit of %zu bytes",
                                r->lim->max_decompressed);
    }
  }
  return GALLEY_OK;
}

/* Reads entry `name` whole. GALLEY_ENOTFOUND (no message) when absent. */
static int read_entry(reader *r, const char *name, unsigned char **out,
                      size_t *len, size_t max_one) {
  *out = NULL;
  *len = 0;
  zip_int64_t idx = zip_name_locate(r->za, name, 0);
  if (idx < 0)
    idx = zip_name_locate(r->za, name, ZIP_FL_NOCASE);
  if (idx < 0)
    return GALLEY_ENOTFOUND;
  zip_stat_t st;
  if (zip_stat_index(r->za, (zip_uint64_t)idx, 0, &st) < 0 ||
      !(st.valid & ZIP_STAT_SIZE))
    return galley_job_error(r->job, GALLEY_EPARSE, "entry %s is damaged", name);
  if (max_one && st.size > max_one)
    return galley_job_error(r->job, GALLEY_ELIMIT,
                            "entry %s unpacks to %llu bytes, over the image "
                            "size limit of %zu bytes",
                            name, (unsigned long long)st.size, max_one);
  if (r->lim->max_decompressed &&
      st.size > r->lim->max_decompressed - r->decompressed)
    return galley_job_error(r->job, GALLEY_ELIMIT,
                            "the EPUB unpacks to more than the decompressed "
                            "size limit of %zu bytes",
                            r->lim->max_decompressed);
  if (st.size > SIZE_MAX - 1)
    return nomem(r);
  size_t size = (size_t)st.size;
  unsigned char *buf = malloc(size + 1);
  if (!buf)
    return nomem(r);
  zip_file_t *zf = zip_fopen_index(r->za, (zip_uint64_t)idx, 0);
  if (!zf) {
    free(buf);
    return galley_job_error(r->job, GALLEY_EPARSE, "cannot open entry %s: %s",
                            name, zip_strerror(r->za));
  }
  size_t got = 0;
  int rc = GALLEY_OK;
  /* Read one byte past the declared size: an entry that holds more than it
   * says is a lie we refuse, not a buffer we overrun. */
  for (;;) {
    zip_int64_t n = zip_fread(zf, buf + got, size + 1 - got);
    if (n < 0) {
      rc = galley_job_error(r->job, GALLEY_EPARSE, "entry %s is damaged: %s",
                            name, zip_file_strerror(zf));
      break;
    }
    if (n == 0)
      break;
    got += (size_t)n;
    if (got > size) {
      rc = galley_job_error(r->job, GALLEY_EPARSE,
                            "entry %s holds more than its declared size", name);
      break;
    }
  }
  zip_fclose(zf);
  if (rc) {
    free(buf);
    return rc;
  }
  buf[got] = '\0';
  r->decompressed += got;
  *out = buf;
  *len = got;
  return GALLEY_OK;
}

/* An XML entry parsed; NULL with `*rc` set: GALLEY_ENOTFOUND when absent,
 * GALLEY_EPARSE when malformed (recorded unless `quiet`), and
 * GALLEY_EUNSUPPORTED, always recorded, when it declares entities.
 *
 * Entities: galley refuses an EPUB whose container.xml, encryption.xml,
 * package document, nav or NCX declares any entity, instead of expanding
 * it or capping what it expands to. A reference held in libxml2's tree is
 * expanded again at every read of the text around it, so one 100 KB entity
 * used 10,000 times is a gigabyte title out of a 1.4 KB book. Books have
 * no use for them (EPUB 3 forbids external entities; books write characters
 * or character references, and none of the 36 pandoc and calibre books of
 * the corpus declares an entity), and a refusal is simpler to trust than a
 * cap on expansion. The parse ends at the first declaration
 * (epub_xml_read), before any use. Chapters are read by the html reader,
 * which skips a DOCTYPE's internal subset. */
static xmlDoc *read_xml_q(reader *r, const char *name, int *rc, bool quiet) {
  unsigned char *data;
  size_t len;
  *rc = read_entry(r, name, &data, &len, 0);
  if (*rc)
    return NULL;
  galley_input_cursor cur = {data, len};
  bool entities;
  xmlDoc *doc = epub_xml_read(galley_input_cursor_read, &cur, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING | XML_PARSE_NOCDATA,
                              &entities);
  if (!doc && quiet && !entities)
    /* Some navigation files are HTML rather than XHTML. */
    doc = len < 0x7fffffff
              ? htmlReadMemory((const char *)data, (int)len, NULL, "UTF-8",
                               HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                   HTML_PARSE_NONET)
              : NULL;
  free(data);
  if (entities)
    *rc = galley_job_error(r->job, GALLEY_EUNSUPPORTED,
                           "%s declares entities (galley refuses entities in "
                           "EPUB XML)",
                           name);
  else if (!doc)
    *rc = quiet ? GALLEY_EPARSE
                : galley_job_error(r->job, GALLEY_EPARSE,
                                   "%s is not well-formed XML", name);
  return doc;
}

static xmlDoc *read_xml(reader *r, const char *name, int *rc) {
  return read_xml_q(r, name, rc, false);
}

static bool el_is(const xmlNode *n, const char *local) {
  return n && n->type == XML_ELEMENT_NODE &&
         strcmp((const char *)n->name, local) == 0;
}

static char *prop(const xmlNode *n, const char *name) {
  xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
  if (!v) {
    /* epub:type and friends: look the local name up in any namespace. */
    for (xmlAttr *a = n->properties; a && !v; a = a->next)
      if (a->ns && strcmp((const char *)a->name, name) == 0)
        v = xmlNodeGetContent((xmlNode *)a);
    if (!v && strchr(name, ':'))
      return NULL;
  }
  if (!v)
    return NULL;
  char *s = strdup((const char *)v);
  xmlFree(v);
  return s;
}

static char *text_of(const xmlNode *n) {
  xmlChar *t = xmlNodeGetContent(n);
  char *s = epub_collapse(t ? (const char *)t : "");
  xmlFree(t);
  return s;
}

static bool has_word(const char *list, const char *word) {
  if (!list)
    return false;
  size_t n = strlen(word);
  for (const char *p = list; *p;) {
    while (*p == ' ' || *p == '\t' || *p == '\n')
      p++;
    size_t k = strcspn(p, " \t\n");
    if (k == n && strncmp(p, word, n) == 0)
      return true;
    p += k;
  }
  return false;
}

/* `href` (relative to the file at `from`) as a path inside the zip, without
 * its fragment; NULL when it leaves the archive or is not a local path. */
static char *resolve(const char *from, const char *href) {
  if (!href || epub_has_scheme(href) || href[0] == '/')
    return NULL;
  size_t n = strcspn(href, "#?");
  char *dec = epub_percent_decode(href, n);
  if (!dec)
    return NULL;
  const char *slash = strrchr(from, '/');
  size_t dl = slash ? (size_t)(slash - from + 1) : 0;
  char *dir = strndup(from, dl);
  char *out = dir ? epub_join_path(dir, dec) : NULL;
  free(dir);
  free(dec);
  return out;
}

/* ---- container.xml, encryption.xml --------------------------------------- */

static int find_package(reader *r) {
  int rc;
  xmlDoc *doc = read_xml(r, "META-INF/container.xml", &rc);
  if (rc == GALLEY_ENOTFOUND)
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "no META-INF/container.xml: not an EPUB");
  if (!doc)
    return rc;
  xmlNode *root = xmlDocGetRootElement(doc);
  for (xmlNode *n = root; n && !r->opf_path; n = epub_dom_next(root, n, false))
    if (el_is(n, "rootfile")) {
      char *mt = prop(n, "media-type");
      char *fp = prop(n, "full-path");
      if (fp && (!mt || !strcmp(mt, "application/oebps-package+xml"))) {
        r->opf_path = epub_percent_decode(fp, strlen(fp));
        if (!r->opf_path)
          rc = GALLEY_ENOMEM;
      }
      free(mt);
      free(fp);
    }
  xmlFreeDoc(doc);
  if (rc == GALLEY_ENOMEM)
    return nomem(r);
  if (!r->opf_path || unsafe_name(r->opf_path))
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "container.xml names no package document");
  const char *slash = strrchr(r->opf_path, '/');
  r->opf_dir =
      strndup(r->opf_path, slash ? (size_t)(slash - r->opf_path + 1) : 0);
  return r->opf_dir ? GALLEY_OK : nomem(r);
}

/* Font obfuscation (IDPF, Adobe) scrambles fonts only and is no DRM; any
 * other encryption of the package's files is. */
static int check_encryption(reader *r) {
  int rc;
  xmlDoc *doc = read_xml(r, "META-INF/encryption.xml", &rc);
  if (rc == GALLEY_ENOTFOUND)
    return GALLEY_OK;
  if (!doc)
    return rc;
  xmlNode *root = xmlDocGetRootElement(doc);
  rc = GALLEY_OK;
  for (xmlNode *n = root; n && !rc; n = epub_dom_next(root, n, false)) {
    if (!el_is(n, "EncryptedData"))
      continue;
    char *alg = NULL, *uri = NULL;
    for (xmlNode *m = n; m; m = epub_dom_next(n, m, false)) {
      if (el_is(m, "EncryptionMethod") && !alg)
        alg = prop(m, "Algorithm");
      if (el_is(m, "CipherReference") && !uri)
        uri = prop(m, "URI");
    }
    bool font = alg && (!strcmp(alg, "http://www.idpf.org/2008/embedding") ||
                        !strcmp(alg, "http://ns.adobe.com/pdf/enc#RC"));
    if (!font) {
      rc = galley_job_error(r->job, GALLEY_EUNSUPPORTED,
                            "%s is encrypted: this EPUB is protected by DRM "
                            "and cannot be read",
                            uri ? uri : "content");
    } else if (uri) {
      char *p = epub_percent_decode(uri, strlen(uri));
      if (!p || !smap_put(&r->obfuscated, p, NULL))
        rc = nomem(r);
      free(p);
    }
    free(alg);
    free(uri);
  }
  xmlFreeDoc(doc);
  return rc;
}

/* ---- The package document ------------------------------------------------ */

/* The first manifest item with this id, or NULL. */
static const mitem *item_by_id(const reader *r, const char *id) {
  const smap_entry *e = id ? smap_get(&r->item_ids, id) : NULL;
  return e ? &r->items[e->num - 1] : NULL;
}

static int read_metadata(reader *r, xmlNode *meta, const char *uid,
                         char **cover_id) {
  galley_doc *d = r->doc;
  bool have_date = false, have_id = false;
  int rc = GALLEY_OK;
  for (xmlNode *n = meta->children; n && !rc; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (el_is(n, "meta")) {
      char *name = prop(n, "name");
      if (name && !strcmp(name, "cover") && !*cover_id)
        *cover_id = prop(n, "content");
      free(name);
      continue;
    }
    if (!n->ns || !n->ns->href || strcmp((const char *)n->ns->href, EPUB_NS_DC))
      continue;
    char *v = text_of(n);
    if (!v)
      return nomem(r);
    if (!*v) {
      free(v);
      continue;
    }
    const char *k = (const char *)n->name;
    if (!strcmp(k, "title") && !galley_doc_get_meta(d, GALLEY_META_TITLE))
      rc = galley_doc_set_meta(d, GALLEY_META_TITLE, v);
    else if (!strcmp(k, "creator"))
      rc = galley_doc_add_meta(d, GALLEY_META_AUTHOR, v);
    else if (!strcmp(k, "language") &&
             !galley_doc_get_meta(d, GALLEY_META_LANGUAGE))
      rc = galley_doc_set_meta(d, GALLEY_META_LANGUAGE, v);
    else if (!strcmp(k, "date") && !have_date) {
      char *ev = prop(n, "event");
      if (!ev || strcmp(ev, "modification")) {
        rc = galley_doc_set_meta(d, GALLEY_META_DATE, v);
        have_date = true;
      }
      free(ev);
    } else if (!strcmp(k, "publisher") &&
               !galley_doc_get_meta(d, GALLEY_META_PUBLISHER))
      rc = galley_doc_set_meta(d, GALLEY_META_PUBLISHER, v);
    else if (!strcmp(k, "description") &&
             !galley_doc_get_meta(d, GALLEY_META_DESCRIPTION))
      rc = galley_doc_set_meta(d, GALLEY_META_DESCRIPTION, v);
    else if (!strcmp(k, "subject"))
      rc = galley_doc_add_meta(d, GALLEY_META_KEYWORD, v);
    else if (!strcmp(k, "source"))
      rc = galley_doc_set_meta(
          d, epub_has_scheme(v) ? GALLEY_META_URL : GALLEY_META_SOURCE, v);
    else if (!strcmp(k, "identifier") && !have_id) {
      char *id = prop(n, "id");
      if (!uid || (id && !strcmp(id, uid))) {
        rc = galley_doc_set_meta(d, GALLEY_META_IDENTIFIER, v);
        have_id = true;
      }
      free(id);
    }
    free(v);
  }
  return rc ? nomem(r) : GALLEY_OK;
}

static int read_manifest(reader *r, xmlNode *man) {
  size_t n = 0;
  for (xmlNode *c = man->children; c; c = c->next)
    n += el_is(c, "item");
  r->items = calloc(n + 1, sizeof *r->items);
  if (!r->items)
    return nomem(r);
  for (xmlNode *c = man->children; c; c = c->next) {
    if (!el_is(c, "item"))
      continue;
    char *id = prop(c, "id"), *href = prop(c, "href");
    char *path = href ? resolve(r->opf_path, href) : NULL;
    if (!id || !path) {
      if (href && !epub_has_scheme(href))
        galley_job_warn(r->job,
                        "manifest item %s has an unusable href; "
                        "skipped",
                        id ? id : "?");
      free(id);
      free(href);
      free(path);
      continue;
    }
    free(href);
    /* Found by id in a map: a spine of n items costs O(n), not O(n^2). */
    bool added;
    smap_entry *e = smap_put(&r->item_ids, id, &added);
    if (!e) {
      free(id);
      free(path);
      return nomem(r);
    }
    if (added)
      e->num = r->n_items + 1;
    mitem *it = &r->items[r->n_items++];
    it->id = id;
    it->path = path;
    it->media_type = prop(c, "media-type");
    it->props = prop(c, "properties");
  }
  return GALLEY_OK;
}

/* Titles from the nav document (EPUB 3) and which files are the cover and
 * title pages (its landmarks). */
static int read_nav(reader *r, const mitem *nav) {
  int rc;
  xmlDoc *doc = read_xml_q(r, nav->path, &rc, true);
  if (!doc) {
    if (rc == GALLEY_ENOTFOUND || rc == GALLEY_EPARSE) {
      galley_job_warn(r->job, "navigation document %s unreadable; ignored",
                      nav->path);
      return GALLEY_OK;
    }
    return rc;
  }
  xmlNode *root = xmlDocGetRootElement(doc);
  rc = GALLEY_OK;
  for (xmlNode *n = root; n && !rc; n = epub_dom_next(root, n, false)) {
    if (!el_is(n, "nav"))
      continue;
    char *type = prop(n, "type");
    bool toc = has_word(type, "toc"), marks = has_word(type, "landmarks");
    free(type);
    for (xmlNode *a = n; a && !rc && (toc || marks);
         a = epub_dom_next(n, a, false)) {
      if (!el_is(a, "a"))
        continue;
      char *href = prop(a, "href");
      char *path = href ? resolve(nav->path, href) : NULL;
      free(href);
      if (!path)
        continue;
      if (toc) {
        bool added;
        smap_entry *e = smap_put(&r->labels, path, &added);
        if (!e)
          rc = GALLEY_ENOMEM;
        else if (added && !(e->value = text_of(a)))
          rc = GALLEY_ENOMEM;
      } else {
        char *t = prop(a, "type");
        if ((has_word(t, "cover") || has_word(t, "titlepage")) &&
            !smap_put(&r->skip, path, NULL))
          rc = GALLEY_ENOMEM;
        free(t);
      }
      free(path);
    }
  }
  xmlFreeDoc(doc);
  return rc ? nomem(r) : GALLEY_OK;
}

/* Titles from an EPUB 2 NCX, for files the nav did not name. */
static int read_ncx(reader *r, const mitem *ncx) {
  int rc;
  xmlDoc *doc = read_xml_q(r, ncx->path, &rc, true);
  if (!doc) {
    if (rc == GALLEY_ENOTFOUND || rc == GALLEY_EPARSE) {
      galley_job_warn(r->job, "NCX %s unreadable; ignored", ncx->path);
      return GALLEY_OK;
    }
    return rc;
  }
  xmlNode *root = xmlDocGetRootElement(doc);
  rc = GALLEY_OK;
  for (xmlNode *n = root; n && !rc; n = epub_dom_next(root, n, false)) {
    if (!el_is(n, "navPoint"))
      continue;
    char *label = NULL, *src = NULL;
    for (xmlNode *c = n->children; c; c = c->next) {
      if (el_is(c, "navLabel") && !label)
        label = text_of(c);
      if (el_is(c, "content") && !src)
        src = prop(c, "src");
    }
    char *path = src ? resolve(ncx->path, src) : NULL;
    if (path && label && *label) {
      bool added;
      smap_entry *e = smap_put(&r->labels, path, &added);
      if (!e || (added && !(e->value = strdup(label))))
        rc = GALLEY_ENOMEM;
    }
    free(label);
    free(src);
    free(path);
  }
  xmlFreeDoc(doc);
  return rc ? nomem(r) : GALLEY_OK;
}

static bool is_document(const mitem *it) {
  const char *mt = it->media_type ? it->media_type : "";
  return !strcmp(mt, "application/xhtml+xml") || !strcmp(mt, "text/html") ||
         !strcmp(mt, "application/x-dtbook+xml");
}

static int read_resources(reader *r, const char *cover_id) {
  for (size_t i = 0; i < r->n_items; i++) {
    const mitem *it = &r->items[i];
    const char *mt =
        it->media_type ? it->media_type : "application/octet-stream";
    if (is_document(it) || !strcmp(mt, "application/x-dtbncx+xml") ||
        smap_get(&r->obfuscated, it->path))
      continue;
    bool image = !strncmp(mt, "image/", 6);
    unsigned char *data;
    size_t len;
    int rc = read_entry(r, it->path, &data, &len,
                        image ? r->lim->max_image_size : 0);
    if (rc == GALLEY_ENOTFOUND) {
      galley_job_warn(r->job,
                      "%s is listed in the manifest but missing; "
                      "skipped",
                      it->path);
      continue;
    }
    if (rc)
      return rc;
    if (r->lim->max_resource_bytes &&
        len > r->lim->max_resource_bytes - r->res_bytes) {
      free(data);
      return galley_job_error(r->job, GALLEY_ELIMIT,
                              "the EPUB's files add up to more than the "
                              "resource limit of %zu bytes",
                              r->lim->max_resource_bytes);
    }
    r->res_bytes += len;
    /* A resource is named by its path below the package document, which is
     * how the chapters' own links spell it. */
    const char *name = it->path;
    size_t dl = strlen(r->opf_dir);
    if (dl && !strncmp(name, r->opf_dir, dl))
      name += dl;
    if (image) {
      const char *sniffed = epub_sniff_image(data, len);
      if (sniffed)
        mt = sniffed;
    }
    rc = galley_doc_add_resource(r->doc, name, mt, data, len);
    free(data);
    if (rc || !smap_put(&r->resources, name, NULL))
      return nomem(r);
    bool cover = (it->props && has_word(it->props, "cover-image")) ||
                 (cover_id && !strcmp(cover_id, it->id));
    if (cover && image && !galley_doc_get_meta(r->doc, GALLEY_META_COVER) &&
        galley_doc_set_meta(r->doc, GALLEY_META_COVER, name))
      return nomem(r);
  }
  return GALLEY_OK;
}

/* ---- Chapters --------------------------------------------------------------
 */

static int map_id(reader *r, const char *path, const char *old,
                  const char *fresh) {
  size_t len = strlen(path) + strlen(old) + 2;
  char *key = malloc(len);
  if (!key)
    return GALLEY_ENOMEM;
  snprintf(key, len, "%s#%s", path, old);
  bool added;
  smap_entry *e = smap_put(&r->idmap, key, &added);
  free(key);
  if (!e)
    return GALLEY_ENOMEM;
  if (added && !(e->value = strdup(fresh)))
    return GALLEY_ENOMEM;
  return GALLEY_OK;
}

/* Copies the chapter's tree under `div`, giving every id a book-wide
 * unique value and remembering the old one. */
static int copy_chapter(reader *r, const char *path, galley_node *div,
                        galley_node *src_root) {
  for (galley_node *c = galley_node_first_child(src_root); c;
       c = galley_node_next(c)) {
    galley_node *copy = galley_node_copy(r->doc, c);
    if (!copy || galley_node_append_child(div, copy))
      return GALLEY_ENOMEM;
    galley_iter it;
    galley_iter_init(&it, copy);
    galley_event ev;
    while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
      galley_node *n = galley_iter_node(&it);
      const char *old = galley_node_get_id(n);
      if (ev != GALLEY_EVENT_ENTER || !old || !*old)
        continue;
      char *fresh = idset_claim(&r->ids, old);
      int rc =
          !fresh || map_id(r, path, old, fresh) || galley_node_set_id(n, fresh)
              ? GALLEY_ENOMEM
              : GALLEY_OK;
      free(fresh);
      if (rc)
        return rc;
    }
  }
  return GALLEY_OK;
}

static char *chapter_id(reader *r, const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (!idset_has(&r->ids, base))
    return idset_claim(&r->ids, base);
  const char *rel = path;
  size_t dl = strlen(r->opf_dir);
  if (dl && !strncmp(rel, r->opf_dir, dl))
    rel += dl;
  char *tmp = strdup(rel);
  if (!tmp)
    return NULL;
  for (char *p = tmp; *p; p++)
    if (*p == '/')
      *p = '_';
  char *id = idset_claim(&r->ids, tmp);
  free(tmp);
  return id;
}

static int read_chapter(reader *r, const mitem *it) {
  unsigned char *data;
  size_t len;
  int rc = read_entry(r, it->path, &data, &len, 0);
  if (rc == GALLEY_ENOTFOUND) {
    galley_job_warn(r->job, "spine file %s is missing; skipped", it->path);
    return GALLEY_OK;
  }
  if (rc)
    return rc;
  galley_doc *cdoc = galley_doc_new();
  if (!cdoc) {
    free(data);
    return nomem(r);
  }
  galley_input cin = {data, len, it->path, NULL};
  rc = galley_plugin_read(r->job, r->html, &cin, cdoc);
  free(data);
  if (rc) {
    galley_doc_free(cdoc);
    return rc;
  }
  galley_node *div = galley_doc_new_node(r->doc, GALLEY_NODE_DIV);
  char *id = chapter_id(r, it->path);
  if (!div || !id || galley_node_set_id(div, id) ||
      galley_node_set_tag(div, "section") ||
      galley_node_append_child(galley_doc_root(r->doc), div) ||
      map_id(r, it->path, "", id))
    rc = GALLEY_ENOMEM;
  free(id);
  if (!rc)
    rc = copy_chapter(r, it->path, div, galley_doc_root(cdoc));
  galley_doc_free(cdoc);
  if (rc)
    return nomem(r);
  /* A chapter without a heading gets its title from the nav or NCX. */
  smap_entry *label = smap_get(&r->labels, it->path);
  if (label && label->value && *label->value &&
      !galley_node_find(div, GALLEY_NODE_HEADING)) {
    galley_node *h = galley_doc_new_node(r->doc, GALLEY_NODE_HEADING);
    galley_node *t = galley_doc_new_text(r->doc, label->value, (size_t)-1);
    if (!h || !t || galley_node_set_level(h, 1) ||
        galley_node_append_child(h, t) || galley_node_prepend_child(div, h))
      return nomem(r);
  }
  if (galley_array_grow((void **)&r->ch, &r->cap_ch, r->n_ch + 1,
                        sizeof *r->ch) != GALLEY_OK)
    return nomem(r);
  r->ch[r->n_ch].path = it->path;
  r->ch[r->n_ch].div = div;
  r->n_ch++;
  if (!smap_put(&r->chapters, it->path, NULL))
    return nomem(r);
  return GALLEY_OK;
}

/* The new id that "path#frag" became, or NULL. */
static const char *lookup_id(reader *r, const char *path, const char *frag) {
  size_t len = strlen(path) + strlen(frag) + 2;
  char *key = malloc(len);
  if (!key)
    return NULL;
  snprintf(key, len, "%s#%s", path, frag);
  smap_entry *e = smap_get(&r->idmap, key);
  free(key);
  return e ? e->value : NULL;
}

/* The label a chapter's footnote gets in the book: its element's new id,
 * else its own label made unique (every chapter of pandoc's has an fn1). */
static const char *note_label(reader *r, const char *path, const char *label) {
  const char *fresh = lookup_id(r, path, label);
  if (fresh)
    return fresh;
  size_t len = strlen(path) + strlen(label) + 2;
  char *key = malloc(len);
  if (!key)
    return NULL;
  snprintf(key, len, "%s#%s", path, label);
  bool added;
  smap_entry *e = smap_put(&r->notes, key, &added);
  free(key);
  if (!e)
    return NULL;
  if (added && !(e->value = idset_claim(&r->ids, label)))
    return NULL;
  return e->value;
}

static bool has_role(const galley_node *n, const char *role) {
  return has_word(galley_node_get_attr(n, "role"), role);
}

/* Links and images of one chapter made to point inside the book; footnote
 * labels follow their notes' new ids (all chapters' labels first, with
 * `labels_only`, so that a link to another chapter's note finds it). */
static int fix_chapter(reader *r, const rchap *c, bool labels_only) {
  galley_iter it;
  galley_iter_init(&it, c->div);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    galley_kind k = galley_node_kind(n);
    if (k == GALLEY_NODE_FOOTNOTE_REF || k == GALLEY_NODE_FOOTNOTE) {
      const char *label = galley_node_get_label(n);
      const char *fresh = label ? note_label(r, c->path, label) : NULL;
      if (labels_only && label && (!fresh || galley_node_set_label(n, fresh)))
        return GALLEY_ENOMEM;
      continue;
    }
    if (labels_only || (k != GALLEY_NODE_LINK && k != GALLEY_NODE_IMAGE))
      continue;
    const char *url = galley_node_get_url(n);
    if (!url || epub_has_scheme(url))
      continue;
    const char *hash = strchr(url, '#');
    char *path = hash == url ? strdup(c->path) : resolve(c->path, url);
    if (!path)
      continue;
    int rc = GALLEY_OK;
    if (k == GALLEY_NODE_IMAGE) {
      const char *name = path;
      size_t dl = strlen(r->opf_dir);
      if (dl && !strncmp(name, r->opf_dir, dl))
        name += dl;
      /* Looked up in the reader's own map: the document's list is searched
       * linearly, and a chapter may hold 100,000 images. */
      if (smap_get(&r->resources, name))
        rc = galley_node_set_url(n, name);
      else
        galley_job_warn(r->job, "image %s is not in the EPUB", path);
    } else if (smap_get(&r->chapters, path)) {
      char *frag =
          hash ? epub_percent_decode(hash + 1, strlen(hash + 1)) : NULL;
      const char *fresh = frag && *frag ? lookup_id(r, path, frag) : NULL;
      if (!fresh && frag && *frag) {
        /* A note the html reader made (it has a label, not an id). */
        size_t klen = strlen(path) + strlen(frag) + 2;
        char *key = malloc(klen);
        if (key) {
          snprintf(key, klen, "%s#%s", path, frag);
          smap_entry *e = smap_get(&r->notes, key);
          fresh = e ? e->value : NULL;
          free(key);
        }
      }
      if (!fresh)
        fresh = lookup_id(r, path, "");
      if (fresh) {
        size_t len = strlen(fresh) + 2;
        char *u = malloc(len);
        if (!u)
          rc = GALLEY_ENOMEM;
        else {
          snprintf(u, len, "#%s", fresh);
          rc = galley_node_set_url(n, u);
          free(u);
        }
      }
      free(frag);
    }
    free(path);
    if (rc)
      return GALLEY_ENOMEM;
  }
  return GALLEY_OK;
}

typedef struct nodelist {
  galley_node **v;
  size_t n, cap;
} nodelist;

static bool nl_add(nodelist *l, galley_node *x) {
  if (galley_array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) !=
      GALLEY_OK)
    return false;
  l->v[l->n++] = x;
  return true;
}

/* ---- Page breaks and verse ------------------------------------------------ */

static bool blank_text(const galley_node *x) {
  const char *lit = galley_node_get_literal(x);
  return galley_node_kind(x) == GALLEY_NODE_TEXT && lit &&
         strspn(lit, " \t\n\r") == strlen(lit);
}

/* A block left with nothing to show. */
static void unlink_if_empty(galley_node *p) {
  if (!p || galley_node_kind(p) != GALLEY_NODE_PARAGRAPH)
    return;
  for (galley_node *c = galley_node_first_child(p); c; c = galley_node_next(c))
    if (!blank_text(c))
      return;
  galley_node_unlink(p);
}

/* EPUB's page break markers (epub:type="pagebreak", role doc-pagebreak)
 * mark where the printed page turned: an anchor where something links to
 * them (an empty element with its id), else nothing; never the page number
 * as a paragraph of its own. */
static int page_breaks(reader *r, galley_node *root) {
  nodelist marks = {0};
  smap linked;
  memset(&linked, 0, sizeof linked);
  int rc = GALLEY_OK;
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  while (!rc && (ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *x = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    galley_kind k = galley_node_kind(x);
    if ((k == GALLEY_NODE_DIV || k == GALLEY_NODE_SPAN) &&
        has_role(x, "doc-pagebreak")) {
      if (!nl_add(&marks, x))
        rc = GALLEY_ENOMEM;
    } else if (k == GALLEY_NODE_LINK) {
      const char *u = galley_node_get_url(x);
      if (u && u[0] == '#' && u[1] && !smap_put(&linked, u + 1, NULL))
        rc = GALLEY_ENOMEM;
    }
  }
  for (size_t i = 0; !rc && i < marks.n; i++) {
    galley_node *x = marks.v[i];
    const char *id = galley_node_get_id(x);
    galley_node *parent = galley_node_parent(x);
    if (id && *id && smap_get(&linked, id)) {
      while (galley_node_first_child(x))
        galley_node_unlink(galley_node_first_child(x));
      if (galley_node_set_attr(x, "role", NULL) ||
          galley_node_set_attr(x, "title", NULL))
        rc = GALLEY_ENOMEM;
    } else {
      galley_node_unlink(x);
      unlink_if_empty(parent);
    }
  }
  free(marks.v);
  smap_free(&linked);
  return rc ? nomem(r) : GALLEY_OK;
}

static bool is_line_number(const galley_node *x) {
  static const char *const cls[] = {"lnum",        "linenum", "lineno",
                                    "line-number", "linenumber", "ln",
                                    "line-num",    NULL};
  if (galley_node_kind(x) != GALLEY_NODE_SPAN)
    return false;
  for (size_t i = 0; cls[i]; i++)
    if (galley_node_has_class(x, cls[i]))
      return true;
  return false;
}

/* The paragraph a verse line is: the line itself, or the one paragraph of a
 * <div> line; NULL when the line is something else (a heading, a list). */
static galley_node *line_paragraph(galley_node *line) {
  galley_kind k = galley_node_kind(line);
  if (k == GALLEY_NODE_PARAGRAPH)
    return line;
  if (k != GALLEY_NODE_DIV)
    return NULL;
  galley_node *only = NULL;
  for (galley_node *c = galley_node_first_child(line); c;
       c = galley_node_next(c)) {
    if (blank_text(c))
      continue;
    if (only || galley_node_kind(c) != GALLEY_NODE_PARAGRAPH)
      return NULL;
    only = c;
  }
  return only;
}

static bool named_verse(const galley_node *d) {
  static const char *const cls[] = {"poem",      "verse",      "stanza",
                                    "linegroup", "line-group", "lg",
                                    "poetry",    NULL};
  for (size_t i = 0; cls[i]; i++)
    if (galley_node_has_class(d, cls[i]))
      return true;
  return false;
}

/* A block whose runs of lines become line blocks: one named as verse, one
 * whose children are all lines of class "line", or, inside verse, one that
 * holds nothing but lines (a quoted stanza). */
static bool is_verse_box(galley_node *d) {
  if (galley_node_kind(d) != GALLEY_NODE_DIV || !galley_node_first_child(d))
    return false;
  if (named_verse(d))
    return true;
  bool all_lines = true, classed = true;
  size_t n = 0;
  for (galley_node *c = galley_node_first_child(d); c; c = galley_node_next(c)) {
    if (blank_text(c))
      continue;
    if (!line_paragraph(c))
      return false;
    n++;
    classed = classed && (galley_node_has_class(c, "line") ||
                          galley_node_has_class(c, "verse-line"));
  }
  if (n < 2 || !all_lines)
    return false;
  if (classed)
    return true;
  for (const galley_node *p = galley_node_parent(d); p;
       p = galley_node_parent(p))
    if (named_verse(p))
      return true;
  return false;
}

/* Moves one line's words to the end of `para`, after a line break unless
 * it is the first; its id stays as an empty span where it begins. */
static int add_line(reader *r, galley_node *para, galley_node *line) {
  galley_node *p = line_paragraph(line);
  if (galley_node_first_child(para)) {
    galley_node *br = galley_doc_new_node(r->doc, GALLEY_NODE_LINE_BREAK);
    if (!br || galley_node_append_child(para, br))
      return GALLEY_ENOMEM;
  }
  const char *id = galley_node_get_id(line);
  if (!id || !*id)
    id = galley_node_get_id(p);
  if (id && *id) {
    galley_node *anchor = galley_doc_new_node(r->doc, GALLEY_NODE_SPAN);
    if (!anchor || galley_node_set_id(anchor, id) ||
        galley_node_append_child(para, anchor))
      return GALLEY_ENOMEM;
  }
  while (galley_node_first_child(p) && blank_text(galley_node_first_child(p)))
    galley_node_unlink(galley_node_first_child(p));
  while (galley_node_last_child(p) && blank_text(galley_node_last_child(p)))
    galley_node_unlink(galley_node_last_child(p));
  while (galley_node_first_child(p))
    if (galley_node_append_child(para, galley_node_first_child(p)))
      galley_node_unlink(galley_node_first_child(p));
  galley_node_unlink(line);
  return GALLEY_OK;
}

/* Verse: a poem set one paragraph (or <div>) per line becomes one
 * paragraph whose lines are kept by line breaks (a line block), each
 * line's id kept as an empty span where it begins; line numbers set in the
 * margin go, instead of being glued to the words. */
static int verse(reader *r, galley_node *root) {
  nodelist boxes = {0}, nums = {0};
  int rc = GALLEY_OK;
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  while (!rc && (ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *x = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_ENTER && is_verse_box(x) && !nl_add(&boxes, x))
      rc = GALLEY_ENOMEM;
  }
  for (size_t i = 0; !rc && i < boxes.n; i++) {
    /* Each run of lines becomes one paragraph; a quotation or a heading
     * between runs stays where it is. */
    galley_node *d = boxes.v[i];
    galley_node *c = galley_node_first_child(d);
    while (!rc && c) {
      if (!line_paragraph(c) || blank_text(c)) {
        c = galley_node_next(c);
        continue;
      }
      galley_node *para = galley_doc_new_node(r->doc, GALLEY_NODE_PARAGRAPH);
      if (!para || galley_node_insert_before(c, para)) {
        rc = GALLEY_ENOMEM;
        break;
      }
      while (!rc && c && (blank_text(c) || line_paragraph(c))) {
        galley_node *next = galley_node_next(c);
        if (blank_text(c))
          galley_node_unlink(c);
        else
          rc = add_line(r, para, c);
        c = next;
      }
    }
  }
  /* Line numbers, in poems of either shape. */
  galley_iter_init(&it, root);
  while (!rc && (ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *x = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_ENTER && is_line_number(x) && !nl_add(&nums, x))
      rc = GALLEY_ENOMEM;
  }
  for (size_t i = 0; !rc && i < nums.n; i++) {
    galley_node *x = nums.v[i];
    galley_node *prev = galley_node_prev(x);
    galley_node_unlink(x);
    /* The space the number stood in for stays out of the line's end. */
    if (prev && galley_node_kind(prev) == GALLEY_NODE_TEXT &&
        !galley_node_next(prev)) {
      const char *lit = galley_node_get_literal(prev);
      size_t len = strlen(lit);
      while (len && strchr(" \t\n\r", lit[len - 1]))
        len--;
      if (len)
        galley_node_set_literal_n(prev, lit, len);
    }
  }
  free(boxes.v);
  free(nums.v);
  return rc ? nomem(r) : GALLEY_OK;
}

static void free_reader(reader *r) {
  if (r->za)
    zip_discard(r->za);
  free(r->opf_path);
  free(r->opf_dir);
  for (size_t i = 0; i < r->n_items; i++) {
    free(r->items[i].id);
    free(r->items[i].path);
    free(r->items[i].media_type);
    free(r->items[i].props);
  }
  free(r->items);
  smap_free(&r->item_ids);
  smap_free(&r->obfuscated);
  smap_free(&r->labels);
  smap_free(&r->skip);
  idset_free(&r->ids);
  smap_free(&r->idmap);
  smap_free(&r->chapters);
  smap_free(&r->resources);
  smap_free(&r->notes);
  free(r->ch);
}

/* Whether another itemref follows this one: a book's only page is its
 * content, whatever it shows. */
static bool more_items(const xmlNode *c) {
  for (c = c->next; c; c = c->next)
    if (el_is(c, "itemref"))
      return true;
  return false;
}

/* Whether the spine's first page is a cover (calibre's titlepage.xhtml:
 * one <svg> with one <image>, or one <img>, and no words). The picture
 * becomes the document's cover, when it has none, instead of a chapter. */
static int cover_page(reader *r, const mitem *it, bool *is) {
  *is = false;
  int rc;
  xmlDoc *doc = read_xml_q(r, it->path, &rc, true);
  if (!doc)
    return rc == GALLEY_ENOTFOUND || rc == GALLEY_EPARSE ? GALLEY_OK : rc;
  xmlNode *root = xmlDocGetRootElement(doc);
  xmlNode *body = NULL;
  for (xmlNode *n = root; n && !body; n = epub_dom_next(root, n, false))
    if (el_is(n, "body"))
      body = n;
  char *src = NULL;
  size_t pictures = 0;
  bool words = false, svg = false;
  for (xmlNode *n = body; n && !words; n = epub_dom_next(body, n, false)) {
    if (n->type == XML_TEXT_NODE && n->content &&
        strspn((const char *)n->content, " \t\r\n") !=
            strlen((const char *)n->content))
      words = !(n->parent && (el_is(n->parent, "title") ||
                              el_is(n->parent, "style")));
    if (el_is(n, "img") || el_is(n, "image")) {
      svg = el_is(n, "image");
      pictures++;
      free(src);
      src = prop(n, el_is(n, "img") ? "src" : "href");
    }
  }
  xmlFreeDoc(doc);
  /* calibre's shape (an <svg> picture) or a page named as a cover. */
  const char *base = strrchr(it->path, '/');
  base = base ? base + 1 : it->path;
  bool named = false;
  for (const char *q = base; *q && !named; q++)
    named = !strncasecmp(q, "cover", 5) || !strncasecmp(q, "titlepage", 9);
  char *path = !words && pictures == 1 && src && (svg || named)
                   ? resolve(it->path, src)
                   : NULL;
  free(src);
  if (!path)
    return GALLEY_OK;
  const char *name = path;
  size_t dl = strlen(r->opf_dir);
  if (dl && !strncmp(name, r->opf_dir, dl))
    name += dl;
  if (smap_get(&r->resources, name)) {
    *is = true;
    if (!galley_doc_get_meta(r->doc, GALLEY_META_COVER) &&
        galley_doc_set_meta(r->doc, GALLEY_META_COVER, name))
      rc = nomem(r);
    else
      rc = GALLEY_OK;
  } else {
    rc = GALLEY_OK;
  }
  free(path);
  return rc;
}

static int read_package(reader *r) {
  int rc;
  xmlDoc *opf = read_xml(r, r->opf_path, &rc);
  if (rc == GALLEY_ENOTFOUND)
    return galley_job_error(r->job, GALLEY_EPARSE,
                            "package document %s is missing", r->opf_path);
  if (!opf)
    return rc;
  xmlNode *root = xmlDocGetRootElement(opf);
  xmlNode *meta = NULL, *man = NULL, *spine = NULL, *guide = NULL;
  for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
    if (el_is(c, "metadata") && !meta)
      meta = c;
    else if (el_is(c, "manifest") && !man)
      man = c;
    else if (el_is(c, "spine") && !spine)
      spine = c;
    else if (el_is(c, "guide") && !guide)
      guide = c;
  }
  char *uid = root ? prop(root, "unique-identifier") : NULL;
  char *cover_id = NULL, *toc_id = NULL;
  rc = GALLEY_OK;
  if (!root || !el_is(root, "package") || !man || !spine)
    rc = galley_job_error(r->job, GALLEY_EPARSE,
                          "%s is not a package document (no manifest or "
                          "spine)",
                          r->opf_path);
  if (!rc && meta)
    rc = read_metadata(r, meta, uid, &cover_id);
  if (!rc)
    rc = read_manifest(r, man);
  const mitem *nav = NULL;
  for (size_t i = 0; !rc && i < r->n_items; i++)
    if (has_word(r->items[i].props, "nav"))
      nav = &r->items[i];
  if (!rc && nav)
    rc = read_nav(r, nav);
  if (!rc && (toc_id = prop(spine, "toc")) && item_by_id(r, toc_id))
    rc = read_ncx(r, item_by_id(r, toc_id));
  /* EPUB 2's guide names the cover and title pages. */
  for (xmlNode *c = guide ? guide->children : NULL; c && !rc; c = c->next) {
    if (!el_is(c, "reference"))
      continue;
    char *type = prop(c, "type"), *href = prop(c, "href");
    char *path = href ? resolve(r->opf_path, href) : NULL;
    if (path && type &&
        (!strcasecmp(type, "cover") || !strcasecmp(type, "title-page")) &&
        !smap_put(&r->skip, path, NULL))
      rc = nomem(r);
    free(type);
    free(href);
    free(path);
  }
  if (!rc)
    rc = read_resources(r, cover_id);
  size_t n_spine = 0, n_seen = 0;
  bool is_cover = false;
  for (xmlNode *c = spine && !rc ? spine->children : NULL; c && !rc;
       c = c->next) {
    if (!el_is(c, "itemref"))
      continue;
    char *idref = prop(c, "idref");
    const mitem *it = item_by_id(r, idref);
    if (!it)
      galley_job_warn(r->job,
                      "spine names %s, which the manifest lacks; "
                      "skipped",
                      idref ? idref : "nothing");
    else if (it == nav || smap_get(&r->skip, it->path))
      ; /* the table of contents, cover and title page are not content */
    else if (!is_document(it))
      galley_job_warn(r->job, "spine item %s is %s, not XHTML; skipped",
                      it->path, it->media_type ? it->media_type : "untyped");
    else if (smap_get(&r->chapters, it->path))
      ;
    else if (!n_spine && !n_seen++ && more_items(c) &&
             ((rc = cover_page(r, it, &is_cover)) || is_cover))
      ; /* a cover page: its picture is the cover */
    else {
      rc = read_chapter(r, it);
      n_spine++;
    }
    free(idref);
    if (!rc && galley_job_cancelled(r->job))
      rc = galley_job_error(r->job, GALLEY_ECANCELLED, "cancelled");
  }
  if (!rc && !n_spine)
    galley_job_warn(r->job, "the EPUB's spine holds no readable chapter");
  free(uid);
  free(cover_id);
  free(toc_id);
  xmlFreeDoc(opf);
  return rc;
}

int epub_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  reader r;
  memset(&r, 0, sizeof r);
  r.job = job;
  r.doc = doc;
  r.lim = galley_job_limits(job);
  r.html = galley_registry_find(galley_job_registry(job), "html");
  if (!r.html || !(r.html->caps & GALLEY_CAN_READ))
    return galley_job_error(job, GALLEY_EUNSUPPORTED,
                            "the epub reader needs the html format to read "
                            "chapters, and it is not loaded");
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(in->data, in->size, 0, &ze);
  if (!src) {
    zip_error_fini(&ze);
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  }
  r.za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
  if (!r.za) {
    int code = zip_error_code_zip(&ze);
    zip_source_free(src);
    int rc =
        code == ZIP_ER_NOZIP
            ? galley_job_error(job, GALLEY_EPARSE,
                               "not an EPUB: not a zip archive")
            : galley_job_error(job, GALLEY_EPARSE, "not a readable EPUB: %s",
                               zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return rc;
  }
  zip_error_fini(&ze);
  int rc = check_archive(&r);
  if (!rc)
    rc = check_encryption(&r);
  if (!rc)
    rc = find_package(&r);
  if (!rc)
    rc = read_package(&r);
  for (size_t i = 0; !rc && i < r.n_ch; i++)
    if (fix_chapter(&r, &r.ch[i], true))
      rc = nomem(&r);
  for (size_t i = 0; !rc && i < r.n_ch; i++)
    if (fix_chapter(&r, &r.ch[i], false))
      rc = nomem(&r);
  if (!rc && galley_doc_find_notes(doc, galley_doc_root(doc)))
    rc = nomem(&r);
  if (!rc)
    rc = page_breaks(&r, galley_doc_root(doc));
  if (!rc)
    rc = verse(&r, galley_doc_root(doc));
  free_reader(&r);
  return rc;
}
