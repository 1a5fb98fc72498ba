/* The fetcher against tests/net/server.py on 127.0.0.1: bytes, final URLs,
 * types, redirects, decoding, limits, every error message, the address
 * policy (checked against the server's request log: a refusal leaves no
 * trace there), offline, proxies, and parallel batches. Nothing here
 * connects anywhere but the servers it starts; the one name it resolves
 * fails inside the C library without a DNS query (a label over 63 bytes).
 * Exits 77 (skipped) when python3 is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <galley/fetch.h>

/* ---- The server ---------------------------------------------------------- */

typedef struct server {
  pid_t pid;
  int stdin_fd;
  int port;
  char log[512];
  char cert[512], key[512]; /* --tls when set */
} server;

static const char *python(void) {
  const char *p = getenv("GALLEY_PYTHON");
  return p && *p ? p : NULL;
}

static const char *tmp_dir(void) {
  const char *d = getenv("GALLEY_NET_TMP");
  return d && *d ? d : "/tmp";
}

/* Starts server.py; fails the test when it does not print its port within
 * 10 s. */
static void server_start(server *s) {
  snprintf(s->log, sizeof s->log, "%s/net-log-XXXXXX", tmp_dir());
  int fd = mkstemp(s->log);
  assert_true(fd >= 0);
  close(fd);
  int in[2], out[2];
  assert_int_equal(pipe(in), 0);
  assert_int_equal(pipe(out), 0);
  /* The ends the child does not use must not leak into later servers:
   * a server whose stdin pipe another child still holds never sees EOF. */
  fcntl(in[1], F_SETFD, FD_CLOEXEC);
  fcntl(out[0], F_SETFD, FD_CLOEXEC);
  s->pid = fork();
  assert_true(s->pid >= 0);
  if (s->pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    if (s->cert[0])
      execl(python(), python(), NET_SERVER, NET_FIXTURES, s->log, "--tls",
            s->cert, s->key, (char *)NULL);
    else
      execl(python(), python(), NET_SERVER, NET_FIXTURES, s->log, (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  s->stdin_fd = in[1];
  char line[32] = {0};
  size_t got = 0;
  struct pollfd p = {out[0], POLLIN, 0};
  while (got < sizeof line - 1 && !strchr(line, '\n')) {
    if (poll(&p, 1, 10000) <= 0)
      break;
    ssize_t n = read(out[0], line + got, sizeof line - 1 - got);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(out[0]);
  s->port = atoi(line);
  if (s->port <= 0)
    fail_msg("server.py did not start (printed '%s')", line);
}

/* Stops the server (end of its standard input) and removes its log. */
static void server_stop(server *s) {
  if (s->pid <= 0)
    return;
  close(s->stdin_fd);
  int status;
  for (int i = 0; i < 100; i++) {
    if (waitpid(s->pid, &status, WNOHANG) == s->pid)
      goto done;
    usleep(50000);
  }
  kill(s->pid, SIGTERM);
  waitpid(s->pid, &status, 0);
done:
  unlink(s->log);
  s->pid = 0;
}

/* The server's log, malloc'd and NUL-terminated. */
static char *log_text(const server *s) {
  FILE *f = fopen(s->log, "rb");
  assert_non_null(f);
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  size_t n;
  while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (len + 1 == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
  }
  buf[len] = '\0';
  fclose(f);
  return buf;
}

/* How many log lines start with `prefix`. */
static int log_count(const server *s, const char *prefix) {
  char *text = log_text(s);
  int count = 0;
  size_t plen = strlen(prefix);
  for (char *line = text; *line;) {
    char *end = strchr(line, '\n');
    if (strncmp(line, prefix, plen) == 0)
      count++;
    if (!end)
      break;
    line = end + 1;
  }
  free(text);
  return count;
}

/* The first log line that starts with `prefix` (its rest, malloc'd), or
 * NULL. */
static char *log_find(const server *s, const char *prefix) {
  char *text = log_text(s);
  char *found = NULL;
  size_t plen = strlen(prefix);
  for (char *line = text; *line;) {
    char *end = strchr(line, '\n');
    if (end)
      *end = '\0';
    if (strncmp(line, prefix, plen) == 0) {
      found = strdup(line + plen);
      break;
    }
    if (!end)
      break;
    line = end + 1;
  }
  free(text);
  return found;
}

/* The largest n of the "ACTIVE n" lines. */
static int log_max_active(const server *s) {
  char *text = log_text(s);
  int max = 0;
  for (char *p = text; (p = strstr(p, "ACTIVE ")); p += 7) {
    int n = atoi(p + 7);
    if (n > max)
      max = n;
  }
  free(text);
  return max;
}

static bool log_empty(const server *s) {
  char *text = log_text(s);
  bool empty = text[0] == '\0';
  free(text);
  return empty;
}

static char url_buf[8][512];
static int url_next;

/* "http://127.0.0.1:PORT" + path, in one of a few rotating buffers. */
static const char *url_of(const server *s, const char *path) {
  char *b = url_buf[url_next++ % 8];
  snprintf(b, sizeof url_buf[0], "http://127.0.0.1:%d%s", s->port, path);
  return b;
}

/* True when `len` bytes at `d` contain the string `s`. */
static bool contains(const unsigned char *d, size_t len, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(d + i, s, n) == 0)
      return true;
  return false;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Fixtures ------------------------------------------------------------ */

typedef struct fx {
  server srv;
  galley_fetch_options opts;
} fx;

static int setup(void **state) {
  fx *x = calloc(1, sizeof *x);
  assert_non_null(x);
  server_start(&x->srv);
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT;
  /* The server is on 127.0.0.1: the normal routes need this. */
  o.allow_local_network = true;
  x->opts = o;
  *state = x;
  return 0;
}

static int teardown(void **state) {
  fx *x = *state;
  server_stop(&x->srv);
  free(x);
  return 0;
}

static galley_fetcher *fetcher(const galley_fetch_options *o) {
  galley_fetcher *f = NULL;
  assert_int_equal(galley_fetcher_new(&f, o), GALLEY_OK);
  assert_non_null(f);
  return f;
}

/* Fetches `url` expecting failure `status` with message `msg`. */
static void expect_error(const galley_fetch_options *o, const char *url,
                         int status, const char *msg) {
  galley_fetcher *f = fetcher(o);
  galley_response *r = (galley_response *)1;
  int rc = galley_fetcher_get(f, &r, url);
  if (rc != status || !galley_fetcher_errmsg(f) ||
      strcmp(galley_fetcher_errmsg(f), msg) != 0)
    fail_msg("%s: expected %d '%s', got %d '%s'", url, status, msg, rc,
             galley_fetcher_errmsg(f) ? galley_fetcher_errmsg(f) : "(none)");
  assert_null(r);
  galley_fetcher_free(f);
}

/* Fetches `url` expecting success; the caller frees the response. */
static galley_response *expect_ok(const galley_fetch_options *o,
                                  const char *url) {
  galley_fetcher *f = fetcher(o);
  galley_response *r = NULL;
  int rc = galley_fetcher_get(f, &r, url);
  if (rc != GALLEY_OK)
    fail_msg("%s: %s", url, galley_fetcher_errmsg(f));
  assert_non_null(r);
  assert_null(galley_fetcher_errmsg(f));
  galley_fetcher_free(f);
  return r;
}

static char *read_fixture(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", NET_FIXTURES, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = malloc(1 << 20);
  assert_non_null(buf);
  *len = fread(buf, 1, 1 << 20, f);
  fclose(f);
  return buf;
}

static void assert_body_is_fixture(const galley_response *r, const char *name) {
  size_t want_len, got_len;
  char *want = read_fixture(name, &want_len);
  const unsigned char *got = galley_response_data(r, &got_len);
  assert_int_equal(got_len, want_len);
  assert_memory_equal(got, want, want_len);
  assert_int_equal(got[got_len], '\0');
  free(want);
}

/* ---- One document -------------------------------------------------------- */

static void get_returns_bytes_final_url_status_and_type(void **state) {
  fx *x = *state;
  galley_response *r = expect_ok(&x->opts, url_of(&x->srv, "/page.html"));
  assert_body_is_fixture(r, "page.html");
  assert_int_equal(galley_response_status(r), GALLEY_OK);
  assert_null(galley_response_error(r));
  assert_string_equal(galley_response_url(r), url_of(&x->srv, "/page.html"));
  assert_string_equal(galley_response_request_url(r),
                      url_of(&x->srv, "/page.html"));
  assert_int_equal(galley_response_http_status(r), 200);
  assert_string_equal(galley_response_media_type(r), "text/html");
  assert_null(galley_response_charset(r));
  assert_null(galley_response_sniffed_type(r));
  galley_response_free(r);

  /* The User-Agent names galley and its version; every encoding this
   * libcurl decodes is offered, brotli included. */
  char *req = log_find(&x->srv, "REQ /page.html ");
  assert_non_null(req);
  char ua[128];
  snprintf(ua, sizeof ua, "ua=galley/%s ", galley_version());
  if (!strstr(req, ua) || !strstr(req, "gzip") || !strstr(req, "deflate") ||
      !strstr(req, "br"))
    fail_msg("request line: %s", req);
  free(req);
}

static void redirects_are_followed_and_the_final_url_reported(void **state) {
  fx *x = *state;
  galley_response *r = expect_ok(&x->opts, url_of(&x->srv, "/redirect/3"));
  size_t len;
  const unsigned char *body = galley_response_data(r, &len);
  assert_int_equal(len, 8);
  assert_memory_equal(body, "arrived\n", 8);
  assert_string_equal(galley_response_url(r), url_of(&x->srv, "/redirect/0"));
  assert_string_equal(galley_response_request_url(r),
                      url_of(&x->srv, "/redirect/3"));
  assert_int_equal(galley_response_http_status(r), 200);
  galley_response_free(r);
  assert_int_equal(log_count(&x->srv, "REQ /redirect/"), 4);
  /* Two connections at most: the hops reuse one. */
  assert_int_equal(log_count(&x->srv, "CONN"), 1);

  /* A relative Location resolves against the hop that sent it. */
  r = expect_ok(&x->opts, url_of(&x->srv, "/a/b/to-relative"));
  assert_string_equal(galley_response_url(r), url_of(&x->srv, "/page.html"));
  assert_body_is_fixture(r, "page.html");
  galley_response_free(r);
}

static void ten_redirects_are_followed_and_eleven_are_too_many(void **state) {
  fx *x = *state;
  galley_response *r = expect_ok(&x->opts, url_of(&x->srv, "/redirect/10"));
  assert_string_equal(galley_response_url(r), url_of(&x->srv, "/redirect/0"));
  galley_response_free(r);
  expect_error(&x->opts, url_of(&x->srv, "/redirect/11"), GALLEY_ELIMIT,
               "too many redirects (over 10)");
  expect_error(&x->opts, url_of(&x->srv, "/loop"), GALLEY_ELIMIT,
               "too many redirects (over 10)");
  /* The first request and ten redirects, then it stops. */
  assert_int_equal(log_count(&x->srv, "REQ /loop "), 11);
}

static void redirects_to_other_schemes_are_refused(void **state) {
  fx *x = *state;
  expect_error(&x->opts, url_of(&x->srv, "/to-file"), GALLEY_EUNSUPPORTED,
               "redirect to file:///etc/passwd refused (only http and https)");
  expect_error(&x->opts, url_of(&x->srv, "/to-ftp"), GALLEY_EUNSUPPORTED,
               "redirect to ftp://127.0.0.1/x refused (only http and https)");
  expect_error(&x->opts, url_of(&x->srv, "/to-data"), GALLEY_EUNSUPPORTED,
               "redirect to data:text/plain,hi refused (only http and https)");
  expect_error(&x->opts, url_of(&x->srv, "/no-location"), GALLEY_EIO,
               "HTTP 302 without a Location");
}

static void other_schemes_are_refused_before_any_connection(void **state) {
  fx *x = *state;
  char ftp[128];
  snprintf(ftp, sizeof ftp, "ftp://127.0.0.1:%d/page.html", x->srv.port);
  expect_error(&x->opts, "file:///etc/passwd", GALLEY_EUNSUPPORTED,
               "scheme file: refused (only http and https)");
  expect_error(&x->opts, ftp, GALLEY_EUNSUPPORTED,
               "scheme ftp: refused (only http and https)");
  expect_error(&x->opts, "javascript:alert(1)", GALLEY_EUNSUPPORTED,
               "scheme javascript: refused (only http and https)");
  expect_error(&x->opts, "page.html", GALLEY_EINVALID,
               "not an absolute URL: page.html");
  expect_error(&x->opts, "http://exa mple.com/", GALLEY_EINVALID,
               "not a valid URL: http://exa mple.com/");
  assert_true(log_empty(&x->srv));
}

static void gzip_and_deflate_are_decoded(void **state) {
  fx *x = *state;
  galley_response *r = expect_ok(&x->opts, url_of(&x->srv, "/gzip/page.html"));
  assert_body_is_fixture(r, "page.html");
  assert_string_equal(galley_response_charset(r), "utf-8");
  galley_response_free(r);
  r = expect_ok(&x->opts, url_of(&x->srv, "/deflate/page.html"));
  assert_body_is_fixture(r, "page.html");
  galley_response_free(r);
}

static void a_charset_only_in_the_header_is_reported(void **state) {
  fx *x = *state;
  galley_response *r = expect_ok(&x->opts, url_of(&x->srv, "/charset-only"));
  assert_string_equal(galley_response_media_type(r), "text/html");
  assert_string_equal(galley_response_charset(r), "windows-1252");
  /* The bytes are handed on as sent: decoding them is the reader's job. */
  size_t len;
  const char *body = (const char *)galley_response_data(r, &len);
  assert_non_null(strstr(body, "<p>Caf\xe9 cr\xe8me \x96 \x93quoted\x94</p>"));
  assert_null(strstr(body, "<meta"));
  galley_response_free(r);
}

static void content_type_parameters_are_parsed(void **state) {
  fx *x = *state;
  static const struct {
    const char *query, *media, *charset;
  } cases[] = {
      {"text/html;%20charset=%22UTF-8%22", "text/html", "utf-8"},
      {"TEXT/HTML;Charset=ISO-8859-1", "text/html", "iso-8859-1"},
      {"text/plain;%20format=flowed;%20charset=utf-8", "text/plain", "utf-8"},
      {"text/plain;%20title=%22a;charset=x%22;%20charset=koi8-r", "text/plain",
       "koi8-r"},
      {"text/html;%20charset=", "text/html", NULL},
      {"garbage", NULL, NULL},
      {"", NULL, NULL}, /* no Content-Type at all */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char path[256];
    snprintf(path, sizeof path, "/ctype?v=%s", cases[i].query);
    galley_response *r = expect_ok(&x->opts, url_of(&x->srv, path));
    const char *m = galley_response_media_type(r);
    const char *c = galley_response_charset(r);
    if ((m == NULL) != (cases[i].media == NULL) ||
        (m && strcmp(m, cases[i].media)) ||
        (c == NULL) != (cases[i].charset == NULL) ||
        (c && strcmp(c, cases[i].charset)))
      fail_msg("%s: got %s / %s", cases[i].query, m ? m : "NULL",
               c ? c : "NULL");
    galley_response_free(r);
  }
}

static void http_errors_are_one_line(void **state) {
  fx *x = *state;
  expect_error(&x->opts, url_of(&x->srv, "/404"), GALLEY_ENOTFOUND, "HTTP 404");
  expect_error(&x->opts, url_of(&x->srv, "/500"), GALLEY_EIO, "HTTP 500");
}

static void an_unresolvable_host_and_a_closed_port_are_named(void **state) {
  fx *x = *state;
  /* A label over 63 bytes: the C library refuses it without asking a
   * DNS server, so this test sends nothing anywhere. */
  char host[80], url[128], msg[160];
  memset(host, 'a', 64);
  strcpy(host + 64, ".invalid");
  snprintf(url, sizeof url, "http://%s/page.html", host);
  snprintf(msg, sizeof msg, "could not resolve host %s", host);
  expect_error(&x->opts, url, GALLEY_EIO, msg);

  /* A port nobody listens on: bound, then closed. */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in in = {0};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof in), 0);
  socklen_t len = sizeof in;
  getsockname(fd, (struct sockaddr *)&in, &len);
  close(fd);
  snprintf(url, sizeof url, "http://127.0.0.1:%d/", ntohs(in.sin_port));
  snprintf(msg, sizeof msg, "could not connect to 127.0.0.1 port %d",
           ntohs(in.sin_port));
  expect_error(&x->opts, url, GALLEY_EIO, msg);
}

/* Waits up to 10 s for the server to log how much `route` sent. */
static long sent_by(const server *s, const char *route) {
  char prefix[64];
  snprintf(prefix, sizeof prefix, "SENT %s ", route);
  for (int i = 0; i < 200; i++) {
    char *line = log_find(s, prefix);
    if (line) {
      long n = atol(line);
      free(line);
      return n;
    }
    usleep(50000);
  }
  fail_msg("the server never logged what %s sent", route);
  return -1;
}

#define OVER_1MIB                                                              \
  "response over the size limit of 1048576 bytes (-O max-fetch-size)"

static void
a_response_over_the_limit_is_stopped_while_downloading(void **state) {
  fx *x = *state;
  galley_fetch_options o = x->opts;
  o.max_response_bytes = 1 << 20;
  /* Each route would send 1 GiB; what it got out before the client hung
   * up is the limit plus what socket buffers hold. /huge has no length:
   * only counting the bytes stops it. /huge?length declares 1 GiB: it is
   * refused on its headers. /empty-stream is gzip that decodes to nothing:
   * the bytes on the wire stop it. */
  static const char *const routes[] = {"/huge", "/huge?length",
                                       "/empty-stream"};
  for (size_t i = 0; i < 3; i++) {
    double t0 = now_s();
    galley_fetcher *f = fetcher(&o);
    galley_response *r = NULL;
    assert_int_equal(galley_fetcher_get(f, &r, url_of(&x->srv, routes[i])),
                     GALLEY_ELIMIT);
    assert_string_equal(galley_fetcher_errmsg(f), OVER_1MIB);
    assert_true(galley_fetcher_total_bytes(f) <= (size_t)1 << 20);
    galley_fetcher_free(f);
    long sent = sent_by(&x->srv, routes[i]);
    if (sent >= 64L << 20)
      fail_msg("%s sent %ld bytes before the client stopped", routes[i], sent);
    assert_true(now_s() - t0 < 10);
  }
}

static void a_compression_bomb_stops_at_the_decoded_limit(void **state) {
  fx *x = *state;
  galley_fetch_options o = x->opts;
  o.max_response_bytes = 1 << 20; /* the bomb is 64 KiB, 64 MiB decoded */
  galley_fetcher *f = fetcher(&o);
  galley_response *r = NULL;
  assert_int_equal(galley_fetcher_get(f, &r, url_of(&x->srv, "/bomb")),
                   GALLEY_ELIMIT);
  assert_string_equal(galley_fetcher_errmsg(f), OVER_1MIB);
  assert_true(galley_fetcher_total_bytes(f) <= (size_t)1 << 20);
  galley_fetcher_free(f);

  /* Without the limit the same bytes decode to all 64 MiB. */
  o.max_response_bytes = 0;
  r = expect_ok(&o, url_of(&x->srv, "/bomb"));
  size_t len;
  galley_response_data(r, &len);
  assert_int_equal(len, (size_t)64 << 20);
  galley_response_free(r);
}

static void the_total_timeout_names_its_seconds(void **state) {
  fx *x = *state;
  galley_fetch_options o = x->opts;
  o.timeout_ms = 500;
  double t0 = now_s();
  expect_error(&o, url_of(&x->srv, "/slow?s=3"), GALLEY_ELIMIT,
               "timed out after 0.5 s");
  double took = now_s() - t0;
  if (took < 0.45 || took > 2.5)
    fail_msg("took %.2f s", took);
}

static void a_self_signed_certificate_is_refused(void **state) {
  (void)state;
  char dir[256], cmd[2048];
  snprintf(dir, sizeof dir, "%.200s/net-tls-XXXXXX", tmp_dir());
  assert_non_null(mkdtemp(dir));
  server s = {0};
  snprintf(s.cert, sizeof s.cert, "%s/cert.pem", dir);
  snprintf(s.key, sizeof s.key, "%s/key.pem", dir);
  snprintf(cmd, sizeof cmd,
           "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
           "-nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
           "-days 1 -keyout %s -out %s >/dev/null 2>&1",
           s.key, s.cert);
  if (system(cmd) != 0) {
    rmdir(dir);
    skip(); /* no openssl program */
  }
  server_start(&s);
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT;
  o.allow_local_network = true;
  char url[128];
  snprintf(url, sizeof url, "https://127.0.0.1:%d/page.html", s.port);
  galley_fetcher *f = fetcher(&o);
  galley_response *r = NULL;
  assert_int_equal(galley_fetcher_get(f, &r, url), GALLEY_EIO);
  const char *msg = galley_fetcher_errmsg(f);
  if (strncmp(msg, "TLS certificate of 127.0.0.1 could not be verified: ",
              52) != 0 ||
      !strstr(msg, "self-signed"))
    fail_msg("got '%s'", msg);
  galley_fetcher_free(f);
  assert_int_equal(log_count(&s, "REQ "), 0);
  server_stop(&s);
  unlink(s.cert);
  unlink(s.key);
  rmdir(dir);
}

/* ---- The address policy -------------------------------------------------- */

#define LOOPBACK_REFUSED                                                       \
  "address 127.0.0.1 is loopback; refused (--allow-local-network allows it)"

static void loopback_is_refused_before_any_request(void **state) {
  fx *x = *state;
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT; /* no local network */
  expect_error(&o, url_of(&x->srv, "/page.html"), GALLEY_EUNSUPPORTED,
               LOOPBACK_REFUSED);
  /* The same address spelt otherwise. */
  char url[128];
  snprintf(url, sizeof url, "http://2130706433:%d/page.html", x->srv.port);
  expect_error(&o, url, GALLEY_EUNSUPPORTED, LOOPBACK_REFUSED);
  snprintf(url, sizeof url, "http://[::ffff:127.0.0.1]:%d/page.html",
           x->srv.port);
  expect_error(&o, url, GALLEY_EUNSUPPORTED,
               "address ::ffff:127.0.0.1 is loopback; refused "
               "(--allow-local-network allows it)");
  snprintf(url, sizeof url, "http://169.254.169.254/latest/meta-data/");
  expect_error(&o, url, GALLEY_EUNSUPPORTED,
               "address 169.254.169.254 is link-local; refused "
               "(--allow-local-network allows it)");

  /* A name is checked by what it resolves to, on the socket libcurl is
   * about to connect, and refused there with galley's message. */
  snprintf(url, sizeof url, "http://localhost:%d/page.html", x->srv.port);
  galley_fetcher *f = fetcher(&o);
  galley_response *r = NULL;
  assert_int_equal(galley_fetcher_get(f, &r, url), GALLEY_EUNSUPPORTED);
  const char *msg = galley_fetcher_errmsg(f);
  if (strcmp(msg, LOOPBACK_REFUSED) != 0 &&
      strcmp(msg, "address ::1 is loopback; refused "
                  "(--allow-local-network allows it)") != 0)
    fail_msg("got '%s'", msg);
  galley_fetcher_free(f);

  /* Not a connection, not a request. */
  assert_true(log_empty(&x->srv));

  /* The same with the network allowed. */
  r = expect_ok(&x->opts, url);
  galley_response_free(r);
  assert_int_equal(log_count(&x->srv, "REQ /page.html "), 1);
}

/* Treats the one server at `data` (a port) as public: a stand-in for a
 * public web site, so that its redirects to local addresses can be tested
 * on a machine where everything is 127.0.0.1. */
static bool only_this_port_is_public(void *data, const struct sockaddr *sa,
                                     size_t len, galley_net_class cls) {
  int port = *(const int *)data;
  if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in) &&
      ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port) == port)
    return true;
  return cls == GALLEY_NET_PUBLIC;
}

static void every_redirect_hop_is_checked(void **state) {
  fx *x = *state;
  server other = {0};
  server_start(&other);
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT;
  o.allow_address = only_this_port_is_public;
  o.allow_address_data = &x->srv.port;

  /* The "public" server works... */
  galley_response *r = expect_ok(&o, url_of(&x->srv, "/page.html"));
  galley_response_free(r);

  /* ...but its redirect to a loopback literal is refused... */
  char path[64];
  snprintf(path, sizeof path, "/to-local?port=%d", other.port);
  expect_error(&o, url_of(&x->srv, path), GALLEY_EUNSUPPORTED,
               LOOPBACK_REFUSED);
  /* ...and to a name that resolves to loopback, at the connection. */
  snprintf(path, sizeof path, "/to-localhost?port=%d", other.port);
  galley_fetcher *f = fetcher(&o);
  assert_int_equal(galley_fetcher_get(f, &r, url_of(&x->srv, path)),
                   GALLEY_EUNSUPPORTED);
  assert_non_null(strstr(galley_fetcher_errmsg(f), " is loopback; refused"));
  galley_fetcher_free(f);
  assert_true(log_empty(&other));

  /* With the local network allowed, the hop goes through. */
  snprintf(path, sizeof path, "/to-local?port=%d", other.port);
  r = expect_ok(&x->opts, url_of(&x->srv, path));
  char final[128];
  snprintf(final, sizeof final, "http://127.0.0.1:%d/page.html", other.port);
  assert_string_equal(galley_response_url(r), final);
  galley_response_free(r);
  assert_int_equal(log_count(&other, "REQ /page.html "), 1);
  server_stop(&other);
}

static void offline_makes_no_request_at_all(void **state) {
  fx *x = *state;
  galley_fetch_options o = x->opts;
  o.offline = true;
  expect_error(&o, url_of(&x->srv, "/page.html"), GALLEY_EUNSUPPORTED,
               "not fetched: offline (--offline)");
  galley_fetcher *f = fetcher(&o);
  galley_fetch_batch *b = NULL;
  assert_int_equal(galley_fetch_batch_new(&b, f), GALLEY_OK);
  size_t i;
  for (int n = 0; n < 3; n++) {
    char path[32];
    snprintf(path, sizeof path, "/image/%d.png", n);
    assert_int_equal(galley_fetch_batch_add(b, &i, url_of(&x->srv, path)), 0);
  }
  assert_int_equal(galley_fetch_batch_run(b), GALLEY_OK);
  assert_int_equal(galley_fetch_batch_failures(b), 3);
  assert_string_equal(galley_response_error(galley_fetch_batch_response(b, 2)),
                      "not fetched: offline (--offline)");
  galley_fetch_batch_free(b);
  galley_fetcher_free(f);
  assert_true(log_empty(&x->srv));
}

/* ---- Proxies ------------------------------------------------------------- */

static void unset_proxies(void) {
  const char *names[] = {"http_proxy", "https_proxy", "HTTPS_PROXY",
                         "all_proxy",  "ALL_PROXY",   "no_proxy",
                         "NO_PROXY"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    unsetenv(names[i]);
}

static void a_proxy_on_loopback_is_the_users_choice(void **state) {
  fx *x = *state; /* stands in for the proxy */
  server target = {0};
  server_start(&target);
  char proxy[64], url[160];
  snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", x->srv.port);
  setenv("http_proxy", proxy, 1);
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT; /* no local network */

  /* A name that resolves nowhere: through the proxy it is never resolved
   * here, and the proxy's loopback address is not refused. */
  char host[80];
  memset(host, 'b', 64);
  strcpy(host + 64, ".invalid");
  snprintf(url, sizeof url, "http://%s/page.html", host);
  galley_response *r = expect_ok(&o, url);
  assert_body_is_fixture(r, "page.html");
  galley_response_free(r);
  char req[200];
  snprintf(req, sizeof req, "REQ %s ", url);
  assert_int_equal(log_count(&x->srv, req), 1);

  /* A local target is still refused, before the proxy hears of it. */
  expect_error(&o, url_of(&target, "/page.html"), GALLEY_EUNSUPPORTED,
               LOOPBACK_REFUSED);
  snprintf(url, sizeof url, "http://localhost:%d/page.html", target.port);
  expect_error(&o, url, GALLEY_EUNSUPPORTED,
               "host localhost is loopback; refused "
               "(--allow-local-network allows it)");
  assert_int_equal(log_count(&x->srv, "REQ "), 1);

  /* no_proxy sends a host direct. */
  o.allow_local_network = true;
  setenv("no_proxy", "127.0.0.1", 1);
  r = expect_ok(&o, url_of(&target, "/page.html"));
  galley_response_free(r);
  assert_int_equal(log_count(&target, "REQ /page.html "), 1);
  assert_int_equal(log_count(&x->srv, "REQ "), 1);
  unsetenv("no_proxy");
  r = expect_ok(&o, url_of(&target, "/image/1.png"));
  galley_response_free(r);
  snprintf(req, sizeof req, "REQ %s ", url_of(&target, "/image/1.png"));
  assert_int_equal(log_count(&x->srv, req), 1);
  assert_int_equal(log_count(&target, "REQ /image/1.png"), 0);

  unset_proxies();
  server_stop(&target);
}

/* ---- Batches ------------------------------------------------------------- */

static void batch_fetches_each_image_once_over_few_connections(void **state) {
  fx *x = *state;
  galley_fetch_options o = x->opts;
  o.host_connections = 2;
  galley_fetcher *f = fetcher(&o);
  galley_fetch_batch *b = NULL;
  assert_int_equal(galley_fetch_batch_new(&b, f), GALLEY_OK);
  static const char *const ext[] = {"png", "jpg", "gif", "svg"};
  static const char *const type[] = {"image/png", "image/jpeg", "image/gif",
                                     "image/svg+xml"};
  size_t idx[20];
  for (int n = 0; n < 20; n++) {
    char path[64], other[600];
    snprintf(path, sizeof path, "/image/%d.%s", n, ext[n % 4]);
    assert_int_equal(galley_fetch_batch_add(b, &idx[n], url_of(&x->srv, path)),
                     GALLEY_OK);
    /* The same resource again, spelt three other ways. */
    size_t again;
    assert_int_equal(galley_fetch_batch_add(b, &again, url_of(&x->srv, path)),
                     GALLEY_OK);
    assert_int_equal(again, idx[n]);
    snprintf(other, sizeof other, "%s#fragment", url_of(&x->srv, path));
    assert_int_equal(galley_fetch_batch_add(b, &again, other), GALLEY_OK);
    assert_int_equal(again, idx[n]);
    snprintf(other, sizeof other, "HTTP://127.0.0.1:%d%s", x->srv.port, path);
    assert_int_equal(galley_fetch_batch_add(b, &again, other), GALLEY_OK);
    assert_int_equal(again, idx[n]);
  }
  assert_int_equal(galley_fetch_batch_count(b), 20);
  assert_string_equal(galley_response_error(galley_fetch_batch_response(b, 0)),
                      "not fetched yet");
  assert_int_equal(galley_fetch_batch_run(b), GALLEY_OK);
  assert_int_equal(galley_fetch_batch_failures(b), 0);
  for (int n = 0; n < 20; n++) {
    const galley_response *r = galley_fetch_batch_response(b, idx[n]);
    assert_int_equal(galley_response_status(r), GALLEY_OK);
    assert_string_equal(galley_response_sniffed_type(r), type[n % 4]);
    size_t len;
    const unsigned char *d = galley_response_data(r, &len);
    char mark[16];
    snprintf(mark, sizeof mark, "idx=%d", n);
    assert_true(contains(d, len, mark));
    char req[64];
    snprintf(req, sizeof req, "REQ /image/%d.%s ", n, ext[n % 4]);
    assert_int_equal(log_count(&x->srv, req), 1);
  }
  assert_null(galley_fetch_batch_response(b, 20));
  assert_int_equal(log_count(&x->srv, "REQ "), 20);
  assert_true(log_max_active(&x->srv) <= 2);
  assert_true(log_count(&x->srv, "CONN") <= 2);
  galley_fetch_batch_free(b);
  galley_fetcher_free(f);
}

/* Runs six 0.3 s requests with at most `limit` per host; returns the
 * server's peak of requests at once. */
static int peak_with_host_limit(fx *x, unsigned limit, double *took) {
  galley_fetch_options o = x->opts;
  o.host_connections = limit;
  galley_fetcher *f = fetcher(&o);
  galley_fetch_batch *b = NULL;
  assert_int_equal(galley_fetch_batch_new(&b, f), GALLEY_OK);
  for (int n = 0; n < 6; n++) {
    char path[64];
    size_t i;
    snprintf(path, sizeof path, "/slow?s=0.3&i=%d&limit=%u", n, limit);
    assert_int_equal(galley_fetch_batch_add(b, &i, url_of(&x->srv, path)), 0);
  }
  double t0 = now_s();
  assert_int_equal(galley_fetch_batch_run(b), GALLEY_OK);
  *took = now_s() - t0;
  assert_int_equal(galley_fetch_batch_failures(b), 0);
  galley_fetch_batch_free(b);
  galley_fetcher_free(f);
  return log_max_active(&x->srv);
}

static void the_per_host_limit_bounds_requests_at_once(void **state) {
  fx *x = *state;
  double took;
  assert_int_equal(peak_with_host_limit(x, 2, &took), 2);
  if (took < 0.85)
    fail_msg("six 0.3 s requests two at a time took %.2f s", took);
  /* The measure can see more: without the bound they overlap. */
  assert_true(peak_with_host_limit(x, 6, &took) >= 3);
}

static void failures_leave_the_rest_of_a_batch_alone(void **state) {
  fx *x = *state;
  galley_fetch_options o = x->opts;
  o.timeout_ms = 1000;
  galley_fetcher *f = fetcher(&o);
  galley_fetch_batch *b = NULL;
  assert_int_equal(galley_fetch_batch_new(&b, f), GALLEY_OK);
  size_t good[5], missing, slow, to_file, ftp, wrong;
  for (int n = 0; n < 5; n++) {
    char path[32];
    snprintf(path, sizeof path, "/image/%d.png", n);
    galley_fetch_batch_add(b, &good[n], url_of(&x->srv, path));
  }
  galley_fetch_batch_add(b, &missing, url_of(&x->srv, "/404"));
  galley_fetch_batch_add(b, &slow, url_of(&x->srv, "/slow?s=5"));
  galley_fetch_batch_add(b, &to_file, url_of(&x->srv, "/to-file"));
  galley_fetch_batch_add(b, &ftp, "ftp://127.0.0.1/x.png");
  galley_fetch_batch_add(b, &wrong, url_of(&x->srv, "/wrong-type"));
  double t0 = now_s();
  assert_int_equal(galley_fetch_batch_run(b), GALLEY_OK);
  double took = now_s() - t0;
  if (took > 4)
    fail_msg("the batch took %.2f s", took);
  assert_int_equal(galley_fetch_batch_failures(b), 4);
  for (int n = 0; n < 5; n++)
    assert_int_equal(
        galley_response_status(galley_fetch_batch_response(b, good[n])),
        GALLEY_OK);
  assert_string_equal(
      galley_response_error(galley_fetch_batch_response(b, missing)),
      "HTTP 404");
  assert_string_equal(
      galley_response_error(galley_fetch_batch_response(b, slow)),
      "timed out after 1 s");
  assert_string_equal(
      galley_response_error(galley_fetch_batch_response(b, to_file)),
      "redirect to file:///etc/passwd refused (only http and https)");
  assert_string_equal(
      galley_response_error(galley_fetch_batch_response(b, ftp)),
      "scheme ftp: refused (only http and https)");
  /* The type comes from the bytes, not from the header. */
  const galley_response *w = galley_fetch_batch_response(b, wrong);
  assert_string_equal(galley_response_media_type(w), "text/html");
  assert_string_equal(galley_response_sniffed_type(w), "image/png");
  galley_fetch_batch_free(b);
  galley_fetcher_free(f);
}

static void the_count_and_byte_limits_hold_per_document(void **state) {
  fx *x = *state;
  galley_fetch_options o = x->opts;
  o.max_resources = 3;
  galley_fetcher *f = fetcher(&o);
  galley_fetch_batch *b = NULL;
  assert_int_equal(galley_fetch_batch_new(&b, f), GALLEY_OK);
  size_t i;
  for (int n = 0; n < 5; n++) {
    char path[32];
    snprintf(path, sizeof path, "/image/%d.gif", n);
    galley_fetch_batch_add(b, &i, url_of(&x->srv, path));
  }
  assert_int_equal(galley_fetch_batch_run(b), GALLEY_OK);
  assert_int_equal(galley_fetch_batch_failures(b), 2);
  assert_string_equal(galley_response_error(galley_fetch_batch_response(b, 4)),
                      "over the limit of 3 fetches per document "
                      "(-O max-fetches)");
  assert_int_equal(log_count(&x->srv, "REQ /image/"), 3);
  galley_fetch_batch_free(b);
  galley_fetcher_free(f);

  /* Bytes: these GIFs are 44 bytes each; 120 bytes hold two of them. */
  o = x->opts;
  o.max_total_bytes = 120;
  o.parallel = 1; /* one at a time, so which ones fail is certain */
  f = fetcher(&o);
  assert_int_equal(galley_fetch_batch_new(&b, f), GALLEY_OK);
  for (int n = 0; n < 4; n++) {
    char path[32];
    snprintf(path, sizeof path, "/image/%d.gif", n);
    galley_fetch_batch_add(b, &i, url_of(&x->srv, path));
  }
  assert_int_equal(galley_fetch_batch_run(b), GALLEY_OK);
  assert_int_equal(galley_fetch_batch_failures(b), 2);
  assert_int_equal(galley_response_status(galley_fetch_batch_response(b, 1)),
                   GALLEY_OK);
  assert_string_equal(galley_response_error(galley_fetch_batch_response(b, 2)),
                      "responses add up to more than the limit of 120 bytes "
                      "per document (-O max-fetch-bytes)");
  assert_true(galley_fetcher_total_bytes(f) <= 120);
  galley_fetch_batch_free(b);
  galley_fetcher_free(f);
}

static void connections_are_reused_from_the_page_to_its_images(void **state) {
  fx *x = *state;
  galley_fetch_options o = x->opts;
  o.host_connections = 1;
  galley_fetcher *f = fetcher(&o);
  galley_response *page = NULL;
  assert_int_equal(galley_fetcher_get(f, &page, url_of(&x->srv, "/page.html")),
                   GALLEY_OK);
  galley_fetch_batch *b = NULL;
  assert_int_equal(galley_fetch_batch_new(&b, f), GALLEY_OK);
  size_t i;
  galley_fetch_batch_add(b, &i, url_of(&x->srv, "/image/1.png"));
  galley_fetch_batch_add(b, &i, url_of(&x->srv, "/image/2.jpg"));
  assert_int_equal(galley_fetch_batch_run(b), GALLEY_OK);
  /* A second run fetches only what was added since. */
  galley_fetch_batch_add(b, &i, url_of(&x->srv, "/image/1.png"));
  galley_fetch_batch_add(b, &i, url_of(&x->srv, "/image/3.gif"));
  assert_int_equal(galley_fetch_batch_run(b), GALLEY_OK);
  assert_int_equal(galley_fetch_batch_count(b), 3);
  assert_int_equal(galley_fetch_batch_failures(b), 0);
  assert_int_equal(log_count(&x->srv, "REQ "), 4);
  assert_int_equal(log_count(&x->srv, "CONN"), 1);
  galley_fetch_batch_free(b);
  galley_response_free(page);
  galley_fetcher_free(f);
}

static void *cancel_later(void *arg) {
  usleep(300000);
  galley_fetcher_cancel(arg);
  return NULL;
}

static bool after_deadline(void *data) { return now_s() > *(double *)data; }

static void cancelling_stops_a_batch_at_once(void **state) {
  fx *x = *state;
  for (int way = 0; way < 2; way++) {
    galley_fetch_options o = x->opts;
    double deadline = now_s() + 0.3;
    if (way == 1) {
      o.cancelled = after_deadline;
      o.cancelled_data = &deadline;
    }
    galley_fetcher *f = fetcher(&o);
    galley_fetch_batch *b = NULL;
    assert_int_equal(galley_fetch_batch_new(&b, f), GALLEY_OK);
    size_t i;
    for (int n = 0; n < 4; n++) {
      char path[64];
      snprintf(path, sizeof path, "/slow?s=5&i=%d&way=%d", n, way);
      galley_fetch_batch_add(b, &i, url_of(&x->srv, path));
    }
    pthread_t th;
    if (way == 0)
      pthread_create(&th, NULL, cancel_later, f);
    double t0 = now_s();
    assert_int_equal(galley_fetch_batch_run(b), GALLEY_ECANCELLED);
    double took = now_s() - t0;
    if (way == 0)
      pthread_join(th, NULL);
    if (took > 2)
      fail_msg("cancelling took %.2f s", took);
    assert_int_equal(galley_fetch_batch_failures(b), 4);
    assert_string_equal(
        galley_response_error(galley_fetch_batch_response(b, 3)), "cancelled");
    galley_fetch_batch_free(b);
    /* For good: the fetcher fetches nothing more. */
    galley_response *r = NULL;
    assert_int_equal(galley_fetcher_get(f, &r, url_of(&x->srv, "/page.html")),
                     GALLEY_ECANCELLED);
    assert_string_equal(galley_fetcher_errmsg(f), "cancelled");
    galley_fetcher_free(f);
  }
  assert_int_equal(log_count(&x->srv, "REQ /page.html"), 0);
}

static void options_are_versioned(void **state) {
  (void)state;
  galley_fetch_options o;
  memset(&o, 0xff, sizeof o);
  assert_int_equal(galley_fetch_options_init(&o, GALLEY_FETCH_OPTIONS_VERSION),
                   GALLEY_OK);
  assert_int_equal(o.version, GALLEY_FETCH_OPTIONS_VERSION);
  assert_false(o.allow_local_network);
  assert_false(o.offline);
  assert_int_equal(o.max_response_bytes, GALLEY_FETCH_MAX_RESPONSE);
  assert_int_equal(o.timeout_ms, GALLEY_FETCH_TIMEOUT_MS);
  assert_null(o.user_agent);
  assert_int_equal(galley_fetch_options_init(&o, 99), GALLEY_EINVALID);
  galley_fetcher *f = NULL;
  o.version = 0; /* a zeroed struct that skipped the INIT */
  assert_int_equal(galley_fetcher_new(&f, &o), GALLEY_EINVALID);
  assert_null(f);
  assert_int_equal(galley_fetcher_new(&f, NULL), GALLEY_OK);
  galley_fetcher_free(f);
}

int main(void) {
  if (!python() || access(python(), X_OK) != 0) {
    printf("1..0 # SKIP python3 is needed for the test server\n");
    return 77;
  }
  unset_proxies();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(options_are_versioned),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(get_returns_bytes_final_url_status_and_type),
      T(redirects_are_followed_and_the_final_url_reported),
      T(ten_redirects_are_followed_and_eleven_are_too_many),
      T(redirects_to_other_schemes_are_refused),
      T(other_schemes_are_refused_before_any_connection),
      T(gzip_and_deflate_are_decoded),
      T(a_charset_only_in_the_header_is_reported),
      T(content_type_parameters_are_parsed),
      T(http_errors_are_one_line),
      T(an_unresolvable_host_and_a_closed_port_are_named),
      T(a_response_over_the_limit_is_stopped_while_downloading),
      T(a_compression_bomb_stops_at_the_decoded_limit),
      T(the_total_timeout_names_its_seconds),
      cmocka_unit_test(a_self_signed_certificate_is_refused),
      T(loopback_is_refused_before_any_request),
      T(every_redirect_hop_is_checked),
      T(offline_makes_no_request_at_all),
      T(a_proxy_on_loopback_is_the_users_choice),
      T(batch_fetches_each_image_once_over_few_connections),
      T(the_per_host_limit_bounds_requests_at_once),
      T(failures_leave_the_rest_of_a_batch_alone),
      T(the_count_and_byte_limits_hold_per_document),
      T(connections_are_reused_from_the_page_to_its_images),
      T(cancelling_stops_a_batch_at_once),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
