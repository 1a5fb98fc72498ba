/* --jsonl: one JSON record per line in, one per line out, for pipelines
 * and cluster engines (Spark's RDD.pipe, Hadoop Streaming, GNU parallel).
 *
 * In:  {"id": …, "url": "…", "format": "html", "content": "…"}
 * Out: {"id": …, "url": "…", "format": "<-t>", "content": "…",
 *       "metadata": {"title": "…", "author": ["…"], …}, "error": null}
 * A writer whose output is not UTF-8 text (epub) gives "content_base64"
 * instead of "content". A bad record gives "error" and no content; the
 * stream goes on, and the exit status is 1 at the end.
 *
 * The stream is a window of records in input order, from the oldest not
 * yet written to the newest read. The main thread reads lines into it,
 * worker threads convert them, and whichever thread finishes the oldest
 * record writes it and every finished one after it. What the window holds
 * is bounded by count (16 per thread) and by bytes (JSONL_BUDGET of lines
 * and outputs), so a stream of large records is converted a few at a time,
 * and a record larger than the budget alone. A line is never held past
 * --max-input-size: the rest of a longer one is read and dropped, and the
 * record answers with an error. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Bytes of lines and outputs the window may hold (README "Pipelines"). */
#define JSONL_BUDGET ((size_t)64 << 20)
/* Records per worker thread the window may hold. */
#define JSONL_PER_THREAD 16
/* How often, in bytes read of one line, the reader checks the budget. */
#define BUDGET_STEP ((size_t)1 << 20)
/* Of a line over the size limit, the bytes kept to find its id. */
#define ID_PREFIX 4096

typedef enum { QUEUED, RUNNING, DONE } rec_state;

typedef struct record {
  struct record *next;
  size_t line_no;
  rec_state state;
  char *line; /* until converted */
  size_t line_len;
  size_t cost;       /* bytes charged to the window's budget */
  json_t *out;       /* the answer; "content" is filled in when written */
  galley_sink *sink; /* the converted bytes, or NULL */
  int binary;        /* the bytes go out as content_base64 */
  int failed;
  /* A record of a web archive given as input (its block held until
   * converted), and the archive's name; NULL for a JSON line. */
  warc_rec *warc;
  const char *warc_path;
  int skipped; /* a web archive's record that is no document: no line */
} record;

typedef struct stream {
  const plan *p;
  pthread_mutex_t mu;
  pthread_cond_t work; /* a record to convert, or the end of input */
  pthread_cond_t room; /* the window shrank */
  record *head, *tail; /* the window, in input order */
  record *next_start;  /* the first record no worker has taken */
  size_t n_held, bytes_held, max_held;
  int eof;                /* the reader is done */
  int writing;            /* a thread is writing the head */
  atomic_int write_errno; /* standard output failed: the stream stops */
  size_t n_records, n_failed, n_skipped;
} stream;

static int stopped(const stream *s) {
  return cli_interrupted || s->write_errno;
}

/* Waits on `cond` for at most a fifth of a second: a signal sets
 * cli_interrupted without waking anyone, so waits poll for it. */
static void wait_a_while(stream *s, pthread_cond_t *cond) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 200 * 1000 * 1000;
  if (ts.tv_nsec >= 1000 * 1000 * 1000) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000 * 1000 * 1000;
  }
  pthread_cond_timedwait(cond, &s->mu, &ts);
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

static void convert_input(const plan *p, record *r, galley_job *job,
                          const galley_input *gin, const char *url, json_t **in,
                          json_t *out, char *msg, size_t msg_size);
static void finish_record(record *r, json_t *out, const char *msg);

/* Fills r->out (and r->sink on success) from r->line, which it frees. */
static void convert_record(const plan *p, record *r) {
  json_error_t err;
  /* Parsed from the line as read: no copy of it, and the line goes as soon
   * as jansson holds the record. */
  json_t *in = json_loadb(r->line, r->line_len, JSON_REJECT_DUPLICATES, &err);
  free(r->line);
  r->line = NULL;
  json_t *out = json_object();
  galley_job *job = NULL;
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
  /* A record without content is fetched from its url, with --fetch only:
   * by default a stream of records touches no network. */
  int fetch = !content && json_string_value(url) && p->c->fetch;
  if (!content && !fetch) {
    snprintf(msg, sizeof msg, "line %zu: no \"content\" string%s", r->line_no,
             json_string_value(url) ? " (--fetch fetches its \"url\")" : "");
    goto done;
  }
  size_t len = content ? json_string_length(json_object_get(in, "content")) : 0;
  const galley_plugin *reader =
      format ? galley_registry_find(p->reg, format) : NULL;
  if (format && (!reader || !(reader->caps & GALLEY_CAN_READ))) {
    snprintf(msg, sizeof msg, "line %zu: no reader for format '%s'", r->line_no,
             format);
    goto done;
  }
  char where[64];
  snprintf(where, sizeof where, "record %zu", r->line_no);
  job = plan_new_job(p, where);
  /* A record's own format wins over -f. */
  if (reader && galley_job_set_reader(job, reader) != GALLEY_OK)
    cli_die_oom();
  /* A record's content may not pull in local files: no base folder, and no
   * root at all, whatever base the document names for itself. */
  galley_job_set_local_files(job, false);
  galley_input gin = {(const unsigned char *)content, len, where, NULL};
  if (fetch && fetch_input(job, json_string_value(url), &gin) != GALLEY_OK) {
    snprintf(msg, sizeof msg, "line %zu: %s", r->line_no,
             galley_job_errmsg(job) ? galley_job_errmsg(job) : "not fetched");
    goto done;
  }
  if (!galley_job_detect(job, &gin)) {
    snprintf(msg, sizeof msg, "line %zu: cannot tell the input format",
             r->line_no);
    goto done;
  }
  convert_input(p, r, job, &gin, json_string_value(url), &in, out, msg,
                sizeof msg);
done:
  finish_record(r, out, msg);
  json_decref(in);
  galley_job_free(job);
}

/* The conversion of a record's input `gin` with `job`, into r->sink and
 * the answer `out`; a failure's message into `msg`. `*in` (the JSON
 * record, or NULL) is dropped once the document is built. */
static void convert_input(const plan *p, record *r, galley_job *job,
                          const galley_input *gin, const char *url, json_t **in,
                          json_t *out, char *msg, size_t msg_size) {
  (void)p;
  galley_doc *doc = galley_doc_new();
  galley_sink *sink = galley_sink_new_memory();
  if (!doc || !sink)
    cli_die_oom();
  signals_track_job(job);
  int rc = galley_job_build_doc(job, gin, doc);
  if (rc == GALLEY_OK && url && !galley_doc_get_meta(doc, GALLEY_META_URL))
    rc = galley_doc_set_meta(doc, GALLEY_META_URL, url);
  /* The tree holds copies of all it needs: the record's content (as big as
   * the record) goes before the writer runs. */
  json_decref(*in);
  *in = NULL;
  if (rc == GALLEY_OK)
    rc = galley_job_write_doc(job, doc, sink);
  signals_untrack_job(job);
  if (rc != GALLEY_ECANCELLED) {
    int report_rc = deliver_reports(job);
    if (rc == GALLEY_OK)
      rc = report_rc;
  }
  if (rc != GALLEY_OK) {
    const char *e = galley_job_errmsg(job);
    snprintf(msg, msg_size, "%s", e ? e : galley_strerror(rc));
    goto done;
  }
  size_t n;
  const char *bytes = galley_sink_data(sink, &n);
  /* Text goes out as a JSON string: strict UTF-8 (what jansson checks when
   * it writes the line) without NUL bytes; anything else as base64. */
  r->binary = !galley_utf8_valid(bytes, n, NULL) || memchr(bytes, '\0', n);
  /* A placeholder keeps the key's place; the bytes are turned into a JSON
   * string only when written, one record at a time. */
  json_object_set_new(out, r->binary ? "content_base64" : "content",
                      json_null());
  r->sink = sink;
  sink = NULL;
  json_object_set_new(out, "metadata", metadata_object(doc));
  json_t *warnings = json_array();
  for (size_t i = 0; i < galley_job_diag_count(job); i++) {
    const galley_diag *d = galley_job_diag_at(job, i);
    if (d->level == GALLEY_LEVEL_WARNING)
      json_array_append_new(warnings, json_string(d->message));
  }
  json_object_set_new(out, "warnings", warnings);
done:
  galley_sink_free(sink);
  galley_doc_free(doc);
}

/* Sets "error" (and r->failed) and hands `out` to the record. */
static void finish_record(record *r, json_t *out, const char *msg) {
  if (msg[0]) {
    r->failed = 1;
    if (!json_object_get(out, "id"))
      json_object_set_new(out, "id", json_null());
    json_object_set_new(out, "error", json_string(msg));
  } else {
    json_object_set_new(out, "error", json_null());
  }
  r->out = out;
}

/* A web archive's record: a document (an HTTP 200 response of a type a
 * reader takes) gives a line with its url, record id and date; any other
 * record gives none and is counted. */
static void convert_warc_record(const plan *p, record *r) {
  warc_rec *w = r->warc;
  json_t *out = json_object();
  json_t *none = NULL;
  char msg[1200];
  msg[0] = '\0';
  warc_http h = {0};
  const galley_plugin *reader;
  const char *skip;
  galley_job *job = NULL;
  json_object_set_new(out, "id", w->id ? json_string(w->id) : json_null());
  if (w->uri)
    json_object_set_new(out, "url", json_string(w->uri));
  json_object_set_new(out, "warc_file", json_string(r->warc_path));
  json_object_set_new(out, "warc_offset", json_integer((json_int_t)w->offset));
  json_object_set_new(out, "warc_record_id",
                      w->id ? json_string(w->id) : json_null());
  json_object_set_new(out, "warc_date",
                      w->date ? json_string(w->date) : json_null());
  json_object_set_new(out, "format", json_string(p->writer->name));
  int c = warc_classify(p, w, &h, &reader, &skip, msg, sizeof msg);
  free(w->block); /* the body, decoded, is in h */
  w->block = NULL;
  if (c == 0) {
    r->skipped = 1;
    json_decref(out);
    out = NULL;
    goto end;
  }
  if (c < 0)
    goto done;
  char where[64];
  snprintf(where, sizeof where, "record at offset %llu",
           (unsigned long long)w->offset);
  job = plan_new_job(p, where);
  galley_input gin;
  warc_prepare(p, job, w, &h, reader, &gin);
  convert_input(p, r, job, &gin, NULL, &none, out, msg, sizeof msg);
done:
  finish_record(r, out, msg);
end:
  warc_http_clear(&h);
  galley_job_free(job);
  warc_rec_clear(w);
  free(w);
  r->warc = NULL;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The id of a line too long to parse, when the line starts with it (as
 * most producers write records); NULL otherwise. */
static json_t *leading_id(const char *s, size_t n) {
  static const char *const expect[] = {"{", "\"id\"", ":"};
  size_t i = 0;
  for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
    size_t len = strlen(expect[k]);
    while (i < n && is_space(s[i]))
      i++;
    if (n - i < len || memcmp(s + i, expect[k], len) != 0)
      return NULL;
    i += len;
  }
  json_error_t err;
  json_t *id =
      json_loadb(s + i, n - i, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &err);
  if (id && (json_is_array(id) || json_is_object(id))) {
    json_decref(id);
    id = NULL;
  }
  return id;
}

/* The answer to a line over the size limit, which was never held whole. */
static json_t *oversized_answer(const plan *p, const char *head,
                                size_t head_len, size_t line_no, size_t size) {
  json_t *out = json_object();
  json_t *id = leading_id(head, head_len);
  json_object_set_new(out, "id", id ? id : json_null());
  char msg[256];
  snprintf(msg, sizeof msg,
           "line %zu: the record is %zu bytes, over the input size limit of "
           "%zu bytes (--max-input-size)",
           line_no, size, p->limits.max_input_size);
  json_object_set_new(out, "error", json_string(msg));
  return out;
}

static int dump_to_stdout(const char *buf, size_t size, void *data) {
  if (fwrite(buf, 1, size, stdout) == size)
    return 0;
  *(int *)data = errno ? errno : EIO;
  return -1;
}

/* Writes one answer line; 0, or the errno of the failed write. */
static int write_record(record *r) {
  if (!r->out)
    return 0; /* a web archive's record that is no document */
  if (r->sink) {
    size_t n;
    const char *bytes = galley_sink_data(r->sink, &n);
    json_t *content;
    if (r->binary) {
      char *b64 = base64((const unsigned char *)bytes, n);
      galley_sink_free(r->sink);
      r->sink = NULL;
      content = json_string_nocheck(b64);
      free(b64);
    } else {
      content = json_stringn_nocheck(bytes, n);
      galley_sink_free(r->sink);
      r->sink = NULL;
    }
    if (!content)
      cli_die_oom();
    json_object_set_new(r->out, r->binary ? "content_base64" : "content",
                        content);
  }
  int err = 0;
  errno = 0;
  if (json_dump_callback(r->out, dump_to_stdout, &err,
                         JSON_COMPACT | JSON_ENSURE_ASCII) != 0 &&
      !err)
    cli_die_oom(); /* jansson's own failure: only ever memory */
  if (!err && putchar('\n') == EOF)
    err = errno ? errno : EIO;
  return err;
}

static void free_record(record *r) {
  if (r->warc) {
    warc_rec_clear(r->warc);
    free(r->warc);
  }
  free(r->line);
  json_decref(r->out);
  galley_sink_free(r->sink);
  free(r);
}

/* Writes the finished records at the head of the window, in order. Called
 * with the lock held by whichever thread may have made the head finish;
 * only one writes at a time, and without the lock, so the others go on. */
static void write_ready(stream *s) {
  int wrote = 0;
  while (!s->writing && s->head && s->head->state == DONE && !stopped(s)) {
    record *r = s->head;
    /* Flush when nothing else is ready: a pipeline sees each answer soon,
     * and a burst of small ones still goes out in few writes. */
    int flush = !r->next || r->next->state != DONE;
    s->writing = 1;
    pthread_mutex_unlock(&s->mu);
    int err = write_record(r);
    if (!err && flush && fflush(stdout) != 0)
      err = errno ? errno : EIO;
    pthread_mutex_lock(&s->mu);
    s->writing = 0;
    if (err && !s->write_errno)
      s->write_errno = err;
    s->n_failed += (size_t)r->failed;
    s->n_skipped += (size_t)r->skipped;
    s->head = r->next;
    if (!s->head)
      s->tail = NULL;
    s->n_held--;
    s->bytes_held -= r->cost;
    free_record(r);
    wrote = 1;
  }
  if (wrote)
    pthread_cond_broadcast(&s->room);
}

static void append_record(stream *s, record *r) {
  if (s->tail)
    s->tail->next = r;
  else
    s->head = r;
  s->tail = r;
  if (r->state == QUEUED && !s->next_start)
    s->next_start = r;
  s->n_held++;
  s->bytes_held += r->cost;
  s->n_records++;
}

static void *jsonl_worker(void *arg) {
  stream *s = arg;
  signals_fatal_stack();
  pthread_mutex_lock(&s->mu);
  for (;;) {
    while (!s->next_start && !s->eof && !stopped(s))
      wait_a_while(s, &s->work);
    if (stopped(s) || !s->next_start)
      break;
    record *r = s->next_start;
    r->state = RUNNING;
    s->next_start = r->next;
    while (s->next_start && s->next_start->state != QUEUED)
      s->next_start = s->next_start->next;
    pthread_mutex_unlock(&s->mu);
    if (r->warc)
      convert_warc_record(s->p, r);
    else
      convert_record(s->p, r);
    size_t out_cost = r->sink ? galley_sink_size(r->sink) : 0;
    pthread_mutex_lock(&s->mu);
    s->bytes_held = s->bytes_held - r->cost + out_cost;
    r->cost = out_cost;
    r->state = DONE;
    write_ready(s);
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

/* ---- Reading lines within the limit and the budget ---- */

typedef struct line_reader {
  unsigned char buf[65536];
  size_t pos, end;
  int eof;
} line_reader;

typedef struct line {
  char *data; /* NUL-terminated; of a line over the limit, its first bytes */
  size_t len; /* bytes in data */
  size_t cap;
  size_t size; /* bytes of the whole line, without its newline */
  int over;    /* longer than the limit: only ID_PREFIX bytes kept */
} line;

/* Appends `n` bytes read of the current line, growing the buffer no
 * further than the limit. (Not a galley_buf, which doubles past any limit
 * and never shrinks: a held line's memory is what the budget counts.) */
static void line_add(line *ln, const unsigned char *b, size_t n, size_t limit) {
  ln->size += n;
  if (ln->over)
    return;
  if (ln->size > limit) {
    /* Keep only what may hold the id: the line is never held whole. */
    size_t keep = ln->len < ID_PREFIX ? ln->len : ID_PREFIX;
    size_t more = n < ID_PREFIX - keep ? n : ID_PREFIX - keep;
    char *head = malloc(ID_PREFIX + 1);
    if (!head)
      cli_die_oom();
    if (keep)
      memcpy(head, ln->data, keep);
    memcpy(head + keep, b, more);
    free(ln->data);
    ln->data = head;
    ln->len = keep + more;
    ln->data[ln->len] = '\0';
    ln->cap = ID_PREFIX + 1;
    ln->over = 1;
    return;
  }
  if (ln->len + n + 1 > ln->cap) {
    size_t cap = ln->cap ? ln->cap : 256;
    while (cap < ln->len + n + 1)
      cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    if (cap > limit + 1 && limit < SIZE_MAX)
      cap = limit + 1;
    char *grown = realloc(ln->data, cap);
    if (!grown)
      cli_die_oom();
    ln->data = grown;
    ln->cap = cap;
  }
  memcpy(ln->data + ln->len, b, n);
  ln->len += n;
  ln->data[ln->len] = '\0';
}

/* Gives back what doubling left over: the line's buffer is held, and
 * charged to the budget, until the record is parsed. */
static void line_trim(line *ln) {
  if (ln->over || ln->cap - ln->len <= 4096)
    return;
  char *fit = realloc(ln->data, ln->len + 1);
  if (fit) {
    ln->data = fit;
    ln->cap = ln->len + 1;
  }
}

/* Waits while the part of a line read so far would take the window over
 * its budget, unless the window is empty: a line bigger than the budget
 * is then read, and converted, alone. */
static void wait_for_budget(stream *s, size_t partial) {
  pthread_mutex_lock(&s->mu);
  while (!stopped(s) && s->bytes_held > 0 &&
         s->bytes_held + partial > JSONL_BUDGET)
    wait_a_while(s, &s->room);
  pthread_mutex_unlock(&s->mu);
}

/* Reads the next line of standard input into `ln`. Returns 1 with a line,
 * 0 at the end of input, -1 on a read error (errno) or an interruption. */
static int read_line(stream *s, line_reader *rd, line *ln, size_t limit) {
  free(ln->data);
  *ln = (line){0};
  int got = 0;
  size_t next_check = BUDGET_STEP;
  for (;;) {
    if (rd->pos == rd->end) {
      if (rd->eof) {
        line_trim(ln);
        return got ? 1 : 0;
      }
      /* A producer may go quiet for long: a stop (a failed write, an
       * interrupt) must not wait for its next line. */
      struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
      int ready = poll(&pfd, 1, 200);
      if (stopped(s))
        return -1;
      if (ready == 0 || (ready < 0 && errno == EINTR))
        continue;
      ssize_t n = read(STDIN_FILENO, rd->buf, sizeof rd->buf);
      if (n < 0) {
        if (errno == EINTR && !cli_interrupted)
          continue;
        return -1;
      }
      if (n == 0) {
        rd->eof = 1;
        continue;
      }
      rd->pos = 0;
      rd->end = (size_t)n;
    }
    got = 1;
    unsigned char *start = rd->buf + rd->pos;
    unsigned char *nl = memchr(start, '\n', rd->end - rd->pos);
    size_t take = nl ? (size_t)(nl - start) : rd->end - rd->pos;
    line_add(ln, start, take, limit);
    rd->pos += take + (nl ? 1 : 0);
    if (nl) {
      line_trim(ln);
      return 1;
    }
    if (!ln->over && ln->size >= next_check) {
      wait_for_budget(s, ln->size);
      next_check = ln->size + BUDGET_STEP;
    }
    if (stopped(s))
      return -1;
  }
}

static int blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_space(s[i]))
      return 0;
  return 1;
}

/* Waits until the window has room for another record. */
static void wait_for_room(stream *s) {
  pthread_mutex_lock(&s->mu);
  while (!stopped(s) &&
         (s->n_held >= s->max_held || s->bytes_held >= JSONL_BUDGET))
    wait_a_while(s, &s->room);
  pthread_mutex_unlock(&s->mu);
}

static void add_record(stream *s, record *r) {
  pthread_mutex_lock(&s->mu);
  append_record(s, r);
  if (r->state == DONE)
    write_ready(s);
  else
    pthread_cond_signal(&s->work);
  pthread_mutex_unlock(&s->mu);
}

/* The inputs are web archives: their records, in order, are the stream
 * (with --warc-offset, the one record there). The main thread reads them,
 * the workers parse their HTTP and convert. A record that cannot be read
 * answers with an error and the walk goes on; records that are not
 * responses give no line and are counted. */
static void read_warcs(stream *s) {
  const plan *p = s->p;
  for (size_t i = 0; i < p->c->inputs.n && !stopped(s); i++) {
    const char *path = p->c->inputs.items[i];
    warc_file *w = NULL;
    char why[512];
    int one = p->c->warc_offset_set;
    if (warc_open(path, p->limits.max_input_size, &w, why, sizeof why) != 0 ||
        (one && warc_seek(w, p->c->warc_offset, why, sizeof why) != 0)) {
      fprintf(stderr, "galley: %s: %s\n", path, why);
      pthread_mutex_lock(&s->mu);
      s->n_failed++;
      pthread_mutex_unlock(&s->mu);
      warc_close(w);
      continue;
    }
    for (int n = 0; !stopped(s) && (!one || n < 1); n++) {
      wait_for_room(s);
      if (stopped(s))
        break;
      warc_rec *wr = calloc(1, sizeof *wr);
      record *r = calloc(1, sizeof *r);
      if (!wr || !r)
        cli_die_oom();
      int got = warc_next(w, wr, why, sizeof why);
      if (got == 0) {
        free(wr);
        free(r);
        if (one) {
          fprintf(stderr, "galley: %s: no record at offset %llu\n", path,
                  (unsigned long long)p->c->warc_offset);
          pthread_mutex_lock(&s->mu);
          s->n_failed++;
          pthread_mutex_unlock(&s->mu);
        }
        break;
      }
      r->line_no = ++s->n_records;
      s->n_records--; /* append_record counts it */
      r->warc_path = path;
      if (got < 0) {
        json_t *out = json_object();
        json_object_set_new(out, "id", json_null());
        json_object_set_new(out, "warc_file", json_string(path));
        json_object_set_new(out, "error", json_string(why));
        r->out = out;
        r->failed = 1;
        r->state = DONE;
        free(wr);
      } else if (!wr->type || strcmp(wr->type, "response") != 0) {
        /* Counted, and never held. */
        warc_rec_clear(wr);
        free(wr);
        r->skipped = 1;
        r->state = DONE;
      } else {
        r->warc = wr;
        r->cost = wr->block ? (size_t)wr->length : 0;
      }
      add_record(s, r);
    }
    warc_close(w);
  }
}

int run_jsonl(const plan *p) {
  if (p->c->resource_paths.n)
    cli_usage_error("--resource-path does not apply to --jsonl: record "
                    "content never reads local files");
  long n_threads = p->c->jobs ? p->c->jobs : sysconf(_SC_NPROCESSORS_ONLN);
  if (n_threads < 1)
    n_threads = 1;
  size_t limit =
      p->limits.max_input_size ? p->limits.max_input_size : SIZE_MAX - 1;
  stream s = {.p = p, .max_held = (size_t)n_threads * JSONL_PER_THREAD};
  pthread_mutex_init(&s.mu, NULL);
  pthread_cond_init(&s.work, NULL);
  pthread_cond_init(&s.room, NULL);
  pthread_t *threads = calloc((size_t)n_threads, sizeof *threads);
  line_reader *rd = calloc(1, sizeof *rd);
  if (!threads || !rd)
    cli_die_oom();

  /* Workers never take SIGINT or SIGTERM: the main thread does, and its
   * read() of standard input returns at once. */
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  long started = 0;
  for (long t = 0; t < n_threads; t++)
    if (pthread_create(&threads[started], NULL, jsonl_worker, &s) == 0)
      started++;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (started == 0) {
    fputs("galley: cannot start a worker thread\n", stderr);
    free(threads);
    free(rd);
    return EXIT_INTERNAL;
  }

  line ln = {0};
  size_t line_no = 0;
  int read_errno = 0;
  if (p->c->inputs.n)
    read_warcs(&s);
  /* Standard input's lines, unless web archives were the stream. */
  while (!p->c->inputs.n) {
    pthread_mutex_lock(&s.mu);
    while (!stopped(&s) &&
           (s.n_held >= s.max_held || s.bytes_held >= JSONL_BUDGET))
      wait_a_while(&s, &s.room);
    pthread_mutex_unlock(&s.mu);
    if (stopped(&s))
      break;
    int got = read_line(&s, rd, &ln, limit);
    if (got < 0 && !stopped(&s))
      read_errno = errno ? errno : EIO;
    if (got <= 0)
      break;
    line_no++;
    if (!ln.over && blank(ln.data, ln.len))
      continue; /* blank lines are allowed between records */
    record *r = calloc(1, sizeof *r);
    if (!r)
      cli_die_oom();
    r->line_no = line_no;
    if (ln.over) {
      r->out = oversized_answer(p, ln.data, ln.len, line_no, ln.size);
      r->failed = 1;
      r->state = DONE;
    } else {
      r->line = ln.data;
      r->line_len = ln.len;
      r->cost = ln.len;
      ln.data = NULL;
    }
    pthread_mutex_lock(&s.mu);
    append_record(&s, r);
    if (r->state == DONE)
      write_ready(&s);
    else
      pthread_cond_signal(&s.work);
    pthread_mutex_unlock(&s.mu);
  }
  free(ln.data);

  pthread_mutex_lock(&s.mu);
  s.eof = 1;
  pthread_cond_broadcast(&s.work);
  pthread_mutex_unlock(&s.mu);
  for (long t = 0; t < started; t++)
    pthread_join(threads[t], NULL);
  /* What the workers left: records after a stop. */
  while (s.head) {
    record *r = s.head;
    s.head = r->next;
    free_record(r);
  }
  if (!s.write_errno && fflush(stdout) != 0)
    s.write_errno = errno ? errno : EIO;
  pthread_cond_destroy(&s.room);
  pthread_cond_destroy(&s.work);
  pthread_mutex_destroy(&s.mu);
  free(threads);
  free(rd);

  if (cli_interrupted)
    return EXIT_INTERRUPTED;
  if (s.write_errno) {
    /* Worded as run_single's deliver_output words it. */
    fprintf(stderr, "galley: -: cannot write standard output: %s\n",
            strerror(s.write_errno));
    return EXIT_FAILED;
  }
  if (read_errno) {
    fprintf(stderr, "galley: -: %s\n", strerror(read_errno));
    return EXIT_FAILED;
  }
  if (p->c->inputs.n && p->c->verbosity >= 0)
    fprintf(stderr,
            "galley: %zu records of web archives: %zu converted, %zu skipped "
            "(not HTTP 200 responses of a type a reader takes), %zu failed\n",
            s.n_records, s.n_records - s.n_skipped - s.n_failed, s.n_skipped,
            s.n_failed);
  if (s.n_failed) {
    fprintf(stderr,
            "galley: -: %zu of %zu records failed (see their \"error\")\n",
            s.n_failed, s.n_records);
    return EXIT_FAILED;
  }
  return EXIT_OK;
}
