/* A URL as a job's input: the job's network policy and options, the fetch
 * of the input, and how a fetched input is detected and read (its
 * Content-Type, its charset, the URL after redirects as its base). The
 * pipeline calls in here only for a job whose input was fetched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

#include "galley/fetch.h"

struct job_remote {
  galley_response *resp; /* the body, until the reader is done with it */
  char *url;             /* after redirects */
  char *media_type;      /* from Content-Type, lower case; may be NULL */
  char *charset;         /* from Content-Type; may be NULL */
};

void remote_free(job_remote *r) {
  if (!r)
    return;
  galley_response_free(r->resp);
  free(r->url);
  free(r->media_type);
  free(r->charset);
  free(r);
}

void remote_release(job_remote *r) {
  if (r) {
    galley_response_free(r->resp);
    r->resp = NULL;
  }
}

/* ---- The policy and the options ---- */

GALLEY_API void galley_job_set_network(galley_job *job, unsigned flags) {
  if (job)
    job->network = flags;
}

GALLEY_API unsigned galley_job_network(const galley_job *job) {
  return job ? job->network : 0;
}

static const struct {
  const char *name;
  int kind;
} net_options[] = {
    {"max-fetch-size", NET_OPT_SIZE},   {"max-fetch-bytes", NET_OPT_SIZE},
    {"max-fetches", NET_OPT_COUNT},     {"connect-timeout", NET_OPT_SECONDS},
    {"fetch-timeout", NET_OPT_SECONDS}, {"host-connections", NET_OPT_COUNT},
    {"fetch-parallel", NET_OPT_COUNT},
};

bool core_net_option(const char *name, int *kind) {
  for (size_t i = 0; i < sizeof net_options / sizeof net_options[0]; i++) {
    if (strcmp(net_options[i].name, name) == 0) {
      if (kind)
        *kind = net_options[i].kind;
      return true;
    }
  }
  return false;
}

bool parse_positive_seconds(const char *s, long *ms) {
  if (!s || !*s || *s == '-' || *s == '+')
    return false;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  /* A day is more than any fetch should wait; it also keeps the product
   * far from overflow. */
  if (errno || *end || !(v > 0) || v > 86400)
    return false;
  long n = (long)(v * 1000 + 0.5);
  *ms = n > 0 ? n : 1;
  return true;
}

/* The job's value of core network option `name`, as a size or count;
 * `fallback` when unset (a bad value never gets here: the options were
 * checked). */
static size_t opt_size(const galley_job *job, const char *name,
                       size_t fallback) {
  size_t v;
  const char *s = galley_job_option(job, name);
  return s && parse_positive_size(s, &v) ? v : fallback;
}

static long opt_ms(const galley_job *job, const char *name, long fallback) {
  long v;
  const char *s = galley_job_option(job, name);
  return s && parse_positive_seconds(s, &v) ? v : fallback;
}

static bool job_is_cancelled(void *data) { return galley_job_cancelled(data); }

GALLEY_API int galley_job_fetch_options(const galley_job *job,
                                        galley_fetch_options *opts) {
  if (!job || !opts || opts->version != GALLEY_FETCH_OPTIONS_VERSION)
    return GALLEY_EINVALID;
  opts->offline = job->network & GALLEY_NETWORK_OFFLINE;
  opts->allow_local_network = job->network & GALLEY_NETWORK_ALLOW_LOCAL;
  opts->max_response_bytes =
      opt_size(job, "max-fetch-size", opts->max_response_bytes);
  opts->max_total_bytes =
      opt_size(job, "max-fetch-bytes", opts->max_total_bytes);
  opts->max_resources = opt_size(job, "max-fetches", opts->max_resources);
  opts->connect_timeout_ms =
      opt_ms(job, "connect-timeout", opts->connect_timeout_ms);
  opts->timeout_ms = opt_ms(job, "fetch-timeout", opts->timeout_ms);
  size_t n = opt_size(job, "host-connections", opts->host_connections);
  opts->host_connections = n > 1024 ? 1024u : (unsigned)n;
  n = opt_size(job, "fetch-parallel", opts->parallel);
  opts->parallel = n > 1024 ? 1024u : (unsigned)n;
  /* The job may be cancelled from another thread (Ctrl-C); its fetches
   * stop with it. */
  opts->cancelled = job_is_cancelled;
  opts->cancelled_data = (void *)job;
  return GALLEY_OK;
}

/* ---- URLs ---- */

GALLEY_API bool galley_is_url(const char *s) {
  static const char *const bare[] = {"data", "javascript", "mailto", "about",
                                     "file"};
  if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
    return false;
  size_t n = 1;
  while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
         (s[n] >= '0' && s[n] <= '9') || s[n] == '+' || s[n] == '-' ||
         s[n] == '.')
    n++;
  /* One letter before a colon is a drive, not a scheme. */
  if (s[n] != ':' || n < 2)
    return false;
  if (s[n + 1] == '/' && s[n + 2] == '/')
    return true;
  for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++)
    if (strlen(bare[i]) == n && strncasecmp(s, bare[i], n) == 0)
      return true;
  return false;
}

static char *dup_or_null(const char *s, bool *nomem) {
  if (!s)
    return NULL;
  char *d = strdup(s);
  if (!d)
    *nomem = true;
  return d;
}

GALLEY_API int galley_job_fetch_input(galley_job *job, galley_input *in,
                                      const char *url) {
  if (!job || !in || !url)
    return GALLEY_EINVALID;
  remote_free(job->remote);
  job->remote = NULL;
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT;
  galley_job_fetch_options(job, &o);
  /* The input size limit is a limit of the download too: whichever of it
   * and max-fetch-size is smaller stops the transfer. */
  size_t input_limit = job->limits.max_input_size;
  bool input_limit_rules = input_limit && (!o.max_response_bytes ||
                                           input_limit < o.max_response_bytes);
  if (input_limit_rules)
    o.max_response_bytes = input_limit;
  galley_fetcher *f = NULL;
  int rc = galley_fetcher_new(&f, &o);
  if (rc == GALLEY_EUNSUPPORTED)
    return galley_job_error(job, rc, "cannot fetch: %s",
                            fetch_module_error() ? fetch_module_error()
                                                 : "no fetch module");
  if (rc != GALLEY_OK)
    return galley_job_error(job, rc, "cannot fetch: %s", galley_strerror(rc));
  galley_response *resp = NULL;
  rc = galley_fetcher_get(f, &resp, url);
  if (rc != GALLEY_OK) {
    const char *msg = galley_fetcher_errmsg(f);
    if (!msg)
      msg = galley_strerror(rc);
    if (rc == GALLEY_ELIMIT && input_limit_rules &&
        strncmp(msg, "response over the size limit", 28) == 0)
      galley_job_error(job, rc,
                       "input is over the input size limit of %zu bytes "
                       "(--max-input-size)",
                       input_limit);
    else
      galley_job_error(job, rc, "%s", msg);
    galley_fetcher_free(f);
    return rc;
  }
  galley_fetcher_free(f);
  job_remote *r = calloc(1, sizeof *r);
  bool nomem = !r;
  if (r) {
    r->resp = resp;
    r->url = dup_or_null(galley_response_url(resp), &nomem);
    r->media_type = dup_or_null(galley_response_media_type(resp), &nomem);
    r->charset = dup_or_null(galley_response_charset(resp), &nomem);
  }
  if (nomem || !r->url) {
    if (r)
      remote_free(r);
    else
      galley_response_free(resp);
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  }
  job->remote = r;
  /* A page from the web never reads the files of this machine: not its
   * own folder (it has none), not the resource paths. */
  job->no_local_files = true;
  size_t size;
  const unsigned char *data = galley_response_data(resp, &size);
  *in =
      (galley_input){data ? data : (const unsigned char *)"", size, url, NULL};
  return GALLEY_OK;
}

GALLEY_API const char *galley_job_input_url(const galley_job *job) {
  return job && job->remote ? job->remote->url : NULL;
}

/* ---- Reading a fetched input ---- */

/* The reader whose media type is `mt`, or NULL. */
static const galley_plugin *reader_for_type(const galley_registry *reg,
                                            const char *mt) {
  if (strcmp(mt, "application/xhtml+xml") == 0)
    mt = "text/html";
  for (size_t i = 0; i < galley_registry_count(reg); i++) {
    /* Chosen by description; only the one chosen is loaded. */
    const galley_plugin *p = galley_registry_describe_at(reg, i);
    if ((p->caps & GALLEY_CAN_READ) && p->media_type &&
        strcasecmp(p->media_type, mt) == 0 &&
        (p = galley_registry_at(reg, i)) != NULL)
      return p;
  }
  return NULL;
}

/* The path of `url` (after its authority, before ? and #), copied into
 * `buf`; "" when it has none. */
static const char *url_path(const char *url, char *buf, size_t cap) {
  const char *p = strstr(url, "://");
  p = p ? strchr(p + 3, '/') : NULL;
  size_t n = p ? strcspn(p, "?#") : 0;
  if (n >= cap)
    n = cap - 1;
  memcpy(buf, p ? p : "", n);
  buf[n] = '\0';
  return buf;
}

const galley_plugin *remote_detect(galley_job *job, const galley_input *in) {
  const job_remote *r = job->remote;
  const char *mt = r->media_type;
  /* text/plain and application/octet-stream are what servers send when
   * they do not know: the name (raw Markdown files come as text/plain)
   * tells more. Any other type picks its reader. */
  bool vague = !mt || strcmp(mt, "text/plain") == 0 ||
               strcmp(mt, "application/octet-stream") == 0;
  const galley_plugin *p = NULL;
  if (mt && !vague)
    p = reader_for_type(job->registry, mt);
  if (!p && vague) {
    char path[1024];
    p = galley_registry_find_path(
        job->registry, url_path(r->url, path, sizeof path), GALLEY_CAN_READ);
  }
  if (!p && mt)
    p = reader_for_type(job->registry, mt);
  if (!p)
    p = galley_registry_probe(job->registry, in->data,
                              in->size < 65536 ? in->size : 65536,
                              GALLEY_CAN_READ);
  if (!p)
    galley_job_error(job, GALLEY_EUNSUPPORTED,
                     "cannot tell the input format from its Content-Type "
                     "(%s) or its content (use -f FORMAT; see "
                     "--list-formats)",
                     mt ? mt : "none");
  return p;
}

int remote_read(galley_job *job, const galley_plugin *reader,
                const galley_input *in, galley_doc *doc) {
  const job_remote *r = job->remote;
  if (galley_doc_set_base(doc, r->url) != GALLEY_OK)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  /* The transport's charset goes to a reader that takes one, unless the
   * user said what it is. */
  galley_option_value v = {"charset", r->charset};
  size_t n = 0;
  if (r->charset && galley_plugin_option(reader, "charset")) {
    char key[160];
    snprintf(key, sizeof key, "%s.charset", reader->name);
    if (!galley_job_option(job, key))
      n = 1;
  }
  int rc = galley_plugin_read_with(job, reader, in, doc, n ? &v : NULL, n);
  if (rc == GALLEY_OK &&
      galley_doc_set_meta(doc, GALLEY_META_URL, r->url) != GALLEY_OK)
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  return rc;
}
