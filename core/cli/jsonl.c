/* --jsonl: one JSON record per line in, one per line out, for pipelines
 * and cluster engines (Spark's RDD.pipe, Hadoop Streaming, GNU parallel).
 *
 * In:  {"id": …, "url": "…", "format": "html", "content": "…"}
 * Out: {"id": …, "url": "…", "format": "<-t>", "content": "…",
 *       "metadata": {"title": "…", "author": ["…"], …}, "error": null}
 * A writer whose output is not UTF-8 text (epub) gives "content_base64"
 * instead of "content". A bad record gives "error" and no content; the
 * stream goes on, and the exit status is 1 at the end. Records are read in
 * chunks, converted in parallel, and written in input order. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct record {
  char *line;
  size_t line_no;
  char *out; /* the JSON line to print */
  int failed;
} record;

typedef struct chunk {
  const plan *p;
  record *recs;
  size_t n;
  atomic_size_t next;
} chunk;

static int valid_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len = c < 0x80         ? 1
                 : (c >> 5) == 6  ? 2
                 : (c >> 4) == 14 ? 3
                 : (c >> 3) == 30 ? 4
                                  : 0;
    if (!len || i + len > n || c == 0)
      return 0;
    for (size_t k = 1; k < len; k++)
      if ((s[i + k] & 0xC0) != 0x80)
        return 0;
    i += len;
  }
  return 1;
}

static char *base64(const unsigned char *data, size_t n) {
  static const char tbl[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
  if (!out)
    cli_die_oom();
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)data[i] << 16;
    if (i + 1 < n)
      v |= (unsigned)data[i + 1] << 8;
    if (i + 2 < n)
      v |= data[i + 2];
    *o++ = tbl[(v >> 18) & 63];
    *o++ = tbl[(v >> 12) & 63];
    *o++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
    *o++ = i + 2 < n ? tbl[v & 63] : '=';
  }
  *o = '\0';
  return out;
}

static json_t *metadata_object(const galley_doc *doc) {
  json_t *meta = json_object();
  size_t n = galley_doc_meta_size(doc);
  for (size_t i = 0; i < n; i++) {
    const char *k, *v;
    galley_doc_meta_entry(doc, i, &k, &v);
    json_t *have = json_object_get(meta, k);
    /* Keys that repeat (authors, keywords) become arrays. */
    if (!have) {
      json_object_set_new(meta, k, json_string(v));
    } else if (json_is_array(have)) {
      json_array_append_new(have, json_string(v));
    } else {
      json_t *arr = json_array();
      json_array_append(arr, have);
      json_array_append_new(arr, json_string(v));
      json_object_set_new(meta, k, arr);
    }
  }
  return meta;
}

static void convert_record(const plan *p, record *r) {
  json_error_t err;
  json_t *in = json_loads(r->line, JSON_REJECT_DUPLICATES, &err);
  json_t *out = json_object();
  galley_job *job = NULL;
  galley_doc *doc = NULL;
  galley_sink *sink = NULL;
  char msg[1200];
  msg[0] = '\0';
  if (!in || !json_is_object(in)) {
    snprintf(msg, sizeof msg, "line %zu: not a JSON object%s%s", r->line_no,
             in ? "" : ": ", in ? "" : err.text);
    goto done;
  }
  json_t *id = json_object_get(in, "id");
  json_t *url = json_object_get(in, "url");
  json_object_set(out, "id", id ? id : json_null());
  if (url)
    json_object_set(out, "url", url);
  json_object_set_new(out, "format", json_string(p->writer->name));
  const char *content = json_string_value(json_object_get(in, "content"));
  const char *format = json_string_value(json_object_get(in, "format"));
  if (!content) {
    snprintf(msg, sizeof msg, "line %zu: no \"content\" string", r->line_no);
    goto done;
  }
  size_t len = json_string_length(json_object_get(in, "content"));
  const galley_plugin *reader =
      format ? galley_registry_find(p->reg, format) : NULL;
  if (format && (!reader || !(reader->caps & GALLEY_CAN_READ))) {
    snprintf(msg, sizeof msg, "line %zu: no reader for format '%s'", r->line_no,
             format);
    goto done;
  }
  if (!reader)
    reader = plan_reader_for(p, NULL, (const unsigned char *)content, len);
  if (!reader) {
    snprintf(msg, sizeof msg, "line %zu: cannot tell the input format",
             r->line_no);
    goto done;
  }
  char where[64];
  snprintf(where, sizeof where, "record %zu", r->line_no);
  job = plan_new_job(p, where);
  doc = galley_doc_new();
  sink = galley_sink_new_memory();
  if (!doc || !sink)
    cli_die_oom();
  /* A record's content may not pull in local files: no base folder, and no
   * root at all, whatever base the document names for itself. */
  galley_job_set_local_files(job, false);
  galley_input gin = {(const unsigned char *)content, len, where, NULL};
  signals_track_job(job);
  int rc =
      galley_job_build(job, &gin, reader, p->transforms, p->n_transforms, doc);
  if (rc == GALLEY_OK && json_string_value(url) &&
      !galley_doc_get_meta(doc, GALLEY_META_URL))
    rc = galley_doc_set_meta(doc, GALLEY_META_URL, json_string_value(url));
  if (rc == GALLEY_OK)
    rc = galley_plugin_write(job, p->writer, doc, sink);
  signals_untrack_job(job);
  if (rc != GALLEY_OK) {
    const char *e = galley_job_errmsg(job);
    snprintf(msg, sizeof msg, "%s", e ? e : galley_strerror(rc));
    goto done;
  }
  size_t n;
  const char *bytes = galley_sink_data(sink, &n);
  if (valid_utf8((const unsigned char *)bytes, n)) {
    json_object_set_new(out, "content", json_stringn(bytes, n));
  } else {
    char *b64 = base64((const unsigned char *)bytes, n);
    json_object_set_new(out, "content_base64", json_string(b64));
    free(b64);
  }
  json_object_set_new(out, "metadata", metadata_object(doc));
  json_t *warnings = json_array();
  for (size_t i = 0; i < galley_job_diag_count(job); i++) {
    const galley_diag *d = galley_job_diag_at(job, i);
    if (d->level == GALLEY_LEVEL_WARNING)
      json_array_append_new(warnings, json_string(d->message));
  }
  json_object_set_new(out, "warnings", warnings);
done:
  if (msg[0]) {
    r->failed = 1;
    if (!json_object_get(out, "id"))
      json_object_set_new(out, "id", json_null());
    json_object_set_new(out, "error", json_string(msg));
  } else {
    json_object_set_new(out, "error", json_null());
  }
  r->out = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
  if (!r->out)
    cli_die_oom();
  json_decref(out);
  json_decref(in);
  galley_sink_free(sink);
  galley_doc_free(doc);
  galley_job_free(job);
}

static void *jsonl_worker(void *arg) {
  chunk *ch = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&ch->next, 1);
    if (i >= ch->n || cli_interrupted)
      break;
    convert_record(ch->p, &ch->recs[i]);
  }
  return NULL;
}

int run_jsonl(const plan *p) {
  if (p->c->resource_paths.n)
    cli_usage_error("--resource-path does not apply to --jsonl: record "
                    "content never reads local files");
  long n_threads = p->c->jobs ? p->c->jobs : sysconf(_SC_NPROCESSORS_ONLN);
  if (n_threads < 1)
    n_threads = 1;
  size_t per_chunk = (size_t)n_threads * 16;
  record *recs = calloc(per_chunk, sizeof *recs);
  pthread_t *threads = calloc((size_t)n_threads, sizeof *threads);
  if (!recs || !threads)
    cli_die_oom();
  size_t line_no = 0, failed = 0;
  char *line = NULL;
  size_t cap = 0;
  int eof = 0;
  int write_errno = 0;
  while (!eof && !cli_interrupted && !write_errno) {
    size_t n = 0;
    ssize_t got;
    while (n < per_chunk && (got = getline(&line, &cap, stdin)) >= 0) {
      line_no++;
      if (got == 0 || strspn(line, " \t\r\n") == (size_t)got)
        continue; /* blank lines are allowed between records */
      recs[n].line = strdup(line);
      recs[n].line_no = line_no;
      if (!recs[n].line)
        cli_die_oom();
      n++;
    }
    if (n < per_chunk)
      eof = 1;
    chunk ch = {p, recs, n, 0};
    long started = 0;
    for (long t = 0; t < n_threads && (size_t)t < n; t++)
      if (pthread_create(&threads[t], NULL, jsonl_worker, &ch) == 0)
        started++;
    if (started == 0)
      jsonl_worker(&ch);
    for (long t = 0; t < started; t++)
      pthread_join(threads[t], NULL);
    for (size_t i = 0; i < n; i++) {
      if (recs[i].out && !write_errno) {
        if (puts(recs[i].out) == EOF)
          write_errno = errno ? errno : EIO;
        failed += (size_t)recs[i].failed;
      }
      free(recs[i].line);
      free(recs[i].out);
      memset(&recs[i], 0, sizeof recs[i]);
    }
    if (!write_errno && fflush(stdout) != 0)
      write_errno = errno ? errno : EIO;
  }
  free(line);
  free(recs);
  free(threads);
  if (cli_interrupted)
    return EXIT_INTERRUPTED;
  if (write_errno) {
    /* Worded as run_single's deliver_output words it. */
    fprintf(stderr, "galley: -: cannot write standard output: %s\n",
            strerror(write_errno));
    return EXIT_FAILED;
  }
  return failed ? EXIT_FAILED : EXIT_OK;
}
