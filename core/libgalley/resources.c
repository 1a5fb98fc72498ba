/* Remote resources of a document: between the transforms and a writer that
 * embeds, its remote images are fetched (one batch, each URL once) and
 * attached as resources; those that cannot be had become their alt text,
 * counted in one warning. The job's fetch options live here too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "private.h"

/* ---- The job's fetch options ---- */

/* The bytes of a galley_fetch_options of `version`; 0 for one this library
 * does not know. */
static size_t fetch_options_size(unsigned version) {
  _Static_assert(GALLEY_FETCH_OPTIONS_VERSION == 1,
                 "a new fetch options version needs its size here");
  return version == 1 ? sizeof(galley_fetch_options) : 0;
}

void job_fetch_free(galley_job *job) {
  if (job->fetch)
    free((char *)job->fetch->user_agent);
  free(job->fetch);
  job->fetch = NULL;
}

GALLEY_API int galley_job_set_fetch_options(galley_job *job,
                                            const galley_fetch_options *opts) {
  if (!job)
    return GALLEY_EINVALID;
  if (!opts) {
    job_fetch_free(job);
    return GALLEY_OK;
  }
  size_t size = fetch_options_size(opts->version);
  if (!size)
    return GALLEY_EINVALID;
  galley_fetch_options *copy = malloc(sizeof *copy);
  if (!copy)
    return GALLEY_ENOMEM;
  /* The defaults first: an older caller's struct ends before the rest. */
  galley_fetch_options_init(copy, GALLEY_FETCH_OPTIONS_VERSION);
  memcpy(copy, opts, size);
  copy->version = GALLEY_FETCH_OPTIONS_VERSION;
  if (copy->user_agent && !(copy->user_agent = strdup(copy->user_agent))) {
    free(copy);
    return GALLEY_ENOMEM;
  }
  job_fetch_free(job);
  job->fetch = copy;
  return GALLEY_OK;
}

GALLEY_API const galley_fetch_options *
galley_job_fetch_options(const galley_job *job) {
  return job ? job->fetch : NULL;
}

int job_fetch_copy(galley_job *dst, const galley_job *src) {
  return src->fetch ? galley_job_set_fetch_options(dst, src->fetch) : GALLEY_OK;
}

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

/* `url` resolved against the http(s) URL `base` (NULL: `url` is
 * absolute), malloc'd, or NULL. Spaces and other bytes a URL cannot hold
 * as they are (pages have them) are percent-encoded. */
static char *resolve(const char *base, const char *url) {
  CURLU *u = curl_url();
  char *abs = NULL, *out = NULL;
  if (!u)
    return NULL;
  if ((!base || curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK) &&
      (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK ||
       curl_url_set(u, CURLUPART_URL, url, CURLU_URLENCODE) == CURLUE_OK) &&
      curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
    out = strdup(abs);
  curl_free(abs);
  curl_url_cleanup(u);
  return out;
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

typedef struct cancel_ctx {
  galley_job *job;
  bool (*host)(void *data);
  void *host_data;
} cancel_ctx;

static bool job_or_host_cancelled(void *data) {
  const cancel_ctx *c = data;
  return galley_job_cancelled(c->job) || (c->host && c->host(c->host_data));
}

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
    if (lim->max_resource_bytes && size > lim->max_resource_bytes - total) {
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
  if (!job->fetch || !writer_embeds(job, writer, NULL))
    return GALLEY_OK;
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
  if (!job->fetch->offline) {
    galley_fetch_options opts = *job->fetch;
    cancel_ctx cc = {job, opts.cancelled, opts.cancelled_data};
    opts.cancelled = job_or_host_cancelled;
    opts.cancelled_data = &cc;
    rc = galley_fetcher_new(&f, &opts);
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
      rc = galley_job_error(job, rc == GALLEY_ENOMEM ? rc : GALLEY_EIO, "%s",
                            rc == GALLEY_ENOMEM
                                ? "out of memory"
                                : "remote images: the fetcher cannot start");
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
    else if (!ref->abs && !job->fetch->offline)
      galley_job_info(job, "image %s: not a valid URL",
                      galley_node_get_url(ref->node));
    /* The alt text takes the image's place. */
    galley_node_unwrap(ref->node);
  }
  if (job->fetch->offline)
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
