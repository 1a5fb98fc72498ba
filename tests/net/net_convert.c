/* A small host for the network tests: converts one file with libgalley's
 * one conversion path (galley_job_run) and the job's fetch options, as the
 * galley command will once it takes --offline and --allow-local-network.
 * Not installed; tests/net/test_resources.sh and corpus_images.py run it.
 *
 *   net_convert [-t FORMAT] [-x TRANSFORM]... [-O KEY=VALUE]...
 *               [--allow-local-network] [--offline] [--no-fetch]
 *               [--fetch-timeout MS] [--base URL] IN OUT
 *
 * --no-fetch gives the job no fetch options (the library's default);
 * --base makes URL the input's base (galley_input.base_dir), as a page
 * fetched from URL has it.
 *
 * Plugins come from GALLEY_PLUGIN_SYSTEM_PATH (set by meson test). Each
 * diagnostic goes to standard error as galley prints it
 * (`galley: IN: warning: ...`; info lines with `info:`). Exit 0, or 1 when
 * the conversion failed (no OUT written), 2 for a usage error. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <galley/fetch.h>
#include <galley/galley.h>

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0, got;
  unsigned char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      unsigned char *bigger = realloc(buf, cap *= 2);
      if (!bigger) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = bigger;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

static int usage(void) {
  fprintf(stderr, "usage: net_convert [-t FORMAT] [-x TRANSFORM]... "
                  "[-O KEY=VALUE]... [--allow-local-network] [--offline] "
                  "[--no-fetch] [--fetch-timeout MS] [--base URL] IN OUT\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *to = "epub", *in_path = NULL, *out_path = NULL;
  const char *transforms[8];
  size_t n_transforms = 0;
  char *opts[32];
  size_t n_opts = 0;
  galley_fetch_options fo = GALLEY_FETCH_OPTIONS_INIT;
  bool fetch = true;
  const char *base = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-t") && i + 1 < argc)
      to = argv[++i];
    else if (!strcmp(a, "-x") && i + 1 < argc && n_transforms < 8)
      transforms[n_transforms++] = argv[++i];
    else if (!strcmp(a, "-O") && i + 1 < argc && n_opts < 32)
      opts[n_opts++] = argv[++i];
    else if (!strcmp(a, "--allow-local-network"))
      fo.allow_local_network = true;
    else if (!strcmp(a, "--offline"))
      fo.offline = true;
    else if (!strcmp(a, "--no-fetch"))
      fetch = false;
    else if (!strcmp(a, "--fetch-timeout") && i + 1 < argc)
      fo.timeout_ms = atol(argv[++i]);
    else if (!strcmp(a, "--base") && i + 1 < argc)
      base = argv[++i];
    else if (a[0] == '-')
      return usage();
    else if (!in_path)
      in_path = a;
    else if (!out_path)
      out_path = a;
    else
      return usage();
  }
  if (!in_path || !out_path)
    return usage();

  galley_registry *reg = galley_registry_new();
  galley_registry_load_default(reg, NULL, 0);
  galley_job *job = galley_job_new(reg);
  int rc = galley_job_set_writer(job, galley_registry_find(reg, to));
  for (size_t i = 0; rc == GALLEY_OK && i < n_transforms; i++) {
    const galley_plugin *t = galley_registry_find(reg, transforms[i]);
    rc = t ? galley_job_add_transform(job, t) : GALLEY_ENOTFOUND;
  }
  for (size_t i = 0; rc == GALLEY_OK && i < n_opts; i++) {
    char *eq = strchr(opts[i], '=');
    if (!eq)
      return usage();
    *eq = '\0';
    rc = galley_job_set_option(job, opts[i], eq + 1);
  }
  if (rc == GALLEY_OK && fetch)
    rc = galley_job_set_fetch_options(job, &fo);
  galley_job_set_location(job, in_path);

  size_t len = 0;
  unsigned char *data = rc == GALLEY_OK ? slurp(in_path, &len) : NULL;
  char *dir_copy = strdup(in_path);
  galley_input in = {data, len, in_path, base ? base : dirname(dir_copy)};
  galley_sink *sink = NULL;
  if (rc == GALLEY_OK && !data) {
    fprintf(stderr, "galley: %s: cannot read\n", in_path);
    rc = GALLEY_EIO;
  } else if (rc == GALLEY_OK) {
    sink = galley_sink_new_file(out_path);
    rc = sink ? galley_job_run(job, &in, sink) : GALLEY_EIO;
    if (rc == GALLEY_OK)
      rc = galley_sink_commit(sink);
  }
  static const char *const level[] = {"info", "warning", "error"};
  for (size_t i = 0; i < galley_job_diag_count(job); i++) {
    const galley_diag *d = galley_job_diag_at(job, i);
    fprintf(stderr, "galley: %s: %s%s%s\n", in_path,
            d->level == GALLEY_LEVEL_ERROR ? "" : level[d->level],
            d->level == GALLEY_LEVEL_ERROR ? "" : ": ", d->message);
  }
  if (rc != GALLEY_OK && !galley_job_diag_count(job))
    fprintf(stderr, "galley: %s: %s\n", in_path, galley_strerror(rc));
  galley_sink_free(sink);
  free(dir_copy);
  free(data);
  galley_job_free(job);
  galley_registry_free(reg);
  return rc == GALLEY_OK ? 0 : 1;
}
