/* galley --check-plugin FILE: loads one plugin file and exercises it the way
 * the host will, printing one "ok"/"FAIL" line per check. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* Seconds a child may run before it counts as hung. */
enum { TIMEOUT = 60, TIMEOUT_HUGE = 300 };
#define HUGE_SIZE ((size_t)50 * 1024 * 1024)

typedef struct checker {
  galley_registry *reg;
  const galley_plugin *p;
  const galley_plugin *xml; /* for comparing trees; may be NULL */
  int passed, failed;
  int verbosity;
  int out_fd; /* in a child: where results go; -1 in the parent */
} checker;

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

/* Runs fn in a forked child with an alarm of `seconds`. Results the child
 * records are printed by the parent; a crash or hang is one more failure
 * named `what`. */
static void in_child(checker *ck, const char *what, unsigned seconds,
                     child_fn fn, const void *arg) {
  int fds[2];
  if (pipe(fds) != 0) {
    result(ck, false, "%s: cannot create a pipe: %s", what, strerror(errno));
    return;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    result(ck, false, "%s: cannot fork: %s", what, strerror(errno));
    return;
  }
  const char *env = getenv("GALLEY_CHECK_TIMEOUT");
  if (env && atoi(env) > 0)
    seconds = (unsigned)atoi(env);
  if (pid == 0) {
    close(fds[0]);
    signal(SIGALRM, SIG_DFL);
    alarm(seconds);
    ck->out_fd = fds[1];
    fn(ck, arg);
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
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM)
      result(ck, false, "%s: did not finish within %u s (hung?)", what,
             seconds);
    else
      result(ck, false, "%s: crashed (signal %d, %s)", what, sig,
             strsignal(sig));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    /* A sanitizer turns a crash into a report and an exit status. */
    result(ck, false, "%s: crashed (exit status %d; see the report above)",
           what, WEXITSTATUS(status));
  } else if (!got) {
    result(ck, true, "%s", what);
  }
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
 * reader gets past its first byte and does real work. */
static unsigned char *make_huge(size_t size) {
  static const char block[] =
      "# A heading\n\nSome *text* with <b>tags</b> &amp; [a link](http://x) "
      "and more words.\n=> gemini://example.org/x a label\n* an item\n"
      "> a quote\n```\ncode\n```\n<p>a paragraph</p>\n| a | b |\n\n";
  unsigned char *b = malloc(size);
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

static void child_probe(checker *ck, const void *arg) {
  static const unsigned char empty[1] = {0};
  int s = ck->p->probe(empty, 0);
  result(ck, s >= 0 && s <= 100, "probe: empty input scores %d (0..100)", s);
  uint64_t seed = 0x9e3779b97f4a7c15u;
  const size_t sizes[] = {1, 3, 16, 255, 4096, 65536};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    for (fill f = FILL_ZERO; f <= FILL_BAD_UTF8; f++) {
      unsigned char *b = make_input(f, sizes[i], seed + i * 7 + f);
      if (!b)
        continue;
      s = ck->p->probe(b, sizes[i]);
      free(b);
      if (s < 0 || s > 100) {
        result(ck, false, "probe: %zu bytes of kind %d score %d, not 0..100",
               sizes[i], (int)f, s);
        return;
      }
    }
  }
  result(ck, true, "probe: random, zero and soup inputs score 0..100");
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
  unsigned char *data =
      a->huge ? make_huge(a->size) : make_input(a->kind, a->size, a->seed);
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
  galley_input in = {data, a->size, "check-input", NULL};
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

int run_check_plugin(const char *path, int verbosity) {
  checker ck = {.verbosity = verbosity, .out_fd = -1};
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

  const galley_plugin *p = ck.p;
  printf("# %s: plugin '%s' %s (%s)\n", path, p->name,
         p->version ? p->version : "", caps_words(p->caps));
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
      in_child(&ck, label, TIMEOUT, child_read, &reads[i]);
    }
    static const read_arg huge = {"a 50 MB input", FILL_ZERO, true, HUGE_SIZE,
                                  0};
    snprintf(label, sizeof label, "read %s", huge.what);
    in_child(&ck, label, TIMEOUT_HUGE, child_read, &huge);
  }
  if (p->caps & GALLEY_CAN_WRITE) {
    in_child(&ck, "write: an empty document", TIMEOUT, child_write_empty, NULL);
    in_child(&ck, "round trip", TIMEOUT, child_roundtrip, NULL);
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

  printf("# %s: %d passed, %d failed\n", p->name, ck.passed, ck.failed);
  printf("%d passed, %d failed\n", ck.passed, ck.failed);
  galley_registry_free(ck.reg);
  return ck.failed ? EXIT_FAILED : EXIT_OK;
}
