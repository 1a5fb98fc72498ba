/* A web archive's records as the inputs of conversions: which records are
 * documents, and how one becomes a job's input (its URI as url and base,
 * its HTTP charset for the reader, nothing local read). Shared by the
 * batch, --jsonl and --warc-offset runners. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "warc.h"

/* The reader whose media type is `mt`, or NULL. */
static const galley_plugin *reader_for_type(const galley_registry *reg,
                                            const char *mt) {
  if (strcmp(mt, "application/xhtml+xml") == 0)
    mt = "text/html";
  for (size_t i = 0; i < galley_registry_count(reg); i++) {
    const galley_plugin *d = galley_registry_describe_at(reg, i);
    if ((d->caps & GALLEY_CAN_READ) && d->media_type &&
        strcasecmp(d->media_type, mt) == 0)
      return galley_registry_at(reg, i);
  }
  return NULL;
}

int warc_classify(const plan *p, const warc_rec *r, warc_http *h,
                  const galley_plugin **reader, const char **skip, char *why,
                  size_t why_size) {
  *reader = NULL;
  *skip = NULL;
  memset(h, 0, sizeof *h);
  if (!r->type || strcmp(r->type, "response") != 0) {
    *skip = r->type && (strcmp(r->type, "request") == 0 ||
                        strcmp(r->type, "revisit") == 0 ||
                        strcmp(r->type, "metadata") == 0 ||
                        strcmp(r->type, "warcinfo") == 0)
                ? r->type
                : "other";
    return 0;
  }
  if (r->too_big) {
    snprintf(why, why_size,
             "record at offset %llu: %llu bytes, over the input size limit "
             "of %zu bytes (--max-input-size)",
             (unsigned long long)r->offset, (unsigned long long)r->length,
             p->limits.max_input_size);
    return -1;
  }
  if (!r->uri || !*r->uri) {
    snprintf(why, why_size, "record at offset %llu: no WARC-Target-URI",
             (unsigned long long)r->offset);
    return -1;
  }
  /* A response of another protocol (dns:, ftp:) is not a web page. */
  if (r->content_type && strncasecmp(r->content_type, "application/http", 16))
    return *skip = "not-http", 0;
  int too_big;
  char what[256];
  if (warc_http_parse(r->block, (size_t)r->length, p->limits.max_input_size, h,
                      &too_big, what, sizeof what) != 0) {
    snprintf(why, why_size, "record at offset %llu (%s): %s",
             (unsigned long long)r->offset, r->uri, what);
    return -1;
  }
  if (h->status != 200) {
    *skip = "not-200";
    warc_http_clear(h);
    return 0;
  }
  const galley_plugin *rd = p->reader;
  if (!rd && h->media_type)
    rd = reader_for_type(p->reg, h->media_type);
  if (!rd && !h->media_type)
    rd = galley_registry_detect(p->reg, NULL, h->body,
                                h->body_len < 65536 ? h->body_len : 65536,
                                GALLEY_CAN_READ);
  if (!rd) {
    *skip = "type";
    warc_http_clear(h);
    return 0;
  }
  *reader = rd;
  return 1;
}

int warc_prepare(const plan *p, galley_job *job, const warc_rec *r,
                 warc_http *h, const galley_plugin *reader, galley_input *in) {
  (void)p;
  if (galley_job_set_reader(job, reader) != GALLEY_OK)
    cli_die_oom();
  /* An archived page is a page from the web: it reads no local file. */
  galley_job_set_local_files(job, false);
  /* The transport's charset, as for a fetched page: after a byte-order
   * mark and -O encoding, before the page's own <meta>; unless the user
   * named one. */
  if (h->charset && galley_plugin_option(reader, "charset")) {
    char key[160];
    snprintf(key, sizeof key, "%s.charset", reader->name);
    if (!galley_job_option(job, key) && !galley_job_option(job, "charset") &&
        galley_job_set_option(job, key, h->charset) != GALLEY_OK)
      cli_die_oom();
  }
  /* The URI is the document's url (as the URL after redirects is a
   * fetched page's); -M url=... still wins. */
  int user_url = 0, user_fetched = 0;
  for (size_t i = 0; i < p->c->metas.n; i++) {
    if (strncmp(p->c->metas.items[i], "url=", 4) == 0)
      user_url = 1;
    if (strncmp(p->c->metas.items[i], "fetched=", 8) == 0)
      user_fetched = 1;
  }
  if (!user_url &&
      galley_job_set_meta(job, GALLEY_META_URL, r->uri) != GALLEY_OK)
    cli_die_oom();
  /* WARC-Date, when the page was fetched: the `fetched` metadata (an html
   * output's <meta name="fetched">, a --jsonl record's metadata); not its
   * `date`, which is when the article was published. */
  if (!user_fetched && r->date &&
      galley_job_set_meta(job, "fetched", r->date) != GALLEY_OK)
    cli_die_oom();
  /* A record read from an archive: fetched long ago, so nothing is
   * fetched now either (its images stay links to where they were). */
  galley_job_set_network(job, galley_job_network(job) | GALLEY_NETWORK_OFFLINE);
  /* The body goes to the job, which drops it once the reader is done; the
   * URI, its name and base, rides at its end, so the input owns all it
   * names whatever becomes of `r`. */
  size_t ul = strlen(r->uri);
  unsigned char *bytes = realloc(h->body, h->body_len + ul + 2);
  if (!bytes)
    cli_die_oom();
  h->body = NULL;
  bytes[h->body_len] = '\0';
  char *uri = (char *)bytes + h->body_len + 1;
  memcpy(uri, r->uri, ul + 1);
  *in = (galley_input){bytes, h->body_len, uri, uri};
  galley_job_set_input_release(job, free_input, bytes);
  return GALLEY_OK;
}

int warc_input_at(const plan *p, galley_job *job, const char *path,
                  uint64_t offset, uint64_t nth, galley_input *in,
                  warc_rec *r) {
  warc_file *w = NULL;
  char why[512];
  int rc = GALLEY_OK;
  warc_http h = {0};
  memset(r, 0, sizeof *r);
  if (warc_open(path, p->limits.max_input_size, &w, why, sizeof why) != 0 ||
      warc_seek(w, offset, why, sizeof why) != 0) {
    rc = galley_job_error(job, GALLEY_EIO, "%s", why);
    goto done;
  }
  int got = warc_next(w, r, why, sizeof why);
  /* Records after the first of one gzip member share its offset. */
  while (got > 0 && r->nth < nth && r->offset == offset)
    got = warc_next(w, r, why, sizeof why);
  if (got > 0 && (r->offset != offset || r->nth != nth))
    got = 0;
  if (got == 0) {
    rc = galley_job_error(job, GALLEY_EPARSE, "no record at offset %llu",
                          (unsigned long long)offset);
    goto done;
  }
  if (got < 0) {
    rc = galley_job_error(job, GALLEY_EPARSE, "%s", why);
    goto done;
  }
  const galley_plugin *reader;
  const char *skip;
  int c = warc_classify(p, r, &h, &reader, &skip, why, sizeof why);
  if (c < 0) {
    rc = galley_job_error(job, r->too_big ? GALLEY_ELIMIT : GALLEY_EPARSE, "%s",
                          why);
    goto done;
  }
  if (c == 0) {
    rc = galley_job_error(
        job, GALLEY_EUNSUPPORTED, "record at offset %llu: %s",
        (unsigned long long)offset,
        strcmp(skip, "not-200") == 0    ? "not an HTTP 200 response"
        : strcmp(skip, "type") == 0     ? "no reader takes its Content-Type"
        : strcmp(skip, "not-http") == 0 ? "not an HTTP response"
                                        : "not a response record");
    goto done;
  }
  rc = warc_prepare(p, job, r, &h, reader, in);
done:
  warc_http_clear(&h);
  free(r->block); /* the body was copied out of it */
  r->block = NULL;
  warc_close(w);
  return rc;
}
