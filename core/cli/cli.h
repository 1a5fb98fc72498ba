/* Shared pieces of the galley command line: options, the conversion plan,
 * and the single, digest, batch and JSONL runners. */
#ifndef GALLEY_CLI_H
#define GALLEY_CLI_H

#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include <galley/fetch.h>
#include <galley/galley.h>

/* Exit codes; README.md documents them. */
enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1, /* a conversion failed: bad input, a limit, a write error */
  EXIT_USAGE = 2,  /* bad command line, unknown format or option */
  EXIT_INTERNAL = 3, /* out of memory or another internal failure */
  EXIT_INTERRUPTED = 130,
};

typedef struct strlist {
  const char **items;
  size_t n, cap;
} strlist;

typedef struct cli {
  const char *from, *to, *output;
  strlist inputs, transforms, metas, options, plugin_dirs, resource_paths;
  strlist includes, excludes;
  int verbosity; /* -1 quiet, 0 normal, 1 verbose */
  int list_formats, list_transforms, json, jsonl;
  int recursive, force, fail_fast, follow_symlinks;
  long jobs; /* 0: one per core */
  const char *help_format;
  const char *check_plugin;
  const char *check_inputs; /* --inputs DIR */
  const char *check_keep;   /* --keep DIR */
  int no_valgrind;
  const char *extract_media; /* --extract-media DIR, or NULL */
  size_t max_input_size;
  int max_input_size_set;
  /* The network (issue 15): --offline, --allow-local-network, --fetch
   * (--jsonl records' url), --input-list FILE (repeatable). */
  int offline, allow_local_network, fetch;
  strlist input_lists;
  strlist owned; /* strings read from input lists, freed at exit */
  /* --warc-offset N: the one record of a web archive that starts there. */
  unsigned long long warc_offset;
  int warc_offset_set;
} cli;

/* What every conversion of one run uses, resolved once. */
typedef struct plan {
  const cli *c;
  galley_registry *reg;
  /* A job set up with the run's formats, transforms, options (checked),
   * -M overrides, limits and resource paths; each conversion copies it. */
  galley_job *proto;
  const galley_plugin *reader; /* -f, or NULL: per input */
  const galley_plugin *writer;
  size_t n_transforms;
  galley_limits limits;
} plan;

/* Set by SIGINT/SIGTERM; runners stop dispatching when it is set. */
extern volatile sig_atomic_t cli_interrupted;

void cli_push(strlist *l, const char *s);
void cli_die_oom(void) __attribute__((noreturn));
void cli_usage_error(const char *fmt, ...) GALLEY_PRINTF(1, 2)
    __attribute__((noreturn));

/* A job with the run's formats, options, -M overrides, limits and
 * resource paths (a copy of p->proto), naming `location` in messages. */
galley_job *plan_new_job(const plan *p, const char *location);
/* Reads a whole file ("-": stdin; a FIFO or device as a stream), refusing
 * more than `limit` bytes. With `expect`, only a regular file with its
 * device and inode is read (else EINVAL, or ESTALE when it was replaced).
 * Returns 0, or -1 with errno set; *too_big when over the limit. */
int read_input(const char *path, size_t limit, const struct stat *expect,
               unsigned char **data, size_t *size, int *too_big);
/* One input read whole. */
typedef struct loaded {
  unsigned char *data; /* malloc'd; free it (or hand it to the job) */
  size_t size;
} loaded;
/* Reads `path` ("-": stdin) within --max-input-size. GALLEY_OK, or
 * (nothing kept) GALLEY_ECANCELLED when interrupted, GALLEY_EIO
 * (unreadable) or GALLEY_ELIMIT (too big), with the reason in `why` (no
 * "galley: path: " before it). Which reader takes it is the library's
 * business (galley_job_detect). */
int load_input(const plan *p, const char *path, const struct stat *expect,
               loaded *out, char *why, size_t why_size);
/* Frees an input's bytes: the release callback a runner gives the job. */
void free_input(void *data);
/* Writes the reports the job's plugins handed over (galley_job_report_at)
 * where they name, each atomically. GALLEY_OK, or GALLEY_EIO with
 * "cannot write KIND file PATH" on the job. */
int deliver_reports(galley_job *job);
/* Finishes a conversion's output: commits the file sink, or writes the
 * memory sink's bytes to standard output. */
int deliver_output(galley_job *job, galley_sink *sink, const char *output);
/* Prints a job's diagnostics to stderr as "galley: FILE: message". */
void print_diags(const galley_job *job, int verbosity);
/* The process exit code for a conversion's status. */
int exit_code_for(int status);
/* What a plugin can do, as words joined by one space ("read write"). */
const char *caps_words(unsigned caps);
/* Whether two paths name one file (device and inode, symlinks followed). */
int same_file(const char *a, const char *b);
/* A usage error (exit 2) when `output` is the file `input`: writing it
 * would destroy the input. */
void refuse_output_over_input(const char *input, const char *output);
/* Parses a size: "123", "64K", "10M", "1G". 0 on anything else. */
int parse_size(const char *s, size_t *out);
/* Folder part of a path ("." when none); malloc'd. */
char *dir_of(const char *path);

/* Signal handling shared by every runner: the first SIGINT/SIGTERM sets
 * cli_interrupted and cancels the registered jobs. */
void signals_install(void);
/* Gives the calling thread a stack for the fatal-signal handler (each
 * worker thread calls it once). */
void signals_fatal_stack(void);
void signals_track_job(galley_job *job);
void signals_untrack_job(galley_job *job);

/* Whether an input names a URL (galley_is_url) rather than a file. */
int is_url_input(const char *input);
/* Fetches URL input `url` for `job` (galley_job_fetch_input) into `in`.
 * GALLEY_OK, or the status with its one-line message on the job. */
int fetch_input(galley_job *job, const char *url, galley_input *in);

/* ---- Web archives (warc_input.c; the parsers in warc.h) ---- */
#include "warc.h"
/* What record `r` is to a run: 1 a document, with its HTTP response in `h`
 * (cleared by the caller) and its reader; 0 skipped, with `skip` one word
 * (its WARC-Type, "not-200", "type": no reader takes its Content-Type,
 * "not-http"); -1 a record that fails, the reason in `why`. */
int warc_classify(const plan *p, const warc_rec *r, warc_http *h,
                  const galley_plugin **reader, const char **skip, char *why,
                  size_t why_size);
/* Makes a document record `job`'s input: its reader, no local files, the
 * HTTP charset, its URI as url and base; the body moves to the job. */
int warc_prepare(const plan *p, galley_job *job, const warc_rec *r,
                 warc_http *h, const galley_plugin *reader, galley_input *in);
/* Reads the record at `offset` of `path` (the `nth` after the first of
 * its gzip member: 0 but in a .warc.gz compressed whole) and prepares it
 * as `job`'s input (`r` keeps its headers; warc_rec_clear it). GALLEY_OK,
 * or the status with the message on the job. */
int warc_input_at(const plan *p, galley_job *job, const char *path,
                  uint64_t offset, uint64_t nth, galley_input *in, warc_rec *r);

/* One output per input: folders, -r, -o DIR. */
int run_batch(const plan *p);
/* One JSON record per line in and out (--jsonl). */
int run_jsonl(const plan *p);
/* Several inputs into one document (a digest). */
int run_digest(const plan *p);
/* --check-plugin FILE: loads one plugin and exercises it (check.c). */
typedef struct check_opts {
  const char *inputs; /* the author's hostile inputs, or NULL */
  const char *keep;   /* where to leave the test documents, or NULL */
  bool valgrind;      /* run the leak check under valgrind when present */
  int verbosity;
} check_opts;
int run_check_plugin(const char *path, const check_opts *o);

#endif
