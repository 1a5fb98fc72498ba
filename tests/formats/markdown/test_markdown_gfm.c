/*
 * cmark-gfm's extension examples (the corpus's gfm/spec.txt sections marked
 * "(extension)" and every example of gfm/extensions.txt: tables,
 * strikethrough, autolinks, task lists, footnotes, the tag filter) through
 * galley: markdown -> galley -> html against cmark-gfm's own HTML (the
 * reference: table, strikethrough, autolink, tagfilter, tasklist, footnotes),
 * both normalised by htmlnorm (URLs percent-encoded one way). Examples about
 * raw HTML pass -O unsafe=true, as cmark-gfm's spec run passes --unsafe;
 * the tag filter examples run with galley's defaults, whose raw-HTML
 * defusing must give what cmark-gfm's tag filter gives. Every example must
 * be equal. Skips when the corpus is absent.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "htmlnorm.h"
#include "cmarkhtml.h"
#include "testutil.h"

#define FENCE "````````````````````````````````"

static const char *const extensions[] = {"table", "strikethrough", "autolink", "tagfilter", "tasklist", NULL};

static char *cmark_html(const char *md) { return cmark_gfm_html(md, extensions); }

static size_t total, pass;

/* Drops every ` name="…"` from a normalised string, in place. */
static void drop_attr(char *s, const char *name) {
  char pat[64];
  snprintf(pat, sizeof pat, " %s=\"", name);
  char *p;
  while ((p = strstr(s, pat))) {
    char *end = strchr(p + strlen(pat), '"');
    if (!end)
      return;
    memmove(p, end + 1, strlen(end + 1) + 1);
  }
}

/* Replaces every `from` with `to` (no longer than `from`), in place. */
static void replace(char *s, const char *from, const char *to) {
  size_t lf = strlen(from), lt = strlen(to);
  char *p = s;
  while ((p = strstr(p, from))) {
    memcpy(p, to, lt);
    memmove(p + lt, p + lf, strlen(p + lf) + 1);
    p += lt;
  }
}

/*
 * Markup that says the same thing two ways, made one: a cell's alignment
 * as align="x" (cmark-gfm) or style="text-align: x" (galley's HTML5
 * writer); a footnote's reference and back links as cmark-gfm marks them
 * (class, data-footnote-*, ids from the label) or as galley does (class,
 * role, aria-label, ids by number; a rule opening the notes' section; the
 * back link's arrow with or without the text-style variation selector) -
 * the notes' order, numbers and content still compare.
 */
static void same_meaning(char *s) {
  replace(s, "style=\"text-align: left\"", "align=\"left\"");
  replace(s, "style=\"text-align: center\"", "align=\"center\"");
  replace(s, "style=\"text-align: right\"", "align=\"right\"");
  if (!strstr(s, "footnote"))
    return;
  const char *attrs[] = {"class",
                         "role",
                         "aria-label",
                         "data-footnote-ref",
                         "data-footnote-backref",
                         "data-footnotes",
                         "data-footnote-backref-idx",
                         "id",
                         "href",
                         NULL};
  for (size_t i = 0; attrs[i]; i++)
    drop_attr(s, attrs[i]);
  replace(s, "<section><hr>", "<section>");
  replace(s, "\xe2\x86\xa9\xef\xb8\x8e", "\xe2\x86\xa9");
}

static void print_escaped(const char *label, const char *s) {
  printf("    %s: \"", label);
  for (const char *p = s; *p && p - s < 3000; p++)
    if (*p == '\n')
      printf("\\n");
    else
      putchar(*p);
  printf("\"\n");
}

static void run(const char *file, int line, const char *section, const char *md,
                bool tagfilter) {
  total++;
  char *want = cmark_html(md);
  char *want_n = htmlnorm_ex(want, true);
  const char *unsafe_opts[] = {"fragment=true", "unsafe=true", NULL};
  const char *default_opts[] = {"fragment=true", NULL};
  char *err = NULL;
  char *got = tu_convert("markdown", "html", md, strlen(md),
                         tagfilter ? default_opts : unsafe_opts, &err);
  char *got_n = got ? htmlnorm_ex(got, true) : NULL;
  same_meaning(want_n);
  if (got_n)
    same_meaning(got_n);
  if (got_n && !strcmp(want_n, got_n)) {
    pass++;
  } else {
    printf("%s:%d (%s%s): DIFFERS\n", file, line, section,
           tagfilter ? ", galley's defaults" : "");
    print_escaped("markdown", md);
    print_escaped("cmark-gfm", want_n);
    if (got_n)
      print_escaped("galley", got_n);
    else
      printf("    galley: error: %s\n", err ? err : "?");
  }
  free(want);
  free(want_n);
  free(got);
  free(got_n);
  free(err);
}

/* Runs the examples of one file; `all` takes every example, else only
 * those in an "(extension)" section or naming an extension. */
static bool run_file(const char *rel, bool all) {
  const char *path = tu_corpus(rel);
  if (!path)
    return false;
  size_t len;
  char *data = tu_read_file(path, &len);
  char section[200] = "";
  int lineno = 0;
  bool in = false, in_md = false, take = false, tagfilter = false;
  size_t cap = 1 << 16, n = 0;
  char *md = malloc(cap);
  int start = 0;
  for (char *l = data, *nl; l && *l; l = nl ? nl + 1 : NULL) {
    nl = strchr(l, '\n');
    if (nl)
      *nl = 0;
    lineno++;
    if (!in && !strncmp(l, "## ", 3)) {
      snprintf(section, sizeof section, "%s", l + 3);
      continue;
    }
    if (!in && !strncmp(l, FENCE " example", sizeof FENCE + 7)) {
      const char *info = l + sizeof FENCE + 7;
      bool ext_section = strstr(section, "(extension)") != NULL;
      tagfilter = strstr(info, "tagfilter") || strstr(section, "tag filter") ||
                  strstr(section, "Disallowed Raw HTML");
      take = !strstr(info, "disabled") && (all || ext_section || *info);
      in = in_md = true;
      n = 0;
      start = lineno;
      continue;
    }
    if (in && !strcmp(l, FENCE)) {
      in = false;
      continue;
    }
    if (in && in_md) {
      if (!strcmp(l, ".")) {
        in_md = false;
        md[n] = 0;
        for (char *p = md; *p; p++)
          if (!strncmp(p, "\xe2\x86\x92", 3)) { /* → is a tab */
            *p = '\t';
            memmove(p + 1, p + 3, strlen(p + 3) + 1);
          }
        if (take)
          run(rel, start, section, md, tagfilter);
        continue;
      }
      size_t ll = strlen(l);
      if (n + ll + 2 >= cap)
        md = realloc(md, cap *= 2);
      memcpy(md + n, l, ll);
      n += ll;
      md[n++] = '\n';
    }
  }
  free(md);
  free(data);
  return true;
}

int main(void) {
  if (!run_file("gfm/spec.txt", false) ||
      !run_file("gfm/extensions.txt", true)) {
    printf("SKIP: gfm/spec.txt or gfm/extensions.txt is not in the corpora\n");
    return 77;
  }
  printf("\ncmark-gfm's extension examples, markdown -> galley -> html equal "
         "to cmark-gfm: %zu/%zu\n",
         pass, total);
  return total > 0 && pass == total ? 0 : 1;
}
