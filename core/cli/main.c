/* The galley command line: pandoc-style conversion of one document. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <galley/galley.h>
#include <pthread.h>

#include "cli.h"

volatile sig_atomic_t cli_interrupted;

/* Jobs that a signal cancels. Plain atomic slots, because a signal handler
 * may not take a lock. */
#define MAX_TRACKED 256
static _Atomic(galley_job *) tracked[MAX_TRACKED];

static void on_signal(int sig) {
  (void)sig;
  cli_interrupted = 1;
  for (size_t i = 0; i < MAX_TRACKED; i++) {
    galley_job *job = atomic_load(&tracked[i]);
    if (job)
      galley_job_cancel(job);
  }
}

/* Appends `s` at `*at` within `end`: the crash message is built without
 * stdio, which a signal handler may not call. */
static void crash_put(char **at, const char *end, const char *s) {
  while (s && *s && *at < end)
    *(*at)++ = *s++;
}

/* A fatal signal: when it came during a plugin's callback, one line names
 * the plugin and the input, and galley exits 3 (no recovery: the plugin
 * may have broken anything). Otherwise the signal's default action. */
static void on_fatal(int sig) {
  const char *plugin, *action, *location;
  if (galley_callback_running(&plugin, &action, &location)) {
    char msg[512], num[16], *at = msg;
    const char *end = msg + sizeof msg - 1;
    char *n = num + sizeof num;
    *--n = '\0';
    for (int v = sig; v > 0 || n == num + sizeof num - 1; v /= 10)
      *--n = (char)('0' + v % 10);
    crash_put(&at, end, "galley: ");
    if (location) {
      crash_put(&at, end, location);
      crash_put(&at, end, ": ");
    }
    crash_put(&at, end, "the ");
    crash_put(&at, end, plugin);
    crash_put(&at, end, " plugin crashed while ");
    crash_put(&at, end, action);
    crash_put(&at, end, " (signal ");
    crash_put(&at, end, n);
    crash_put(&at, end, ")\n");
    ssize_t w = write(STDERR_FILENO, msg, (size_t)(at - msg));
    (void)w;
    galley_sinks_abandon();
    _exit(EXIT_INTERNAL);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void signals_fatal_stack(void) {
  /* A plugin that recurses too deep overflows its stack: the handler runs
   * on a stack of its own, one per thread, which lives as long as it. */
  static _Thread_local char altstack[64 * 1024];
  stack_t ss;
  /* A thread that has one already keeps it: AddressSanitizer gives each
   * thread its own and unmaps it when the thread ends. */
  if (sigaltstack(NULL, &ss) == 0 && !(ss.ss_flags & SS_DISABLE))
    return;
  memset(&ss, 0, sizeof ss);
  ss.ss_size = sizeof altstack;
  ss.ss_sp = altstack;
  sigaltstack(&ss, NULL);
}

void signals_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fatal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
  for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
    sigaction(fatal[i], &sa, NULL);
  signals_fatal_stack();
}

void signals_track_job(galley_job *job) {
  for (size_t i = 0; i < MAX_TRACKED; i++) {
    galley_job *empty = NULL;
    if (atomic_compare_exchange_strong(&tracked[i], &empty, job))
      break;
  }
  if (cli_interrupted)
    galley_job_cancel(job);
}

void signals_untrack_job(galley_job *job) {
  for (size_t i = 0; i < MAX_TRACKED; i++) {
    galley_job *mine = job;
    if (atomic_compare_exchange_strong(&tracked[i], &mine, NULL))
      break;
  }
}

void cli_die_oom(void) {
  fputs("galley: out of memory\n", stderr);
  exit(EXIT_INTERNAL);
}

void cli_push(strlist *l, const char *s) {
  if (galley_array_grow((void **)&l->items, &l->cap, l->n + 1,
                        sizeof *l->items) != GALLEY_OK)
    cli_die_oom();
  l->items[l->n++] = s;
}

void cli_usage_error(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* One hint: a message that names where to look keeps its own. */
  fprintf(stderr, "galley: %s%s\n", msg,
          strstr(msg, "see galley --") || strstr(msg, "see --")
              ? ""
              : " (see galley --help)");
  exit(EXIT_USAGE);
}

static void print_help(void) {
  fputs(
      "Usage: galley [OPTIONS] INPUT... [-o OUTPUT]\n"
      "Convert articles between formats through one document tree.\n"
      "An INPUT is a file, a folder, '-' (standard input) or an http(s) "
      "URL.\n"
      "\n"
      "  -f, --from FORMAT        input format (default: from the extension, "
      "then the content)\n"
      "  -t, --to FORMAT          output format (default: from -o's "
      "extension, else html)\n"
      "  -o, --output FILE        write to FILE (atomically); '-' or none: "
      "standard output\n"
      "  -x, --transform NAME     apply a transform; repeatable, applied in "
      "order\n"
      "      --strip              strip page boilerplate (same as -x "
      "boilerplate)\n"
      "  -M, --meta KEY=VALUE     set document metadata (title, author, "
      "date, language, ...)\n"
      "  -O, --option KEY=VALUE   set a format option (see --help-format "
      "FORMAT)\n"
      "      --css FILE           stylesheet for html/epub output (-O "
      "css=FILE)\n"
      "      --cover FILE         cover image for epub output (-O cover=FILE)\n"
      "      --resource-path DIR  also read images and other resources from "
      "DIR\n"
      "      --extract-media DIR  write the document's images and other files "
      "into DIR\n"
      "                           and point the output at them (one "
      "document)\n"
      "      --max-input-size N   refuse inputs over N bytes (suffixes K, M, "
      "G; default 256M)\n"
      "  -O max-depth=N           refuse documents nested deeper (default "
      "512)\n"
      "  -O max-entries=N         EPUB: most zip entries (default 10000)\n"
      "  -O max-decompressed=N    EPUB: most bytes unpacked (default 1G)\n"
      "  -O max-resource-bytes=N  most bytes of all images and files (512M)\n"
      "  -O max-image-size=N      most bytes of one image (default 64M)\n"
      "  -O max-nodes=N           most nodes in one document (default "
      "4000000)\n"
      "\nThe network (URL inputs):\n"
      "      --offline            fetch nothing; a URL input is an error\n"
      "      --allow-local-network\n"
      "                           fetch from loopback, private and "
      "link-local addresses\n"
      "                           too (refused by default)\n"
      "      --input-list FILE    read inputs (URLs or paths) from FILE, one "
      "a line\n"
      "  -O max-fetch-size=N      most bytes of one response (default 64M)\n"
      "  -O max-fetch-bytes=N     most bytes fetched for one document "
      "(512M)\n"
      "  -O max-fetches=N         most URLs fetched for one document "
      "(1000)\n"
      "  -O connect-timeout=S     seconds to connect (default 15)\n"
      "  -O fetch-timeout=S       seconds for one fetch (default 120)\n"
      "  -O host-connections=N    transfers at once to one host (default "
      "6)\n"
      "  -O fetch-parallel=N      transfers at once in all (default 16)\n"
      "      --plugin-dir DIR     load plugins from DIR first; repeatable\n"
      "      --list-formats       list the formats that are loaded, and from "
      "where\n"
      "      --list-transforms    list the transforms that are loaded\n"
      "      --json               with --list-formats/--list-transforms: "
      "print JSON\n"
      "      --help-format NAME   describe a format or transform and its "
      "options\n"
      "      --check-plugin FILE  load one plugin file and exercise it\n"
      "        --inputs DIR, --keep DIR, --no-valgrind: see galley(1)\n",
      stdout);
  /* Two strings: one would pass the 4,095 characters C99 promises. */
  fputs(
      "\nSeveral documents:\n"
      "  -o DIR/ with files or folders: one output per input, named after it\n"
      "  several inputs with -o FILE:    one document (a digest) of them all\n"
      "  -r, --recursive          walk subfolders, mirroring them under -o "
      "DIR\n"
      "  -j, --jobs N             convert N documents at once (default: "
      "cores)\n"
      "      --include GLOB       only inputs whose name or path matches\n"
      "      --exclude GLOB       skip inputs whose name or path matches\n"
      "      --force              convert even when the output is up to date\n"
      "      --fail-fast          stop at the first failure\n"
      "      --follow-symlinks    in folders, follow symlinks that lead "
      "outside them\n"
      "      --jsonl              read JSON records on stdin, write them on "
      "stdout\n"
      "      --fetch              with --jsonl: fetch a record's url when it "
      "has no content\n"
      "\nWeb archives (.warc, .warc.gz: a collection, as a folder is):\n"
      "      --warc-offset N      convert the one record at byte offset N "
      "of the archive\n"
      "\n"
      "  -q, --quiet              print errors only\n"
      "  -v, --verbose            print notes as well as warnings\n"
      "  -h, --help               show this help\n"
      "  -V, --version            show the version\n"
      "\n"
      "INPUT '-' reads standard input. Exit status: 0 success, 1 a "
      "conversion failed,\n"
      "2 usage error, 3 internal error or a plugin crashed, 130 "
      "interrupted.\n",
      stdout);
}

/* Parses "123", "64K", "10M", "1G". Returns false on anything else. */
int parse_size(const char *s, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(s, &end, 10);
  if (errno || end == s)
    return 0;
  unsigned long long mul = 1;
  if (*end == 'K' || *end == 'k')
    mul = 1ull << 10, end++;
  else if (*end == 'M' || *end == 'm')
    mul = 1ull << 20, end++;
  else if (*end == 'G' || *end == 'g')
    mul = 1ull << 30, end++;
  if (*end || n > SIZE_MAX / mul)
    return 0;
  *out = (size_t)(n * mul);
  return 1;
}

static void parse_args(cli *c, int argc, char **argv) {
  enum {
    OPT_STRIP = 256,
    OPT_CSS,
    OPT_RESOURCE_PATH,
    OPT_MAX_INPUT,
    OPT_PLUGIN_DIR,
    OPT_LIST_FORMATS,
    OPT_LIST_TRANSFORMS,
    OPT_JSON,
    OPT_HELP_FORMAT,
    OPT_FORCE,
    OPT_FAIL_FAST,
    OPT_INCLUDE,
    OPT_EXCLUDE,
    OPT_JSONL,
    OPT_CHECK_PLUGIN,
    OPT_CHECK_INPUTS,
    OPT_CHECK_KEEP,
    OPT_NO_VALGRIND,
    OPT_COVER,
    OPT_FOLLOW_SYMLINKS,
    OPT_OFFLINE,
    OPT_ALLOW_LOCAL_NETWORK,
    OPT_FETCH,
    OPT_INPUT_LIST,
    OPT_EXTRACT_MEDIA,
    OPT_WARC_OFFSET,
  };
  static const struct option longopts[] = {
      {"from", required_argument, NULL, 'f'},
      {"to", required_argument, NULL, 't'},
      {"output", required_argument, NULL, 'o'},
      {"transform", required_argument, NULL, 'x'},
      {"strip", no_argument, NULL, OPT_STRIP},
      {"meta", required_argument, NULL, 'M'},
      {"option", required_argument, NULL, 'O'},
      {"css", required_argument, NULL, OPT_CSS},
      {"resource-path", required_argument, NULL, OPT_RESOURCE_PATH},
      {"max-input-size", required_argument, NULL, OPT_MAX_INPUT},
      {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
      {"list-formats", no_argument, NULL, OPT_LIST_FORMATS},
      {"list-transforms", no_argument, NULL, OPT_LIST_TRANSFORMS},
      {"json", no_argument, NULL, OPT_JSON},
      {"help-format", required_argument, NULL, OPT_HELP_FORMAT},
      {"recursive", no_argument, NULL, 'r'},
      {"jobs", required_argument, NULL, 'j'},
      {"force", no_argument, NULL, OPT_FORCE},
      {"fail-fast", no_argument, NULL, OPT_FAIL_FAST},
      {"include", required_argument, NULL, OPT_INCLUDE},
      {"exclude", required_argument, NULL, OPT_EXCLUDE},
      {"jsonl", no_argument, NULL, OPT_JSONL},
      {"check-plugin", required_argument, NULL, OPT_CHECK_PLUGIN},
      {"inputs", required_argument, NULL, OPT_CHECK_INPUTS},
      {"keep", required_argument, NULL, OPT_CHECK_KEEP},
      {"no-valgrind", no_argument, NULL, OPT_NO_VALGRIND},
      {"cover", required_argument, NULL, OPT_COVER},
      {"follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS},
      {"offline", no_argument, NULL, OPT_OFFLINE},
      {"allow-local-network", no_argument, NULL, OPT_ALLOW_LOCAL_NETWORK},
      {"fetch", no_argument, NULL, OPT_FETCH},
      {"input-list", required_argument, NULL, OPT_INPUT_LIST},
      {"extract-media", required_argument, NULL, OPT_EXTRACT_MEDIA},
      {"warc-offset", required_argument, NULL, OPT_WARC_OFFSET},
      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0},
  };
  static char css_option[PATH_MAX + 8], cover_option[PATH_MAX + 8];
  int ch;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, ":f:t:o:x:M:O:rj:qvhV", longopts,
                           NULL)) != -1) {
    switch (ch) {
    case 'f': c->from = optarg; break;
    case 't': c->to = optarg; break;
    case 'o': c->output = optarg; break;
    case 'x': cli_push(&c->transforms, optarg); break;
    case OPT_STRIP: cli_push(&c->transforms, "boilerplate"); break;
    case 'M': cli_push(&c->metas, optarg); break;
    case 'O': cli_push(&c->options, optarg); break;
    case OPT_CSS:
      snprintf(css_option, sizeof css_option, "css=%s", optarg);
      cli_push(&c->options, css_option);
      break;
    case OPT_RESOURCE_PATH: cli_push(&c->resource_paths, optarg); break;
    case OPT_EXTRACT_MEDIA:
      if (!*optarg)
        cli_usage_error("--extract-media needs a folder");
      c->extract_media = optarg;
      break;
    case OPT_MAX_INPUT:
      if (!parse_size(optarg, &c->max_input_size))
        cli_usage_error("--max-input-size: '%s' is not a size", optarg);
      c->max_input_size_set = 1;
      break;
    case OPT_PLUGIN_DIR: cli_push(&c->plugin_dirs, optarg); break;
    case OPT_LIST_FORMATS: c->list_formats = 1; break;
    case OPT_LIST_TRANSFORMS: c->list_transforms = 1; break;
    case OPT_JSON: c->json = 1; break;
    case OPT_HELP_FORMAT: c->help_format = optarg; break;
    case 'r': c->recursive = 1; break;
    case 'j': {
      char *end;
      errno = 0;
      c->jobs = strtol(optarg, &end, 10);
      if (errno || *end || c->jobs < 1 || c->jobs > 256)
        cli_usage_error("-j wants a number of threads from 1 to 256, got '%s'",
                        optarg);
      break;
    }
    case OPT_FORCE: c->force = 1; break;
    case OPT_FAIL_FAST: c->fail_fast = 1; break;
    case OPT_FOLLOW_SYMLINKS: c->follow_symlinks = 1; break;
    case OPT_OFFLINE: c->offline = 1; break;
    case OPT_ALLOW_LOCAL_NETWORK: c->allow_local_network = 1; break;
    case OPT_FETCH: c->fetch = 1; break;
    case OPT_WARC_OFFSET: {
      char *end;
      errno = 0;
      c->warc_offset = strtoull(optarg, &end, 10);
      if (errno || end == optarg || *end || optarg[0] == '-')
        cli_usage_error("--warc-offset: '%s' is not an offset in bytes",
                        optarg);
      c->warc_offset_set = 1;
      break;
    }
    case OPT_INPUT_LIST: cli_push(&c->input_lists, optarg); break;
    case OPT_INCLUDE: cli_push(&c->includes, optarg); break;
    case OPT_EXCLUDE: cli_push(&c->excludes, optarg); break;
    case OPT_JSONL: c->jsonl = 1; break;
    case OPT_CHECK_PLUGIN: c->check_plugin = optarg; break;
    case OPT_CHECK_INPUTS: c->check_inputs = optarg; break;
    case OPT_CHECK_KEEP: c->check_keep = optarg; break;
    case OPT_NO_VALGRIND: c->no_valgrind = 1; break;
    case OPT_COVER:
      snprintf(cover_option, sizeof cover_option, "cover=%s", optarg);
      cli_push(&c->options, cover_option);
      break;
    case 'q': c->verbosity = -1; break;
    case 'v': c->verbosity = 1; break;
    case 'h': print_help(); exit(EXIT_OK);
    case 'V':
      printf("galley %s (plugin ABI %d)\n", galley_version(),
             GALLEY_ABI_VERSION);
      exit(EXIT_OK);
    case ':': cli_usage_error("option %s needs a value", argv[optind - 1]);
    default:
      if (optopt)
        cli_usage_error("unknown option -%c", optopt);
      cli_usage_error("unknown option %s", argv[optind - 1]);
    }
  }
  for (int i = optind; i < argc; i++)
    cli_push(&c->inputs, argv[i]);
}

/* ---- Listings ---- */

static const char *origin_name(galley_origin o) {
  switch (o) {
  case GALLEY_ORIGIN_BUILTIN: return "built-in";
  case GALLEY_ORIGIN_OPTION: return "--plugin-dir";
  case GALLEY_ORIGIN_ENV: return "GALLEY_PLUGIN_PATH";
  case GALLEY_ORIGIN_USER: return "user";
  case GALLEY_ORIGIN_SYSTEM: return "installed";
  case GALLEY_ORIGIN_BUILD: return "build";
  }
  return "?";
}

static void json_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (*p == '"' || *p == '\\')
      printf("\\%c", *p);
    else if (*p < 0x20)
      printf("\\u%04x", *p);
    else
      putchar(*p);
  }
  putchar('"');
}

static void join_extensions(const galley_plugin *p, char *buf, size_t len) {
  buf[0] = '\0';
  for (const char *const *e = p->extensions; e && *e; e++) {
    if (buf[0])
      strncat(buf, ", ", len - strlen(buf) - 1);
    strncat(buf, *e, len - strlen(buf) - 1);
  }
  if (!buf[0])
    snprintf(buf, len, "-");
}

static void list_plugins(const galley_registry *reg, int transforms, int json) {
  size_t n = galley_registry_count(reg);
  if (json) {
    printf("[");
    int first = 1;
    for (size_t i = 0; i < n; i++) {
      const galley_plugin *p = galley_registry_describe_at(reg, i);
      if (!!(p->caps & GALLEY_CAN_TRANSFORM) != transforms)
        continue;
      printf("%s\n  {\"name\": ", first ? "" : ",");
      first = 0;
      json_string(p->name);
      printf(", \"version\": ");
      json_string(p->version);
      printf(", \"summary\": ");
      json_string(p->summary);
      printf(", \"read\": %s, \"write\": %s, \"transform\": %s",
             (p->caps & GALLEY_CAN_READ) ? "true" : "false",
             (p->caps & GALLEY_CAN_WRITE) ? "true" : "false",
             (p->caps & GALLEY_CAN_TRANSFORM) ? "true" : "false");
      printf(", \"extensions\": [");
      for (const char *const *e = p->extensions; e && *e; e++) {
        if (e != p->extensions)
          printf(", ");
        json_string(*e);
      }
      printf("], \"media_type\": ");
      json_string(p->media_type);
      printf(", \"path\": ");
      json_string(galley_registry_path(reg, i));
      printf(", \"origin\": ");
      json_string(origin_name(galley_registry_origin(reg, i)));
      printf("}");
    }
    printf("%s]\n", first ? "" : "\n");
    return;
  }
  if (transforms)
    printf("%-12s %-40s %s\n", "TRANSFORM", "SUMMARY", "LOADED FROM");
  else
    printf("%-10s %-4s %-5s %-22s %s\n", "FORMAT", "READ", "WRITE",
           "EXTENSIONS", "LOADED FROM");
  for (size_t i = 0; i < n; i++) {
    const galley_plugin *p = galley_registry_describe_at(reg, i);
    if (transforms) {
      if (p->caps & GALLEY_CAN_TRANSFORM)
        printf("%-12s %-40s %s (%s)\n", p->name, p->summary ? p->summary : "",
               galley_registry_path(reg, i),
               origin_name(galley_registry_origin(reg, i)));
      continue;
    }
    if (!(p->caps & (GALLEY_CAN_READ | GALLEY_CAN_WRITE)))
      continue;
    char exts[128];
    join_extensions(p, exts, sizeof exts);
    printf("%-10s %-4s %-5s %-22s %s (%s)\n", p->name,
           (p->caps & GALLEY_CAN_READ) ? "yes" : "-",
           (p->caps & GALLEY_CAN_WRITE) ? "yes" : "-", exts,
           galley_registry_path(reg, i),
           origin_name(galley_registry_origin(reg, i)));
  }
}

static const char *type_name(galley_option_type t) {
  switch (t) {
  case GALLEY_OPT_BOOL: return "bool";
  case GALLEY_OPT_INT: return "int";
  case GALLEY_OPT_STRING: return "string";
  case GALLEY_OPT_ENUM: return "enum";
  case GALLEY_OPT_PATH: return "path";
  }
  return "?";
}

static int help_format(const galley_registry *reg, const char *name) {
  /* From the plugin's description: nothing is loaded to describe it. */
  const galley_plugin *p = galley_registry_describe(reg, name);
  if (!p) {
    fprintf(stderr,
            "galley: no format or transform named '%s' (see galley "
            "--list-formats)\n",
            name);
    return EXIT_USAGE;
  }
  char exts[128];
  join_extensions(p, exts, sizeof exts);
  printf("%s %s: %s\n", p->name, p->version ? p->version : "",
         p->summary ? p->summary : "");
  printf("  can:        %s\n", caps_words(p->caps));
  printf("  extensions: %s\n", exts);
  printf("  media type: %s\n", p->media_type ? p->media_type : "-");
  if (!p->options || !p->options->name) {
    printf("  options:    none\n");
    return EXIT_OK;
  }
  printf("  options (-O %s.NAME=VALUE; the short -O NAME=VALUE sets NAME for\n"
         "           every plugin of the conversion that declares it):\n",
         p->name);
  for (const galley_option *o = p->options; o->name; o++) {
    char kind[160], scoped[160];
    if (o->type == GALLEY_OPT_ENUM)
      snprintf(kind, sizeof kind, "%s", o->choices);
    else
      snprintf(kind, sizeof kind, "%s", type_name(o->type));
    snprintf(scoped, sizeof scoped, "%s.%s", p->name, o->name);
    printf("    %-26s %-18s default %-8s %s\n", scoped, kind,
           o->default_value ? o->default_value : "(none)",
           o->help ? o->help : "");
  }
  return EXIT_OK;
}

/* ---- Conversion ---- */

/* Reads what is left of `fd` into `buf`, growing it, until end of file or
 * `limit` + 1 bytes. A stream (`poll` set: a FIFO, a device, opened
 * non-blocking) is waited on in short slices so that SIGINT and SIGTERM
 * always end the wait. */
static int read_all(int fd, int poll_it, size_t limit, galley_buf *buf) {
  for (;;) {
    if (buf->len + 1 == buf->cap) {
      if (limit && buf->len > limit)
        return 0;
      if (galley_buf_reserve(buf, buf->cap) != GALLEY_OK) /* doubles it */
        cli_die_oom();
    }
    if (poll_it) {
      struct pollfd pfd = {fd, POLLIN, 0};
      int ready = poll(&pfd, 1, 100);
      if (cli_interrupted) {
        errno = EINTR;
        return -1;
      }
      if (ready == 0 || (ready < 0 && errno == EINTR))
        continue;
      if (ready < 0)
        return -1;
    }
    ssize_t got = read(fd, buf->data + buf->len, buf->cap - buf->len - 1);
    if (got == 0)
      return 0;
    if (got < 0) {
      if (errno == EAGAIN || (errno == EINTR && !cli_interrupted))
        continue;
      return -1;
    }
    galley_buf_set_len(buf, buf->len + (size_t)got);
  }
}

/* Reads a whole file or standard input, stopping at `limit` + 1 bytes so an
 * oversized input is refused without reading it all. With `expect` (a file
 * found in a folder walk), only a regular file that is still the one the
 * walk saw is read: never a FIFO, a device, or a file swapped in since. */
int read_input(const char *path, size_t limit, const struct stat *expect,
               unsigned char **data, size_t *size, int *too_big) {
  int is_stdin = strcmp(path, "-") == 0;
  *too_big = 0;
  /* O_NONBLOCK: opening a FIFO must not wait for a writer (a worker stuck
   * in open() cannot be cancelled). */
  int fd = is_stdin ? 0 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) != 0)
    goto fail;
  if (expect && (!S_ISREG(st.st_mode) || st.st_dev != expect->st_dev ||
                 st.st_ino != expect->st_ino)) {
    errno = S_ISREG(st.st_mode) ? ESTALE : EINVAL;
    goto fail;
  }
  if (S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    goto fail;
  }
  int stream = !is_stdin && !S_ISREG(st.st_mode);
  if (!is_stdin && !stream) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
      fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  }
  size_t room = 1 << 16;
  /* A regular file's size is known: one allocation of that size (plus the
   * byte that shows the file did not grow), not a doubling series whose
   * last step can waste almost half. */
  if (S_ISREG(st.st_mode) && st.st_size > 0 &&
      (!limit || (size_t)st.st_size <= limit))
    room = (size_t)st.st_size + 1;
  galley_buf buf = GALLEY_BUF_INIT;
  if (galley_buf_reserve(&buf, room) != GALLEY_OK)
    cli_die_oom();
  if (read_all(fd, stream, limit, &buf) != 0) {
    int err = errno ? errno : EIO;
    galley_buf_free(&buf);
    if (!is_stdin)
      close(fd);
    errno = err;
    return -1;
  }
  if (!is_stdin)
    close(fd);
  if (limit && buf.len > limit)
    *too_big = 1;
  *data = (unsigned char *)galley_buf_detach(&buf, size);
  return 0;
fail : {
  int err = errno;
  if (!is_stdin)
    close(fd);
  errno = err;
  return -1;
}
}

static const char *path_extension(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  return dot && dot != base ? dot + 1 : NULL;
}

/* Prints the registry's messages not printed yet: those of loading, then
 * those of plugins loaded later, when a lookup first needs them. */
static size_t messages_printed;
static void print_registry_messages(const galley_registry *reg) {
  size_t n = galley_registry_message_count(reg);
  for (; messages_printed < n; messages_printed++)
    fprintf(stderr, "galley: %s\n",
            galley_registry_message(reg, messages_printed));
}

static const galley_plugin *need_format(const galley_registry *reg,
                                        const char *name, unsigned cap,
                                        const char *what) {
  const galley_plugin *p = galley_registry_find(reg, name);
  print_registry_messages(reg);
  if (!p)
    cli_usage_error(
        "no %s format named '%s' is loaded (see galley --list-formats)", what,
        name);
  if (!(p->caps & cap))
    cli_usage_error("format '%s' cannot be %s", name,
                    cap == GALLEY_CAN_READ ? "read" : "written");
  return p;
}

void print_diags(const galley_job *job, int verbosity) {
  size_t n = galley_job_diag_count(job);
  for (size_t i = 0; i < n; i++) {
    const galley_diag *d = galley_job_diag_at(job, i);
    if (d->level == GALLEY_LEVEL_INFO && verbosity < 1)
      continue;
    if (d->level == GALLEY_LEVEL_WARNING && verbosity < 0)
      continue;
    const char *prefix = d->level == GALLEY_LEVEL_ERROR     ? ""
                         : d->level == GALLEY_LEVEL_WARNING ? "warning: "
                                                            : "note: ";
    if (d->location)
      fprintf(stderr, "galley: %s: %s%s\n", d->location, prefix, d->message);
    else
      fprintf(stderr, "galley: %s%s\n", prefix, d->message);
  }
}

char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    return strdup(".");
  if (slash == path)
    return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

const char *caps_words(unsigned caps) {
  static const char *const words[] = {"", "read", "write", "read write",
                                      "transform", "read transform",
                                      "write transform",
                                      "read write transform"};
  unsigned i = ((caps & GALLEY_CAN_READ) ? 1u : 0u) |
               ((caps & GALLEY_CAN_WRITE) ? 2u : 0u) |
               ((caps & GALLEY_CAN_TRANSFORM) ? 4u : 0u);
  return words[i];
}

int exit_code_for(int status) {
  switch (status) {
  case GALLEY_OK: return EXIT_OK;
  case GALLEY_ECANCELLED: return EXIT_INTERRUPTED;
  case GALLEY_ENOMEM: return EXIT_INTERNAL;
  default: return EXIT_FAILED;
  }
}

galley_job *plan_new_job(const plan *p, const char *location) {
  galley_job *job = galley_job_copy(p->proto);
  if (!job)
    cli_die_oom();
  if (location && galley_job_set_location(job, location) != GALLEY_OK)
    cli_die_oom();
  return job;
}

void free_input(void *data) { free(data); }

int deliver_reports(galley_job *job) {
  int rc = GALLEY_OK;
  for (size_t i = 0; i < galley_job_report_count(job); i++) {
    const galley_report *r = galley_job_report_at(job, i);
    galley_sink *s = galley_sink_new_file(r->path);
    if (!s || galley_sink_write(s, r->data, r->size) != GALLEY_OK ||
        galley_sink_commit(s) != GALLEY_OK)
      rc = galley_job_error(job, GALLEY_EIO, "cannot write %s file %s", r->kind,
                            r->path);
    galley_sink_free(s);
  }
  return rc;
}

int load_input(const plan *p, const char *path, const struct stat *expect,
               loaded *out, char *why, size_t why_size) {
  int too_big = 0;
  *out = (loaded){0};
  why[0] = '\0';
  if (read_input(path, p->limits.max_input_size, expect, &out->data, &out->size,
                 &too_big) != 0) {
    if (cli_interrupted)
      return GALLEY_ECANCELLED;
    if (expect && errno == ESTALE)
      snprintf(why, why_size, "replaced since its folder was read; not read");
    else if (expect && errno == EINVAL)
      snprintf(why, why_size, "not a regular file; not read");
    else
      snprintf(why, why_size, "%s", strerror(errno));
    return GALLEY_EIO;
  }
  if (too_big) {
    snprintf(why, why_size,
             "input is over the input size limit of %zu bytes "
             "(--max-input-size)",
             p->limits.max_input_size);
    free(out->data);
    *out = (loaded){0};
    return GALLEY_ELIMIT;
  }
  return GALLEY_OK;
}

int deliver_output(galley_job *job, galley_sink *sink, const char *output) {
  if (output) {
    if (galley_sink_commit(sink) != GALLEY_OK)
      return galley_job_error(job, GALLEY_EIO, "cannot write %s: %s", output,
                              strerror(errno));
    return GALLEY_OK;
  }
  size_t len;
  const char *bytes = galley_sink_data(sink, &len);
  if (fwrite(bytes, 1, len, stdout) != len || fflush(stdout) != 0)
    return galley_job_error(job, GALLEY_EIO, "cannot write standard output: %s",
                            strerror(errno));
  return GALLEY_OK;
}

int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (!a || !b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
    return 0;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

void refuse_output_over_input(const char *input, const char *output) {
  if (same_file(input, output))
    cli_usage_error("%s: the output %s is this input; it would be "
                    "overwritten (choose another -o)",
                    input, output);
}

int is_url_input(const char *input) { return galley_is_url(input); }

int fetch_input(galley_job *job, const char *url, galley_input *in) {
  /* Ctrl-C cancels the job, and with it the transfer. */
  signals_track_job(job);
  int rc = galley_job_fetch_input(job, in, url);
  signals_untrack_job(job);
  if (rc != GALLEY_OK && cli_interrupted)
    rc = GALLEY_ECANCELLED;
  return rc;
}

/* One input to one output (a file, or standard output). */
static int run_single(const plan *p, const char *input, const char *output) {
  struct stat st;
  int url = is_url_input(input);
  if (!url && strcmp(input, "-") != 0 && stat(input, &st) == 0 &&
      S_ISDIR(st.st_mode))
    cli_usage_error("%s is a folder: give -o OUTDIR to convert a folder",
                    input);
  if (!url)
    refuse_output_over_input(input, output);
  loaded ld = {0};
  char *base_dir = NULL;
  galley_input in;
  galley_job *job = plan_new_job(p, input);
  if (url) {
    /* Fetched into the job, which holds the bytes until they are read. */
    int frc = fetch_input(job, input, &in);
    if (frc != GALLEY_OK) {
      if (frc == GALLEY_ECANCELLED)
        fputs("galley: interrupted\n", stderr);
      else
        print_diags(job, p->c->verbosity);
      galley_job_free(job);
      return frc == GALLEY_ECANCELLED ? EXIT_INTERRUPTED : exit_code_for(frc);
    }
  } else if (p->c->warc_offset_set) {
    /* One record of a web archive, read where a CDX index says it is. */
    warc_rec wr;
    int wrc = warc_input_at(p, job, input, p->c->warc_offset, 0, &in, &wr);
    warc_rec_clear(&wr);
    if (wrc != GALLEY_OK) {
      print_diags(job, p->c->verbosity);
      galley_job_free(job);
      return exit_code_for(wrc);
    }
  } else {
    char why[256];
    int lrc = load_input(p, input, NULL, &ld, why, sizeof why);
    if (lrc != GALLEY_OK)
      galley_job_free(job);
    if (lrc == GALLEY_ECANCELLED) {
      fputs("galley: interrupted\n", stderr);
      return EXIT_INTERRUPTED;
    }
    if (lrc != GALLEY_OK) {
      fprintf(stderr, "galley: %s: %s\n", input, why);
      return EXIT_FAILED;
    }
    base_dir = strcmp(input, "-") == 0 ? strdup(".") : dir_of(input);
    if (!base_dir)
      cli_die_oom();
    in = (galley_input){ld.data, ld.size, input, base_dir};
  }
  /* One document has one reader: its options are checked against exactly
   * the plugins of this conversion (-O wrap=60 with html in and out is an
   * error, though the text reader would take it). Both are usage errors. */
  const galley_plugin *reader = galley_job_detect(job, &in);
  int usage = !reader;
  if (reader && galley_job_check_options(job, reader) != GALLEY_OK) {
    fprintf(stderr, "galley: %s (see galley --help)\n", galley_job_errmsg(job));
    galley_job_clear(job);
    usage = 1;
  }
  if (usage) {
    print_diags(job, p->c->verbosity);
    galley_job_free(job);
    free(base_dir);
    free(ld.data);
    /* A page whose type no reader takes (an image, a PDF) is a bad input,
     * not a bad command line. */
    return url && !reader ? EXIT_FAILED : EXIT_USAGE;
  }

  /* Standard output gets the bytes only once the conversion succeeded, so a
   * failure never leaves half a document behind there either. */
  galley_sink *sink =
      output ? galley_sink_new_file(output) : galley_sink_new_memory();
  if (!sink) {
    fprintf(stderr, "galley: %s: cannot write: %s\n", output, strerror(errno));
    free(base_dir);
    free(ld.data);
    galley_job_free(job);
    return EXIT_FAILED;
  }
  signals_track_job(job);
  /* The input goes as soon as it is read: the tree holds copies of
   * everything, and a large input should not be held twice while the
   * transforms and the writer run. (A fetched one goes with the job.) */
  if (ld.data)
    galley_job_set_input_release(job, free_input, ld.data);
  int rc = galley_job_run(job, &in, sink);
  if (rc == GALLEY_OK && cli_interrupted)
    rc = galley_job_error(job, GALLEY_ECANCELLED, "interrupted");
  if (rc != GALLEY_ECANCELLED) {
    int report_rc = deliver_reports(job);
    if (rc == GALLEY_OK)
      rc = report_rc;
  }
  if (rc == GALLEY_OK)
    rc = deliver_output(job, sink, output);
  signals_untrack_job(job);
  galley_sink_free(sink);
  print_diags(job, p->c->verbosity);
  galley_job_free(job);
  free(base_dir);
  return cli_interrupted ? EXIT_INTERRUPTED : exit_code_for(rc);
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The rule that tells batch from one document (README "Batch conversion"):
 * a folder input, -r, or -o naming a folder (existing, or ending in '/')
 * means one output per input. */
static int wants_batch(const cli *c) {
  if (c->recursive)
    return 1;
  if (c->output && strcmp(c->output, "-") != 0) {
    size_t len = strlen(c->output);
    if (c->output[len - 1] == '/' || is_dir(c->output))
      return 1;
  }
  for (size_t i = 0; i < c->inputs.n; i++)
    if (strcmp(c->inputs.items[i], "-") != 0 && is_dir(c->inputs.items[i]))
      return 1;
  /* A web archive is a collection of documents, as a folder is; one of
   * its records (--warc-offset) is one document. */
  for (size_t i = 0; i < c->inputs.n && !c->warc_offset_set; i++)
    if (warc_is_path(c->inputs.items[i]))
      return 1;
  return 0;
}

/* The run's state lives in statics, not on main's stack: a usage error
 * exits from deep inside, and everything must still be reachable then (so
 * LeakSanitizer reports nothing and the exit status stays 2). */
static cli c;
static plan p;
static galley_registry *reg;

static void cli_free(void) {
  strlist *lists[] = {&c.inputs,   &c.transforms,  &c.metas,
                      &c.options,  &c.plugin_dirs, &c.resource_paths,
                      &c.includes, &c.excludes,    &c.input_lists,
                      &c.owned};
  for (size_t i = 0; i < c.owned.n; i++)
    free((char *)c.owned.items[i]);
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
    free(lists[i]->items);
  galley_job_free(p.proto);
  galley_registry_free(reg);
}

/* --input-list FILE ('-': standard input): one input a line, a URL or a
 * path, after the inputs of the command line. Blank lines and lines whose
 * first non-blank character is '#' are skipped; blanks around an entry
 * are not part of it. */
static void read_input_list(const char *path) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
  if (!f) {
    fprintf(stderr, "galley: %s: %s\n", path, strerror(errno));
    exit(EXIT_FAILED);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) >= 0) {
    char *start = line, *end = line + n;
    while (start < end && (*start == ' ' || *start == '\t'))
      start++;
    while (end > start && (end[-1] == '\n' || end[-1] == '\r' ||
                           end[-1] == ' ' || end[-1] == '\t'))
      end--;
    if (start == end || *start == '#')
      continue;
    char *item = strndup(start, (size_t)(end - start));
    if (!item)
      cli_die_oom();
    cli_push(&c.owned, item);
    cli_push(&c.inputs, item);
  }
  int err = ferror(f) ? errno : 0;
  free(line);
  if (f != stdin)
    fclose(f);
  if (err) {
    fprintf(stderr, "galley: %s: %s\n", path, strerror(err));
    exit(EXIT_FAILED);
  }
}

/* A galley run from its build tree (build/galley) finds galley-uninstalled
 * beside its executable: meson writes it there, naming the build's plugin
 * folders, and never installs it. Those folders then take the installed
 * folder's place, through GALLEY_PLUGIN_SYSTEM_PATH, unless the
 * environment already sets it (meson devenv, the tests). The library
 * itself knows no build path. Runs before any thread starts (setenv). */
static void use_uninstalled_plugins(void) {
  if (getenv("GALLEY_PLUGIN_SYSTEM_PATH"))
    return;
  static const char marker[] = "galley-uninstalled";
  char path[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
  if (len <= 0)
    return;
  path[len] = '\0';
  char *slash = strrchr(path, '/');
  if (!slash || (size_t)(slash + 1 - path) + sizeof marker > sizeof path)
    return;
  memcpy(slash + 1, marker, sizeof marker);
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) >= 0) {
    if (line[0] == '#')
      continue;
    line[strcspn(line, "\n")] = '\0';
    setenv("GALLEY_PLUGIN_SYSTEM_PATH", line, 1);
    break;
  }
  free(line);
  fclose(f);
}

/* ---- --extract-media DIR ----------------------------------------------
 * Runs as the last transform: every resource of the document (an EPUB's
 * images, a page's fetched pictures) is written to DIR under its own name,
 * folders made as needed, and the images that named it point at the file
 * instead, as pandoc's option of the same name does. A name that is
 * absolute or climbs out with ".." is not written (the image keeps its
 * name); a file of DIR that is a symbolic link is not written through. */
static const char *extract_dir;

static int safe_resource_name(const char *name) {
  if (!*name || name[0] == '/' || strchr(name, '\\'))
    return 0;
  for (const char *q = name; *q;) {
    size_t n = strcspn(q, "/");
    if (n == 0 || (n == 1 && q[0] == '.') ||
        (n == 2 && q[0] == '.' && q[1] == '.'))
      return 0;
    q += n;
    if (*q == '/')
      q++;
  }
  return 1;
}

/* Makes every folder of `path` up to its last '/'. */
static int make_parents(char *path) {
  for (char *q = strchr(path + 1, '/'); q; q = strchr(q + 1, '/')) {
    *q = '\0';
    int ok = mkdir(path, 0777) == 0 || errno == EEXIST;
    *q = '/';
    if (!ok)
      return -1;
  }
  return 0;
}

static int write_all(int fd, const unsigned char *data, size_t len) {
  while (len) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static int extract_media_transform(galley_job *job, galley_doc *doc) {
  const char *dir = extract_dir;
  size_t dl = strlen(dir);
  while (dl > 1 && dir[dl - 1] == '/')
    dl--;
  size_t n = galley_doc_resource_count(doc);
  /* Where each resource went, by index; NULL: not written. */
  char **where = calloc(n ? n : 1, sizeof *where);
  if (!where)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  int rc = GALLEY_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    const galley_resource *res = galley_doc_resource_at(doc, i);
    if (!safe_resource_name(res->name)) {
      galley_job_warn(job, "resource %s has an unsafe name; not extracted",
                      res->name);
      continue;
    }
    size_t len = dl + strlen(res->name) + 2;
    char *path = malloc(len);
    if (!path) {
      rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
      break;
    }
    snprintf(path, len, "%.*s/%s", (int)dl, dir, res->name);
    int fd = -1;
    if (make_parents(path) == 0)
      fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                0666);
    if (fd < 0 || write_all(fd, res->data, res->size) != 0) {
      rc = galley_job_error(job, GALLEY_EIO, "cannot write %s: %s", path,
                            strerror(errno));
      if (fd >= 0)
        close(fd);
      free(path);
      break;
    }
    if (close(fd) != 0) {
      rc = galley_job_error(job, GALLEY_EIO, "cannot write %s: %s", path,
                            strerror(errno));
      free(path);
      break;
    }
    where[i] = path;
  }
  /* The images point at the files. */
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while (!rc && (ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *x = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER || galley_node_kind(x) != GALLEY_NODE_IMAGE)
      continue;
    const char *url = galley_node_get_url(x);
    for (size_t i = 0; url && i < n; i++)
      if (where[i] && !strcmp(galley_doc_resource_at(doc, i)->name, url)) {
        if (galley_node_set_url(x, where[i]) != GALLEY_OK)
          rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
        break;
      }
  }
  for (size_t i = 0; i < n; i++)
    free(where[i]);
  free(where);
  return rc;
}

static const galley_plugin extract_media_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = sizeof(galley_plugin),
    .name = "extract-media",
    .version = "1",
    .summary = "--extract-media: the document's files written to a folder",
    .caps = GALLEY_CAN_TRANSFORM,
    .transform = extract_media_transform,
};

/* Sets the run's job up: formats, transforms, options, -M overrides,
 * limits and resource paths; then core checks the options against the
 * plugins of the conversion, so a bad -O fails before anything is read:
 * the reader is -f's, else `reader` (what one input's name says), else
 * every reader (they vary per input). */
static void make_proto(const galley_plugin *reader) {
  galley_job *job = p.proto = galley_job_new(reg);
  if (!job)
    cli_die_oom();
  if (galley_job_set_writer(job, p.writer) != GALLEY_OK ||
      galley_job_set_reader(job, p.reader) != GALLEY_OK)
    cli_die_oom(); /* both were checked by need_format */
  for (size_t i = 0; i < c.transforms.n; i++) {
    const galley_plugin *t = galley_registry_find(reg, c.transforms.items[i]);
    print_registry_messages(reg);
    if (!t)
      cli_usage_error(
          "no transform named '%s' is loaded (see galley --list-transforms)",
          c.transforms.items[i]);
    if (galley_job_add_transform(job, t) == GALLEY_EINVALID)
      cli_usage_error("%s", galley_job_errmsg(job));
    else if (galley_job_status(job) != GALLEY_OK)
      cli_die_oom();
  }
  p.n_transforms = galley_job_transform_count(job);
  if (c.extract_media) {
    extract_dir = c.extract_media;
    if (galley_job_add_transform(job, &extract_media_plugin) != GALLEY_OK)
      cli_die_oom();
  }
  for (size_t i = 0; i < c.options.n; i++) {
    const char *kvp = c.options.items[i];
    const char *eq = strchr(kvp, '=');
    if (!eq || eq == kvp)
      cli_usage_error("-O needs KEY=VALUE, got '%s'", kvp);
    char *key = strndup(kvp, (size_t)(eq - kvp));
    if (!key)
      cli_die_oom();
    int rc = galley_job_set_option(job, key, eq + 1);
    free(key);
    if (rc == GALLEY_EINVALID)
      cli_usage_error("-O needs KEY=VALUE or NAME.KEY=VALUE, got '%s'", kvp);
    if (rc != GALLEY_OK)
      cli_die_oom();
  }
  /* Records of --jsonl fetch nothing unless --fetch says so: a stream of
   * records is data from elsewhere, and its pages' images are not. */
  unsigned net = 0;
  if (c.offline || (c.jsonl && !c.fetch))
    net |= GALLEY_NETWORK_OFFLINE;
  if (c.allow_local_network)
    net |= GALLEY_NETWORK_ALLOW_LOCAL;
  galley_job_set_network(job, net);
  galley_limits limits = *galley_job_limits(job);
  if (c.max_input_size_set)
    limits.max_input_size = c.max_input_size;
  galley_job_set_limits(job, &limits);
  p.limits = limits;
  for (size_t i = 0; i < c.metas.n; i++) {
    const char *kvp = c.metas.items[i];
    const char *eq = strchr(kvp, '=');
    char *key = strndup(kvp, (size_t)(eq - kvp));
    if (!key || galley_job_set_meta(job, key, eq + 1) != GALLEY_OK)
      cli_die_oom();
    free(key);
  }
  for (size_t i = 0; i < c.resource_paths.n; i++)
    if (galley_job_add_resource_path(job, c.resource_paths.items[i]))
      cli_die_oom();
  int rc = galley_job_check_options(job, p.reader ? p.reader : reader);
  if (rc == GALLEY_EINVALID)
    cli_usage_error("%s", galley_job_errmsg(job));
  if (rc != GALLEY_OK)
    cli_die_oom();
}

/* --jsonl runs in galley-jsonl.so, the program's only user of jansson, so
 * that no other run loads it: beside the executable in a build tree (where
 * meson writes galley-uninstalled), else in the installed folder. */
static int run_jsonl_module(const plan *pl) {
  char path[PATH_MAX];
  static const char name[] = "galley-jsonl.so";
  snprintf(path, sizeof path, "%s/%s", GALLEY_CLI_MODULE_DIR, name);
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  char *slash = len > 0 ? (exe[len] = '\0', strrchr(exe, '/')) : NULL;
  if (slash && (size_t)(slash + 1 - exe) + sizeof "galley-uninstalled" <=
                   sizeof exe) {
    memcpy(slash + 1, "galley-uninstalled", sizeof "galley-uninstalled");
    if (access(exe, F_OK) == 0)
      snprintf(path, sizeof path, "%.*s/%s", (int)(slash - exe), exe, name);
  }
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  void *sym = h ? dlsym(h, "run_jsonl") : NULL;
  if (!sym) {
    const char *why = dlerror();
    fprintf(stderr, "galley: --jsonl: cannot load %s: %s\n", path,
            why ? why : "no run_jsonl in it");
    return EXIT_FAILED;
  }
  int (*run)(const plan *);
  memcpy(&run, &sym, sizeof run);
  return run(pl);
}

int main(int argc, char **argv) {
  use_uninstalled_plugins();
  parse_args(&c, argc, argv);
  atexit(cli_free);
  for (size_t i = 0; i < c.metas.n; i++) {
    const char *eq = strchr(c.metas.items[i], '=');
    if (!eq || eq == c.metas.items[i])
      cli_usage_error("-M needs KEY=VALUE, got '%s'", c.metas.items[i]);
  }

  if ((c.check_inputs || c.check_keep || c.no_valgrind) && !c.check_plugin)
    cli_usage_error("--inputs, --keep and --no-valgrind go with "
                    "--check-plugin FILE");
  if (c.check_plugin) {
    check_opts co = {.inputs = c.check_inputs,
                        .keep = c.check_keep,
                        .valgrind = !c.no_valgrind,
                        .verbosity = c.verbosity};
    return run_check_plugin(c.check_plugin, &co);
  }
  if (c.fetch && !c.jsonl)
    cli_usage_error("--fetch applies to --jsonl records only (a URL input "
                    "is fetched anyway)");
  if (c.input_lists.n && c.jsonl)
    cli_usage_error("--input-list does not apply to --jsonl");
  for (size_t i = 0; c.jsonl && i < c.inputs.n; i++)
    if (!warc_is_path(c.inputs.items[i]))
      cli_usage_error("%s: --jsonl reads its records on standard input, or "
                      "from web archives (.warc, .warc.gz) given as inputs",
                      c.inputs.items[i]);
  if (c.warc_offset_set && c.inputs.n != 1)
    cli_usage_error("--warc-offset reads one record of one web archive");
  for (size_t i = 0; i < c.input_lists.n; i++)
    read_input_list(c.input_lists.items[i]);

  reg = galley_registry_new();
  if (!reg)
    cli_die_oom();
  galley_registry_load_default(reg, c.plugin_dirs.items, c.plugin_dirs.n);
  print_registry_messages(reg);

  if (c.list_formats || c.list_transforms) {
    if (c.list_formats)
      list_plugins(reg, 0, c.json);
    if (c.list_transforms)
      list_plugins(reg, 1, c.json);
    return EXIT_OK;
  }
  if (c.help_format) {
    return help_format(reg, c.help_format);
  }
  if (c.inputs.n == 0 && !c.jsonl)
    cli_usage_error(c.input_lists.n
                        ? "the input list names no input"
                        : "no input file (use - for standard input)");
  int batch = !c.jsonl && wants_batch(&c);
  const char *output = c.output && strcmp(c.output, "-") != 0 ? c.output : NULL;
  if (batch && !output)
    cli_usage_error("converting a folder, a web archive or with -r needs -o "
                    "OUTDIR");
  if (c.extract_media && (batch || c.jsonl))
    cli_usage_error("--extract-media takes one document, not a batch");

  p.c = &c;
  p.reg = reg;

  /* Choose the writer first: it needs no input, so a bad -t or -o fails
   * before anything is read. */
  if (c.to)
    p.writer = need_format(reg, c.to, GALLEY_CAN_WRITE, "output");
  else if (output && !batch) {
    p.writer = galley_registry_find_path(reg, output, GALLEY_CAN_WRITE);
    if (!p.writer) {
      const char *ext = path_extension(output);
      if (ext)
        cli_usage_error("%s: no loaded format writes .%s files (use -t FORMAT; "
                        "see --list-formats)",
                        output, ext);
      cli_usage_error(
          "%s: cannot tell the output format from the name (use -t FORMAT)",
          output);
    }
  } else {
    p.writer = galley_registry_find(reg, "html");
    if (!p.writer || !(p.writer->caps & GALLEY_CAN_WRITE))
      cli_usage_error(
          "no output format given and html is not loaded (use -t FORMAT)");
  }
  if (c.from)
    p.reader = need_format(reg, c.from, GALLEY_CAN_READ, "input");

  /* One document: its name may tell its reader before anything is read
   * (run_single checks again once the content has been probed). */
  int single = !c.jsonl && !batch && c.inputs.n == 1;
  make_proto(single && !is_url_input(c.inputs.items[0])
                 ? galley_registry_detect(reg, c.inputs.items[0], NULL, 0,
                                          GALLEY_CAN_READ)
                 : NULL);
  print_registry_messages(reg);

  signals_install();
  int status;
  if (c.jsonl)
    status = run_jsonl_module(&p);
  else if (batch)
    status = run_batch(&p);
  else if (c.inputs.n > 1)
    status = run_digest(&p);
  else
    status = run_single(&p, c.inputs.items[0], output);

  print_registry_messages(reg);
  return status;
}
