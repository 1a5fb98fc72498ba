/* cmark-gfm set-up shared by the reader and the writer. */
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE */
#include <string.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "markdown.h"

/* Set once by md_init, read-only afterwards. */
static md_extensions extensions;

/*
 * cmark-gfm 0.29.0.gfm.6 marks the extensions' special characters in one
 * process-wide table when it parses inlines and unmarks them when it is
 * done, so two parses at once can each lose the other's extensions (a
 * strikethrough or an autolink silently missing). That inline pass runs in
 * cmark_parser_finish, so finishes take turns; feeding (the block pass) and
 * rendering touch no such table and run in parallel.
 */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Keeps the library that holds `symbol` loaded for the life of the process.
 * cmark-gfm registers its extensions once, in globals, and remembers that it
 * did: were it unloaded with this plugin and found again half-initialised,
 * or kept by another user while we re-register, the registry would break.
 */
static void pin_library(void *symbol) {
  Dl_info info;
  if (dladdr(symbol, &info) && info.dli_fname) {
    void *handle =
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    if (handle)
      dlclose(handle); /* RTLD_NODELETE outlives this reference */
  }
}

/*
 * The plugin's init. cmark-gfm's extension registry is process-global and
 * its first registration is not thread-safe; galley's registry runs init
 * once per process, under its lock, before any conversion can reach the
 * plugin, so the registration happens exactly once and the registry is
 * only read afterwards. `extensions` is the plugin's only static state,
 * written here and read-only thereafter.
 */
int md_init(void) {
  pin_library((void *)(uintptr_t)cmark_parser_new);
  pin_library((void *)(uintptr_t)cmark_gfm_core_extensions_ensure_registered);
  cmark_gfm_core_extensions_ensure_registered();
  extensions.table = cmark_find_syntax_extension("table");
  extensions.strikethrough = cmark_find_syntax_extension("strikethrough");
  extensions.autolink = cmark_find_syntax_extension("autolink");
  extensions.tasklist = cmark_find_syntax_extension("tasklist");
  /* A cmark-gfm without its extensions would quietly read GitHub Markdown
   * as plain CommonMark: refuse the plugin instead. */
  if (!extensions.table || !extensions.strikethrough || !extensions.autolink ||
      !extensions.tasklist)
    return GALLEY_EUNSUPPORTED;
  return GALLEY_OK;
}

const md_extensions *md_extensions_get(void) { return &extensions; }

cmark_parser *md_parser_new(bool gfm, bool tables) {
  const md_extensions *ext = md_extensions_get();
  cmark_parser *parser = cmark_parser_new(CMARK_OPT_VALIDATE_UTF8 |
                                          (gfm ? CMARK_OPT_FOOTNOTES : 0));
  if (!parser || !gfm)
    return parser;
  cmark_syntax_extension *list[] = {tables ? ext->table : NULL,
                                    ext->strikethrough, ext->autolink,
                                    ext->tasklist};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
    if (list[i])
      cmark_parser_attach_syntax_extension(parser, list[i]);
  return parser;
}

cmark_node *md_parse(bool gfm, bool tables, const char *data, size_t len) {
  cmark_parser *parser = md_parser_new(gfm, tables);
  if (!parser)
    return NULL;
  /* Blocks are parsed in parallel; only the inline pass, which uses the
   * shared table, takes turns. */
  cmark_parser_feed(parser, data, len);
  pthread_mutex_lock(&parse_lock);
  cmark_node *root = cmark_parser_finish(parser);
  pthread_mutex_unlock(&parse_lock);
  cmark_parser_free(parser);
  return root;
}

void md_cmark_free(void *p) {
  cmark_mem *mem = cmark_get_default_mem_allocator();
  mem->free(p);
}

/*
 * cmark-gfm (0.29.0.gfm.6, Debian's) keeps a table row's cells in a list
 * appended at its tail, so a row costs the square of its cells, and it fills
 * every row up to the header's width: a 52 KB page of a 3,000-column header
 * and 20,000 one-word lines asks for 60 million cells and aborts cmark
 * (found by the hostile suite), a 300 KB one of 50,000 columns takes 13 s.
 * One pass over the lines bounds both before parsing: rows under a
 * delimiter row (|---|---|) count as the header's width, and any line counts
 * as the square of its cells.
 */
bool md_tables_too_costly(const char *data, size_t len) {
  const double cost_budget = 5e7 + 50.0 * (double)len;
  const double cell_budget = 1e5 + (double)len;
  double cost = 0, cells = 0;
  size_t cols = 0, prev_cells = 0;
  size_t i = 0;
  while (i < len) {
    size_t start = i, pipes = 0, dashes = 0, groups = 0;
    bool delim_only = true, blank = true, in_dash = false;
    for (; i < len && data[i] != '\n'; i++) {
      char c = data[i];
      if (c == '|' && (i == start || data[i - 1] != '\\'))
        pipes++;
      if (c != ' ' && c != '\t' && c != '\r')
        blank = false;
      if (c == '-') {
        dashes++;
        if (!in_dash)
          groups++;
        in_dash = true;
      } else {
        in_dash = false;
        if (c != '|' && c != ':' && c != ' ' && c != '\t' && c != '\r')
          delim_only = false;
      }
    }
    i++; /* the newline */
    size_t line_cells = pipes + 1;
    if (blank) {
      cols = 0;
    } else if (delim_only && dashes && (pipes || prev_cells > 1)) {
      /* The header (the line before) and this row are parsed. */
      cols = groups > prev_cells ? groups : prev_cells;
      cells += 2.0 * (double)cols;
      cost +=
          (double)prev_cells * (double)prev_cells + (double)cols * (double)cols;
    } else if (cols) {
      double w = (double)(cols > line_cells ? cols : line_cells);
      cells += w;
      cost += w * w;
    }
    if (cost > cost_budget || cells > cell_budget)
      return true;
    prev_cells = blank ? 0 : line_cells;
  }
  return false;
}

/*
 * cmark-gfm's memory per input byte depends on what the bytes open: about
 * 640 bytes per list item or other block line, 160 per line of a paragraph,
 * 400 per run of emphasis marks, 200 per run of backticks, 150 per bracket,
 * parenthesis or angle bracket, and 150 per w, : or @, where the autolink
 * extension cuts text into nodes (measured with cmark-gfm 0.29.0.gfm.6 on a
 * million of each). A 20 MB page of `*x* ` asked for 6.6 GB; cmark aborts the
 * process when an allocation fails. This one-pass estimate lets the reader
 * refuse such a page with a message instead.
 */
size_t md_parse_estimate(const char *data, size_t len) {
  double est = 0;
  bool line_start = true;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if (line_start && c != ' ' && c != '\t') {
      line_start = false;
      bool block = strchr("-*+#>|", c) != NULL || (c >= '0' && c <= '9');
      est += block ? 640 : 160;
    }
    switch (c) {
    case '\n': line_start = true; break;
    case '*': /* a run of marks is one delimiter */
    case '_':
    case '~':
      if (i == 0 || (unsigned char)data[i - 1] != c)
        est += 400;
      break;
    case '`':
      if (i == 0 || data[i - 1] != '`')
        est += 200;
      break;
    case '[':
    case ']':
    case '(':
    case ')':
    case '<':
    case '!':
    case 'w': /* the autolink extension stops text at w, : and @ */
    case ':':
    case '@': est += 150; break;
    default: break;
    }
  }
  return est > (double)SIZE_MAX ? SIZE_MAX : (size_t)est;
}
