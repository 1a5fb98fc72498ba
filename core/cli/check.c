/* galley --check-plugin FILE: loads one plugin file and exercises it the way
 * the host will, printing one "ok"/"FAIL" line per check. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_fixtures.h"
#include "cli.h"

/* Seconds a child may run before it counts as hung: a base, and more per
 * MB of input (timeout_for). GALLEY_CHECK_TIMEOUT=N sets one for all. */
enum { TIMEOUT_BASE = 10, TIMEOUT_PER_MB = 2 };
#define HUGE_SIZE ((size_t)50 * 1024 * 1024)
#define MB ((size_t)1 << 20)
static unsigned timeout_for(size_t bytes) {
  return TIMEOUT_BASE + (unsigned)((bytes + MB - 1) / MB) * TIMEOUT_PER_MB;
}
#define TIMEOUT TIMEOUT_BASE

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

typedef struct checker {
  galley_registry *reg;
  const galley_plugin *p;
  const galley_plugin *xml; /* for comparing trees; may be NULL */
  const char *path;         /* the plugin file */
  int passed, failed;
  int verbosity;
  int out_fd; /* in a child: where results go; -1 in the parent */
  const check_opts *o;
  double value; /* the last number a child sent (value()) */
  bool have_value;
  bool quiet_ok; /* in_child: no "ok" line of its own when the child is fine */
  bool crashed;         /* the last child died of a signal of its own */
  const char *over_msg; /* in_child_cpu: the failure for going over the CPU limit */
} checker;

/* Sends a number from a child to the parent (CPU seconds, a count). */
static void value(checker *ck, double v) {
  if (ck->out_fd < 0) {
    ck->value = v, ck->have_value = true;
    return;
  }
  char line[64];
  int n = snprintf(line, sizeof line, "V%.9g\n", v);
  ssize_t w = write(ck->out_fd, line, (size_t)n);
  (void)w;
}

/* Records one result. In a child it goes down the pipe ("O"/"F" + text),
 * and the parent prints it. */
static void result(checker *ck, bool ok, const char *fmt, ...)
    GALLEY_PRINTF(3, 4);
static void result(checker *ck, bool ok, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  for (char *c = msg; *c; c++)
    if (*c == '\n')
      *c = ' ';
  if (ck->out_fd >= 0) {
    char line[1100];
    int n = snprintf(line, sizeof line, "%c%s\n", ok ? 'O' : 'F', msg);
    if (n > (int)sizeof line - 1)
      n = (int)sizeof line - 1, line[n - 1] = '\n';
    ssize_t w = write(ck->out_fd, line, (size_t)n);
    (void)w;
    return;
  }
  printf("%s - %s\n", ok ? "ok" : "FAIL", msg);
  fflush(stdout);
  if (ok)
    ck->passed++;
  else
    ck->failed++;
}

/* A note printed with -v; never a failure. */
static void note(checker *ck, const char *fmt, ...) GALLEY_PRINTF(2, 3);
static void note(checker *ck, const char *fmt, ...) {
  if (ck->verbosity < 1 || ck->out_fd >= 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  fputs("# ", stdout);
  vprintf(fmt, ap);
  fputs("\n", stdout);
  va_end(ap);
}

/* ---- Children: crashes and hangs are reported, not suffered ---- */

typedef void (*child_fn)(checker *ck, const void *arg);

/* In a child: the page after the input a callback was handed (see
 * guarded_copy), and what to say when the callback touches it. */
static const unsigned char *guard_lo, *guard_hi;
static char guard_msg[600];
static int guard_fd = -1;

static void on_segv(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  const unsigned char *a = si->si_addr;
  if (si->si_code > 0 && guard_lo && a >= guard_lo && a < guard_hi &&
      guard_fd >= 0) {
    ssize_t w = write(guard_fd, guard_msg, strlen(guard_msg));
    (void)w;
    _exit(0);
  }
  /* Any other fault, or raise(): crash as it would. The signal is blocked
   * in its handler, so it arrives as soon as the handler returns. */
  signal(sig, SIG_DFL);
  raise(sig);
}

/* A copy of `size` bytes that ends where an unreadable page begins, so that
 * a callback reading past the end of what it was given faults, and the
 * fault is named. The copy is not NUL-terminated; with `data` NULL it is
 * left for the caller to fill. NULL when out of memory.
 * `what` names the input for the message. Only in a child. */
static unsigned char *guarded_copy(checker *ck, const void *data,
                                         size_t size, const char *what,
                                         const char *who) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t body = (size + page - 1) / page * page;
  unsigned char *m = mmap(NULL, body + page, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return NULL;
  if (mprotect(m + body, page, PROT_NONE) != 0)
    return NULL;
  unsigned char *p = m + body - size;
  if (size && data)
    memcpy(p, data, size);
  guard_lo = m + body;
  guard_hi = m + body + page;
  guard_fd = ck->out_fd;
  snprintf(guard_msg, sizeof guard_msg,
           "F%s: the %s reads past the end of its input (%zu bytes; "
           "in->size bounds it, and the input is not NUL-terminated)\n",
           what, who, size);
  return p;
}

/* The CPU seconds this process has used. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn in a forked child with an alarm of `seconds` (and, when
 * cpu_limit > 0, that many CPU seconds). Results the child records are
 * printed by the parent; a crash or hang is one more failure named `what`,
 * and so is anything the child wrote to its standard output (a plugin never
 * prints). */
static void in_child_cpu(checker *ck, const char *what, unsigned seconds,
                         double cpu_limit, child_fn fn, const void *arg) {
  int fds[2];
  ck->have_value = false;
  ck->crashed = false;
  if (pipe(fds) != 0) {
    result(ck, false, "%s: cannot create a pipe: %s", what, strerror(errno));
    return;
  }
  FILE *captured = tmpfile();
  fflush(stdout);
  fflush(stderr);
  const char *env = getenv("GALLEY_CHECK_TIMEOUT");
  if (env && atoi(env) > 0)
    seconds = (unsigned)atoi(env);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    if (captured)
      fclose(captured);
    result(ck, false, "%s: cannot fork: %s", what, strerror(errno));
    return;
  }
  if (pid == 0) {
    close(fds[0]);
    signal(SIGALRM, SIG_DFL);
    alarm(seconds);
    if (cpu_limit > 0) {
      struct itimerval it = {{0, 0},
                             {(time_t)cpu_limit,
                              (suseconds_t)((cpu_limit - (double)(time_t)cpu_limit) * 1e6)}};
      signal(SIGPROF, SIG_DFL);
      setitimer(ITIMER_PROF, &it, NULL);
    }
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_sigaction = on_segv,
                           .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    if (captured)
      dup2(fileno(captured), STDOUT_FILENO);
    ck->out_fd = fds[1];
    fn(ck, arg);
    fflush(stdout);
    _exit(0);
  }
  close(fds[1]);
  FILE *in = fdopen(fds[0], "r");
  char line[1200];
  int got = 0;
  while (in && fgets(line, sizeof line, in)) {
    size_t len = strlen(line);
    if (len && line[len - 1] == '\n')
      line[len - 1] = '\0';
    if (line[0] == 'V') {
      ck->value = strtod(line + 1, NULL);
      ck->have_value = true;
      continue;
    }
    result(ck, line[0] == 'O', "%s", line + 1);
    got++;
  }
  if (in)
    fclose(in);
  else
    close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  bool bad = false;
  if (captured) {
    struct stat st;
    long n = fstat(fileno(captured), &st) == 0 ? (long)st.st_size : 0;
    if (n > 0) {
      char head[81] = "";
      ssize_t r = pread(fileno(captured), head, sizeof head - 1, 0);
      head[r > 0 ? r : 0] = '\0';
      for (char *c = head; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
          *c = ' ';
      result(ck, false,
             "%s: a callback wrote %ld bytes to standard output (a plugin "
             "never prints): '%s'",
             what, n, head);
      bad = true;
    }
    fclose(captured);
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM)
      result(ck, false, "%s: did not finish within %u s (hung?)", what,
             seconds);
    else if (sig == SIGPROF && ck->over_msg)
      result(ck, false, "%s", ck->over_msg);
    else if (sig == SIGPROF)
      result(ck, false, "%s: used more than %.2f s of CPU", what, cpu_limit);
    else
      result(ck, false, "%s: crashed (signal %d, %s)", what, sig,
             strsignal(sig));
    ck->crashed = sig != SIGALRM && sig != SIGPROF;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    /* A sanitizer turns a crash into a report and an exit status. */
    result(ck, false, "%s: crashed (exit status %d; see the report above)",
           what, WEXITSTATUS(status));
    ck->crashed = true;
  } else if (!got && !bad && !ck->quiet_ok) {
    result(ck, true, "%s", what);
  }
}

static void in_child(checker *ck, const char *what, unsigned seconds,
                     child_fn fn, const void *arg) {
  in_child_cpu(ck, what, seconds, 0, fn, arg);
}

/* ---- Inputs ---- */

static uint64_t next_random(uint64_t *state) {
  uint64_t x = *state; /* xorshift64: fixed seed, same bytes every run */
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

typedef enum fill { FILL_ZERO, FILL_RANDOM, FILL_SOUP, FILL_BAD_UTF8 } fill;

/* `size` bytes of a kind; malloc'd, NULL when out of memory. */
static unsigned char *make_input(fill kind, size_t size, uint64_t seed) {
  static const char soup[] =
      "<>/=\"'#*-_`[](){}!&;:|~.,+?@%$^\\ \t\r\n\n\n  abcxyzABC0123=> ```"
      "<p><div><a href=\"x\"><img src=y></table><tr><td>- [ ] 1. > ";
  unsigned char *b = malloc(size ? size : 1);
  if (!b)
    return NULL;
  uint64_t st = seed;
  for (size_t i = 0; i < size; i++) {
    switch (kind) {
    case FILL_ZERO: b[i] = 0; break;
    case FILL_RANDOM: b[i] = (unsigned char)next_random(&st); break;
    case FILL_SOUP:
      b[i] = (unsigned char)soup[next_random(&st) % (sizeof soup - 1)];
      break;
    case FILL_BAD_UTF8: {
      static const unsigned char bad[] = {'a',  ' ',  0xc3, 0x28, 0xa0,
                                          0xa1, 0xe2, 0x82, 0xf0, 0x9f,
                                          0xed, 0xa0, 0x80, 0xff, '\n'};
      b[i] = bad[next_random(&st) % sizeof bad];
      break;
    }
    }
  }
  return b;
}

/* 50 MB of lines that look like several formats at once, so that every
 * reader gets past its first byte and does real work; into `b`, or
 * malloc'd when `b` is NULL. */
static unsigned char *make_huge(size_t size, unsigned char *b) {
  static const char block[] =
      "# A heading\n\nSome *text* with <b>tags</b> &amp; [a link](http://x) "
      "and more words.\n=> gemini://example.org/x a label\n* an item\n"
      "> a quote\n```\ncode\n```\n<p>a paragraph</p>\n| a | b |\n\n";
  if (!b)
    b = malloc(size);
  if (!b)
    return NULL;
  for (size_t i = 0; i < size; i += sizeof block - 1)
    memcpy(b + i, block,
           size - i < sizeof block - 1 ? size - i : sizeof block - 1);
  return b;
}

/* ---- The checks ---- */

static bool valid_option_name(const char *s) {
  if (!s || !*s)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
          *s == '_'))
      return false;
  return true;
}

static bool one_line(const char *s) {
  return s && *s && !strchr(s, '\n') && !strchr(s, '\r');
}

static void check_descriptor(checker *ck) {
  const galley_plugin *p = ck->p;
  result(ck, p->struct_size >= sizeof(galley_plugin),
         "descriptor: ABI %u, struct_size %u (this galley's is %zu)",
         p->abi_version, p->struct_size, sizeof(galley_plugin));
  result(ck, one_line(p->version), "descriptor: has a one-line version (%s)",
         p->version ? p->version : "none");
  result(ck, one_line(p->summary), "descriptor: has a one-line summary");
  bool format = (p->caps & (GALLEY_CAN_READ | GALLEY_CAN_WRITE)) != 0;
  if (format || p->extensions) {
    bool ok = true;
    size_t n = 0;
    for (const char *const *e = p->extensions; e && *e; e++, n++)
      if (!**e || strpbrk(*e, "./ \t\n"))
        ok = false;
    result(ck, ok && (n > 0 || !format),
           "descriptor: %zu extension(s), none empty or with a dot", n);
  }
  if (format || p->media_type) {
    const char *m = p->media_type;
    const char *slash = m ? strchr(m, '/') : NULL;
    result(ck,
           m && slash && slash > m && slash[1] && !strchr(slash + 1, '/') &&
               !strpbrk(m, " \t\n"),
           "descriptor: media type '%s' is TYPE/SUBTYPE", m ? m : "(none)");
  }
  if ((p->caps & GALLEY_CAN_READ) && !p->probe)
    note(ck, "no probe: the format is chosen only by -f or extension");
}

static void check_options(checker *ck) {
  const galley_plugin *p = ck->p;
  size_t n = 0;
  for (const galley_option *o = p->options; o && o->name; o++, n++) {
    const char *name = o->name;
    bool ok = valid_option_name(name);
    result(ck, ok, "option '%s': a valid name (a-z, 0-9, - and _)", name);
    bool unique = true;
    for (const galley_option *q = p->options; q != o; q++)
      if (strcmp(q->name, name) == 0)
        unique = false;
    result(ck, unique, "option '%s': declared once", name);
    result(ck, one_line(o->help), "option '%s': has one line of help", name);
    result(ck, galley_plugin_option(p, name) == o,
           "option '%s': galley_plugin_option finds it", name);
    const char *d = o->default_value;
    switch (o->type) {
    case GALLEY_OPT_BOOL: {
      static const char *const bools[] = {"true", "false", "yes", "no",
                                          "1",    "0",     NULL};
      bool valid = !d;
      for (size_t i = 0; d && bools[i]; i++)
        valid = valid || strcmp(d, bools[i]) == 0;
      result(ck, valid, "option '%s': bool default '%s' is a boolean", name,
             d ? d : "(none)");
      break;
    }
    case GALLEY_OPT_INT: {
      char *end = NULL;
      if (d)
        strtol(d, &end, 10);
      result(ck, !d || (end != d && *end == '\0'),
             "option '%s': int default '%s' is a number", name,
             d ? d : "(none)");
      break;
    }
    case GALLEY_OPT_ENUM: {
      const char *c = o->choices;
      bool valid =
          c && *c && c[0] != '|' && c[strlen(c) - 1] != '|' && !strstr(c, "||");
      result(ck, valid, "option '%s': enum choices '%s' are well formed", name,
             c ? c : "(none)");
      if (valid && d) {
        bool found = false;
        size_t dl = strlen(d);
        for (const char *s = c; s;
             s = strchr(s, '|') ? strchr(s, '|') + 1 : NULL) {
          const char *e = strchr(s, '|');
          size_t len = e ? (size_t)(e - s) : strlen(s);
          found = found || (len == dl && strncmp(s, d, len) == 0);
        }
        result(ck, found, "option '%s': default '%s' is one of the choices",
               name, d);
      }
      break;
    }
    case GALLEY_OPT_STRING:
    case GALLEY_OPT_PATH: break;
    }
  }
  if (n == 0)
    note(ck, "no options declared");
}

typedef struct probe_arg {
  const unsigned char *data;
  size_t size;
} probe_arg;

/* Calls probe on `data` as the host does, at the end of a readable page;
 * then on other bytes; then again on `data`: a probe that answers
 * differently on the same bytes is a failure. False after a failure. */
static bool probe_twice(checker *ck, const unsigned char *data, size_t size,
                        const char *what) {
  static const unsigned char other[] = "<!DOCTYPE html>\n# x\n=> y\n";
  char label[200];
  snprintf(label, sizeof label, "probe on %s", what);
  const unsigned char *g = guarded_copy(ck, data, size, label, "probe");
  if (!g)
    return true;
  int a = ck->p->probe(g, size);
  int b = ck->p->probe(g, size);
  ck->p->probe(other, sizeof other - 1);
  if (a == b)
    b = ck->p->probe(g, size);
  if (a < 0 || a > 100) {
    result(ck, false, "probe: %s: score %d, not 0..100", what, a);
    return false;
  }
  if (a != b) {
    result(ck, false,
           "probe: answers differently on the same bytes (%s: %d, then %d): "
           "a probe keeps no state",
           what, a, b);
    return false;
  }
  return true;
}

static void child_probe(checker *ck, const void *arg) {
  (void)arg;
  static const unsigned char empty[1] = {0};
  if (!probe_twice(ck, empty, 0, "empty input"))
    return;
  uint64_t seed = 0x9e3779b97f4a7c15u;
  const size_t sizes[] = {1, 2, 3, 5, 7, 16, 255, 4096, 65536};
  char what[64];
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    for (fill f = FILL_ZERO; f <= FILL_BAD_UTF8; f++) {
      unsigned char *b = make_input(f, sizes[i], seed + i * 7 + f);
      if (!b)
        continue;
      snprintf(what, sizeof what, "%zu bytes of kind %d", sizes[i], (int)f);
      bool ok = probe_twice(ck, b, sizes[i], what);
      free(b);
      if (!ok)
        return;
    }
  }
  result(ck, true,
         "probe: random, zero and soup inputs score 0..100, the same each "
         "time, reading only the bytes given");
}

/* Did a failed call set its own message? galley_plugin_read/write fill in
 * "NAME reader failed: ..." only when the plugin did not. */
static bool has_own_message(const galley_job *job, const galley_plugin *p,
                            const char *verb) {
  const char *msg = galley_job_errmsg(job);
  char filler[128];
  snprintf(filler, sizeof filler, "%s %s failed: ", p->name, verb);
  return msg && strncmp(msg, filler, strlen(filler)) != 0;
}

static bool known_status(int rc) {
  return rc <= GALLEY_OK && rc >= GALLEY_ECANCELLED;
}

typedef struct read_arg {
  const char *what;
  fill kind;
  bool huge; /* make_huge instead of make_input */
  size_t size;
  uint64_t seed;
} read_arg;

/* Reads an input; on success writes the tree back (when the plugin can),
 * since a writer must take whatever its own reader makes. */
static void child_read(checker *ck, const void *varg) {
  const read_arg *a = varg;
  char label[160];
  snprintf(label, sizeof label, "read %s", a->what);
  unsigned char *g = NULL, *data;
  if (a->huge) {
    g = guarded_copy(ck, NULL, a->size, label, "reader");
    data = make_huge(a->size, g);
  } else {
    data = make_input(a->kind, a->size, a->seed);
    g = data ? guarded_copy(ck, data, a->size, label, "reader") : NULL;
  }
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = galley_doc_new();
  if (!data || !job || !doc) {
    result(ck, false, "read %s: out of memory in the checker", a->what);
    return;
  }
  galley_limits lim;
  galley_limits_init(&lim, GALLEY_LIMITS_VERSION);
  if (lim.max_input_size && lim.max_input_size < a->size)
    lim.max_input_size = a->size;
  galley_job_set_limits(job, &lim);
  galley_input in = {g ? g : data, a->size, "check-input", NULL};
  /* The host's own path: galley_job_build_doc with this plugin as reader,
   * then galley_job_write_doc with it as writer. */
  galley_job_set_reader(job, ck->p);
  int rc = galley_job_build_doc(job, &in, doc);
  if (!known_status(rc)) {
    result(ck, false, "read %s: returned %d, not a galley status", a->what, rc);
    return;
  }
  if (rc != GALLEY_OK) {
    result(ck, has_own_message(job, ck->p, "reader"),
           "read %s: fails with a message (%s: %s)", a->what,
           galley_strerror(rc), galley_job_errmsg(job));
    return;
  }
  if (ck->p->caps & GALLEY_CAN_WRITE) {
    galley_sink *out = galley_sink_new_memory();
    galley_job_set_writer(job, ck->p);
    int wrc = out ? galley_job_write_doc(job, doc, out) : GALLEY_ENOMEM;
    if (wrc == GALLEY_OK)
      result(ck, true, "read %s: reads, and what it read writes", a->what);
    else
      result(ck, known_status(wrc) && has_own_message(job, ck->p, "writer"),
             "read %s: reads, but writing it fails%s (%s: %s)", a->what,
             has_own_message(job, ck->p, "writer") ? "" : " without a message",
             galley_strerror(wrc), galley_job_errmsg(job));
    galley_sink_free(out);
  } else {
    result(ck, true, "read %s: reads", a->what);
  }
  /* No frees: the child exits, and the huge input would cost time. */
}

static galley_node *add(galley_node *parent, galley_kind kind,
                        const char *text) {
  galley_doc *doc = galley_node_doc(parent);
  galley_node *n = galley_doc_new_node(doc, kind);
  if (!n || galley_node_append_child(parent, n) != GALLEY_OK)
    return NULL;
  if (text) {
    galley_node *t = galley_doc_new_text(doc, text, (size_t)-1);
    if (!t || galley_node_append_child(n, t) != GALLEY_OK)
      return NULL;
  }
  return n;
}

/* A small document of what most formats can say: a title, headings,
 * paragraphs, a list, a link, a code block and a quote. */
static galley_doc *sample_doc(void) {
  galley_doc *doc = galley_doc_new();
  if (!doc)
    return NULL;
  galley_node *root = galley_doc_root(doc);
  galley_doc_set_meta(doc, GALLEY_META_TITLE, "Checking a plugin");
  galley_node *h = add(root, GALLEY_NODE_HEADING, "Checking a plugin");
  galley_node_set_level(h, 1);
  add(root, GALLEY_NODE_PARAGRAPH, "A first paragraph of plain text.");
  h = add(root, GALLEY_NODE_HEADING, "A list");
  galley_node_set_level(h, 2);
  galley_node *list = add(root, GALLEY_NODE_LIST, NULL);
  galley_node_set_list_tight(list, true);
  add(add(list, GALLEY_NODE_ITEM, NULL), GALLEY_NODE_PARAGRAPH, "one");
  add(add(list, GALLEY_NODE_ITEM, NULL), GALLEY_NODE_PARAGRAPH, "two");
  galley_node *para = add(root, GALLEY_NODE_PARAGRAPH, NULL);
  galley_node *link = add(para, GALLEY_NODE_LINK, "a link");
  galley_node_set_url(link, "https://example.org/page");
  galley_node *code = add(root, GALLEY_NODE_CODE_BLOCK, NULL);
  galley_node_set_literal(code, "int x = 1;\n");
  galley_node_set_info(code, "c");
  add(add(root, GALLEY_NODE_BLOCK_QUOTE, NULL), GALLEY_NODE_PARAGRAPH,
      "A quoted line.");
  add(root, GALLEY_NODE_PARAGRAPH, "The end.");
  return doc;
}

/* Writes `doc` with `p` into a malloc'd buffer, as a host does
 * (galley_job_write_doc); NULL on failure (the reason is on the job). */
static char *write_doc(galley_job *job, const galley_plugin *p,
                       const galley_doc *doc, size_t *len) {
  galley_sink *out = galley_sink_new_memory();
  if (!out || galley_job_set_writer(job, p) != GALLEY_OK) {
    galley_sink_free(out);
    return NULL;
  }
  char *copy = NULL;
  if (galley_job_write_doc(job, doc, out) == GALLEY_OK) {
    const char *data = galley_sink_data(out, len);
    copy = malloc(*len + 1);
    if (copy) {
      memcpy(copy, data, *len);
      copy[*len] = '\0';
    }
  }
  galley_sink_free(out);
  return copy;
}

/* Reads `data` with `p` as a host does (galley_job_build_doc). */
static galley_doc *read_doc(galley_job *job, const galley_plugin *p,
                            const char *data, size_t len) {
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)data, len, "check-roundtrip", NULL};
  if (doc && (galley_job_set_reader(job, p) != GALLEY_OK ||
              galley_job_build_doc(job, &in, doc) != GALLEY_OK)) {
    galley_doc_free(doc);
    return NULL;
  }
  return doc;
}

/* The tree in the xml form, without source lines (they differ between two
 * texts of the same tree). malloc'd; NULL when xml is not loaded. */
static char *tree_form(checker *ck, galley_doc *doc) {
  if (!ck->xml || !doc)
    return NULL;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  while (galley_iter_next(&it) != GALLEY_EVENT_DONE)
    galley_node_set_line(galley_iter_node(&it), 0);
  galley_job *job = galley_job_new(ck->reg);
  size_t len;
  char *s = job ? write_doc(job, ck->xml, doc, &len) : NULL;
  galley_job_free(job);
  return s;
}

/* First line where a and b differ, for the message. */
static void first_difference(const char *a, const char *b, char *buf,
                             size_t len) {
  int lineno = 1;
  const char *la = a, *lb = b;
  while (*a && *a == *b) {
    if (*a == '\n')
      lineno++, la = a + 1, lb = b + 1;
    a++, b++;
  }
  int wa = (int)strcspn(la, "\n"), wb = (int)strcspn(lb, "\n");
  snprintf(buf, len, "line %d: '%.*s' then '%.*s'", lineno, wa > 200 ? 200 : wa,
           la, wb > 200 ? 200 : wb, lb);
}

static void child_roundtrip(checker *ck, const void *arg) {
  (void)arg;
  const galley_plugin *p = ck->p;
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *built = sample_doc();
  if (!job || !built) {
    result(ck, false, "round trip: out of memory in the checker");
    return;
  }
  size_t len0, len1, len2;
  char *s0 = write_doc(job, p, built, &len0);
  result(ck, s0 && len0 > 0, "write: a small document writes (%zu bytes)%s%s",
         s0 ? len0 : 0, s0 ? "" : ": ",
         s0 ? "" : (galley_job_errmsg(job) ? galley_job_errmsg(job) : "?"));
  if (!s0 || !(p->caps & GALLEY_CAN_READ))
    return;
  if (p->probe) {
    int score = p->probe((const unsigned char *)s0, len0 < 4096 ? len0 : 4096);
    result(ck, score >= 0 && score <= 100,
           "probe: its own output scores %d (0..100)", score);
  }
  galley_doc *a = read_doc(job, p, s0, len0);
  result(ck, a != NULL, "read: its own output reads back%s%s", a ? "" : ": ",
         a ? "" : (galley_job_errmsg(job) ? galley_job_errmsg(job) : "?"));
  if (!a)
    return;
  char *s1 = write_doc(job, p, a, &len1);
  galley_doc *b = s1 ? read_doc(job, p, s1, len1) : NULL;
  char *s2 = b ? write_doc(job, p, b, &len2) : NULL;
  if (!s2) {
    result(ck, false, "round trip: read → write → read → write failed: %s",
           galley_job_errmsg(job) ? galley_job_errmsg(job) : "?");
    return;
  }
  char diff[600];
  if (len1 == len2 && memcmp(s1, s2, len1) == 0) {
    result(ck, true, "round trip: writing what it read is stable (%zu bytes)",
           len1);
  } else {
    first_difference(s1, s2, diff, sizeof diff);
    result(ck, false,
           "round trip: writing what it read is stable (differs at %s)", diff);
  }
  char *ta = tree_form(ck, a), *tb = tree_form(ck, b);
  if (ta && tb) {
    if (strcmp(ta, tb) == 0) {
      result(ck, true, "round trip: read → write → read gives the same tree");
    } else {
      first_difference(ta, tb, diff, sizeof diff);
      result(ck, false,
             "round trip: read → write → read gives the same tree (differs "
             "at %s)",
             diff);
    }
  }
}

/* ---- Test documents: trees of every node kind, deep, and large ---- */

typedef enum tree_id {
  TREE_SAMPLE,
  TREE_EVERY_KIND,
  TREE_FEATURES,
  TREE_DEEP,
  TREE_BIG_PARAGRAPH,
  TREE_COUNT
} tree_id;

static const char *const tree_names[TREE_COUNT] = {
    "sample", "every-kind", "features", "deep-500", "paragraph-10MB"};
static const char *const tree_what[TREE_COUNT] = {
    "the small sample document",
    "every node kind (fixtures/xml/every-kind.xml)",
    "the Markdown features (fixtures/markdown/features.xml)",
    "a tree 500 deep", "a 10 MB paragraph"};
enum { DEEP = 500 };
#define BIG_PARAGRAPH ((size_t)10 * MB)

/* A tree in the xml form, read with the xml plugin. */
static galley_doc *doc_from_xml(checker *ck, const unsigned char *xml,
                                size_t size) {
  if (!ck->xml || !(ck->xml->caps & GALLEY_CAN_READ))
    return NULL;
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = galley_doc_new();
  galley_input in = {xml, size, "fixture.xml", NULL};
  if (!job || !doc || galley_job_set_reader(job, ck->xml) != GALLEY_OK ||
      galley_job_build_doc(job, &in, doc) != GALLEY_OK) {
    galley_doc_free(doc);
    doc = NULL;
  }
  galley_job_free(job);
  return doc;
}

/* DEEP levels: quotes, lists and items in turn, words at the bottom. */
static galley_doc *deep_doc(void) {
  galley_doc *doc = galley_doc_new();
  if (!doc)
    return NULL;
  galley_node *n = galley_doc_root(doc);
  add(n, GALLEY_NODE_PARAGRAPH, "Above the deep part.");
  for (int depth = 1; n && depth < DEEP; depth++) {
    galley_kind k = galley_node_kind(n) == GALLEY_NODE_LIST   ? GALLEY_NODE_ITEM
                    : depth % 3 == 0 ? GALLEY_NODE_LIST
                                     : GALLEY_NODE_BLOCK_QUOTE;
    if (depth % 50 == 0)
      add(n, GALLEY_NODE_PARAGRAPH, "level words here");
    n = add(n, k, NULL);
  }
  if (n)
    add(n, GALLEY_NODE_PARAGRAPH, "The deepest words.");
  return doc;
}

/* One paragraph of BIG_PARAGRAPH bytes of numbered words. */
static galley_doc *big_paragraph_doc(void) {
  galley_doc *doc = galley_doc_new();
  char *text = malloc(BIG_PARAGRAPH + 32);
  if (!doc || !text) {
    free(text);
    galley_doc_free(doc);
    return NULL;
  }
  static const char *const stems[] = {"river", "stone", "lantern", "quiet",
                                      "meadow", "copper", "harbour", "ember"};
  size_t len = 0;
  for (unsigned i = 0; len < BIG_PARAGRAPH; i++)
    len += (size_t)sprintf(text + len, "%s%u ", stems[i % 8], i);
  text[len - 1] = '.';
  galley_node *p = add(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH, NULL);
  galley_node *t = p ? galley_doc_new_text(doc, text, len) : NULL;
  free(text);
  if (!t || galley_node_append_child(p, t) != GALLEY_OK) {
    galley_doc_free(doc);
    return NULL;
  }
  return doc;
}

static galley_doc *make_tree(checker *ck, tree_id id) {
  switch (id) {
  case TREE_SAMPLE: return sample_doc();
  case TREE_EVERY_KIND:
    return doc_from_xml(ck, fixture_every_kind, fixture_every_kind_size);
  case TREE_FEATURES:
    return doc_from_xml(ck, fixture_features, fixture_features_size);
  case TREE_DEEP: return deep_doc();
  case TREE_BIG_PARAGRAPH: return big_paragraph_doc();
  case TREE_COUNT: break;
  }
  return NULL;
}

/* ---- A checksum of a tree: every field of every node, and the metadata */

static uint64_t fnv(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++)
    h = (h ^ p[i]) * 0x100000001b3u;
  return h;
}
static uint64_t fnv_s(uint64_t h, const char *s) {
  return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\xff", 1);
}
static uint64_t fnv_i(uint64_t h, long v) { return fnv(h, &v, sizeof v); }

static uint64_t tree_checksum(const galley_doc *doc) {
  uint64_t h = 0xcbf29ce484222325u;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_iter_node(&it);
    h = fnv_i(h, ev);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    h = fnv_i(h, galley_node_kind(n));
    h = fnv_s(h, galley_node_get_literal(n));
    h = fnv_i(h, galley_node_get_level(n));
    h = fnv_i(h, galley_node_get_list_ordered(n));
    h = fnv_i(h, galley_node_get_list_start(n));
    h = fnv_i(h, galley_node_get_list_tight(n));
    h = fnv_i(h, galley_node_get_task(n));
    h = fnv_s(h, galley_node_get_info(n));
    h = fnv_s(h, galley_node_get_format(n));
    h = fnv_s(h, galley_node_get_url(n));
    h = fnv_s(h, galley_node_get_title(n));
    h = fnv_s(h, galley_node_get_label(n));
    h = fnv_i(h, galley_node_get_row_part(n));
    h = fnv_i(h, galley_node_get_cell_header(n));
    h = fnv_i(h, galley_node_get_cell_align(n));
    h = fnv_i(h, galley_node_get_colspan(n));
    h = fnv_i(h, galley_node_get_rowspan(n));
    h = fnv_i(h, galley_node_get_line(n));
    h = fnv_s(h, galley_node_get_tag(n));
    h = fnv_s(h, galley_node_get_id(n));
    h = fnv_s(h, galley_node_get_classes(n));
    const char *k, *v;
    for (size_t i = 0; galley_node_attr_at(n, i, &k, &v); i++)
      h = fnv_s(fnv_s(h, k), v);
  }
  const char *k, *v;
  for (size_t i = 0; galley_doc_meta_entry(doc, i, &k, &v); i++)
    h = fnv_s(fnv_s(h, k), v);
  h = fnv_s(h, galley_doc_get_base(doc));
  for (size_t i = 0; i < galley_doc_resource_count(doc); i++) {
    const galley_resource *r = galley_doc_resource_at(doc, i);
    h = fnv_s(fnv_s(h, r->name), r->media_type);
    h = fnv(h, r->data, r->size);
  }
  return h;
}

/* ---- Words: the text of a tree must survive write -> read ----
 *
 * Text is compared by its letters and digits alone (lowercased ASCII, and
 * every byte of a multibyte character), so that a writer may add spaces,
 * escapes and markup, wrap lines, and move a block (a caption, a footnote)
 * elsewhere. Each run of text of the tree written (a block's text, cut at
 * images, raw inlines and footnote references) must appear whole in what
 * the reader makes of the output (tree_letters). */

static bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c >= 0x80;
}

static void put_letters(galley_buf *b, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (!word_byte(c))
      continue;
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c - 'A' + 'a');
    galley_buf_putc(b, (char)c);
  }
}

typedef struct text_run {
  char *letters; /* malloc'd */
  size_t len;
  const galley_node *where; /* the block it is in */
} text_run;

typedef struct text_runs {
  text_run *v;
  size_t n, cap;
  bool failed;
} text_runs;

static void end_run(text_runs *r, galley_buf *cur, const galley_node *block) {
  if (cur->failed)
    r->failed = true;
  if (!cur->len) {
    galley_buf_free(cur);
    return;
  }
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    text_run *v = realloc(r->v, cap * sizeof *v);
    if (!v) {
      r->failed = true;
      galley_buf_free(cur);
      return;
    }
    r->v = v, r->cap = cap;
  }
  r->v[r->n++] = (text_run){cur->data, cur->len, block};
  galley_buf_init(cur);
}

/* The runs of text of a tree (before writing). */
static void tree_runs(const galley_doc *doc, text_runs *r) {
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  int in_image = 0;
  galley_buf cur;
  galley_buf_init(&cur);
  const galley_node *block = NULL;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    if (galley_kind_is_block(k)) {
      end_run(r, &cur, block);
      block = n;
      if (ev == GALLEY_EVENT_ENTER && k == GALLEY_NODE_CODE_BLOCK) {
        put_letters(&cur, galley_node_get_literal(n));
        end_run(r, &cur, n);
      }
      continue;
    }
    if (k == GALLEY_NODE_IMAGE || k == GALLEY_NODE_RAW_INLINE ||
        k == GALLEY_NODE_FOOTNOTE_REF) {
      end_run(r, &cur, block);
      if (k == GALLEY_NODE_IMAGE)
        in_image += ev == GALLEY_EVENT_ENTER ? 1 : -1;
      continue;
    }
    if (ev == GALLEY_EVENT_ENTER && !in_image &&
        (k == GALLEY_NODE_TEXT || k == GALLEY_NODE_CODE))
      put_letters(&cur, galley_node_get_literal(n));
  }
  end_run(r, &cur, block);
}

/* All the letters of a tree read back, raw blocks (a table a format can
 * only write as HTML) and image descriptions included; not raw inlines
 * (tags around text the writer kept as text). */
static void tree_letters(const galley_doc *doc, galley_buf *b) {
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_ENTER &&
        galley_node_kind(n) != GALLEY_NODE_RAW_INLINE)
      put_letters(b, galley_node_get_literal(n));
  }
}

/* The longest prefix of `run` found in `hay` (a binary search). */
static size_t found_prefix(const char *hay, size_t hay_len, const char *run,
                           size_t len) {
  size_t lo = 0, hi = len; /* lo is found; hi + 1 is not (or is len) */
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    if (memmem(hay, hay_len, run, mid))
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

/* Saves bytes under --keep DIR as NAME; quietly does nothing without it. */
static void keep_file(checker *ck, const char *name, const void *data,
                      size_t len) {
  if (!ck->o || !ck->o->keep)
    return;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", ck->o->keep, name);
  FILE *f = fopen(path, "wb");
  if (!f)
    return;
  if (len)
    fwrite(data, 1, len, f);
  fclose(f);
}

static const char *first_extension(const galley_plugin *p) {
  return p->extensions && p->extensions[0] ? p->extensions[0] : "out";
}

/* Writes one test tree: the writer must not crash, hang, print, or change
 * the tree; a plugin that reads too must read its output back with every
 * word of the text there. */
static void child_tree(checker *ck, const void *arg) {
  tree_id id = *(const tree_id *)arg;
  const char *name = tree_names[id];
  const galley_plugin *p = ck->p;
  galley_doc *doc = make_tree(ck, id);
  galley_job *job = galley_job_new(ck->reg);
  if (!doc || !job) {
    result(ck, false, "write %s: cannot build the tree (out of memory?)",
           tree_what[id]);
    return;
  }
  if (ck->xml && ck->o && ck->o->keep && id != TREE_BIG_PARAGRAPH) {
    size_t xl;
    galley_job *xj = galley_job_new(ck->reg);
    char *x = xj ? write_doc(xj, ck->xml, doc, &xl) : NULL;
    char kname[128];
    snprintf(kname, sizeof kname, "%s.tree.xml", name);
    if (x)
      keep_file(ck, kname, x, xl);
    free(x);
    galley_job_free(xj);
  }
  uint64_t before = tree_checksum(doc);
  size_t len = 0;
  char *out = write_doc(job, p, doc, &len);
  uint64_t after = tree_checksum(doc);
  if (before != after)
    result(ck, false,
           "write %s: the writer changed the tree it was handed (a writer "
           "gets a const tree and must leave it as it is)",
           tree_what[id]);
  if (!out) {
    result(ck, known_status(galley_job_status(job)) &&
                   has_own_message(job, p, "writer"),
           "write %s: fails%s (%s)", tree_what[id],
           has_own_message(job, p, "writer") ? " with a message"
                                             : " without a message of its own",
           galley_job_errmsg(job) ? galley_job_errmsg(job) : "?");
    return;
  }
  char kname[128];
  snprintf(kname, sizeof kname, "%s.%s", name, first_extension(p));
  keep_file(ck, kname, out, len);
  if (before == after)
    result(ck, len > 0, "write %s: %zu bytes, the tree unchanged",
           tree_what[id], len);
  if (!(p->caps & GALLEY_CAN_READ))
    return;
  if (p->probe && id != TREE_BIG_PARAGRAPH) {
    char what[128];
    snprintf(what, sizeof what, "its own output for %s", tree_what[id]);
    if (!probe_twice(ck, (const unsigned char *)out, len < 4096 ? len : 4096,
                     what))
      return;
  }
  char label[160];
  snprintf(label, sizeof label, "read its own output for %s", tree_what[id]);
  const unsigned char *g = guarded_copy(ck, out, len, label, "reader");
  galley_doc *back = read_doc(job, p, g ? (const char *)g : out, len);
  if (!back) {
    result(ck, false, "read its own output for %s: fails (%s)", tree_what[id],
           galley_job_errmsg(job) ? galley_job_errmsg(job) : "?");
    return;
  }
  if (galley_doc_meta_size(back) || galley_node_first_child(galley_doc_root(back))) {
    uint64_t b2 = tree_checksum(back);
    size_t l2;
    char *again = write_doc(job, p, back, &l2);
    free(again);
    if (b2 != tree_checksum(back))
      result(ck, false,
             "write what it read of %s: the writer changed the tree it was "
             "handed (a writer gets a const tree and must leave it as it is)",
             tree_what[id]);
  }
  text_runs runs = {0};
  tree_runs(doc, &runs);
  galley_buf got;
  galley_buf_init(&got);
  tree_letters(back, &got);
  if (runs.failed || got.failed) {
    result(ck, false, "text of %s: out of memory in the checker",
           tree_what[id]);
    return;
  }
  size_t lost = 0, letters = 0;
  const text_run *first = NULL;
  for (size_t i = 0; i < runs.n; i++) {
    letters += runs.v[i].len;
    if (!memmem(got.data ? got.data : "", got.len, runs.v[i].letters,
                runs.v[i].len)) {
      lost++;
      if (!first)
        first = &runs.v[i];
    }
  }
  if (lost) {
    size_t have = found_prefix(got.data ? got.data : "", got.len,
                               first->letters, first->len);
    const galley_node *in = first->where;
    result(ck, false,
           "write -> read %s: words are lost: %zu of %zu runs of text are not "
           "there whole (the first, in a %s: '%.40s%s', %zu letters, of which "
           "only the first %zu are)",
           tree_what[id], lost, runs.n,
           in ? galley_kind_name(galley_node_kind(in)) : "document",
           first->letters, first->len > 40 ? "..." : "", first->len, have);
  } else {
    result(ck, true,
           "write -> read %s: every word survives (%zu runs of text, %zu "
           "letters)",
           tree_what[id], runs.n, letters);
  }
  /* No frees: the child exits. */
}

typedef struct block_arg {
  tree_id tree;
  size_t index;
} block_arg;

/* Writes one top-level block of a tree alone. */
static void child_block(checker *ck, const void *varg) {
  const block_arg *a = varg;
  galley_doc *doc = make_tree(ck, a->tree);
  galley_doc *one = galley_doc_new();
  galley_job *job = galley_job_new(ck->reg);
  if (!doc || !one || !job)
    return;
  galley_node *b = galley_node_first_child(galley_doc_root(doc));
  for (size_t i = 0; b && i < a->index; i++)
    b = galley_node_next(b);
  galley_node *copy = b ? galley_node_copy(one, b) : NULL;
  if (!copy || galley_node_append_child(galley_doc_root(one), copy) != GALLEY_OK)
    return;
  size_t len;
  free(write_doc(job, ck->p, one, &len));
}

/* After a writer crashed on a tree: which top-level blocks does it crash
 * on, and what kinds do they hold? */
static void find_crashing_blocks(checker *ck, tree_id id) {
  galley_doc *doc = make_tree(ck, id);
  if (!doc)
    return;
  size_t i = 0;
  for (galley_node *b = galley_node_first_child(galley_doc_root(doc)); b;
       b = galley_node_next(b), i++) {
    char kinds[300] = "";
    bool seen[GALLEY_NODE_LAST_INLINE + 1] = {false};
    galley_iter it;
    galley_iter_init(&it, b);
    while (galley_iter_next(&it) != GALLEY_EVENT_DONE) {
      galley_kind k = galley_node_kind(galley_iter_node(&it));
      if (k > 0 && k <= GALLEY_NODE_LAST_INLINE && !seen[k] &&
          strlen(kinds) < sizeof kinds - 40) {
        seen[k] = true;
        snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
                 kinds[0] ? ", " : "", galley_kind_name(k));
      }
    }
    block_arg a = {id, i};
    char label[500];
    snprintf(label, sizeof label,
             "write block %zu of %s alone: the writer crashes on a %s (it "
             "holds: %s)",
             i + 1, tree_names[id], galley_kind_name(galley_node_kind(b)),
             kinds);
    ck->quiet_ok = true;
    in_child(ck, label, TIMEOUT, child_block, &a);
    ck->quiet_ok = false;
  }
  galley_doc_free(doc);
}

/* ---- Limits ---- */

/* Nesting in several syntaxes at once, for a reader that cannot write. */
static unsigned char *nesting_soup(size_t levels, size_t *size) {
  galley_buf b;
  galley_buf_init(&b);
  for (size_t i = 0; i < levels; i++)
    galley_buf_puts(&b, "> ");
  galley_buf_puts(&b, "quoted\n\n");
  for (size_t i = 0; i < levels; i++)
    galley_buf_printf(&b, "%*s- item\n", (int)(i * 2), "");
  galley_buf_puts(&b, "\n");
  for (size_t i = 0; i < levels; i++)
    galley_buf_puts(&b, "<div><blockquote>");
  galley_buf_puts(&b, "deep");
  for (size_t i = 0; i < levels; i++)
    galley_buf_puts(&b, "</blockquote></div>");
  galley_buf_puts(&b, "\n");
  for (size_t i = 0; i < levels; i++)
    galley_buf_puts(&b, "<section>");
  galley_buf_puts(&b, "\n");
  if (b.failed) {
    galley_buf_free(&b);
    return NULL;
  }
  *size = b.len;
  return (unsigned char *)b.data;
}

enum { LIMIT_DEPTH = 100, LIMIT_NODES = 300 };

/* Bytes the plugin's reader should nest deeply in: its own output for the
 * deep tree when it writes, nesting in several syntaxes otherwise. */
static unsigned char *deep_input(checker *ck, size_t *size) {
  if (ck->p->caps & GALLEY_CAN_WRITE) {
    galley_doc *doc = deep_doc();
    galley_job *job = galley_job_new(ck->reg);
    char *out = doc && job ? write_doc(job, ck->p, doc, size) : NULL;
    if (out)
      return (unsigned char *)out;
  }
  return nesting_soup(DEEP, size);
}

/* Reads with a low depth limit: a reader must stop at the limit (an error
 * of its own, or a tree cut at the limit), not build the whole depth and
 * leave the host to refuse it afterwards. */
static void child_limit_depth(checker *ck, const void *arg) {
  (void)arg;
  size_t size = 0;
  unsigned char *data = deep_input(ck, &size);
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = galley_doc_new();
  if (!data || !job || !doc) {
    result(ck, false, "limits: out of memory in the checker");
    return;
  }
  keep_file(ck, "deep-input", data, size);
  galley_limits lim;
  galley_limits_init(&lim, GALLEY_LIMITS_VERSION);
  lim.max_depth = LIMIT_DEPTH;
  galley_job_set_limits(job, &lim);
  const unsigned char *g =
      guarded_copy(ck, data, size, "limits: read a deep input", "reader");
  galley_input in = {g ? g : data, size, "deep-input", NULL};
  galley_job_set_reader(job, ck->p);
  int rc = galley_job_build_doc(job, &in, doc);
  const char *msg = galley_job_errmsg(job);
  if (rc == GALLEY_ELIMIT && msg &&
      strstr(msg, "document nests deeper than the depth limit of"))
    result(ck, false,
           "limits: the reader ignores the depth limit: with max-depth %d it "
           "built a tree deeper than that from %zu bytes nested %d deep "
           "(galley_job_limits(job)->max_depth: stop there)",
           LIMIT_DEPTH, size, DEEP);
  else
    result(ck, known_status(rc) && (rc == GALLEY_OK || has_own_message(job, ck->p, "reader")),
           "limits: reading %zu bytes nested %d deep under a depth limit of "
           "%d stops at the limit (%s%s%s)",
           size, DEEP, LIMIT_DEPTH, galley_strerror(rc), msg ? ": " : "",
           msg ? msg : "");
}

/* Reads a large input under a low node limit: the read must end in a
 * clean error (or fit), never a crash on the node it was refused. */
static void child_limit_nodes(checker *ck, const void *arg) {
  (void)arg;
  size_t size = 0;
  unsigned char *data = NULL;
  if (ck->p->caps & GALLEY_CAN_WRITE) {
    galley_doc *doc = make_tree(ck, TREE_EVERY_KIND);
    if (!doc)
      doc = sample_doc();
    galley_job *wj = galley_job_new(ck->reg);
    data = doc && wj ? (unsigned char *)write_doc(wj, ck->p, doc, &size) : NULL;
  }
  if (!data) {
    size = 256 * 1024;
    data = make_input(FILL_SOUP, size, 11);
  }
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = galley_doc_new();
  if (!data || !job || !doc) {
    result(ck, false, "limits: out of memory in the checker");
    return;
  }
  galley_limits lim;
  galley_limits_init(&lim, GALLEY_LIMITS_VERSION);
  lim.max_nodes = LIMIT_NODES / 10;
  galley_job_set_limits(job, &lim);
  galley_input in = {data, size, "nodes-input", NULL};
  galley_job_set_reader(job, ck->p);
  int rc = galley_job_build_doc(job, &in, doc);
  result(ck, known_status(rc) && (rc == GALLEY_OK || galley_job_errmsg(job)),
         "limits: reading %zu bytes under a node limit of %d ends cleanly "
         "(%s)",
         size, LIMIT_NODES / 10, galley_strerror(rc));
}

/* ---- Leaks ---- */

static size_t heap_in_use(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
#else
  return 0;
#endif
}

/* One read and one write of the sample document, everything freed. */
static void leak_round(checker *ck, const char *data, size_t len) {
  galley_job *job = galley_job_new(ck->reg);
  if (!job)
    return;
  if (ck->p->caps & GALLEY_CAN_READ) {
    galley_doc *d = read_doc(job, ck->p, data, len);
    galley_doc_free(d);
  }
  if (ck->p->caps & GALLEY_CAN_WRITE) {
    galley_doc *d = sample_doc();
    size_t l;
    free(d ? write_doc(job, ck->p, d, &l) : NULL);
    galley_doc_free(d);
  }
  galley_job_free(job);
}

static char *leak_input(checker *ck, size_t *len) {
  char *data = NULL;
  if ((ck->p->caps & GALLEY_CAN_WRITE)) {
    galley_job *job = galley_job_new(ck->reg);
    galley_doc *d = sample_doc();
    data = job && d ? write_doc(job, ck->p, d, len) : NULL;
    galley_doc_free(d);
    galley_job_free(job);
  }
  if (!data) {
    *len = 4096;
    data = (char *)make_input(FILL_SOUP, *len, 12);
  }
  return data;
}

enum { LEAK_ROUNDS = 16, LEAK_PER_ROUND = 4096 };

/* The heap in use before and after rounds of read and write that free
 * everything they make: what stays is a leak (glibc's mallinfo2; a
 * plugin's caches show as a first-round cost, which is not counted). */
static void child_leak(checker *ck, const void *arg) {
  (void)arg;
  size_t len;
  char *data = leak_input(ck, &len);
  if (!data)
    return;
  leak_round(ck, data, len);
  leak_round(ck, data, len);
  size_t before = heap_in_use();
  for (int i = 0; i < LEAK_ROUNDS; i++)
    leak_round(ck, data, len);
  size_t after = heap_in_use();
  free(data);
  size_t per = after > before ? (after - before) / LEAK_ROUNDS : 0;
  if (per > LEAK_PER_ROUND)
    result(ck, false,
           "leaks: memory in use grows by %zu KB per read and write (%d "
           "rounds): memory a plugin allocates it frees before returning",
           per / 1024, LEAK_ROUNDS);
  else
    result(ck, true, "leaks: the heap does not grow over %d reads and writes",
           LEAK_ROUNDS);
}

/* Under GALLEY_CHECK_LEAK_RUN=1 (valgrind runs galley so): a few rounds,
 * everything freed, nothing else. */
static int leak_run(checker *ck) {
  size_t len;
  char *data = leak_input(ck, &len);
  for (int i = 0; i < 3; i++)
    leak_round(ck, data, len);
  free(data);
  galley_registry_free(ck->reg);
  return 0;
}

static bool on_path(const char *prog) {
  const char *path = getenv("PATH");
  char buf[4096];
  for (const char *s = path; s && *s;) {
    size_t n = strcspn(s, ":");
    snprintf(buf, sizeof buf, "%.*s/%s", (int)n, s, prog);
    if (access(buf, X_OK) == 0)
      return true;
    s += n + (s[n] == ':');
  }
  return false;
}

/* Runs this galley under valgrind's leak check on the plugin (leak_run). */
static void valgrind_leaks(checker *ck) {
  if (UNDER_ASAN) {
    note(ck, "valgrind leak check skipped: this galley is built with "
             "AddressSanitizer");
    printf("# leaks under valgrind: skipped (AddressSanitizer build)\n");
    return;
  }
  if (!ck->o || !ck->o->valgrind) {
    printf("# leaks under valgrind: skipped (--no-valgrind)\n");
    return;
  }
  if (!on_path("valgrind")) {
    printf("# leaks under valgrind: skipped (valgrind is not installed)\n");
    return;
  }
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    printf("# leaks under valgrind: skipped (cannot find this program)\n");
    return;
  }
  self[n] = '\0';
  char log[] = "/tmp/galley-check-valgrind-XXXXXX";
  int fd = mkstemp(log);
  if (fd < 0)
    return;
  close(fd);
  char logopt[128];
  snprintf(logopt, sizeof logopt, "--log-file=%s", log);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, STDIN_FILENO);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
    }
    setenv("GALLEY_CHECK_LEAK_RUN", "1", 1);
    alarm(timeout_for(0) * 12);
    execlp("valgrind", "valgrind", "-q", "--leak-check=full",
           "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
           "--error-exitcode=42", logopt, self, "--check-plugin", ck->path,
           (char *)NULL);
    _exit(127);
  }
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  /* "==N== 102,400 bytes in 1 blocks are definitely lost in loss record"
   * and, below it, the first frame in the plugin ("by 0x...: fn (file:line)"). */
  char summary[300] = "", frame[200] = "", other[300] = "";
  FILE *f = fopen(log, "r");
  char line[1024];
  bool in_record = false;
  while (f && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *d = strstr(line, " are definitely lost");
    if (d && !summary[0]) {
      *d = '\0';
      char *start = strstr(line, "== ");
      snprintf(summary, sizeof summary, "%.200s are definitely lost",
               start ? start + 3 : line);
      in_record = true;
      continue;
    }
    char *eq = strstr(line, "== ");
    if (!other[0] && eq && (strstr(line, "Invalid ") ||
                            strstr(line, "uninitialised") ||
                            strstr(line, "Mismatched free")))
      snprintf(other, sizeof other, "%.250s", eq + 3);
    char *by = in_record ? strstr(line, " by 0x") : NULL;
    char *colon = by ? strstr(by, ": ") : NULL;
    if (colon && !frame[0] && !strstr(colon, "galley_") && !strstr(colon, "malloc")) {
      snprintf(frame, sizeof frame, ", allocated in %.150s", colon + 2);
      in_record = false;
    }
  }
  if (f)
    fclose(f);
  unlink(log);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 42 && !summary[0])
    result(ck, false, "valgrind: errors in 3 reads and writes (the first: %s)",
           other[0] ? other : "see valgrind");
  else if (WIFEXITED(status) && WEXITSTATUS(status) == 42)
    result(ck, false,
           "leaks under valgrind: memory is lost in 3 reads and writes (%s%s)",
           summary[0] ? summary : "see valgrind --leak-check=full", frame);
  else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    result(ck, true, "leaks under valgrind: nothing definitely lost");
  else
    printf("# leaks under valgrind: could not run (status %d)\n", status);
}

/* ---- Growth: time per MB at 1x and 16x the size ---- */

typedef struct growth_arg {
  const char *what;
  const unsigned char *unit; /* repeated to the size */
  size_t unit_len;
  size_t size;
  double cpu_limit; /* for the read of `size` bytes; 0: none */
} growth_arg;

enum { GROWTH_BASE = 64 * 1024, GROWTH_FACTOR = 16, GROWTH_MAX_RATIO = 4 };
enum { GROWTH_SMALL = 8 * 1024 }; /* more than galley's per-document sample */
#define GROWTH_FLOOR 0.1 /* CPU seconds at 16x below which growth is noise */

static double read_time(checker *ck, const unsigned char *data, size_t size) {
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = galley_doc_new();
  if (!job || !doc)
    return 0;
  galley_input in = {data, size, "growth-input", NULL};
  galley_job_set_reader(job, ck->p);
  double t0 = cpu_now();
  galley_job_build_doc(job, &in, doc);
  double t = cpu_now() - t0;
  galley_doc_free(doc);
  galley_job_free(job);
  return t;
}

/* Sends the CPU seconds that the bytes past GROWTH_SMALL cost: a read of
 * `size` bytes less a read of GROWTH_SMALL, so that what every document
 * costs once (galley's language guess on its first 4 KB, say) is not
 * counted as time per MB. */
static void child_growth(checker *ck, const void *varg) {
  const growth_arg *a = varg;
  unsigned char *data = malloc(a->size);
  if (!data || !a->unit_len)
    return;
  for (size_t i = 0; i < a->size; i += a->unit_len)
    memcpy(data + i, a->unit,
           a->size - i < a->unit_len ? a->size - i : a->unit_len);
  size_t small = a->size < GROWTH_SMALL ? a->size : GROWTH_SMALL;
  read_time(ck, data, small); /* warm-up: first-use costs */
  double ts = read_time(ck, data, small);
  if (a->cpu_limit > 0) {
    double lim = a->cpu_limit;
    struct itimerval it = {{0, 0},
                           {(time_t)lim,
                            (suseconds_t)((lim - (double)(time_t)lim) * 1e6)}};
    signal(SIGPROF, SIG_DFL);
    setitimer(ITIMER_PROF, &it, NULL);
  }
  double t = read_time(ck, data, a->size);
  value(ck, t > ts ? t - ts : 0);
}

/* CPU seconds of one read of `unit` repeated to `size`, the least of
 * `runs` runs; < 0 when a run failed (its failure is reported). */
static double growth_time(checker *ck, growth_arg *a, size_t size, int runs,
                          double cpu_limit) {
  double best = -1;
  a->size = size;
  a->cpu_limit = cpu_limit;
  char label[200];
  snprintf(label, sizeof label, "growth: reading %s, %zu KB", a->what,
           size / 1024);
  for (int i = 0; i < runs; i++) {
    int failed = ck->failed;
    ck->quiet_ok = true;
    in_child_cpu(ck, label, timeout_for(size), 0, child_growth, a);
    ck->quiet_ok = false;
    if (ck->failed != failed)
      return -1;
    if (ck->have_value && (best < 0 || ck->value < best))
      best = ck->value;
  }
  return best;
}

/* Reads `a` at GROWTH_BASE and GROWTH_FACTOR times that, and compares the
 * CPU time per MB; the larger read is stopped once it is clearly
 * non-linear, which keeps a quadratic reader from taking minutes. */
static void check_growth(checker *ck, growth_arg *a) {
  size_t big = (size_t)GROWTH_BASE * GROWTH_FACTOR;
  double t1 = growth_time(ck, a, GROWTH_BASE, 3, 0);
  if (t1 < 0)
    return;
  /* The bytes past GROWTH_SMALL: 56 KB at 1x, 1016 KB at 16x. */
  double scale = (double)(big - GROWTH_SMALL) / (GROWTH_BASE - GROWTH_SMALL);
  double limit = t1 * scale * GROWTH_MAX_RATIO;
  if (limit < GROWTH_FLOOR * 2)
    limit = GROWTH_FLOOR * 2;
  char over[700];
  snprintf(over, sizeof over,
           "growth: reading %s grows faster than the input: the bytes past "
           "the first %d KB take %.3f s of CPU at %zu KB, more than %.2f s "
           "at %zu KB (over %dx the time per MB: a rescan per byte or per "
           "token?)",
           a->what, GROWTH_SMALL / 1024, t1, (size_t)GROWTH_BASE / 1024,
           limit, big / 1024, GROWTH_MAX_RATIO);
  ck->over_msg = over;
  double t16 = -1;
  for (int i = 0; i < 3; i++) {
    double t = growth_time(ck, a, big, 1, limit);
    if (t < 0)
      break;
    if (t16 < 0 || t < t16)
      t16 = t;
    if (t16 <= t1 * scale * GROWTH_MAX_RATIO || t16 < GROWTH_FLOOR)
      break;
  }
  ck->over_msg = NULL;
  if (t16 < 0)
    return;
  double per1 = t1 / ((double)(GROWTH_BASE - GROWTH_SMALL) / MB);
  double per16 = t16 / ((double)(big - GROWTH_SMALL) / MB);
  double ratio = per1 > 0 ? per16 / per1 : 1;
  result(ck, !(ratio > GROWTH_MAX_RATIO && t16 >= GROWTH_FLOOR),
         "growth: reading %s: %.3f s of CPU per MB at %zu KB, %.3f s per MB "
         "at %zu KB (%.1fx; the first %d KB not counted)",
         a->what, per1, (size_t)GROWTH_BASE / 1024, per16, big / 1024, ratio,
         GROWTH_SMALL / 1024);
}

/* ---- The author's inputs (--inputs DIR) ---- */

typedef struct file_arg {
  const char *name;
  const unsigned char *data;
  size_t size;
} file_arg;

static void child_file(checker *ck, const void *varg) {
  const file_arg *a = varg;
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = galley_doc_new();
  if (!job || !doc)
    return;
  char label[300];
  snprintf(label, sizeof label, "input %s", a->name);
  const unsigned char *g = guarded_copy(ck, a->data, a->size, label, "reader");
  galley_input in = {g ? g : a->data, a->size, a->name, NULL};
  galley_job_set_reader(job, ck->p);
  int rc = galley_job_build_doc(job, &in, doc);
  if (ck->p->probe && !probe_twice(ck, g ? g : a->data, a->size < 4096 ? a->size : 4096, label))
    return;
  if (!known_status(rc)) {
    result(ck, false, "input %s: the reader returned %d, not a galley status",
           a->name, rc);
    return;
  }
  if (rc != GALLEY_OK) {
    result(ck, has_own_message(job, ck->p, "reader"),
           "input %s: a clean error (%s: %s)", a->name, galley_strerror(rc),
           galley_job_errmsg(job));
    return;
  }
  if (ck->p->caps & GALLEY_CAN_WRITE) {
    size_t len;
    char *out = write_doc(job, ck->p, doc, &len);
    result(ck, out || has_own_message(job, ck->p, "writer"),
           "input %s: reads, and what it read writes%s", a->name,
           out ? "" : " (fails with a message)");
    if (out) {
      char kname[300];
      snprintf(kname, sizeof kname, "input-%s.%s", a->name, first_extension(ck->p));
      keep_file(ck, kname, out, len);
    }
  } else {
    result(ck, true, "input %s: reads", a->name);
  }
}

typedef struct input_file {
  char *name;
  unsigned char *data;
  size_t size;
} input_file;

/* The regular files of DIR, sorted by name; -1 when DIR cannot be read. */
static int load_inputs(const char *dir, input_file **out, size_t *n) {
  *out = NULL, *n = 0;
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  struct dirent *e;
  size_t cap = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    FILE *f = fopen(path, "rb");
    if (!f)
      continue;
    unsigned char *data = malloc((size_t)st.st_size + 1);
    size_t got = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      input_file *v = realloc(*out, cap * sizeof *v);
      if (!v)
        break;
      *out = v;
    }
    (*out)[(*n)++] = (input_file){strdup(e->d_name), data, got};
  }
  closedir(d);
  for (size_t i = 1; i < *n; i++)
    for (size_t j = i; j > 0 && strcmp((*out)[j - 1].name, (*out)[j].name) > 0; j--) {
      input_file t = (*out)[j];
      (*out)[j] = (*out)[j - 1];
      (*out)[j - 1] = t;
    }
  return 0;
}

static void child_write_empty(checker *ck, const void *arg) {
  (void)arg;
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = galley_doc_new();
  galley_sink *out = galley_sink_new_memory();
  if (!job || !doc || !out) {
    result(ck, false, "write: out of memory in the checker");
    return;
  }
  int rc = galley_job_set_writer(job, ck->p);
  if (rc == GALLEY_OK)
    rc = galley_job_write_doc(job, doc, out);
  result(ck,
         known_status(rc) &&
             (rc == GALLEY_OK || has_own_message(job, ck->p, "writer")),
         "write: an empty document (%s)", galley_strerror(rc));
}

static void child_transform(checker *ck, const void *arg) {
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = arg ? sample_doc() : galley_doc_new();
  if (!job || !doc) {
    result(ck, false, "transform: out of memory in the checker");
    return;
  }
  int rc = galley_plugin_transform(job, ck->p, doc);
  result(ck, known_status(rc), "transform: %s document returns a status (%s)",
         arg ? "a small" : "an empty", galley_strerror(rc));
}

/* A transform with batch hooks: a batch learns from three copies of the
 * small document (given to it in the xml form, as a host reads inputs),
 * then the transform runs with what it learnt. */
static void child_batch(checker *ck, const void *arg) {
  (void)arg;
  galley_job *job = galley_job_new(ck->reg);
  galley_doc *doc = sample_doc();
  size_t len = 0;
  char *xml = NULL;
  if (job && doc && galley_job_set_writer(job, ck->xml) == GALLEY_OK)
    xml = write_doc(job, ck->xml, doc, &len);
  if (!xml || galley_job_add_transform(job, ck->p) != GALLEY_OK) {
    result(ck, false, "batch: cannot set up (%s)",
           galley_job_errmsg(job) ? galley_job_errmsg(job) : "out of memory");
    return;
  }
  galley_batch *batch = galley_batch_new(job);
  if (!batch) {
    result(ck, false, "batch: batch_begin gives no state (%s)",
           galley_job_errmsg(job) ? galley_job_errmsg(job) : "NULL");
    return;
  }
  galley_input in = {(const unsigned char *)xml, len, "sample.xml", NULL};
  int rc = GALLEY_OK;
  for (int i = 0; i < 3 && rc == GALLEY_OK; i++)
    rc = galley_batch_learn(batch, job, &in);
  result(ck, known_status(rc) && (rc == GALLEY_OK || galley_job_errmsg(job)),
         "batch: batch_learn takes three documents (%s)", galley_strerror(rc));
  galley_job_set_batch(job, batch);
  rc = galley_plugin_transform(job, ck->p, doc);
  result(ck, known_status(rc),
         "batch: the transform runs with what it learnt (%s)",
         galley_strerror(rc));
  galley_job_set_batch(job, NULL);
  galley_batch_free(batch);
  result(ck, true, "batch: batch_end frees the state");
}

/* Growth and the author's inputs for the growth check: a long line of
 * words, markup soup, the plugin's own output for the sample documents,
 * and each --inputs file, each repeated to the size. */
static void run_growth(checker *ck, input_file *files, size_t n_files) {
  static const char words_line[] =
      "plain words on one long line without an end, the way a paragraph "
      "might run on and on ";
  growth_arg a = {"one long line of words", (const unsigned char *)words_line,
                  sizeof words_line - 1, 0, 0};
  check_growth(ck, &a);
  unsigned char *soup = make_input(FILL_SOUP, 4096, 21);
  if (soup) {
    growth_arg b = {"markup soup", soup, 4096, 0, 0};
    check_growth(ck, &b);
    free(soup);
  }
  if (ck->p->caps & GALLEY_CAN_WRITE) {
    galley_job *job = galley_job_new(ck->reg);
    galley_doc *doc = sample_doc();
    size_t len = 0;
    char *own = job && doc ? write_doc(job, ck->p, doc, &len) : NULL;
    if (own && len) {
      growth_arg c = {"its own output for the sample document, repeated",
                      (const unsigned char *)own, len, 0, 0};
      check_growth(ck, &c);
    }
    free(own);
    galley_doc_free(doc);
    galley_job_free(job);
  }
  for (size_t i = 0; i < n_files; i++) {
    if (!files[i].size)
      continue;
    char what[300];
    snprintf(what, sizeof what, "input %s, repeated", files[i].name);
    growth_arg d = {what, files[i].data, files[i].size, 0, 0};
    check_growth(ck, &d);
  }
}

int run_check_plugin(const char *path, const check_opts *o) {
  checker ck = {.verbosity = o->verbosity, .out_fd = -1, .o = o};
  bool leak_only = getenv("GALLEY_CHECK_LEAK_RUN") != NULL;
  ck.reg = galley_registry_new();
  if (!ck.reg) {
    fprintf(stderr, "galley: out of memory\n");
    return EXIT_INTERNAL;
  }
  /* dlopen searches the library path for a name without a slash. */
  char local[4096];
  if (!strchr(path, '/')) {
    snprintf(local, sizeof local, "./%s", path);
    path = local;
  }
  if (galley_registry_load_file(ck.reg, path, GALLEY_ORIGIN_OPTION) !=
      GALLEY_OK) {
    for (size_t i = 0; i < galley_registry_message_count(ck.reg); i++)
      fprintf(stderr, "galley: %s\n", galley_registry_message(ck.reg, i));
    if (galley_registry_message_count(ck.reg) == 0)
      fprintf(stderr, "galley: %s: cannot load as a plugin\n", path);
    galley_registry_free(ck.reg);
    return EXIT_USAGE;
  }
  ck.p = galley_registry_at(ck.reg, 0);
  /* The other plugins, for a format that hands work to another (EPUB to
   * HTML) and for comparing trees in the xml form. A second copy of the
   * plugin under test is refused as a duplicate, which is fine. */
  galley_registry_load_default(ck.reg, NULL, 0);
  ck.xml = galley_registry_find(ck.reg, "xml");
  if (ck.xml && !(ck.xml->caps & GALLEY_CAN_WRITE))
    ck.xml = NULL;
  ck.path = path;
  if (leak_only)
    return leak_run(&ck);

  input_file *files = NULL;
  size_t n_files = 0;
  if (o->inputs && load_inputs(o->inputs, &files, &n_files) != 0) {
    fprintf(stderr, "galley: %s: cannot read the folder: %s\n", o->inputs,
            strerror(errno));
    galley_registry_free(ck.reg);
    return EXIT_USAGE;
  }
  if (o->keep && mkdir(o->keep, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "galley: %s: cannot create the folder: %s\n", o->keep,
            strerror(errno));
    galley_registry_free(ck.reg);
    return EXIT_USAGE;
  }

  const galley_plugin *p = ck.p;
  printf("# %s: plugin '%s' %s (%s)\n", path, p->name,
         p->version ? p->version : "", caps_words(p->caps));
  const char *env = getenv("GALLEY_CHECK_TIMEOUT");
  if (env && atoi(env) > 0)
    printf("# timeout: %d s for each check (GALLEY_CHECK_TIMEOUT)\n",
           atoi(env));
  else
    printf("# timeout: %d s for each check, plus %d s per MB of its input "
           "(GALLEY_CHECK_TIMEOUT=N sets one for all)\n",
           TIMEOUT_BASE, TIMEOUT_PER_MB);
  result(&ck, true, "loads: ABI %u, the descriptor is accepted",
         p->abi_version);
  check_descriptor(&ck);
  check_options(&ck);
  if (p->probe)
    in_child(&ck, "probe: scores inputs", TIMEOUT, child_probe, NULL);

  if (p->caps & GALLEY_CAN_READ) {
    static const read_arg reads[] = {
        {"empty input", FILL_ZERO, false, 0, 0},
        {"one NUL byte", FILL_ZERO, false, 1, 0},
        {"4 KiB of NUL bytes", FILL_ZERO, false, 4096, 0},
        {"invalid UTF-8", FILL_BAD_UTF8, false, 4096, 7},
        {"1 random byte", FILL_RANDOM, false, 1, 1},
        {"16 random bytes", FILL_RANDOM, false, 16, 2},
        {"1 KiB of random bytes", FILL_RANDOM, false, 1024, 3},
        {"64 KiB of random bytes", FILL_RANDOM, false, 65536, 4},
        {"1 MiB of random bytes", FILL_RANDOM, false, 1 << 20, 5},
        {"16 KiB of markup soup", FILL_SOUP, false, 16384, 6},
        {"1 MiB of markup soup", FILL_SOUP, false, 1 << 20, 8},
    };
    char label[128];
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
      snprintf(label, sizeof label, "read %s", reads[i].what);
      in_child(&ck, label, timeout_for(reads[i].size), child_read, &reads[i]);
    }
    static const read_arg huge = {"a 50 MB input", FILL_ZERO, true, HUGE_SIZE,
                                  0};
    snprintf(label, sizeof label, "read %s", huge.what);
    in_child(&ck, label, timeout_for(HUGE_SIZE), child_read, &huge);
    in_child(&ck, "limits: depth", TIMEOUT, child_limit_depth, NULL);
    in_child(&ck, "limits: nodes", TIMEOUT, child_limit_nodes, NULL);
    for (size_t i = 0; i < n_files; i++) {
      file_arg fa = {files[i].name, files[i].data, files[i].size};
      snprintf(label, sizeof label, "input %s", files[i].name);
      in_child(&ck, label, timeout_for(files[i].size), child_file, &fa);
    }
    if (o->inputs && !n_files)
      note(&ck, "no files in %s", o->inputs);
  } else if (n_files) {
    printf("# --inputs: the plugin does not read; its inputs are not used\n");
  }
  if (p->caps & GALLEY_CAN_WRITE) {
    in_child(&ck, "write: an empty document", TIMEOUT, child_write_empty, NULL);
    in_child(&ck, "round trip", TIMEOUT, child_roundtrip, NULL);
    for (tree_id t = 0; t < TREE_COUNT; t++) {
      if ((t == TREE_EVERY_KIND || t == TREE_FEATURES) && !ck.xml) {
        printf("# write %s: skipped (the xml plugin is not loaded)\n",
               tree_what[t]);
        continue;
      }
      char label[200];
      snprintf(label, sizeof label, "write %s", tree_what[t]);
      in_child(&ck, label,
               timeout_for(t == TREE_BIG_PARAGRAPH ? 3 * BIG_PARAGRAPH : 0),
               child_tree, &t);
      if (ck.crashed && t != TREE_DEEP && t != TREE_BIG_PARAGRAPH)
        find_crashing_blocks(&ck, t);
    }
    if ((p->caps & GALLEY_CAN_READ) && !ck.xml)
      note(&ck, "the xml plugin is not loaded: trees are not compared");
  }
  if (p->caps & GALLEY_CAN_TRANSFORM) {
    in_child(&ck, "transform: an empty document", TIMEOUT, child_transform,
             NULL);
    in_child(&ck, "transform: a small document", TIMEOUT, child_transform, &ck);
    if (p->struct_size >=
            offsetof(galley_plugin, batch_end) + sizeof p->batch_end &&
        p->batch_begin) {
      if (ck.xml)
        in_child(&ck, "batch", TIMEOUT, child_batch, NULL);
      else
        note(&ck, "the xml plugin is not loaded: batch hooks are not run");
    }
  }

  if (p->caps & (GALLEY_CAN_READ | GALLEY_CAN_WRITE)) {
    if (UNDER_ASAN || !heap_in_use())
      printf("# leaks: the heap check is skipped (%s)\n",
             UNDER_ASAN ? "AddressSanitizer build" : "no mallinfo2");
    else
      in_child(&ck, "leaks", TIMEOUT, child_leak, NULL);
    valgrind_leaks(&ck);
  }
  if ((p->caps & GALLEY_CAN_READ) && UNDER_ASAN)
    printf("# growth: skipped (an AddressSanitizer build times its own "
           "checks, not the plugin)\n");
  else if (p->caps & GALLEY_CAN_READ)
    run_growth(&ck, files, n_files);
  for (size_t i = 0; i < n_files; i++) {
    free(files[i].name);
    free(files[i].data);
  }
  free(files);

  printf("# %s: %d passed, %d failed\n", p->name, ck.passed, ck.failed);
  printf("%d passed, %d failed\n", ck.passed, ck.failed);
  galley_registry_free(ck.reg);
  return ck.failed ? EXIT_FAILED : EXIT_OK;
}
