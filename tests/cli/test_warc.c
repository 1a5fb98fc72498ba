/* The web archive parsers (core/cli/warc.c): WARC records plain and in
 * gzip members, offsets, cut and corrupt records, the size limit, HTTP
 * responses with their transfer and content encodings, output names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "names.h"
#include "warc.h"

typedef struct bytes {
  unsigned char *d;
  size_t n;
} bytes;

static void add(bytes *b, const void *p, size_t n) {
  b->d = realloc(b->d, b->n + n + 1);
  assert_non_null(b->d);
  memcpy(b->d + b->n, p, n);
  b->n += n;
}

static void adds(bytes *b, const char *s) { add(b, s, strlen(s)); }

/* A WARC record of `version` around `block`. */
static void record(bytes *b, const char *version, const char *type,
                   const char *uri, const void *block, size_t n) {
  char h[1024];
  snprintf(h, sizeof h,
           "WARC/%s\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
           "WARC-Date: 2024-05-01T12:00:00Z\r\n%s%s%s"
           "Content-Type: application/http; msgtype=response\r\n"
           "Content-Length: %zu\r\n\r\n",
           version, type, type, uri ? "WARC-Target-URI: " : "", uri ? uri : "",
           uri ? "\r\n" : "", n);
  adds(b, h);
  add(b, block, n);
  adds(b, "\r\n\r\n");
}

/* `data` as one gzip member. */
static void gzip_member(bytes *b, const bytes *data, int level) {
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                Z_DEFAULT_STRATEGY),
                   Z_OK);
  size_t cap = deflateBound(&z, (uLong)data->n) + 64;
  unsigned char *out = malloc(cap);
  z.next_in = data->d;
  z.avail_in = (uInt)data->n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  add(b, out, cap - z.avail_out);
  deflateEnd(&z);
  free(out);
}

static char *write_tmp(const bytes *b, const char *suffix) {
  char *path = malloc(64);
  snprintf(path, 64, "/tmp/galley-warc-XXXXXX%s", suffix);
  int fd = mkstemps(path, (int)strlen(suffix));
  assert_true(fd >= 0);
  assert_int_equal(write(fd, b->d, b->n), (ssize_t)b->n);
  close(fd);
  return path;
}

static const char page[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"Windows-1252\""
    "\r\n\r\n<p>caf\xe9</p>";

/* An archive written to a temporary file and opened: `w`, a record to
 * read into and a buffer for the reason of a failure. */
typedef struct archive {
  char *path;
  warc_file *w;
  warc_rec r;
  char why[256];
} archive;

static void open_archive(archive *a, const bytes *b, const char *suffix,
                         size_t limit) {
  memset(a, 0, sizeof *a);
  a->path = write_tmp(b, suffix);
  assert_int_equal(warc_open(a->path, limit, &a->w, a->why, sizeof a->why), 0);
}

/* The next record's outcome: 1 read, 0 the end, -1 a bad record (why). */
static int next(archive *a) {
  return warc_next(a->w, &a->r, a->why, sizeof a->why);
}

static void close_archive(archive *a) {
  warc_rec_clear(&a->r);
  warc_close(a->w);
  unlink(a->path);
  free(a->path);
}

/* `n` gzip members at `level`, the i-th a response for
 * https://a.example/I; each member's offset in offs[i]. */
static void gzip_records(bytes *file, int n, uint64_t *offs, int level) {
  for (int i = 0; i < n; i++) {
    bytes one = {0};
    char uri[64];
    snprintf(uri, sizeof uri, "https://a.example/%d", i);
    record(&one, "1.1", "response", uri, page, strlen(page));
    offs[i] = file->n;
    gzip_member(file, &one, level ? level : i + 1);
    free(one.d);
  }
}

static void plain_records_read_in_order_with_their_headers(void **state) {
  (void)state;
  bytes b = {0};
  record(&b, "1.0", "request", "<https://a.example/x>",
         "GET / HTTP/1.1\r\n\r\n", 18);
  size_t second = b.n;
  record(&b, "1.1", "response", "https://a.example/x", page, strlen(page));
  archive a;
  open_archive(&a, &b, ".warc", 0);
  assert_int_equal(next(&a), 1);
  assert_string_equal(a.r.version, "1.0");
  assert_string_equal(a.r.type, "request");
  /* WARC/1.0's angle brackets are not part of the URI. */
  assert_string_equal(a.r.uri, "https://a.example/x");
  assert_int_equal(a.r.offset, 0);
  assert_int_equal(next(&a), 1);
  assert_string_equal(a.r.version, "1.1");
  assert_string_equal(a.r.type, "response");
  assert_string_equal(a.r.id, "<urn:uuid:response>");
  assert_string_equal(a.r.date, "2024-05-01T12:00:00Z");
  assert_int_equal(a.r.offset, second);
  assert_int_equal(a.r.length, strlen(page));
  assert_memory_equal(a.r.block, page, strlen(page));
  assert_int_equal(next(&a), 0);
  /* Random access: the second record by its offset. */
  assert_int_equal(warc_seek(a.w, second, a.why, sizeof a.why), 0);
  assert_int_equal(next(&a), 1);
  assert_string_equal(a.r.type, "response");
  close_archive(&a);
  free(b.d);
}

static void gzip_members_give_their_offsets(void **state) {
  (void)state;
  bytes file = {0};
  uint64_t offs[3];
  gzip_records(&file, 3, offs, 0);
  archive a;
  open_archive(&a, &file, ".warc.gz", 0);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(next(&a), 1);
    assert_int_equal(a.r.offset, offs[i]);
    char uri[64];
    snprintf(uri, sizeof uri, "https://a.example/%d", i);
    assert_string_equal(a.r.uri, uri);
  }
  assert_int_equal(next(&a), 0);
  assert_int_equal(warc_seek(a.w, offs[2], a.why, sizeof a.why), 0);
  assert_int_equal(next(&a), 1);
  assert_string_equal(a.r.uri, "https://a.example/2");
  close_archive(&a);
  free(file.d);
}

static void corrupt_member_is_reported_and_the_walk_goes_on(void **state) {
  (void)state;
  bytes file = {0};
  uint64_t offs[3];
  gzip_records(&file, 3, offs, 6);
  for (size_t i = offs[1] + 12; i < offs[1] + 40; i++)
    file.d[i] ^= 0x5a;
  archive a;
  open_archive(&a, &file, ".warc.gz", 0);
  assert_int_equal(next(&a), 1);
  assert_int_equal(next(&a), -1);
  char want[64];
  snprintf(want, sizeof want,
           "record at offset %llu:", (unsigned long long)offs[1]);
  assert_non_null(strstr(a.why, want));
  assert_int_equal(next(&a), 1);
  assert_string_equal(a.r.uri, "https://a.example/2");
  assert_int_equal(a.r.offset, offs[2]);
  assert_int_equal(next(&a), 0);
  close_archive(&a);
  free(file.d);
}

static void truncated_last_member_is_reported_then_the_end(void **state) {
  (void)state;
  bytes file = {0};
  uint64_t offs[2];
  gzip_records(&file, 2, offs, 6);
  file.n = offs[1] + (file.n - offs[1]) / 2;
  archive a;
  open_archive(&a, &file, ".warc.gz", 0);
  assert_int_equal(next(&a), 1);
  assert_int_equal(next(&a), -1);
  assert_non_null(strstr(a.why, "cut short"));
  assert_int_equal(next(&a), 0);
  close_archive(&a);
  free(file.d);
}

static void plain_record_cut_short_and_bad_length(void **state) {
  (void)state;
  bytes b = {0};
  adds(&b, "WARC/1.1\r\nWARC-Type: response\r\nContent-Length: nope\r\n\r\n"
           "junk\r\n\r\n");
  size_t good = b.n;
  record(&b, "1.1", "response", "https://a.example/ok", page, strlen(page));
  record(&b, "1.1", "response", "https://a.example/cut", page, strlen(page));
  b.n -= 20;
  archive a;
  open_archive(&a, &b, ".warc", 0);
  assert_int_equal(next(&a), -1);
  assert_non_null(strstr(a.why, "record at offset 0: a Content-Length"));
  assert_int_equal(next(&a), 1);
  assert_int_equal(a.r.offset, good);
  assert_string_equal(a.r.uri, "https://a.example/ok");
  assert_int_equal(next(&a), -1);
  assert_non_null(strstr(a.why, "cut short"));
  assert_int_equal(next(&a), 0);
  close_archive(&a);
  free(b.d);
}

static void record_over_the_limit_keeps_its_header_only(void **state) {
  (void)state;
  char *big = malloc(10000);
  memset(big, 'x', 10000);
  for (int gz = 0; gz < 2; gz++) {
    bytes one = {0}, file = {0};
    record(&one, "1.1", "response", "https://a.example/big", big, 10000);
    record(&one, "1.1", "response", "https://a.example/small", page,
           strlen(page));
    if (gz)
      gzip_member(&file, &one, 6);
    else
      add(&file, one.d, one.n);
    archive a;
    open_archive(&a, &file, gz ? ".warc.gz" : ".warc", 4096);
    assert_int_equal(next(&a), 1);
    assert_true(a.r.too_big);
    assert_null(a.r.block);
    assert_int_equal(a.r.length, 10000);
    assert_string_equal(a.r.uri, "https://a.example/big");
    if (!gz) { /* in a member of its own, the rest of the member goes */
      assert_int_equal(next(&a), 1);
      assert_false(a.r.too_big);
      assert_string_equal(a.r.uri, "https://a.example/small");
    }
    close_archive(&a);
    free(one.d);
    free(file.d);
  }
  free(big);
}

static void http_charset_and_status(void **state) {
  (void)state;
  warc_http h;
  int too_big;
  char why[256];
  assert_int_equal(warc_http_parse((const unsigned char *)page, strlen(page), 0,
                                   &h, &too_big, why, sizeof why),
                   0);
  assert_int_equal(h.status, 200);
  assert_string_equal(h.media_type, "text/html");
  assert_string_equal(h.charset, "windows-1252");
  assert_int_equal(h.body_len, 11);
  assert_memory_equal(h.body, "<p>caf\xe9</p>", 11);
  warc_http_clear(&h);
  const char *nf = "HTTP/1.0 404 Not Found\nContent-Type: text/html\n\nno";
  assert_int_equal(warc_http_parse((const unsigned char *)nf, strlen(nf), 0, &h,
                                   &too_big, why, sizeof why),
                   0);
  assert_int_equal(h.status, 404);
  assert_null(h.charset);
  warc_http_clear(&h);
  const char *no = "GET / HTTP/1.1\r\n\r\n";
  assert_int_equal(warc_http_parse((const unsigned char *)no, strlen(no), 0, &h,
                                   &too_big, why, sizeof why),
                   -1);
}

/* `body` deflated: wbits 16+15 gzip, 15 zlib, -15 raw. */
static void deflated(bytes *out, const char *body, int wbits) {
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(
      deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  unsigned char buf[4096];
  z.next_in = (unsigned char *)body;
  z.avail_in = (uInt)strlen(body);
  z.next_out = buf;
  z.avail_out = sizeof buf;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  add(out, buf, sizeof buf - z.avail_out);
  deflateEnd(&z);
}

static void http_chunked_and_content_encodings_are_undone(void **state) {
  (void)state;
  const char *body = "<html><body><p>Hello, archived world.</p></body></html>";
  static const struct {
    const char *coding;
    int wbits;
  } cases[] = {{"gzip", 16 + MAX_WBITS},
               {"deflate", MAX_WBITS},
               {"deflate", -MAX_WBITS},
               {NULL, 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (int chunk = 0; chunk < 2; chunk++) {
      bytes payload = {0}, msg = {0};
      if (cases[i].coding)
        deflated(&payload, body, cases[i].wbits);
      else
        adds(&payload, body);
      adds(&msg, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n");
      if (cases[i].coding) {
        adds(&msg, "Content-Encoding: ");
        adds(&msg, cases[i].coding);
        adds(&msg, "\r\n");
      }
      if (chunk) {
        adds(&msg, "Transfer-Encoding: chunked\r\n\r\n");
        for (size_t at = 0; at < payload.n; at += 7) {
          size_t n = payload.n - at < 7 ? payload.n - at : 7;
          char line[32];
          snprintf(line, sizeof line, "%zx;x=y\r\n", n);
          adds(&msg, line);
          add(&msg, payload.d + at, n);
          adds(&msg, "\r\n");
        }
        adds(&msg, "0\r\n\r\n");
      } else {
        adds(&msg, "\r\n");
        add(&msg, payload.d, payload.n);
      }
      warc_http h;
      int too_big;
      char why[256];
      assert_int_equal(
          warc_http_parse(msg.d, msg.n, 0, &h, &too_big, why, sizeof why), 0);
      assert_int_equal(h.body_len, strlen(body));
      assert_memory_equal(h.body, body, strlen(body));
      warc_http_clear(&h);
      /* The decoded body is held to the limit. */
      assert_int_equal(
          warc_http_parse(msg.d, msg.n, 20, &h, &too_big, why, sizeof why), -1);
      assert_true(too_big);
      free(payload.d);
      free(msg.d);
    }
  }
  const char *br = "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nxx";
  warc_http h;
  int too_big;
  char why[256];
  assert_int_equal(warc_http_parse((const unsigned char *)br, strlen(br), 0, &h,
                                   &too_big, why, sizeof why),
                   -1);
  assert_non_null(strstr(why, "'br'"));
}

static void output_stems_are_stable_and_distinct(void **state) {
  (void)state;
  char *a = warc_stem("https://example.org/2024/05/story.html");
  char *a2 = warc_stem("https://example.org/2024/05/story.html");
  char *b = warc_stem("https://example.org/2023/story.html");
  char *c = warc_stem("https://example.org/");
  char *d = warc_stem("https://example.org/../..");
  assert_string_equal(a, a2);
  assert_string_not_equal(a, b);
  assert_int_equal(strncmp(a, "story-", 6), 0);
  assert_int_equal(strncmp(c, "example.org-", 12), 0);
  assert_null(strchr(d, '/'));
  assert_true(d[0] != '.');
  /* A URL's name is never a hidden file, and keeps to its length. */
  char *e = url_stem("https://example.org/.env", 80);
  assert_string_equal(e, "env");
  char *f = url_stem("https://example.org/a-very-long-name-of-a-story.html", 6);
  assert_string_equal(f, "a-very");
  free(e);
  free(f);
  free(a);
  free(a2);
  free(b);
  free(c);
  free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_records_read_in_order_with_their_headers),
      cmocka_unit_test(gzip_members_give_their_offsets),
      cmocka_unit_test(corrupt_member_is_reported_and_the_walk_goes_on),
      cmocka_unit_test(truncated_last_member_is_reported_then_the_end),
      cmocka_unit_test(plain_record_cut_short_and_bad_length),
      cmocka_unit_test(record_over_the_limit_keeps_its_header_only),
      cmocka_unit_test(http_charset_and_status),
      cmocka_unit_test(http_chunked_and_content_encodings_are_undone),
      cmocka_unit_test(output_stems_are_stable_and_distinct),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
