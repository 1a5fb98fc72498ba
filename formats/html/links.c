/* Where a page's relative links and images point: the web address they
 * resolve against (<base href>, the address the page was fetched from,
 * then its canonical or og:url when it is a local file), and the local
 * images that stay beside the file. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "html.h"

/* `ref` (white space collapsed) resolved against `base`, when the result
 * is a web address; else NULL. `*oom` is set when memory ran out. */
static char *web_address(const char *base, const char *ref, bool *oom) {
  char *c = html_collapse(ref);
  if (!c) {
    *oom = true;
    return NULL;
  }
  char *out = NULL;
  if (galley_url_is_web(c)) {
    out = c;
    c = NULL;
  } else if (base && *c && galley_url_resolve(&out, base, c) == GALLEY_ENOMEM) {
    *oom = true;
  }
  free(c);
  if (out && !galley_url_is_web(out)) {
    free(out);
    out = NULL;
  }
  return out;
}

/* Replaces *slot with `v` unless it is set already. */
static void keep_first(char **slot, char *v) {
  if (*slot)
    free(v);
  else
    *slot = v;
}

int html_links_init(html_links *l, galley_job *job, galley_doc *doc,
                    xmlDoc *xd) {
  memset(l, 0, sizeof *l);
  l->job = job;
  bool oom = false;
  /* The runner puts the address a page was fetched from in the document's
   * base (a folder for a local file) or in its url metadata. */
  const char *start = galley_doc_get_base(doc);
  const char *fetched = NULL;
  if (galley_url_is_web(start))
    fetched = start;
  else if (galley_url_is_web(galley_doc_get_meta(doc, GALLEY_META_URL)))
    fetched = galley_doc_get_meta(doc, GALLEY_META_URL);
  else if (start && galley_job_local_files(job))
    l->dir = galley_doc_strndup(doc, start, (size_t)-1);
  if (fetched && !(l->fetched = strdup(fetched)))
    oom = true;

  /* The first <base href>, canonical link and og:url, wherever they are
   * (libxml2 moves head elements that follow body content into the body).
   * One pass over the page, before the walk: a base applies to links that
   * come before it too. */
  const char *base_href = NULL, *canonical = NULL, *og = NULL;
  xmlNode *root = (xmlNode *)xd;
  xmlNode *n = root->children;
  while (n && !(base_href && canonical && og)) {
    bool down = true;
    if (n->type == XML_ELEMENT_NODE) {
      if (!base_href && html_named(n, "base")) {
        const char *h = html_attr(n, "href");
        if (h && *h)
          base_href = h;
      } else if (!canonical && html_named(n, "link") &&
                 html_has_word(html_attr(n, "rel"), "canonical")) {
        canonical = html_attr(n, "href");
      } else if (!og && html_named(n, "meta")) {
        const char *p = html_attr(n, "property");
        if (!p)
          p = html_attr(n, "name");
        if (p && strcasecmp(p, "og:url") == 0)
          og = html_attr(n, "content");
      }
      /* Nothing to find in these, and they can be large. */
      down = !html_named(n, "script") && !html_named(n, "style") && !html_named(n, "svg") &&
             !html_named(n, "template");
    }
    if (down && n->type == XML_ELEMENT_NODE && n->children) {
      n = n->children;
      continue;
    }
    while (n != root && !n->next)
      n = n->parent;
    n = n == root ? NULL : n->next;
  }

  /* The page's own address: where it was fetched from, else (a local
   * file) what it says it is. */
  char *page = l->fetched ? strdup(l->fetched) : NULL;
  if (l->fetched && !page)
    oom = true;
  if (!l->fetched) {
    if (canonical)
      keep_first(&page, web_address(NULL, canonical, &oom));
    if (og)
      keep_first(&page, web_address(NULL, og, &oom));
  }
  l->page = page;
  /* A relative <base href> resolves against the page's address. */
  if (base_href)
    l->base_href = web_address(page, base_href, &oom);
  l->web = l->base_href ? l->base_href : l->page;
  if (oom)
    return GALLEY_ENOMEM;
  /* A page from the web (or with no folder) takes its <base> as its base;
   * a local file keeps its folder, where its local images are. */
  if (l->base_href && !l->dir &&
      galley_doc_set_base(doc, l->base_href) != GALLEY_OK)
    return GALLEY_ENOMEM;
  return GALLEY_OK;
}

void html_links_free(html_links *l) {
  free(l->fetched);
  free(l->page);
  free(l->base_href);
  memset(l, 0, sizeof *l);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* True when the relative reference `ref` names a regular file under the
 * input's folder or a resource path, inside the roots the job may read. */
static bool local_file(const html_links *l, const char *ref) {
  size_t n = strcspn(ref, "?#");
  if (n == 0 || ref[0] == '/' || n > PATH_MAX)
    return false;
  char rel[PATH_MAX + 1];
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int hi, lo;
    if (ref[i] == '%' && i + 2 < n && (hi = hexval(ref[i + 1])) >= 0 &&
        (lo = hexval(ref[i + 2])) >= 0) {
      rel[k++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      rel[k++] = ref[i];
    }
  }
  rel[k] = '\0';
  if (memchr(rel, '\0', k))
    return false;
  size_t nroots = galley_job_resource_path_count(l->job);
  for (size_t i = 0; i <= nroots; i++) {
    const char *dir = i == 0 ? l->dir : galley_job_resource_path(l->job, i - 1);
    if (!dir)
      continue;
    size_t dn = strlen(dir);
    char *full = malloc(dn + k + 2);
    if (!full)
      return false;
    memcpy(full, dir, dn);
    full[dn] = '/';
    memcpy(full + dn + 1, rel, k + 1);
    char *real = realpath(full, NULL);
    free(full);
    struct stat st;
    bool ok = real && stat(real, &st) == 0 && S_ISREG(st.st_mode) &&
              galley_job_resource_allowed(l->job, real);
    free(real);
    if (ok)
      return true;
  }
  return false;
}

char *html_links_resolve(const html_links *l, const char *ref, bool image,
                         bool *oom) {
  *oom = false;
  /* In-document, absolute (data:, mailto: too), or nothing to resolve
   * against: as written. */
  if (!l->web || !*ref || ref[0] == '#' || galley_url_has_scheme(ref))
    return NULL;
  /* A local file's images that are there beside it stay local. */
  if (image && l->dir && local_file(l, ref))
    return NULL;
  char *out = NULL;
  int rc = galley_url_resolve(&out, l->web, ref);
  if (rc != GALLEY_OK) {
    *oom = rc == GALLEY_ENOMEM;
    return NULL;
  }
  /* A link to a part of this same page stays in the document. */
  const char *hash = strchr(out, '#');
  if (!image && hash && l->page) {
    size_t pn = strcspn(l->page, "#");
    if ((size_t)(hash - out) == pn && strncmp(out, l->page, pn) == 0)
      memmove(out, hash, strlen(hash) + 1);
  }
  return out;
}
