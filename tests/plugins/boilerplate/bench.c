/* Benchmark of the boilerplate transform on a folder of pages: writes each
 * page's text to OUT/<id>.txt, with or without the transform, and prints the
 * time taken. Usage: bp-bench [--no-strip] [--mini] [--text-writer]
 * [--outline] HTML_DIR OUT_DIR. Without --text-writer the text is one block
 * a paragraph, without link references (what the scorer's ground truth is
 * like); --mini uses the test builder instead of the html reader. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "minihtml.h"
#include "plaintext.h"
#include "testutil.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An outline of the tree (blocks with tag, id, classes and text size). */
static void outline(galley_doc *doc, FILE *f) {
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    if (ev != GALLEY_EVENT_ENTER || !galley_kind_is_block(k))
      continue;
    char *t = galley_node_text(doc, n);
    fprintf(f, "%*s%s<%s>#%s.%s %zu: %.60s\n", (int)galley_node_depth(n), "",
            galley_kind_name(k),
            galley_node_get_tag(n) ? galley_node_get_tag(n) : "",
            galley_node_get_id(n) ? galley_node_get_id(n) : "",
            galley_node_get_classes(n) ? galley_node_get_classes(n) : "",
            t ? strlen(t) : 0, t ? t : "");
  }
}

int main(int argc, char **argv) {
  int a = 1;
  bool strip = true, mini = false, outline_only = false, use_text = false;
  for (; a < argc && argv[a][0] == '-'; a++) {
    if (!strcmp(argv[a], "--no-strip"))
      strip = false;
    if (!strcmp(argv[a], "--mini"))
      mini = true;
    if (!strcmp(argv[a], "--text-writer"))
      use_text = true;
    if (!strcmp(argv[a], "--outline"))
      outline_only = true;
  }
  if (argc - a != 2) {
    fprintf(stderr, "usage: bp-bench [--no-strip] [--mini] HTML_DIR OUT_DIR\n");
    return 2;
  }
  const char *in = argv[a], *out = argv[a + 1];
  galley_registry *reg = tu_registry();
  const galley_plugin *html = mini ? NULL : galley_registry_find(reg, "html");
  const galley_plugin *text = galley_registry_find(reg, "text");
  const galley_plugin *bp = galley_registry_find(reg, "boilerplate");
  if (!bp) {
    fprintf(stderr, "bp-bench: no boilerplate plugin\n");
    return 1;
  }
  if (html && !(html->caps & GALLEY_CAN_READ))
    html = NULL;
  if (!use_text || (text && !(text->caps & GALLEY_CAN_WRITE)))
    text = NULL;
  DIR *d = opendir(in);
  if (!d) {
    perror(in);
    return 1;
  }
  struct dirent *e;
  double t_read = 0, t_strip = 0, t_write = 0;
  int pages = 0;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l < 6 || strcmp(e->d_name + l - 5, ".html"))
      continue;
    char path[4096], opath[4096];
    snprintf(path, sizeof path, "%s/%s", in, e->d_name);
    snprintf(opath, sizeof opath, "%s/%.*s.txt", out, (int)(l - 5), e->d_name);
    size_t len;
    char *data = tu_read_file(path, &len);
    if (!data)
      continue;
    galley_job *job = galley_job_new(reg);
    const char *exdir = getenv("BP_EXPLAIN");
    if (exdir) {
      char xpath[4096];
      snprintf(xpath, sizeof xpath, "%s/%.*s.txt", exdir, (int)(l - 5),
               e->d_name);
      galley_job_set_option(job, "explain", xpath);
    }
    double t0 = now();
    galley_doc *doc;
    if (html) {
      doc = galley_doc_new();
      galley_input gi = {(const unsigned char *)data, len, path, NULL};
      if (galley_plugin_read(job, html, &gi, doc) != GALLEY_OK)
        fprintf(stderr, "%s: %s\n", path, galley_job_errmsg(job));
    } else {
      doc = minihtml_parse(data, len);
    }
    double t1 = now();
    if (strip && galley_plugin_transform(job, bp, doc) != GALLEY_OK)
      fprintf(stderr, "%s: %s\n", path, galley_job_errmsg(job));
    /* The transform hands its explain report over; the host writes it. */
    for (size_t k = 0; k < galley_job_report_count(job); k++) {
      const galley_report *r = galley_job_report_at(job, k);
      FILE *xf = fopen(r->path, "w");
      if (xf) {
        fwrite(r->data, 1, r->size, xf);
        fclose(xf);
      }
    }
    double t2 = now();
    FILE *f = fopen(opath, "w");
    if (!f) {
      perror(opath);
      return 1;
    }
    if (outline_only) {
      outline(doc, f);
    } else if (text) {
      galley_sink *s = galley_sink_new_stream(f);
      galley_plugin_write(job, text, doc, s);
      galley_sink_free(s);
    } else {
      plaintext_write(doc, f);
    }
    fclose(f);
    double t3 = now();
    t_read += t1 - t0;
    t_strip += t2 - t1;
    t_write += t3 - t2;
    pages++;
    galley_doc_free(doc);
    galley_job_free(job);
    free(data);
  }
  closedir(d);
  printf("pages %d  reader %s  read %.3fs  strip %.3fs  write %.3fs  "
         "strip/(read+write) %.1f%%\n",
         pages, html ? "html" : "minihtml", t_read, t_strip, t_write,
         100.0 * t_strip / (t_read + t_write));
  return 0;
}
