/* Replays inputs through the fuzz entry without libFuzzer, in every build:
 *
 *     replay TARGET [--ext html,htm] PATH...
 *
 * Each PATH is a file or a folder walked recursively (names starting with
 * a dot skipped; with --ext, only files with one of those extensions). The
 * output is TAP, one line per input. A crash or a sanitizer report fails the
 * test; so does a hang, through meson's timeout. */
#include "entry.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct names {
  char **items;
  size_t n, cap;
} names;

static int push(names *v, const char *s) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 64;
    char **items = realloc(v->items, cap * sizeof *items);
    if (!items)
      return -1;
    v->items = items;
    v->cap = cap;
  }
  v->items[v->n] = strdup(s);
  return v->items[v->n++] ? 0 : -1;
}

static int has_ext(const char *name, const char *exts) {
  if (!exts)
    return 1;
  const char *dot = strrchr(name, '.');
  if (!dot)
    return 0;
  size_t len = strlen(dot + 1);
  for (const char *p = exts; *p;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (n == len && strncmp(p, dot + 1, n) == 0)
      return 1;
    p += n + (comma ? 1 : 0);
  }
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects files under `path` with an explicit stack of folders. */
static int collect(const char *path, const char *exts, names *out) {
  names dirs = {0};
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: %s: no such file or folder\n", path);
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return push(out, path);
  if (push(&dirs, path))
    return -1;
  while (dirs.n) {
    char *dir = dirs.items[--dirs.n];
    DIR *d = opendir(dir);
    if (d) {
      struct dirent *e;
      while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
          continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *full = malloc(len);
        if (!full)
          break;
        snprintf(full, len, "%s/%s", dir, e->d_name);
        if (stat(full, &st) == 0) {
          if (S_ISDIR(st.st_mode))
            push(&dirs, full);
          else if (S_ISREG(st.st_mode) && has_ext(e->d_name, exts))
            push(out, full);
        }
        free(full);
      }
      closedir(d);
    }
    free(dir);
  }
  free(dirs.items);
  return 0;
}

static unsigned char *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    unsigned char *bigger = realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return NULL;
  }
  *size = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: replay TARGET [--ext EXT,...] PATH...\n");
    return 2;
  }
  const char *target = argv[1];
  const char *exts = NULL;
  int first = 2;
  if (strcmp(argv[2], "--ext") == 0 && argc > 3) {
    exts = argv[3];
    first = 4;
  }
  names files = {0};
  for (int i = first; i < argc; i++)
    if (collect(argv[i], exts, &files))
      return 1;
  if (files.n) /* qsort's array may not be NULL, even when empty */
    qsort(files.items, files.n, sizeof *files.items, by_name);

  int failed = 0;
  printf("1..%zu\n", files.n ? files.n : 1);
  if (!files.n)
    printf("ok 1 - no inputs to replay for %s # SKIP empty\n", target);
  for (size_t i = 0; i < files.n; i++) {
    size_t size = 0;
    unsigned char *data = slurp(files.items[i], &size);
    int rc = data ? fuzz_entry(target, data, size) : -2;
    if (rc == 0)
      printf("ok %zu - %s replays through %s\n", i + 1, files.items[i], target);
    else {
      printf("not ok %zu - %s: %s\n", i + 1, files.items[i],
             rc == -2 ? "cannot be read" : "target or plugin not loaded");
      failed = 1;
    }
    fflush(stdout);
    free(data);
    free(files.items[i]);
  }
  free(files.items);
  return failed;
}
