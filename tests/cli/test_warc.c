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

static void plain_records_read_in_order_with_their_headers(void **state) {
  (void)state;
  bytes b = {0};
  record(&b, "1.0", "request", "<https://a.example/x>",
         "GET / HTTP/1.1\r\n\r\n", 18);
  size_t second = b.n;
  record(&b, "1.1", "response", "https://a.example/x", page, strlen(page));
  char *path = write_tmp(&b, ".warc");
  warc_file *w;
  char why[256];
  assert_int_equal(warc_open(path, 0, &w, why, sizeof why), 0);
  warc_rec r = {0};
  assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
  assert_string_equal(r.version, "1.0");
  assert_string_equal(r.type, "request");
  /* WARC/1.0's angle brackets are not part of the URI. */
  assert_string_equal(r.uri, "https://a.example/x");
  assert_int_equal(r.offset, 0);
  assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
  assert_string_equal(r.version, "1.1");
  assert_string_equal(r.type, "response");
  assert_string_equal(r.id, "<urn:uuid:response>");
  assert_string_equal(r.date, "2024-05-01T12:00:00Z");
  assert_int_equal(r.offset, second);
  assert_int_equal(r.length, strlen(page));
  assert_memory_equal(r.block, page, strlen(page));
  assert_int_equal(warc_next(w, &r, why, sizeof why), 0);
  /* Random access: the second record by its offset. */
  assert_int_equal(warc_seek(w, second, why, sizeof why), 0);
  assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
  assert_string_equal(r.type, "response");
  warc_rec_clear(&r);
  warc_close(w);
  unlink(path);
  free(path);
  free(b.d);
}

static void gzip_members_give_their_offsets(void **state) {
  (void)state;
  bytes file = {0};
  uint64_t offs[3];
  for (int i = 0; i < 3; i++) {
    bytes one = {0};
    char uri[64];
    snprintf(uri, sizeof uri, "https://a.example/%d", i);
    record(&one, "1.1", "response", uri, page, strlen(page));
    offs[i] = file.n;
    gzip_member(&file, &one, i + 1);
    free(one.d);
  }
  char *path = write_tmp(&file, ".warc.gz");
  warc_file *w;
  char why[256];
  assert_int_equal(warc_open(path, 0, &w, why, sizeof why), 0);
  warc_rec r = {0};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
    assert_int_equal(r.offset, offs[i]);
    char uri[64];
    snprintf(uri, sizeof uri, "https://a.example/%d", i);
    assert_string_equal(r.uri, uri);
  }
  assert_int_equal(warc_next(w, &r, why, sizeof why), 0);
  assert_int_equal(warc_seek(w, offs[2], why, sizeof why), 0);
  assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
  assert_string_equal(r.uri, "https://a.example/2");
  warc_rec_clear(&r);
  warc_close(w);
  unlink(path);
  free(path);
  free(file.d);
}

static void corrupt_member_is_reported_and_the_walk_goes_on(void **state) {
  (void)state;
  bytes file = {0};
  uint64_t offs[3];
  for (int i = 0; i < 3; i++) {
    bytes one = {0};
    char uri[64];
    snprintf(uri, sizeof uri, "https://a.example/%d", i);
    record(&one, "1.1", "response", uri, page, strlen(page));
    offs[i] = file.n;
    gzip_member(&file, &one, 6);
    free(one.d);
  }
  for (size_t i = offs[1] + 12; i < offs[1] + 40; i++)
    file.d[i] ^= 0x5a;
  char *path = write_tmp(&file, ".warc.gz");
  warc_file *w;
  char why[256];
  assert_int_equal(warc_open(path, 0, &w, why, sizeof why), 0);
  warc_rec r = {0};
  assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
  assert_int_equal(warc_next(w, &r, why, sizeof why), -1);
  char want[64];
  snprintf(want, sizeof want,
           "record at offset %llu:", (unsigned long long)offs[1]);
  assert_non_null(strstr(why, want));
  assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
  assert_string_equal(r.uri, "https://a.example/2");
  assert_int_equal(r.offset, offs[2]);
  assert_int_equal(warc_next(w, &r, why, sizeof why), 0);
  warc_rec_clear(&r);
  warc_close(w);
  unlink(path);
  free(path);
  free(file.d);
}

static void truncated_last_member_is_reported_then_the_end(void **state) {
  (void)state;
  bytes file = {0};
  uint64_t last = 0;
  for (int i = 0; i < 2; i++) {
    bytes one = {0};
    record(&one, "1.1", "response", "https://a.example/", page, strlen(page));
    last = file.n;
    gzip_member(&file, &one, 6);
    free(one.d);
  }
  file.n = last + (file.n - last) / 2;
  char *path = write_tmp(&file, ".warc.gz");
  warc_file *w;
  char why[256];
  assert_int_equal(warc_open(path, 0, &w, why, sizeof why), 0);
  warc_rec r = {0};
  assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
  assert_int_equal(warc_next(w, &r, why, sizeof why), -1);
  assert_non_null(strstr(why, "cut short"));
  assert_int_equal(warc_next(w, &r, why, sizeof why), 0);
  warc_close(w);
  unlink(path);
  free(path);
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
  char *path = write_tmp(&b, ".warc");
  warc_file *w;
  char why[256];
  assert_int_equal(warc_open(path, 0, &w, why, sizeof why), 0);
  warc_rec r = {0};
  assert_int_equal(warc_next(w, &r, why, sizeof why), -1);
  assert_non_null(strstr(why, "record at offset 0: a Content-Length"));
  assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
  assert_int_equal(r.offset, good);
  assert_string_equal(r.uri, "https://a.example/ok");
  assert_int_equal(warc_next(w, &r, why, sizeof why), -1);
  assert_non_null(strstr(why, "cut short"));
  assert_int_equal(warc_next(w, &r, why, sizeof why), 0);
  warc_close(w);
  unlink(path);
  free(path);
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
    char *path = write_tmp(&file, gz ? ".warc.gz" : ".warc");
    warc_file *w;
    char why[256];
    assert_int_equal(warc_open(path, 4096, &w, why, sizeof why), 0);
    warc_rec r = {0};
    assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
    assert_true(r.too_big);
    assert_null(r.block);
    assert_int_equal(r.length, 10000);
    assert_string_equal(r.uri, "https://a.example/big");
    if (!gz) { /* in a member of its own, the rest of the member goes */
      assert_int_equal(warc_next(w, &r, why, sizeof why), 1);
      assert_false(r.too_big);
      assert_string_equal(r.uri, "https://a.example/small");
    }
    warc_rec_clear(&r);
    warc_close(w);
    unlink(path);
    free(path);
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
