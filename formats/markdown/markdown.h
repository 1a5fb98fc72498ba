/* Declarations shared by the markdown plugin's source files (not installed). */
#ifndef GALLEY_MARKDOWN_H
#define GALLEY_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <galley/galley.h>

/*
 * The extension node types live in libcmark-gfm-extensions, which exports
 * them without declaring them in an installed header.
 */
extern cmark_node_type CMARK_NODE_TABLE;
extern cmark_node_type CMARK_NODE_TABLE_ROW;
extern cmark_node_type CMARK_NODE_TABLE_CELL;
extern cmark_node_type CMARK_NODE_STRIKETHROUGH;

/* ---- gfm.c ---- */

/** The GitHub extensions, found once per process; NULL members if absent. */
typedef struct md_extensions {
  cmark_syntax_extension *table;
  cmark_syntax_extension *strikethrough;
  cmark_syntax_extension *autolink;
  cmark_syntax_extension *tasklist;
} md_extensions;

/**
 * The plugin's init: registers cmark-gfm's core extensions and keeps its
 * libraries loaded. GALLEY_EUNSUPPORTED when an extension is missing.
 */
int md_init(void);

/** The extensions md_init found; read-only. */
const md_extensions *md_extensions_get(void);

/**
 * A new parser (invalid UTF-8 replaced by U+FFFD, unless the caller knows
 * the input is `valid_utf8` without NUL bytes) with CMARK_OPT_FOOTNOTES and
 * the four extensions when `gfm` is true, plain CommonMark otherwise; without
 * the table extension when `tables` is false. Free with cmark_parser_free.
 */
cmark_parser *md_parser_new(bool gfm, bool tables, bool valid_utf8);

/** Where one parse's cmark nodes live (gfm.c). */
typedef struct md_arena md_arena;

/**
 * Parses `len` bytes of Markdown as md_parser_new(gfm, tables, valid_utf8)
 * would; parses take turns across threads (see gfm.c). The tree and
 * whatever cmark allocates for it afterwards (a literal, a render of one of
 * its nodes) live in *arena, which stays this thread's arena in use until
 * md_arena_free: the caller frees the tree with it, not with
 * cmark_node_free (which may still be called on its nodes, and frees
 * little). NULL when out of memory; *arena is to be freed either way.
 */
cmark_node *md_parse(bool gfm, bool tables, bool valid_utf8, const char *data,
                     size_t len, md_arena **arena);

/** Frees an arena and all that was allocated in it (NULL: nothing). */
void md_arena_free(md_arena *arena);

/** Frees a block that cmark allocated for a tree of md_parse's. */
void md_arena_release(void *p);

/**
 * True when the tables that `len` bytes of Markdown could hold would cost
 * cmark-gfm far more than their size (see gfm.c); the reader then parses
 * without the table extension. Otherwise sets *cells to the most table
 * cells they can make.
 */
bool md_tables_too_costly(const char *data, size_t len, size_t *cells);

/**
 * At least as many bytes as cmark-gfm allocates to parse `len` bytes
 * (with the GitHub extensions when `gfm`; `cells` from
 * md_tables_too_costly, 0 without tables; `valid_utf8` false when some
 * bytes are not UTF-8 or are NUL). See gfm.c.
 */
size_t md_parse_estimate(const char *data, size_t len, bool gfm, size_t cells,
                         bool valid_utf8);

/** Frees memory that a cmark render call returned. */
void md_cmark_free(void *p);
/* Whether cmark's iterator only enters nodes of type `t` (no EXIT event:
 * its leaves). */
bool md_cmark_is_leaf(cmark_node_type t);
/* Whether the `n` bytes at `name` name an HTML block that can interrupt
 * a paragraph by its tag alone (CommonMark's kind 6), in any case. */
bool md_html_block_name(const char *name, size_t n);

/* ---- frontmatter.c ---- */

/**
 * Looks for a YAML front matter block at the start of `data`. When there is
 * none, sets *body_off to 0 and returns GALLEY_OK. When there is one, fills
 * the metadata of `doc`, sets *body_off to the first byte after the block
 * and *lines to the number of lines it took. A malformed block is an error
 * that names the line.
 */
int md_front_matter_read(galley_job *job, const char *data, size_t len,
                         galley_doc *doc, size_t *body_off, int *lines);

/** Writes `doc`'s metadata as a front matter block (nothing if it has none). */
int md_front_matter_write(const galley_doc *doc, galley_sink *out);

/* ---- render.c ---- */

/**
 * Writes the cmark-gfm tree `root`, as write.c builds it (emphasis already
 * turned into raw delimiters, footnotes into raw Markdown), as CommonMark
 * to `out` through a galley_layout wrapping at `width` display columns (0:
 * never). The output ends with a newline. Returns GALLEY_OK, GALLEY_ENOMEM
 * or the sink's failure.
 */
int md_render(cmark_node *root, galley_sink *out, size_t width);

/* ---- read.c / write.c ---- */
int md_read(galley_job *job, const galley_input *in, galley_doc *doc);
int md_write(galley_job *job, const galley_doc *doc, galley_sink *out);

#endif
