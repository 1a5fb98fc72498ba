/* Remote resources of a document: between the transforms and a writer that
 * embeds, its remote images are fetched (one batch, each URL once) and
 * attached as resources; those that cannot be had become their alt text,
 * counted in one warning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

/* ---- URLs ---- */

/* The length of the scheme that `url` starts with (RFC 3986: a letter,
 * then letters, digits, '+', '-', '.', then ':'), or 0. */
static size_t scheme_len(const char *url) {
  size_t i = 0;
  if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
    return 0;
  while (url[i] && url[i] != ':') {
    char c = url[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
      return 0;
    i++;
  }
  return url[i] == ':' ? i : 0;
}

static bool is_http(const char *url) {
  size_t n = scheme_len(url);
  return (n == 4 && !strncasecmp(url, "http", 4)) ||
         (n == 5 && !strncasecmp(url, "https", 5));
}

/* ---- RFC 3986 reference resolution (section 5), without libcurl: the
 * fetcher lives in a module libgalley loads on first use. ---- */

typedef struct url_parts {
  const char *scheme, *auth, *path, *query, *frag;
  size_t scheme_n, auth_n, path_n, query_n, frag_n;
  bool has_auth, has_query, has_frag;
} url_parts;

static void split(const char *u, url_parts *p) {
  memset(p, 0, sizeof *p);
  size_t n = scheme_len(u);
  if (n) {
    p->scheme = u;
    p->scheme_n = n;
    u += n + 1;
  }
  if (u[0] == '/' && u[1] == '/') {
    u += 2;
    p->has_auth = true;
    p->auth = u;
    p->auth_n = strcspn(u, "/?#");
    u += p->auth_n;
  }
  p->path = u;
  p->path_n = strcspn(u, "?#");
  u += p->path_n;
  if (*u == '?') {
    p->has_query = true;
    p->query = ++u;
    p->query_n = strcspn(u, "#");
    u += p->query_n;
  }
  if (*u == '#') {
    p->has_frag = true;
    p->frag = ++u;
    p->frag_n = strlen(u);
  }
}

/* Appends `n` bytes of `s` to `b`, percent-encoding what a URL cannot hold
 * as it is (spaces, controls, bytes over 0x7e, and "<>\"^`{|}\\"). */
static void put_encoded(galley_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f || strchr("<>\"^`{|}\\", c)) {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      galley_buf_add(b, e, 3);
    } else {
      galley_buf_add(b, (const char *)&c, 1);
    }
  }
}

/* remove_dot_segments (RFC 3986, 5.2.4) of `in` (n bytes) onto `out`. */
static void remove_dots(galley_buf *out, const char *in, size_t n) {
  size_t start = out->len;
  size_t i = 0;
  while (i < n) {
    const char *p = in + i;
    size_t left = n - i;
    if (left >= 3 && !strncmp(p, "../", 3)) {
      i += 3;
    } else if (left >= 2 && !strncmp(p, "./", 2)) {
      i += 2;
    } else if ((left >= 3 && !strncmp(p, "/./", 3)) ||
               (left == 2 && !strncmp(p, "/.", 2))) {
      /* "/./x" -> "/x", a final "/." -> "/" */
      i += 1;
      if (left == 2) {
        galley_buf_add(out, "/", 1);
        i = n;
      } else {
        i += 1;
      }
    } else if ((left >= 4 && !strncmp(p, "/../", 4)) ||
               (left == 3 && !strncmp(p, "/..", 3))) {
      /* Drop the last segment written. */
      size_t k = out->len;
      while (k > start && out->data[k - 1] != '/')
        k--;
      if (k > start)
        k--;
      galley_buf_truncate(out, k);
      if (left == 3) {
        galley_buf_add(out, "/", 1);
        i = n;
      } else {
        i += 3;
      }
    } else if ((left == 1 && p[0] == '.') ||
               (left == 2 && !strncmp(p, "..", 2))) {
      i = n;
    } else {
      size_t seg = 1;
      while (seg < left && p[seg] != '/')
        seg++;
      galley_buf_add(out, p, seg);
      i += seg;
    }
  }
}

/* `ref` resolved against the absolute http(s) URL `base` (NULL when `ref`
 * is absolute itself), without its fragment, percent-encoded where it must
 * be; malloc'd, or NULL when out of memory or when it has no host. */
static char *resolve(const char *base, const char *ref) {
  url_parts r, b, t;
  split(ref, &r);
  if (base)
    split(base, &b);
  else
    memset(&b, 0, sizeof b);
  galley_buf path = {0}, out = {0};
  if (r.scheme_n) {
    t = r;
    remove_dots(&path, r.path, r.path_n);
  } else {
    t = r;
    t.scheme = b.scheme;
    t.scheme_n = b.scheme_n;
    if (r.has_auth) {
      remove_dots(&path, r.path, r.path_n);
    } else {
      t.has_auth = b.has_auth;
      t.auth = b.auth;
      t.auth_n = b.auth_n;
      if (r.path_n == 0) {
        galley_buf_add(&path, b.path, b.path_n);
        if (!r.has_query) {
          t.has_query = b.has_query;
          t.query = b.query;
          t.query_n = b.query_n;
        }
      } else if (r.path[0] == '/') {
        remove_dots(&path, r.path, r.path_n);
      } else {
        /* Merge (5.2.3): the base's path up to its last '/', then ref. */
        galley_buf merged = {0};
        if (b.has_auth && b.path_n == 0) {
          galley_buf_add(&merged, "/", 1);
        } else {
          size_t k = b.path_n;
          while (k > 0 && b.path[k - 1] != '/')
            k--;
          galley_buf_add(&merged, b.path, k);
        }
        galley_buf_add(&merged, r.path, r.path_n);
        if (merged.data)
          remove_dots(&path, merged.data, merged.len);
        galley_buf_free(&merged);
      }
    }
  }
  char *res = NULL;
  if (t.scheme_n && t.has_auth && t.auth_n) {
    for (size_t i = 0; i < t.scheme_n; i++) {
      char c = t.scheme[i];
      c = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
      galley_buf_add(&out, &c, 1);
    }
    galley_buf_add(&out, "://", 3);
    put_encoded(&out, t.auth, t.auth_n);
    if (path.len && path.data[0] != '/')
      galley_buf_add(&out, "/", 1);
    else if (!path.len)
      galley_buf_add(&out, "/", 1);
    if (path.len)
      put_encoded(&out, path.data, path.len);
    if (t.has_query) {
      galley_buf_add(&out, "?", 1);
      put_encoded(&out, t.query, t.query_n);
    }
    if (out.data && !out.failed)
      res = strndup(out.data, out.len);
  }
  galley_buf_free(&path);
  galley_buf_free(&out);
  return res;
}

/* Whether `url`, on a document whose base is `base`, names a remote
 * resource: an http(s) URL; a relative one under an http(s) base; or a
 * network-path reference ("//host/path", a protocol-relative URL), which
 * takes the base's scheme, and https when the base is a local folder (a
 * saved page's "//upload.example.org/..." means the web, never a file).
 * Sets `*abs` to its absolute form (malloc'd; NULL when out of memory or
 * when it does not resolve). */
static bool remote(const char *base, const char *url, char **abs) {
  *abs = NULL;
  if (!url || !*url)
    return false;
  if (scheme_len(url)) {
    if (!is_http(url))
      return false;
    *abs = resolve(NULL, url);
    return true;
  }
  if (base && is_http(base)) {
    *abs = resolve(base, url);
    return true;
  }
  if (url[0] == '/' && url[1] == '/') {
    *abs = resolve("https://localhost/", url);
    return true;
  }
  return false;
}

/* ---- The writer ---- */

/* The writer's answer, with its options in scope as in write. */
static bool writer_embeds(galley_job *job, const galley_plugin *writer,
                          const char *media_type) {
  if (!writer || !PLUGIN_HAS(writer, embeds) || !writer->embeds)
    return false;
  call_frame frame = {writer, NULL, 0, job->frame};
  job->frame = &frame;
  bool yes = writer->embeds(job, media_type);
  job->frame = frame.prev;
  return yes;
}

/* ---- Fetching ---- */

typedef struct image_ref {
  galley_node *node;
  char *abs;    /* absolute URL (malloc'd); NULL when it does not resolve */
  size_t index; /* in the batch */
} image_ref;

/* What became of one distinct URL. */
typedef struct outcome {
  const char *name; /* the resource's name: the first image's URL */
  bool kept;        /* attached as a resource */
  char reason[256]; /* why not */
} outcome;

static size_t resources_bytes(const galley_doc *doc) {
  size_t total = 0;
  for (size_t i = 0; i < galley_doc_resource_count(doc); i++)
    total += galley_doc_resource_at(doc, i)->size;
  return total;
}

/* Decides for each fetched URL, and attaches those kept. */
static int attach(galley_job *job, const galley_plugin *writer, galley_doc *doc,
                  const galley_fetch_batch *b, outcome *out, size_t n) {
  const galley_limits *lim = &job->limits;
  size_t total = resources_bytes(doc);
  for (size_t i = 0; i < n; i++) {
    outcome *o = &out[i];
    const galley_response *r = galley_fetch_batch_response(b, i);
    if (!o->name)
      continue;
    if (!r || galley_response_status(r) != GALLEY_OK) {
      snprintf(o->reason, sizeof o->reason, "%s",
               r && galley_response_error(r) ? galley_response_error(r)
                                             : "not fetched");
      continue;
    }
    size_t size;
    const unsigned char *data = galley_response_data(r, &size);
    const char *type = galley_response_sniffed_type(r);
    const char *served = galley_response_media_type(r);
    if (!type) {
      snprintf(o->reason, sizeof o->reason,
               "not an image (its bytes match no image type; served as %s)",
               served ? served : "no type");
      continue;
    }
    if (!writer_embeds(job, writer, type)) {
      snprintf(o->reason, sizeof o->reason, "%s, which %s output cannot hold",
               type, writer->name);
      continue;
    }
    if (lim->max_image_size && size > lim->max_image_size) {
      snprintf(o->reason, sizeof o->reason,
               "%zu bytes, over the image size limit of %zu bytes "
               "(-O max-image-size)",
               size, lim->max_image_size);
      continue;
    }
    if (lim->max_resource_bytes && (total > lim->max_resource_bytes ||
                                    size > lim->max_resource_bytes - total)) {
      snprintf(o->reason, sizeof o->reason,
               "images add up to more than the resource limit of %zu bytes "
               "(-O max-resource-bytes)",
               lim->max_resource_bytes);
      continue;
    }
    int rc = galley_doc_add_resource(doc, o->name, type, data, size);
    if (rc != GALLEY_OK)
      return galley_job_error(job, rc, "out of memory");
    total += size;
    o->kept = true;
  }
  return GALLEY_OK;
}

int resources_fetch(galley_job *job, const galley_plugin *writer,
                    galley_doc *doc) {
  if (!writer_embeds(job, writer, NULL))
    return GALLEY_OK;
  galley_fetch_options opts;
  galley_fetch_options_init(&opts, GALLEY_FETCH_OPTIONS_VERSION);
  if (galley_job_fetch_options(job, &opts) != GALLEY_OK)
    return galley_job_error(job, GALLEY_EINVALID, "fetch options");
  const char *base = galley_doc_get_base(doc);
  image_ref *refs = NULL;
  size_t n_refs = 0, cap_refs = 0;
  outcome *out = NULL;
  galley_fetcher *f = NULL;
  galley_fetch_batch *b = NULL;
  int rc = GALLEY_OK;

  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER || galley_node_kind(n) != GALLEY_NODE_IMAGE)
      continue;
    const char *url = galley_node_get_url(n);
    /* A resource of that name is already here (an EPUB's, or the xml
     * form's): nothing to fetch. */
    if (!url || galley_doc_find_resource(doc, url))
      continue;
    char *abs;
    if (!remote(base, url, &abs))
      continue;
    if (galley_array_grow((void **)&refs, &cap_refs, n_refs + 1,
                          sizeof *refs)) {
      free(abs);
      rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
      goto done;
    }
    refs[n_refs++] = (image_ref){n, abs, (size_t)-1};
  }
  if (!n_refs)
    goto done;

  size_t n_urls = 0;
  if (!opts.offline) {
    rc = galley_fetcher_new(&f, &opts);
    if (rc != GALLEY_OK && rc != GALLEY_ENOMEM) {
      /* No fetcher here (its module or libcurl missing): every image is
       * one that could not be fetched, not a failed conversion. */
      const char *why = fetch_module_error();
      galley_job_info(job, "remote images: the fetcher cannot start (%s)",
                      why ? why : galley_strerror(rc));
      rc = GALLEY_OK;
      goto count;
    }
    if (rc == GALLEY_OK)
      rc = galley_fetch_batch_new(&b, f);
    for (size_t i = 0; rc == GALLEY_OK && i < n_refs; i++)
      if (refs[i].abs)
        rc = galley_fetch_batch_add(b, &refs[i].index, refs[i].abs);
    if (rc == GALLEY_OK)
      rc = galley_fetch_batch_run(b);
    if (rc == GALLEY_ECANCELLED) {
      rc = galley_job_error(job, rc, "cancelled");
      goto done;
    }
    if (rc != GALLEY_OK) {
      rc = galley_job_error(job, rc, "%s",
                            rc == GALLEY_ENOMEM ? "out of memory"
                                                : "remote images: the fetch "
                                                  "failed");
      goto done;
    }
    n_urls = galley_fetch_batch_count(b);
    out = calloc(n_urls ? n_urls : 1, sizeof *out);
    if (!out) {
      rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
      goto done;
    }
    for (size_t i = 0; i < n_refs; i++)
      if (refs[i].abs && !out[refs[i].index].name)
        out[refs[i].index].name = refs[i].abs;
    rc = attach(job, writer, doc, b, out, n_urls);
    if (rc != GALLEY_OK)
      goto done;
  }

count:;
  size_t failed = 0;
  for (size_t i = 0; i < n_refs; i++) {
    image_ref *ref = &refs[i];
    const outcome *o = ref->abs && out ? &out[ref->index] : NULL;
    if (o && o->kept) {
      if (galley_node_set_url(ref->node, o->name) != GALLEY_OK) {
        rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
        goto done;
      }
      continue;
    }
    failed++;
    /* Each reason once, for -v. */
    if (o && o->name == ref->abs)
      galley_job_info(job, "image %s: %s", ref->abs, o->reason);
    else if (!ref->abs && !opts.offline)
      galley_job_info(job, "image %s: not a valid URL",
                      galley_node_get_url(ref->node));
    /* The alt text takes the image's place. */
    galley_node_unwrap(ref->node);
  }
  if (opts.offline)
    galley_job_warn(job,
                    "%zu remote image%s not fetched (offline); kept their alt "
                    "text",
                    n_refs, n_refs == 1 ? "" : "s");
  else if (failed)
    galley_job_warn(job,
                    "%zu of %zu remote image%s could not be fetched; kept "
                    "their alt text",
                    failed, n_refs, n_refs == 1 ? "" : "s");
  else
    galley_job_info(job, "%zu remote image%s fetched (%zu distinct)", n_refs,
                    n_refs == 1 ? "" : "s", n_urls);

done:
  galley_fetch_batch_free(b);
  galley_fetcher_free(f);
  free(out);
  for (size_t i = 0; i < n_refs; i++)
    free(refs[i].abs);
  free(refs);
  return rc;
}
