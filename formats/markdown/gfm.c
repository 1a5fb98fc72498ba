/* cmark-gfm set-up shared by the reader and the writer. */
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE */
#include <ctype.h>
#include <string.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

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

static cmark_parser *md_parser_new_with_mem(bool gfm, bool tables,
                                            bool valid_utf8, cmark_mem *mem) {
  const md_extensions *ext = md_extensions_get();
  cmark_parser *parser = cmark_parser_new_with_mem(
      (valid_utf8 ? 0 : CMARK_OPT_VALIDATE_UTF8) |
          (gfm ? CMARK_OPT_FOOTNOTES : 0),
      mem);
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

cmark_parser *md_parser_new(bool gfm, bool tables, bool valid_utf8) {
  return md_parser_new_with_mem(gfm, tables, valid_utf8,
                                cmark_get_default_mem_allocator());
}

/*
 * The reader's cmark allocations, one arena a parse (cmark-gfm's own
 * command uses an arena too). A parse makes a node, a chunk of text or a
 * delimiter every few bytes; a book of 100 MB asks for 2 GB in small
 * blocks. The arena carves them from chunks that double up to 16 MiB,
 * and a chunk of 2 MiB or more is its own mapping, advised to use
 * transparent huge pages: it then costs one page fault in 512 (each
 * fault is the kernel's time; on a virtual machine it is dearer still).
 * A freed small block goes on a free list of its size, reused by the next
 * block of that size, as malloc would. A block past ARENA_SMALL_MAX (a
 * buffer that grows: a paragraph's lines, a code block) is malloc'd,
 * listed, and really freed and reallocated. All goes at once in
 * md_arena_free.
 *
 * cmark's allocator has no argument for its state, so the arena in use is
 * the calling thread's (each parse runs on one thread, and its tree is
 * mapped and freed on the same thread, between md_parse and
 * md_arena_free). Every block carries its size and kind just before it.
 */
enum {
  ARENA_SMALL_MAX = 512,
  ARENA_CHUNK_MIN = 64 * 1024,
  ARENA_CHUNK_MAX = 16 * 1024 * 1024,
  HUGE_PAGE = 2 * 1024 * 1024,
};
/* Kinds no malloc size field looks like (they are odd and large). */
#define KIND_SMALL ((size_t)0x5a11b10c5a11b10dULL)
#define KIND_BIG ((size_t)0xb16b10c0b16b10cfULL)

typedef struct block_head {
  size_t size; /* what was asked for */
  size_t kind;
} block_head;

typedef struct big_block {
  struct big_block *prev, *next;
  block_head head;
} big_block;

typedef struct arena_chunk {
  struct arena_chunk *next;
  size_t cap, used;
  size_t mapped; /* the length of its own mapping; 0: calloc'd */
} arena_chunk;

struct md_arena {
  arena_chunk *chunks; /* newest first: the one carved from */
  big_block *bigs;
  unsigned char *last; /* the newest block carved: it may grow in place */
  size_t next_cap;
  /* Freed small blocks by size class (16 bytes a class), for reuse. */
  void *free_blocks[ARENA_SMALL_MAX / 16 + 1];
};

/* The arena in use on this thread, under a pthread key rather than in a
 * __thread variable: a plugin with static TLS that is dlclose'd leaves a
 * stale block in the thread's TLS vector, on which LeakSanitizer's exit
 * check crashes (the pipeline fuzz replay, which unloads every plugin). The
 * key is made on the first parse and deleted when the plugin is unloaded. */
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;
static bool arena_key_made;

static void arena_key_make(void) {
  arena_key_made = pthread_key_create(&arena_key, NULL) == 0;
}

__attribute__((destructor)) static void arena_key_drop(void) {
  if (arena_key_made)
    pthread_key_delete(arena_key);
  arena_key_made = false;
}

static md_arena *arena_current(void) {
  return arena_key_made ? pthread_getspecific(arena_key) : NULL;
}

static block_head *head_of(void *p) { return (block_head *)p - 1; }

/* A small block's room: a multiple of 16, and room for a free list's link. */
static size_t small_room(size_t size) {
  return size < 16 ? 16 : (size + 15) & ~(size_t)15;
}

/* cmark's own allocator gives up the same way (the parse memory estimate
 * keeps a conversion from getting here). */
static void *arena_out_of_memory(void) {
  fputs("galley: out of memory in cmark's parse, aborting\n", stderr);
  abort();
}

/* The thread's arena: cmark allocates only for a tree of md_parse's,
 * between it and md_arena_free. */
static md_arena *arena_required(void) {
  md_arena *a = arena_current();
  if (!a) {
    fputs("galley: cmark allocated outside a parse, aborting\n", stderr);
    abort();
  }
  return a;
}

static void *big_alloc(md_arena *a, size_t size) {
  big_block *b = calloc(1, sizeof *b + size);
  if (!b)
    return arena_out_of_memory();
  b->head.size = size;
  b->head.kind = KIND_BIG;
  b->next = a->bigs;
  if (b->next)
    b->next->prev = b;
  a->bigs = b;
  return b + 1;
}

/* A new chunk of `cap` bytes, zeroed, first in a's list. */
static arena_chunk *new_chunk(md_arena *a, size_t cap) {
  arena_chunk *c;
  if (cap >= HUGE_PAGE) {
    /* Room to start the blocks at a huge page's boundary. */
    size_t len = sizeof *c + cap + HUGE_PAGE;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
      return arena_out_of_memory();
    uintptr_t start = ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    /* Advice only: without huge pages the chunk works the same. */
    (void)madvise((void *)start, len - (start - (uintptr_t)m), MADV_HUGEPAGE);
    c = (arena_chunk *)m;
    c->mapped = len;
  } else {
    c = calloc(1, sizeof *c + cap);
    if (!c)
      return arena_out_of_memory();
  }
  c->cap = cap;
  c->next = a->chunks;
  a->chunks = c;
  return c;
}

static void *arena_calloc(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size / 2)
    return arena_out_of_memory();
  size_t total = n * size;
  md_arena *a = arena_required();
  if (total > ARENA_SMALL_MAX)
    return big_alloc(a, total);
  size_t room = small_room(total);
  void **list = &a->free_blocks[room / 16];
  if (*list) {
    void *p = *list;
    *list = *(void **)p;
    memset(p, 0, room);
    head_of(p)->size = total;
    return p;
  }
  size_t need = sizeof(block_head) + room;
  arena_chunk *c = a->chunks;
  if (!c || c->cap - c->used < need) {
    c = new_chunk(a, a->next_cap);
    if (a->next_cap < ARENA_CHUNK_MAX)
      a->next_cap *= 2;
  }
  /* Never carved before: still zero. */
  block_head *h = (block_head *)((unsigned char *)(c + 1) + c->used);
  c->used += need;
  h->size = total;
  h->kind = KIND_SMALL;
  a->last = (unsigned char *)(h + 1);
  return h + 1;
}

static void arena_free(void *p) {
  if (!p)
    return;
  block_head *h = head_of(p);
  md_arena *a = arena_required();
  if (h->kind == KIND_BIG) {
    big_block *b = (big_block *)p - 1;
    if (b->prev)
      b->prev->next = b->next;
    else
      a->bigs = b->next;
    if (b->next)
      b->next->prev = b->prev;
    free(b);
  } else if (h->kind == KIND_SMALL) {
    size_t room = small_room(h->size);
    if ((unsigned char *)p == a->last)
      a->last = NULL;
    *(void **)p = a->free_blocks[room / 16];
    a->free_blocks[room / 16] = p;
  }
}

static void *arena_realloc(void *p, size_t size) {
  if (!p)
    return arena_calloc(1, size);
  block_head *h = head_of(p);
  md_arena *a = arena_required();
  if (h->kind == KIND_SMALL) {
    size_t room = small_room(h->size);
    if (size <= room) {
      h->size = size > h->size ? size : h->size;
      return p;
    }
    /* The newest block grows where it stands when its chunk has room. */
    size_t more = small_room(size) - room;
    arena_chunk *c = a->chunks;
    if (c && a->last == p && size <= ARENA_SMALL_MAX &&
        c->cap - c->used >= more) {
      c->used += more;
      h->size = size;
      return p;
    }
    void *q = arena_calloc(1, size);
    memcpy(q, p, h->size);
    arena_free(p);
    return q;
  }
  big_block *b = (big_block *)p - 1;
  big_block *n = realloc(b, sizeof *b + size);
  if (!n)
    return arena_out_of_memory();
  n->head.size = size;
  if (n->prev)
    n->prev->next = n;
  else
    a->bigs = n;
  if (n->next)
    n->next->prev = n;
  return n + 1;
}

static cmark_mem arena_mem = {arena_calloc, arena_realloc, arena_free};

void md_arena_free(md_arena *a) {
  if (!a)
    return;
  if (arena_current() == a)
    pthread_setspecific(arena_key, NULL);
  for (arena_chunk *c = a->chunks, *next; c; c = next) {
    next = c->next;
    if (c->mapped)
      munmap(c, c->mapped);
    else
      free(c);
  }
  for (big_block *b = a->bigs, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(a);
}

void md_arena_release(void *p) { arena_free(p); }

cmark_node *md_parse(bool gfm, bool tables, bool valid_utf8, const char *data,
                     size_t len, md_arena **arena) {
  md_arena *a = calloc(1, sizeof *a);
  *arena = a;
  if (!a)
    return NULL;
  a->next_cap = ARENA_CHUNK_MIN;
  pthread_once(&arena_once, arena_key_make);
  if (!arena_key_made || pthread_setspecific(arena_key, a) != 0)
    return NULL;
  cmark_parser *parser = md_parser_new_with_mem(gfm, tables, valid_utf8,
                                                &arena_mem);
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
bool md_tables_too_costly(const char *data, size_t len, size_t *n_cells) {
  const double cost_budget = 5e7 + 50.0 * (double)len;
  const double cell_budget = 1e5 + (double)len;
  double cost = 0, cells = 0;
  size_t cols = 0, prev_cells = 0;
  size_t i = 0;
  *n_cells = 0;
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
      if (!delim_only) {
        /* Not a delimiter row (nor blank): only its pipes count now, found
         * with memchr rather than byte by byte (most lines end up here at
         * their first letter). */
        const char *e = memchr(data + i + 1, '\n', len - i - 1);
        size_t eol = e ? (size_t)(e - data) : len;
        const char *q = data + i + 1;
        while ((q = memchr(q, '|', (size_t)(data + eol - q))) != NULL) {
          if (q[-1] != '\\')
            pipes++;
          q++;
        }
        i = eol;
        break;
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
  *n_cells = (size_t)cells;
  return false;
}

/*
 * What cmark-gfm 0.29.0.gfm.6 allocates, in bytes, measured with a counting
 * allocator on a few MB of each shape (lines of `a`, `- a`, `> a`, `1. a`,
 * `# a`, `***`, `| a |`, `[a]: b`, `[^a]: b`, `*a*`, `` `a` ``, `[a](b)`,
 * `<a>`, `&amp;`, `\*`, `www.a.b`, `a@b.c`, `- - - - a`, ...): a block node
 * (paragraph, item, list, quote, heading, table row or cell) about 224, an
 * inline node about 170 and the delimiter or bracket entry that most come
 * with up to 30 more, a byte of content up to 3 (buffers grow by doubling).
 */
enum {
  COST_BLOCK = 240,
  COST_INLINE = 220,
  COST_BYTE = 3,
  COST_BAD_BYTE = 9,   /* more for a byte that becomes U+FFFD */
  COST_PARSER = 65536, /* the parser itself, for a small input */
  /* The autolink extension stops copying the rest of a text for each email
   * address after this many (cmark-gfm's recursion limit). */
  EMAIL_COPIES = 1001,
};

/* Container markers kept from the line before (more are counted as new). */
enum { MAX_MARKERS = 64 };

typedef struct marker {
  char c;     /* '>', the bullet, '.' or ')' of an ordered item, '^' */
  size_t col; /* where it stands on its line */
} marker;

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static bool is_eol(const char *p, const char *end) {
  return p == end || *p == '\n' || *p == '\r';
}

/*
 * The container marker at p (after at most three spaces, which the caller
 * skipped): `>`, a bullet or an ordered item's number followed by a blank
 * or the end of the line, or (gfm) a footnote definition's `[^label]:`.
 * Fills *m and returns the marker's length; 0 when there is none.
 */
static size_t container_marker(const char *p, const char *end, bool gfm,
                               marker *m) {
  if (*p == '>') {
    m->c = '>';
    return 1;
  }
  if ((*p == '-' || *p == '+' || *p == '*') &&
      (is_eol(p + 1, end) || is_blank(p[1]))) {
    m->c = *p;
    return 1;
  }
  const char *q = p;
  while (q < end && q - p < 9 && *q >= '0' && *q <= '9')
    q++;
  if (q > p && q < end && (*q == '.' || *q == ')') &&
      (is_eol(q + 1, end) || is_blank(q[1]))) {
    m->c = *q;
    return (size_t)(q + 1 - p);
  }
  if (gfm && end - p > 3 && p[0] == '[' && p[1] == '^') {
    q = p + 2;
    while (q < end && *q != ']' && *q != '\n' && *q != '\r')
      q++;
    if (end - q > 1 && q[0] == ']' && q[1] == ':') {
      m->c = '^';
      return (size_t)(q + 2 - p);
    }
  }
  return 0;
}

/* True for a first character that starts only a paragraph (or continues
 * one): anything that could open another block is not. */
static bool starts_plain(char c) {
  return !strchr("#>-*+=_~`<|[0123456789 \t", c);
}

/*
 * The kind of top-level block whose lines cmark-gfm does not parse for
 * inlines: a fenced code block (its fence length and character) or an HTML
 * block of the kinds 1 to 6 of the spec (its end), opened by a line that
 * starts at column 0. An HTML block that starts there is at the top level:
 * a line that begins with it cannot continue a list item or a quote.
 */
typedef struct raw_state {
  char fence;      /* '`' or '~' inside a fenced code block, else 0 */
  size_t fence_n;  /* the length of its opening fence */
  const char *end; /* inside an HTML block: its end marker ("" for a blank
                      line), else NULL */
} raw_state;

static bool has_ci(const char *p, const char *end, const char *s) {
  size_t n = strlen(s);
  for (; (size_t)(end - p) >= n; p++)
    if (strncasecmp(p, s, n) == 0)
      return true;
  return false;
}

static bool tag_is(const char *p, const char *end, const char *name) {
  size_t n = strlen(name);
  if ((size_t)(end - p) < n || strncasecmp(p, name, n) != 0)
    return false;
  p += n;
  return p == end || *p == ' ' || *p == '\t' || *p == '>' || *p == '\n' ||
         *p == '\r' || (*p == '/' && p + 1 < end && p[1] == '>');
}

/* The kinds cmark's iterator only enters (no EXIT event follows). */
bool md_cmark_is_leaf(cmark_node_type t) {
  switch (t) {
  case CMARK_NODE_HTML_BLOCK:
  case CMARK_NODE_THEMATIC_BREAK:
  case CMARK_NODE_CODE_BLOCK:
  case CMARK_NODE_TEXT:
  case CMARK_NODE_SOFTBREAK:
  case CMARK_NODE_LINEBREAK:
  case CMARK_NODE_CODE:
  case CMARK_NODE_HTML_INLINE: return true;
  default: return false;
  }
}

/* Whether the `n` bytes at `name` name an HTML block that can interrupt
 * a paragraph by its tag alone (CommonMark's kind 6), in any case. */
bool md_html_block_name(const char *name, size_t n) {
  static const char *const names[] = {
      "address",  "article",    "aside",  "base",     "basefont", "blockquote",
      "body",     "caption",    "center", "col",      "colgroup", "dd",
      "details",  "dialog",     "dir",    "div",      "dl",       "dt",
      "fieldset", "figcaption", "figure", "footer",   "form",     "frame",
      "frameset", "h1",         "h2",     "h3",       "h4",       "h5",
      "h6",       "head",       "header", "hr",       "html",     "iframe",
      "legend",   "li",         "link",   "main",     "menu",     "menuitem",
      "nav",      "noframes",   "ol",     "optgroup", "option",   "p",
      "param",    "section",    "source", "summary",  "table",    "tbody",
      "td",       "tfoot",      "th",     "thead",    "title",    "tr",
      "track",    "ul"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i]) == n && strncasecmp(names[i], name, n) == 0)
      return true;
  return false;
}

/* The end marker of an HTML block that a line starting at p opens, or
 * NULL. */
static const char *html_block_end(const char *p, const char *end) {
  static const char *const kind1[] = {"script", "pre", "style", "textarea"};
  if (end - p < 2 || p[0] != '<')
    return NULL;
  p++;
  for (size_t i = 0; i < sizeof kind1 / sizeof kind1[0]; i++)
    if (tag_is(p, end, kind1[i]))
      return kind1[i][1] == 'c'   ? "</script>"
             : kind1[i][1] == 'r' ? "</pre>"
             : kind1[i][1] == 't' ? "</style>"
                                  : "</textarea>";
  if (end - p >= 3 && strncmp(p, "!--", 3) == 0)
    return "-->";
  if (*p == '?')
    return "?>";
  if (end - p >= 8 && strncmp(p, "![CDATA[", 8) == 0)
    return "]]>";
  if (*p == '!' && end - p >= 2 &&
      ((p[1] >= 'A' && p[1] <= 'Z') || (p[1] >= 'a' && p[1] <= 'z')))
    return ">";
  if (*p == '/')
    p++;
  const char *name = p;
  while (p < end && (isalnum((unsigned char)*p)))
    p++;
  if (md_html_block_name(name, (size_t)(p - name)) &&
      (p == end || *p == ' ' || *p == '\t' || *p == '>' || *p == '\n' ||
       *p == '\r' || (*p == '/' && p + 1 < end && p[1] == '>')))
    return "";
  return NULL;
}

/* What a line is to the raw block state: */
enum { NOT_RAW, RAW_OPENS, RAW_INSIDE };

/*
 * Whether the line [p, end) opens a fenced code block or an HTML block
 * (`top`: it starts at column 0, outside any container) or is inside one,
 * and moves the state past it.
 */
static int raw_line(raw_state *st, const char *p, const char *end, bool top,
                    bool blank) {
  if (st->fence) {
    const char *q = p;
    while (q < end && q - p < 3 && *q == ' ')
      q++;
    size_t n = 0;
    while (q < end && *q == st->fence)
      q++, n++;
    while (q < end && is_blank(*q))
      q++;
    if (n >= st->fence_n && q == end)
      st->fence = 0;
    return RAW_INSIDE;
  }
  if (st->end) {
    if (!*st->end) { /* kind 6 ends at a blank line */
      if (!blank)
        return RAW_INSIDE;
      st->end = NULL;
      return NOT_RAW;
    }
    if (has_ci(p, end, st->end))
      st->end = NULL;
    return RAW_INSIDE;
  }
  if (!top)
    return NOT_RAW;
  if (end - p >= 3 && (p[0] == '`' || p[0] == '~') && p[1] == p[0] &&
      p[2] == p[0]) {
    const char *q = p;
    while (q < end && *q == p[0])
      q++;
    /* A backtick fence's info string holds no backtick. */
    if (p[0] == '`' && memchr(q, '`', (size_t)(end - q)))
      return NOT_RAW;
    st->fence = p[0];
    st->fence_n = (size_t)(q - p);
    return RAW_OPENS;
  }
  const char *e = html_block_end(p, end);
  if (!e)
    return NOT_RAW;
  st->end = *e && has_ci(p + 1, end, e) ? NULL : e;
  return RAW_OPENS;
}

/* The marks of one line's inlines, from its first non-blank byte `q`. */
static double inline_cost(const char *q, const char *eol, bool gfm) {
  /* The text before the first mark, and the line's break; then each mark
   * and the text after it. */
  /* The bytes the switch below looks at: the others are skipped in a
   * tight loop. */
  static const bool mark[256] = {
      ['\\'] = 1, ['&'] = 1, ['['] = 1, [']'] = 1, ['!'] = 1,
      ['<'] = 1,  ['*'] = 1, ['_'] = 1, ['`'] = 1, ['~'] = 1,
      ['w'] = 1,  [':'] = 1, ['@'] = 1};
  double nodes = 2;
  size_t ats = 0;
  for (const char *c = q; c < eol; c++) {
    while (!mark[(unsigned char)*c] && ++c < eol)
      ;
    if (c == eol)
      break;
    switch (*c) {
    case '\\':
    case '&':
    case '[':
    case ']':
    case '!': nodes += 2; break;
    case '<': nodes += 3; break; /* an autolink: a link and its text */
    case '*':
    case '_':
    case '`': nodes += c == q || c[-1] != *c ? 2 : 0; break;
    case '~': nodes += gfm && (c == q || c[-1] != *c) ? 2 : 0; break;
    case 'w':
      if (gfm) /* a text starts there; a link and its text on a match */
        nodes += eol - c >= 4 && strncmp(c, "www.", 4) == 0 ? 3 : 1;
      break;
    case ':':
      if (gfm)
        nodes += eol - c >= 3 && strncmp(c, "://", 3) == 0 ? 3 : 1;
      break;
    case '@':
      if (gfm) { /* a link, its text, and the text after it */
        nodes += 3;
        ats++;
      }
      break;
    default: break;
    }
  }
  double cost = nodes * COST_INLINE;
  if (ats)
    cost += (double)(ats < EMAIL_COPIES ? ats + 1 : EMAIL_COPIES) *
            (double)(eol - q);
  return cost;
}

/* What the estimate keeps from one line to the next. */
typedef struct line_state {
  marker markers[MAX_MARKERS]; /* the line's container markers */
  size_t n_markers;
  bool blank; /* blank after its markers */
  bool para;  /* a paragraph that the next line may continue */
  raw_state raw;
} line_state;

/* The blocks and inlines of the line [line, eol); moves `st` past it. */
static double line_cost(line_state *st, const char *line, const char *eol,
                        bool gfm) {
  const char *p = line, *q = line;
  while (q < eol && is_blank(*q))
    q++;
  int r = raw_line(&st->raw, line, eol, q == line, q == eol);
  if (r != NOT_RAW) {
    st->n_markers = 0;
    st->blank = st->para = false;
    return r == RAW_OPENS ? COST_BLOCK : 0;
  }
  /* Container markers; `same` while they match the line before's. */
  marker cur[MAX_MARKERS];
  size_t n_cur = 0, col = 0;
  bool same = !st->blank;
  double cost = 0;
  for (;;) {
    /* Any indentation: inside an item, a nested list's marker stands four
     * or more columns in. */
    while (p < eol && is_blank(*p))
      p++, col++;
    marker m = {0, col};
    size_t n = p < eol ? container_marker(p, eol, gfm, &m) : 0;
    if (!n)
      break;
    bool kept = same && n_cur < st->n_markers && st->markers[n_cur].c == m.c &&
                st->markers[n_cur].col == m.col;
    if (m.c == '>') {
      cost += kept ? 0 : COST_BLOCK;
    } else {
      /* An item or a footnote is always new (with its list unless that goes
       * on), and so is what follows it. */
      cost += m.c != '^' && !kept ? 2 * COST_BLOCK : COST_BLOCK;
      kept = false;
    }
    same = same && kept;
    if (n_cur < MAX_MARKERS)
      cur[n_cur++] = m;
    p += n;
    col += n;
  }
  bool prev_para = st->para;
  size_t n_prev = st->n_markers;
  memcpy(st->markers, cur, n_cur * sizeof *cur);
  st->n_markers = n_cur;
  q = p;
  while (q < eol && is_blank(*q))
    q++;
  st->blank = q == eol;
  st->para = false;
  if (st->blank)
    return cost;
  bool cont = prev_para && same && n_cur <= n_prev && starts_plain(*q) &&
              !memchr(q, '|', (size_t)(eol - q));
  st->para = starts_plain(*q) || cont;
  return cost + (cont ? 0 : COST_BLOCK) + inline_cost(q, eol, gfm);
}

/* The first CR or LF at or after p, or end: two memchr passes, which are
 * much faster than a loop over the bytes. */
static const char *line_end(const char *p, const char *end) {
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  if (!nl)
    nl = end;
  const char *cr = memchr(p, '\r', (size_t)(nl - p));
  return cr ? cr : nl;
}

/*
 * An upper bound, in one pass, of the bytes cmark-gfm allocates to parse
 * `len` bytes: per line, its container markers (a quote, or an item and its
 * list, unless the line before had the same marker in the same place), its
 * block (unless the line continues a paragraph), and two inline nodes for
 * each mark that can start one (`\ & [ ] !`, a run of `* _ ~` or
 * backticks; three for `<`; with gfm one for each `w` and `:` where
 * autolinks are looked for, three for a `www.` or `://` and for an `@`);
 * lines of fenced code
 * and of HTML blocks cost only their bytes. Two shapes cost more than
 * their nodes: each table cell (`cells`, from md_tables_too_costly), and
 * email addresses, for each of which the autolink extension copies the
 * rest of the text it stands in (a text never spans lines).
 * A 20 MB page of `*x* ` asked for 6.6 GB, 6 MB of `a` lines for 1 GB
 * before galley's own tree; cmark aborts the process when an allocation
 * fails, so the reader refuses such a page with a message instead.
 */
size_t md_parse_estimate(const char *data, size_t len, bool gfm, size_t cells,
                         bool valid_utf8) {
  double est = COST_PARSER + (double)cells * (COST_BLOCK + COST_INLINE) +
               (double)len * COST_BYTE;
  /* A last line without its newline is copied once more. */
  const char *last = data + len;
  while (last > data && last[-1] != '\n' && last[-1] != '\r')
    last--;
  est += 2.0 * (double)(data + len - last);
  /* Each byte that is not UTF-8 (or is NUL) becomes the three of U+FFFD. */
  for (size_t i = 0; !valid_utf8 && i < len; i++)
    if (data[i] == 0 || (unsigned char)data[i] >= 0x80)
      est += COST_BAD_BYTE;
  line_state st = {.blank = true};
  const char *p = data, *end = data + len;
  while (p < end) {
    const char *eol = line_end(p, end);
    est += line_cost(&st, p, eol, gfm);
    p = eol; /* CR LF is one line end */
    if (p < end && *p == '\r')
      p++;
    if (p < end && *p == '\n')
      p++;
  }
  return est > (double)SIZE_MAX ? SIZE_MAX : (size_t)est;
}
