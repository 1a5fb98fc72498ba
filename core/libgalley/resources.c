/* Remote resources of a document: between the transforms and a writer that
 * embeds, its remote images are fetched (one batch, each URL once) and
 * attached as resources; those that cannot be had become their alt text,
 * counted in one warning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "galley/url.h"

/* ---- URLs ---- */

static bool is_http(const char *url) {
  return galley_url_has_scheme(url) &&
         (!strncasecmp(url, "http:", 5) || !strncasecmp(url, "https:", 6));
}

/* `ref` resolved against the absolute http(s) URL `base` (galley_url_resolve,
 * RFC 3986), or taken as it is when `base` is NULL, without its fragment
 * and percent-encoded where a URL cannot hold a byte as it is (spaces,
 * controls, bytes over 0x7e, and "<>\"^`{|}\\"); malloc'd, or NULL when out
 * of memory or when it names no host. */
static char *resolve(const char *base, const char *ref) {
  char *abs = NULL;
  if (galley_url_resolve(&abs, base ? base : ref, ref) != GALLEY_OK)
    return NULL;
  char *res = NULL;
  if (galley_url_is_web(abs)) {
    static const char hex[] = "0123456789ABCDEF";
    galley_buf out = GALLEY_BUF_INIT;
    size_t n = strcspn(abs, "#");
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)abs[i];
      if (c <= 0x20 || c >= 0x7f || strchr("<>\"^`{|}\\", c)) {
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        galley_buf_add(&out, e, 3);
      } else {
        galley_buf_add(&out, (const char *)&c, 1);
      }
    }
    if (!out.failed && out.data)
      res = galley_buf_detach(&out, NULL);
    galley_buf_free(&out);
  }
  free(abs);
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
  if (galley_url_has_scheme(url)) {
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
  call_frame frame;
  frame_enter(job, &frame, writer, NULL, 0, "writing");
  bool yes = writer->embeds(job, media_type);
  frame_leave(job, &frame);
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
    /* The alt text takes the image's place; an image that is all of its
     * link and has no alt text leaves its title, or a word for what was
     * there, so the link keeps something to click. */
    galley_node *img = ref->node, *link = galley_node_parent(img);
    if (!galley_node_first_child(img) && link &&
        galley_node_kind(link) == GALLEY_NODE_LINK &&
        galley_node_first_child(link) == img && !galley_node_next(img)) {
      const char *title = galley_node_get_title(img);
      galley_node *t = galley_doc_new_text(
          doc, title && *title ? title : "[image]", (size_t)-1);
      if (!t || galley_node_append_child(img, t) != GALLEY_OK) {
        rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
        goto done;
      }
    }
    galley_node_unwrap(img);
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
