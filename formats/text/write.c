/* The text writer: the tree as plain UTF-8 text, the way lynx and w3m show
 * a page.
 *
 *   - Paragraphs are wrapped at `wrap` columns (default 72; 0: one line per
 *     paragraph), counting display columns (a wide CJK character two). A
 *     word or URL longer than the line stands alone on its line, never
 *     broken. A line never starts with something the reader would take
 *     for a list marker, a quote or a reference ("- ", "1.", ">", "[1]"):
 *     the word before comes down with it (after a word alone on its line,
 *     it stays on that line, past the width). However deep the quotes and
 *     lists, text gets at least 20 columns after their prefixes.
 *   - Headings are one line, underlined by their level: = (1), - (2),
 *     ~ (3), ^ (4), " (5), ' (6), as long as the heading (at least 3).
 *   - Lists: "- " bullets, "1. " numbers ("1) " and "[1] " when the list's
 *     attribute delim is "paren" or "bracket"), "[ ] "/"[x] " tasks;
 *     continuation lines and nested lists are indented under the item's
 *     text. Tight lists have no blank lines between items.
 *   - Block quotes: "> " before every line. Code blocks: verbatim, indented
 *     4 spaces. Thematic breaks: "* * *".
 *   - Tables: aligned columns two spaces apart under a header line and a
 *     line of dashes per column (a table without a header row has a line of
 *     dashes above and below). Right and centred columns are padded so the
 *     reader sees it. A table wider than the wrap width gets narrower
 *     columns: its cells wrap inside them and its rows are set apart by a
 *     blank line. A layout table (one column,
 *     or cells holding several blocks or non-paragraphs) is written as its
 *     cells' blocks one after the other.
 *   - Links: the text then "[n]", and at the end a "References" heading
 *     with "[n] URL" lines; one number per distinct URL. A link whose text
 *     is its URL is written once, without a number. Links to "#..." and
 *     javascript: are written as their text. With references=false every
 *     link is its text only.
 *   - Images: "[alt]" when the alt text says something: not a file name
 *     ("010_Clymer-1", "IMG_2034.jpg"), not a word like "image", not a
 *     repeat of its caption (the figure's, or the block after an image
 *     that stands alone) or of the words beside it in its block, not
 *     inside a heading; else nothing.
 *   - Pictures: a figure's caption as a paragraph after its image. With
 *     figures=false (the default with standalone=false) neither an image's
 *     alt text nor a picture's caption is written: the running text only,
 *     as text extractors (trafilatura) and the extraction benchmark's
 *     ground truth give it. A caption of a figure without an image (a
 *     quotation's attribution, a listing's title) is kept.
 *     Emphasis and other inline styling: the text.
 *   - Footnotes: "[^n]" where referred to (n: the note's number in the
 *     order of first references); each definition where the
 *     tree has it (Markdown and HTML put them last), as "[^n] text"
 *     with a hanging indent. Where it is, reading the text back puts it.
 *   - Definition lists: the term on a line, the definition indented 2.
 *   - Raw blocks and inlines: kept when their format is text, else dropped
 *     (with a warning).
 *   - The metadata title comes first, as a level-1 heading, with the
 *     credits line under it (byline, humane date, site and source:
 *     galley_doc_credits), unless the first heading of the body is the
 *     title (galley_doc_shows_title). standalone=false: neither.
 * Output ends with exactly one newline (an empty document gives nothing).
 * The lines go through the layout layer (galley/layout.h), which does the
 * prefixes, blank lines, wrapping and trimming; this file decides what the
 * lines say. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

typedef struct writer {
  galley_job *job;
  const galley_doc *doc;
  size_t wrap;     /* 0: no wrapping */
  bool references; /* links numbered, with a list at the end */
  bool figures;    /* figure captions and image alt text */
  galley_layout *l; /* the lines: prefixes, blank lines, wrapping */
  galley_buf inl;   /* a paragraph's inline text being gathered */

  int *counters; /* ordinal of the next item of each open list */
  size_t ncounters, counters_cap;

  const galley_node *prev_leaf;

  tmap urls;
  const char **url_list;
  size_t nurls, url_cap;
  size_t *links; /* offsets in inl where open links began */
  size_t nlinks, links_cap;

  const galley_node **notes;
  size_t nnotes, notes_cap;
  bool raw_warned;
  bool failed;
} writer;

/* ---- Output ----------------------------------------------------------------
 */

/* A line of its own: `n` bytes at `s`, after the prefixes of the open
 * containers (the layout layer takes trailing spaces off). */
static void emit(writer *w, const char *s, size_t n) {
  galley_layout_raw(w->l, s, n);
  galley_layout_raw(w->l, "\n", 1);
}

/* ---- Blank lines between blocks
 * ----------------------------------------------- */

static const galley_node *common_ancestor(const galley_node *a,
                                          const galley_node *b) {
  size_t da = galley_node_depth(a), db = galley_node_depth(b);
  while (da > db)
    a = galley_node_parent_const(a), da--;
  while (db > da)
    b = galley_node_parent_const(b), db--;
  while (a && a != b)
    a = galley_node_parent_const(a), b = galley_node_parent_const(b);
  return a;
}

static bool spaced(galley_kind k) {
  return k == GALLEY_NODE_CODE_BLOCK || k == GALLEY_NODE_TABLE ||
         k == GALLEY_NODE_THEMATIC_BREAK || k == GALLEY_NODE_HEADING ||
         k == GALLEY_NODE_RAW_BLOCK;
}

/* Before a leaf block: a blank line, except at the very start, between
 * the items of a tight list (and before a list nested in one), and between
 * a term and its definition. */
static void separate(writer *w, const galley_node *leaf) {
  const galley_node *prev = w->prev_leaf;
  w->prev_leaf = leaf;
  if (prev && !spaced(galley_node_kind(leaf)) &&
      !spaced(galley_node_kind(prev))) {
    if (galley_node_kind(prev) == GALLEY_NODE_TERM &&
        galley_node_kind(galley_node_parent_const(leaf)) == GALLEY_NODE_DEFINITION)
      return;
    const galley_node *lca = common_ancestor(prev, leaf);
    const galley_node *a = lca;
    while (a && galley_node_kind(a) != GALLEY_NODE_LIST &&
           galley_node_kind(a) != GALLEY_NODE_DOCUMENT &&
           galley_node_kind(a) != GALLEY_NODE_BLOCK_QUOTE &&
           galley_node_kind(a) != GALLEY_NODE_FOOTNOTE)
      a = galley_node_parent_const(a);
    if (a && galley_node_kind(a) == GALLEY_NODE_LIST &&
        galley_node_get_list_tight(a)) {
      if (lca == a)
        return; /* two items of a tight list */
      /* Two blocks of one item: a nested list follows on directly, other
       * blocks after a blank line (which leaves the list tight). */
      const galley_node *c = leaf;
      while (c && galley_node_parent_const(c) != lca)
        c = galley_node_parent_const(c);
      if (c && galley_node_kind(c) == GALLEY_NODE_LIST)
        return;
    }
  }
  galley_layout_blank(w->l); /* none before the first line */
}

/* ---- Inline text
 * ------------------------------------------------------------------ */

static bool raw_is_text(const galley_node *n) {
  const char *f = galley_node_get_format(n);
  return f && (strcmp(f, "text") == 0 || strcmp(f, "plain") == 0 ||
               strcmp(f, "txt") == 0);
}

static void warn_raw(writer *w, const galley_node *n) {
  if (w->raw_warned)
    return;
  w->raw_warned = true;
  const char *f = galley_node_get_format(n);
  galley_job_warn(w->job, "raw %s content dropped: plain text cannot hold it",
                  f ? f : "(unknown)");
}

/* Text with white space made plain spaces. */
static void put_text(galley_buf *b, const char *s) {
  size_t start = b->len;
  galley_buf_puts(b, s);
  if (b->failed)
    return;
  for (size_t i = start; i < b->len; i++)
    if (b->data[i] == '\n' || b->data[i] == '\t' || b->data[i] == '\r' ||
        b->data[i] == '\f' || b->data[i] == '\v')
      b->data[i] = ' ';
}

static size_t link_number(writer *w, const char *url) {
  size_t len = strlen(url);
  size_t *have = tmap_get(&w->urls, url, len);
  if (have)
    return *have;
  if (galley_array_grow((void **)&w->url_list, &w->url_cap, w->nurls + 1,
                        sizeof *w->url_list) != GALLEY_OK ||
      !tmap_put(&w->urls, url, len, w->nurls + 1)) {
    w->failed = true;
    return 0;
  }
  w->url_list[w->nurls++] = url;
  return w->nurls;
}

/* The link's text is its URL (maybe without the scheme or mailto:). */
static bool is_autolink(const char *url, const char *text, size_t n) {
  while (n && text[0] == ' ')
    text++, n--;
  while (n && text[n - 1] == ' ')
    n--;
  static const char *const schemes[] = {"", "mailto:", "http://", "https://"};
  for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++) {
    size_t l = strlen(schemes[k]);
    if (strncmp(url, schemes[k], l) != 0)
      continue;
    const char *u = url + l;
    size_t ul = strlen(u);
    if (ul == n && memcmp(u, text, n) == 0)
      return true;
    if (ul == n + 1 && u[n] == '/' && memcmp(u, text, n) == 0)
      return true;
  }
  return false;
}

static void end_link(writer *w, const galley_node *link) {
  size_t start = w->links[--w->nlinks];
  const char *url = galley_node_get_url(link);
  if (!w->references || !url || !*url || url[0] == '#' ||
      strncmp(url, "javascript:", 11) == 0)
    return;
  galley_buf *b = &w->inl;
  /* With figures=false a link holding only pictures goes with them (with
   * figures, one whose image says nothing keeps its number: its address
   * is still in the references). */
  size_t i = start;
  while (i < b->len && b->data[i] == ' ')
    i++;
  if ((i == b->len && !w->figures) ||
      is_autolink(url, b->data ? b->data + start : "", b->len - start))
    return;
  size_t num = link_number(w, url);
  char mark[32];
  snprintf(mark, sizeof mark, "[%zu]", num);
  galley_buf_puts(b, mark);
}

/* ---- Images ----------------------------------------------------------------
 */

static void collapse(galley_buf *b);

/* The words of `s`, ASCII letters lowered, with one space before and
 * after each (" a bin of "): letters, digits and UTF-8 bytes make words,
 * anything else separates them. */
static void fold_words(galley_buf *b, const char *s) {
  galley_buf_putc(b, ' ');
  for (; *s && !b->failed; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 'A' && c <= 'Z')
      galley_buf_putc(b, (char)(c + 32));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
      galley_buf_putc(b, (char)c);
    else if (b->data[b->len - 1] != ' ')
      galley_buf_putc(b, ' ');
  }
  if (!b->failed && b->data[b->len - 1] != ' ')
    galley_buf_putc(b, ' ');
  galley_buf_putc(b, '\0');
}

/* Whether alt text `alt` repeats caption `cap`: seven in ten of its words
 * are the caption's (a caption often adds a credit, or spells a name
 * another way). Long texts are not compared (the cost grows with both). */
static bool repeats(const char *alt, const char *cap) {
  if (strlen(alt) > 2000 || strlen(cap) > 8000)
    return false;
  galley_buf a = GALLEY_BUF_INIT, c = GALLEY_BUF_INIT;
  fold_words(&a, alt);
  fold_words(&c, cap);
  size_t words = 0, found = 0;
  if (!a.failed && !c.failed) {
    for (char *p = a.data + 1; *p;) {
      char *end = strchr(p, ' ');
      if (!end)
        break;
      /* " word " in the caption's words. */
      char keep = end[1];
      end[1] = '\0';
      found += strstr(c.data, p - 1) != NULL;
      end[1] = keep;
      words++;
      p = end + 1;
    }
  }
  galley_buf_free(&a);
  galley_buf_free(&c);
  return words && found * 10 >= words * 7;
}

/* The letters and digits of s[0, n), lower-cased, into out (at most
 * cap - 1 of them); their number. */
static size_t fold_alnum(const char *s, size_t n, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 1 < cap; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (isalnum(ch) || ch >= 0x80)
      out[o++] = (char)tolower(ch);
  }
  out[o] = '\0';
  return o;
}

/* Whether the alt text is the image's file name written out ("7th
 * Amsterdam Light Festival 2018 2019Spider on the Bridge _ Groupe LAPS"
 * for 7th-Amsterdam-Light-Festival-2018-2019Spider-on-the-Bridge-_-
 * Groupe-LAPS.jpg): the same letters and digits, the extension and a
 * size suffix ("-1024x683", "-scaled") of the file left out. */
static bool names_file(const char *alt, const char *url) {
  const char *end = url + strcspn(url, "?#");
  const char *base = end;
  while (base > url && base[-1] != '/')
    base--;
  const char *dot = NULL;
  for (const char *p = base; p < end; p++)
    if (*p == '.')
      dot = p;
  const char *stem_end = dot ? dot : end;
  /* "-1024x683", "-scaled" at the end of the stem. */
  const char *q = stem_end;
  if (q - base > 7 && strncasecmp(q - 7, "-scaled", 7) == 0)
    q -= 7;
  const char *d = q;
  while (d > base && isdigit((unsigned char)d[-1]))
    d--;
  if (d < q && d > base + 1 && (d[-1] == 'x' || d[-1] == 'X')) {
    const char *e = d - 1;
    while (e > base && isdigit((unsigned char)e[-1]))
      e--;
    if (e < d - 1 && e > base && e[-1] == '-')
      q = e - 1;
  }
  char a[256], b[256];
  size_t na = fold_alnum(alt, strlen(alt), a, sizeof a);
  size_t nb = fold_alnum(base, (size_t)(q - base), b, sizeof b);
  return na >= 4 && na == nb && na + 1 < sizeof a && memcmp(a, b, na) == 0;
}

/* Whether alt text `alt` (collapsed) says nothing a reader wants: a file
 * name ("010_Clymer-1", "IMG_2034.jpg", "DSC01234", the image's own file
 * name), or a word that only says it is a picture. */
static bool alt_is_noise(const char *alt, const char *url) {
  static const char *const exts[] = {".jpg",  ".jpeg", ".png",  ".gif",
                                     ".webp", ".svg",  ".avif", ".bmp",
                                     ".tif",  ".tiff", ".heic"};
  size_t n = strlen(alt);
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
    size_t k = strlen(exts[i]);
    if (n > k && strcasecmp(alt + n - k, exts[i]) == 0)
      return true;
  }
  if (url && names_file(alt, url))
    return true;
  if (strchr(alt, ' '))
    return false;
  static const char *const generic[] = {
      "image", "img",       "photo",   "picture", "pic",        "icon",
      "logo",  "thumbnail", "graphic", "spacer",  "placeholder"};
  for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
    if (strcasecmp(alt, generic[i]) == 0)
      return true;
  size_t digits = 0;
  for (const char *p = alt; *p; p++)
    digits += *p >= '0' && *p <= '9';
  if (strchr(alt, '_') || digits >= 3)
    return true;
  /* The file name of the image itself, without its extension. */
  if (url) {
    const char *base = url + strcspn(url, "?#");
    const char *end = base;
    while (base > url && base[-1] != '/')
      base--;
    const char *dot = memchr(base, '.', (size_t)(end - base));
    size_t len = (size_t)((dot ? dot : end) - base);
    if (len && len == n && strncasecmp(alt, base, len) == 0)
      return true;
  }
  return false;
}

/* The text of `n`'s subtree, its first 8000 bytes or so (malloc'd),
 * leaving out `skip`'s subtree (NULL: nothing). */
static char *text_but(writer *w, const galley_node *n,
                      const galley_node *skip) {
  galley_buf t = GALLEY_BUF_INIT;
  galley_citer it;
  galley_citer_init(&it, n);
  galley_event ev;
  /* Only the start counts (repeats() compares no more than 8000 bytes):
   * nested lone images must not each read all the text after them. */
  size_t steps = 0;
  while (t.len <= 8000 && ++steps <= 4096 &&
         (ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *c = galley_citer_node(&it);
    galley_kind k = galley_node_kind(c);
    if (c == skip) {
      galley_citer_reset(&it, c, GALLEY_EVENT_EXIT);
      continue;
    }
    if (ev == GALLEY_EVENT_ENTER && k == GALLEY_NODE_TEXT)
      galley_buf_puts(&t, galley_node_get_literal(c));
    else if (galley_kind_is_block(k) || k == GALLEY_NODE_SOFT_BREAK ||
             k == GALLEY_NODE_LINE_BREAK)
      galley_buf_putc(&t, ' '); /* words of two blocks stay two */
  }
  galley_buf_putc(&t, '\0');
  if (t.failed)
    w->failed = true;
  return galley_buf_detach(&t, NULL);
}

static char *subtree_text(writer *w, const galley_node *n) {
  return text_but(w, n, NULL);
}

/* Whether `c` shows nothing (a break, white space). */
static bool shows_nothing(const galley_node *c) {
  galley_kind k = galley_node_kind(c);
  if (k == GALLEY_NODE_SOFT_BREAK || k == GALLEY_NODE_LINE_BREAK)
    return true;
  if (k != GALLEY_NODE_TEXT)
    return false;
  for (const char *t = galley_node_get_literal(c); t && *t; t++)
    if (*t != ' ' && *t != '\t' && *t != '\n')
      return false;
  return true;
}

/* The caption the reader sees with `img` (malloc'd), or NULL: its
 * figure's caption, else, for an image that stands alone (its paragraph,
 * link, figure hold nothing else), the block right after (pages often put
 * the caption there). */
static char *image_caption(writer *w, const galley_node *img) {
  const galley_node *alone = img;
  bool climbing = true;
  for (const galley_node *p = galley_node_parent_const(img); p;
       p = galley_node_parent_const(p)) {
    if (galley_node_kind(p) == GALLEY_NODE_FIGURE) {
      for (const galley_node *c = galley_node_first_child_const(p); c;
           c = galley_node_next_const(c))
        if (galley_node_kind(c) == GALLEY_NODE_CAPTION)
          return subtree_text(w, c);
    }
    if (!climbing || galley_node_kind(p) == GALLEY_NODE_DOCUMENT)
      continue;
    for (const galley_node *c = galley_node_first_child_const(p); c && climbing;
         c = galley_node_next_const(c))
      if (c != alone && !shows_nothing(c))
        climbing = false;
    if (climbing)
      alone = p;
  }
  if (alone == img || !galley_kind_is_block(galley_node_kind(alone)))
    return NULL;
  /* The next block in reading order that shows text, however deep the
   * image sat (a few empty ones, such as a player's box, are passed). */
  const galley_node *n = alone;
  for (int tries = 0; tries < 8; tries++) {
    while (n && !galley_node_next_const(n))
      n = galley_node_parent_const(n);
    if (!n)
      return NULL;
    n = galley_node_next_const(n);
    char *t = subtree_text(w, n);
    if (!t || t[strspn(t, " \t\n")])
      return t;
    free(t);
  }
  return NULL;
}

static bool in_heading(const galley_node *n) {
  for (const galley_node *p = galley_node_parent_const(n); p;
       p = galley_node_parent_const(p))
    if (galley_node_kind(p) == GALLEY_NODE_HEADING)
      return true;
  return false;
}

/* A note's mark, where it is referred to and before the note: "[^3]",
 * its number in the order of first references (galley_doc_note_number),
 * whatever the source called it ("cite_note-Smith-3"). */
static void note_mark(const writer *w, const galley_node *n, char *out,
                      size_t size) {
  const char *label = galley_node_get_label(n);
  size_t number = label ? galley_doc_note_number(w->doc, label) : 0;
  if (number)
    snprintf(out, size, "[^%zu]", number);
  else
    snprintf(out, size, "[^%.80s]", label && *label ? label : "?");
}

/* Whether `n` is the caption of a picture: of a figure that holds an
 * image beside it (not a quotation's attribution, a listing's title). */
static bool picture_caption(const galley_node *n) {
  const galley_node *fig = galley_node_parent_const(n);
  if (!fig || galley_node_kind(fig) != GALLEY_NODE_FIGURE)
    return false;
  galley_citer it;
  galley_citer_init(&it, fig);
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *c = galley_citer_node(&it);
    if (c == n)
      galley_citer_reset(&it, c, GALLEY_EVENT_EXIT);
    else if (galley_node_kind(c) == GALLEY_NODE_IMAGE)
      return true;
  }
  return false;
}

/* An image as "[alt]", when its alt text says something: not a file
 * name, not a repeat of its caption or of the words beside it in its
 * block, not inside a heading. */
static void put_image(writer *w, const galley_node *img) {
  if (!w->figures || in_heading(img))
    return;
  galley_buf alt = GALLEY_BUF_INIT;
  galley_citer it;
  galley_citer_init(&it, img);
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    galley_kind k = galley_node_kind(n);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    if (k == GALLEY_NODE_TEXT || k == GALLEY_NODE_CODE)
      put_text(&alt, galley_node_get_literal(n));
    else if (k == GALLEY_NODE_SOFT_BREAK || k == GALLEY_NODE_LINE_BREAK)
      galley_buf_putc(&alt, ' ');
  }
  collapse(&alt);
  galley_buf_putc(&alt, '\0');
  bool say = !alt.failed && alt.data && alt.data[0] &&
             !alt_is_noise(alt.data, galley_node_get_url(img));
  char *cap = say ? image_caption(w, img) : NULL;
  if (cap) {
    if (repeats(alt.data, cap))
      say = false;
    free(cap);
  }
  /* Nor a repeat of the words beside it in its own block (a video's
   * title over its poster image, "Photo: …" next to it). */
  const galley_node *block = galley_node_parent_const(img);
  while (block && !galley_kind_is_block(galley_node_kind(block)))
    block = galley_node_parent_const(block);
  char *beside = say && block ? text_but(w, block, img) : NULL;
  if (beside) {
    if (repeats(alt.data, beside))
      say = false;
    free(beside);
  }
  if (alt.failed)
    w->failed = true;
  if (say) {
    galley_buf_putc(&w->inl, '[');
    galley_buf_puts(&w->inl, alt.data);
    galley_buf_putc(&w->inl, ']');
  }
  galley_buf_free(&alt);
}

/* Gathers the inline content under `node` into w->inl: `breaks` keeps hard
 * line breaks as '\n' (paragraphs), else they are spaces. Blocks inside
 * (a table cell's paragraphs) are separated by a space. */
static void gather(writer *w, const galley_node *node, bool breaks) {
  galley_buf *b = &w->inl;
  galley_citer it;
  galley_citer_init(&it, node);
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    if (n == node)
      continue;
    galley_kind k = galley_node_kind(n);
    if (ev == GALLEY_EVENT_EXIT) {
      if (k == GALLEY_NODE_LINK)
        end_link(w, n);
      else if (galley_kind_is_block(k))
        galley_buf_putc(b, ' ');
      continue;
    }
    switch (k) {
    case GALLEY_NODE_TEXT:
    case GALLEY_NODE_CODE: put_text(b, galley_node_get_literal(n)); break;
    case GALLEY_NODE_SOFT_BREAK: galley_buf_putc(b, ' '); break;
    case GALLEY_NODE_LINE_BREAK: galley_buf_putc(b, breaks ? '\n' : ' '); break;
    case GALLEY_NODE_RAW_INLINE:
      if (raw_is_text(n))
        put_text(b, galley_node_get_literal(n));
      else
        warn_raw(w, n);
      break;
    case GALLEY_NODE_FOOTNOTE_REF: {
      char mark[96];
      note_mark(w, n, mark, sizeof mark);
      galley_buf_puts(b, mark);
      break;
    }
    case GALLEY_NODE_LINK:
      if (galley_array_grow((void **)&w->links, &w->links_cap, w->nlinks + 1,
                            sizeof *w->links) != GALLEY_OK) {
        w->failed = true;
        return;
      }
      w->links[w->nlinks++] = b->len;
      break;
    case GALLEY_NODE_CODE_BLOCK:
    case GALLEY_NODE_RAW_BLOCK:
      galley_buf_putc(b, ' ');
      put_text(b, galley_node_get_literal(n));
      galley_buf_putc(b, ' ');
      break;
    case GALLEY_NODE_IMAGE:
      put_image(w, n);
      galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
      break;
    case GALLEY_NODE_FOOTNOTE:
      /* A definition inside a cell: written with the others at the end. */
      if (galley_array_grow((void **)&w->notes, &w->notes_cap, w->nnotes + 1,
                            sizeof *w->notes) == GALLEY_OK)
        w->notes[w->nnotes++] = n;
      else
        w->failed = true;
      galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
      break;
    default:
      if (galley_kind_is_block(k))
        galley_buf_putc(b, ' ');
      break;
    }
  }
}

/* w->inl with runs of spaces made one and the ends trimmed, in place. */
static void collapse(galley_buf *b) {
  size_t k = 0;
  bool space = false;
  for (size_t i = 0; i < b->len; i++) {
    char c = b->data[i];
    if (c == ' ') {
      space = k > 0 && b->data[k - 1] != '\n';
      continue;
    }
    if (c == '\n') {
      space = false;
      while (k && b->data[k - 1] == ' ')
        k--;
    } else if (space) {
      b->data[k++] = ' ';
    }
    space = false;
    b->data[k++] = c;
  }
  while (k && (b->data[k - 1] == ' ' || b->data[k - 1] == '\n'))
    k--;
  galley_buf_truncate(b, k);
}

/* ---- Wrapping
 * ------------------------------------------------------------------- */

/* A word that, first on a line, the reader would take for the start of a
 * block: a list marker, a quote, a reference or footnote label, or an
 * underline. */
static bool risky_start(const char *s, size_t n) {
  if (n == 0)
    return false;
  if (s[0] == '>')
    return true;
  if (n == 1 && (s[0] == '-' || s[0] == '*'))
    return true;
  if (n == 3 && memcmp(s, "\xe2\x80\xa2", 3) == 0)
    return true;
  size_t i = s[0] == '[' ? 1 : 0;
  size_t d = i;
  while (d < n && s[d] >= '0' && s[d] <= '9')
    d++;
  if (d > i && d + 1 == n && (i ? s[d] == ']' : (s[d] == '.' || s[d] == ')')))
    return true;
  if (n >= 3 && s[0] == '[' && s[1] == '^')
    return true;
  bool rule = true;
  for (size_t k = 0; k < n && rule; k++)
    rule = strchr("=-~^\"'_*", s[k]) != NULL;
  return rule;
}

/* The layout's break check: a risky word never starts a line. */
static bool may_start(const char *s, size_t n, void *data) {
  (void)data;
  return !risky_start(s, n);
}

/* Writes w->inl (already collapsed) as lines, one or more (wrapped) for
 * each piece between hard line breaks; `nowrap`: one line each. */
static void write_wrapped(writer *w, bool nowrap) {
  galley_buf *b = &w->inl;
  const char *s = b->data;
  size_t i = 0;
  while (i < b->len) {
    const char *nl = memchr(s + i, '\n', b->len - i);
    size_t end = nl ? (size_t)(nl - s) : b->len;
    if (nowrap)
      galley_layout_raw(w->l, s + i, end - i);
    else
      galley_layout_text(w->l, s + i, end - i);
    galley_layout_cr(w->l);
    i = end + 1;
  }
}

/* ---- Blocks
 * ---------------------------------------------------------------------- */

static void write_para(writer *w, const galley_node *n) {
  galley_buf_clear(&w->inl);
  gather(w, n, true);
  collapse(&w->inl);
  if (w->inl.len == 0)
    return;
  separate(w, n);
  /* A byline, dateline or source label is a line of its own: wrapped, the
   * reader would no longer know it for one. */
  write_wrapped(w, galley_node_has_class(n, "byline") ||
                       galley_node_has_class(n, "dateline") ||
                       galley_node_has_class(n, "source"));
}

static const char *underline_chars = "=-~^\"'";

static void write_heading(writer *w, const galley_node *n, int level) {
  galley_buf_clear(&w->inl);
  gather(w, n, false);
  collapse(&w->inl);
  if (w->inl.len == 0)
    return;
  separate(w, n);
  if (level < 1)
    level = 1;
  if (level > 6)
    level = 6;
  emit(w, w->inl.data, w->inl.len);
  size_t width = galley_display_width(w->inl.data, w->inl.len);
  galley_buf *u = &w->inl;
  galley_buf_clear(u);
  galley_buf_repeat(u, underline_chars[level - 1], width < 3 ? 3 : width);
  emit(w, u->data, u->len);
}

static void write_code(writer *w, const galley_node *n, bool raw) {
  const char *lit = galley_node_get_literal(n);
  if (!lit)
    return;
  size_t len = strlen(lit);
  while (len && lit[len - 1] == '\n')
    len--;
  if (len == 0)
    return;
  separate(w, n);
  if (!raw)
    galley_layout_push(w->l, "    ");
  size_t i = 0;
  while (i <= len) {
    size_t j = i;
    while (j < len && lit[j] != '\n')
      j++;
    size_t e = j;
    if (e > i && lit[e - 1] == '\r')
      e--;
    emit(w, lit + i, e - i);
    i = j + 1;
  }
  if (!raw)
    galley_layout_pop(w->l);
}

/* ---- Tables
 * ---------------------------------------------------------------------- */

typedef struct cell {
  size_t off, len, width; /* in the table's text buffer */
} cell;

/* One line of a wrapped cell: bytes [off, off + len) of the cell's text. */
typedef struct cline {
  size_t off, len, width;
} cline;

/* The length of the UTF-8 character at s[0] (1 for a stray byte). */
static size_t u8len(const char *s, size_t n) {
  unsigned char c = (unsigned char)s[0];
  size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  return k <= n ? k : 1;
}

/*
 * Wraps a cell's text (`n` bytes) to `width` columns: words greedily, a
 * word wider than the column broken where it reaches the edge. Appends the
 * lines to `*out`; false when out of memory.
 */
static bool wrap_cell(const char *s, size_t n, size_t width, cline **out,
                      size_t *nout, size_t *cap) {
  size_t i = 0;
  cline cur = {0, 0, 0};
  bool open = false;
  while (i < n) {
    while (i < n && (s[i] == ' ' || s[i] == '\n'))
      i++;
    if (i >= n)
      break;
    size_t ws = i, ww = 0;
    while (i < n && s[i] != ' ' && s[i] != '\n') {
      i += u8len(s + i, n - i);
      ww++;
    }
    size_t we = i;
    if (open && cur.width + 1 + ww <= width) {
      cur.len = we - cur.off;
      cur.width += 1 + ww;
      continue;
    }
    if (open) {
      if (galley_array_grow((void **)out, cap, *nout + 1, sizeof **out))
        return false;
      (*out)[(*nout)++] = cur;
      open = false;
    }
    /* The word starts a line; one too wide for any line is cut. */
    size_t p = ws;
    while (ww > width) {
      size_t q = p, k = 0;
      while (k < width) {
        q += u8len(s + q, we - q);
        k++;
      }
      if (galley_array_grow((void **)out, cap, *nout + 1, sizeof **out))
        return false;
      (*out)[(*nout)++] = (cline){p, q - p, width};
      p = q;
      ww -= width;
    }
    cur = (cline){p, we - p, ww};
    open = ww > 0;
  }
  if (open) {
    if (galley_array_grow((void **)out, cap, *nout + 1, sizeof **out))
      return false;
    (*out)[(*nout)++] = cur;
  }
  return true;
}

/*
 * Narrows the columns of a table wider than `avail`: every column keeps
 * its width up to a common cap, the widest ones share what is left, none
 * goes under 3. Returns whether any column was narrowed.
 */
static bool fit_columns(size_t *widths, size_t ncols, size_t avail) {
  size_t gaps = 2 * (ncols - 1), total = gaps;
  for (size_t c = 0; c < ncols; c++)
    total += widths[c];
  if (total <= avail)
    return false;
  size_t budget = avail > gaps + 3 * ncols ? avail - gaps : 3 * ncols;
  /* The largest cap whose capped widths fit the budget. */
  size_t lo = 3, hi = 3;
  for (size_t c = 0; c < ncols; c++)
    if (widths[c] > hi)
      hi = widths[c];
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2, sum = 0;
    for (size_t c = 0; c < ncols; c++)
      sum += widths[c] < mid ? widths[c] : mid;
    if (sum <= budget)
      lo = mid;
    else
      hi = mid - 1;
  }
  size_t sum = 0;
  for (size_t c = 0; c < ncols; c++) {
    if (widths[c] > lo)
      widths[c] = lo;
    sum += widths[c];
  }
  /* What the cap left over goes, a column each, to the capped ones. */
  for (size_t c = 0; c < ncols && sum < budget; c++)
    if (widths[c] == lo) {
      widths[c]++;
      sum++;
    }
  return true;
}

/* One cell's line (`s`, `len` bytes, `cw` columns; NULL: empty) padded to
 * its column's `width` on the side its alignment says, after the two
 * spaces that separate columns. */
static void put_cell(galley_buf *l, size_t col, const char *s, size_t len,
                     size_t cw, size_t width, galley_align align) {
  size_t pad = width > cw ? width - cw : 0, before = 0;
  if (align == GALLEY_ALIGN_RIGHT)
    before = pad;
  else if (align == GALLEY_ALIGN_CENTER)
    before = pad / 2;
  if (col)
    galley_buf_puts(l, "  ");
  galley_buf_repeat(l, ' ', before);
  if (s)
    galley_buf_add(l, s, len);
  galley_buf_repeat(l, ' ', pad - before);
}

static void rule_line(writer *w, const size_t *widths, size_t ncols) {
  galley_buf *l = &w->inl;
  galley_buf_clear(l);
  for (size_t c = 0; c < ncols; c++) {
    if (c)
      galley_buf_puts(l, "  ");
    galley_buf_repeat(l, '-', widths[c]);
  }
  emit(w, l->data, l->len);
}

/* The rows of a table whose columns were narrowed: each cell wrapped to
 * its column, a row as tall as its tallest cell, a blank line between
 * rows (the header's rule sets the header apart). */
static void write_wrapped_rows(writer *w, const galley_buf *text,
                               const cell *cells, const size_t *row_start,
                               size_t nrows, size_t ncols,
                               const size_t *widths, const galley_align *align,
                               size_t head) {
  cline *lines = NULL;
  size_t nlines = 0, cap = 0;
  size_t *first = calloc(ncols + 1, sizeof *first);
  if (!first) {
    w->failed = true;
    return;
  }
  galley_buf *l = &w->inl;
  if (head != 0)
    rule_line(w, widths, ncols);
  for (size_t r = 0; r < nrows; r++) {
    nlines = 0;
    size_t height = 0;
    for (size_t c = 0; c < ncols; c++) {
      size_t i = row_start[r] + c;
      first[c] = nlines;
      if (i < row_start[r + 1] &&
          !wrap_cell(text->data + cells[i].off, cells[i].len, widths[c],
                     &lines, &nlines, &cap)) {
        w->failed = true;
        goto out;
      }
      if (nlines - first[c] > height)
        height = nlines - first[c];
    }
    first[ncols] = nlines;
    if (r > 0 && !(head == 0 && r == 1))
      galley_layout_blank(w->l);
    for (size_t k = 0; k < height; k++) {
      galley_buf_clear(l);
      for (size_t c = 0; c < ncols; c++) {
        const cline *cl =
            first[c] + k < first[c + 1] ? &lines[first[c] + k] : NULL;
        put_cell(l, c,
                 cl ? text->data + cells[row_start[r] + c].off + cl->off
                    : NULL,
                 cl ? cl->len : 0, cl ? cl->width : 0, widths[c], align[c]);
      }
      emit(w, l->data, l->len);
    }
    if (head == 0 && r == 0)
      rule_line(w, widths, ncols);
  }
  if (head != 0)
    rule_line(w, widths, ncols);
out:
  free(lines);
  free(first);
}

static void write_table(writer *w, const galley_node *table) {
  /* Gather every cell's text first: widths need all rows. */
  galley_buf text = GALLEY_BUF_INIT;
  cell *cells = NULL;
  size_t ncells = 0, cells_cap = 0;
  size_t *row_start = NULL, nrows = 0, rows_cap = 0;
  size_t ncols = 0;
  galley_align *align = NULL;
  size_t align_cap = 0;
  size_t *widths = NULL;
  size_t head = (size_t)-1;
  const galley_node *caption = NULL;

  for (const galley_node *row = galley_node_first_child_const(table); row;
       row = galley_node_next_const(row)) {
    if (galley_node_kind(row) == GALLEY_NODE_CAPTION) {
      caption = row;
      continue;
    }
    if (galley_node_kind(row) != GALLEY_NODE_TABLE_ROW)
      continue;
    if (galley_array_grow((void **)&row_start, &rows_cap, nrows + 2,
                          sizeof *row_start) != GALLEY_OK)
      goto fail;
    row_start[nrows] = ncells;
    bool all_header = galley_node_first_child_const(row) != NULL;
    size_t col = 0;
    for (const galley_node *c = galley_node_first_child_const(row); c;
         c = galley_node_next_const(c)) {
      if (galley_node_kind(c) != GALLEY_NODE_TABLE_CELL)
        continue;
      all_header &= galley_node_get_cell_header(c);
      galley_buf_clear(&w->inl);
      gather(w, c, false);
      collapse(&w->inl);
      int span = galley_node_get_colspan(c);
      if (span < 1)
        span = 1;
      for (int s = 0; s < span; s++) {
        if (galley_array_grow((void **)&cells, &cells_cap, ncells + 1,
                              sizeof *cells) != GALLEY_OK)
          goto fail;
        cell ce = {text.len, 0, 0};
        if (s == 0) {
          galley_buf_add(&text, w->inl.data ? w->inl.data : "", w->inl.len);
          ce.len = w->inl.len;
          ce.width =
              galley_display_width(w->inl.data ? w->inl.data : "", w->inl.len);
        }
        cells[ncells++] = ce;
        if (col + 1 > ncols) {
          size_t old = ncols;
          ncols = col + 1;
          if (galley_array_grow((void **)&align, &align_cap, ncols,
                                sizeof *align) != GALLEY_OK)
            goto fail;
          for (size_t k = old; k < ncols; k++)
            align[k] = GALLEY_ALIGN_NONE;
        }
        if (s == 0 && align[col] == GALLEY_ALIGN_NONE)
          align[col] = galley_node_get_cell_align(c);
        col++;
      }
    }
    if (head == (size_t)-1 && nrows == 0 &&
        (galley_node_get_row_part(row) == GALLEY_ROW_HEAD || all_header))
      head = 0;
    nrows++;
  }
  if (text.failed)
    goto fail;
  if (caption) {
    galley_buf_clear(&w->inl);
    gather(w, caption, false);
    collapse(&w->inl);
    if (w->inl.len) {
      separate(w, caption);
      write_wrapped(w, false);
    }
  }
  if (nrows == 0 || ncols == 0)
    goto done;
  row_start[nrows] = ncells;
  widths = calloc(ncols, sizeof *widths);
  if (!widths)
    goto fail;
  for (size_t r = 0; r < nrows; r++)
    for (size_t i = row_start[r]; i < row_start[r + 1]; i++) {
      size_t c = i - row_start[r];
      if (cells[i].width > widths[c])
        widths[c] = cells[i].width;
    }
  for (size_t c = 0; c < ncols; c++) {
    if (widths[c] < 3)
      widths[c] = 3;
    if (head == 0 && c < row_start[1] - row_start[0]) {
      /* Room on the side the header is not flush with, so the reader sees
       * the alignment again. */
      size_t hw = cells[row_start[0] + c].width;
      if (align[c] == GALLEY_ALIGN_RIGHT && widths[c] < hw + 1)
        widths[c] = hw + 1;
      if (align[c] == GALLEY_ALIGN_CENTER && widths[c] < hw + 2)
        widths[c] = hw + 2;
    }
  }
  /* Within the wrap width: cells wrap in narrower columns, and rows of
   * several lines are set apart by a blank line. */
  bool wrapped = false;
  if (w->wrap)
    wrapped = fit_columns(widths, ncols, galley_layout_text_width(w->l));
  separate(w, table);
  galley_buf *l = &w->inl;
  if (wrapped) {
    write_wrapped_rows(w, &text, cells, row_start, nrows, ncols, widths,
                       align, head);
    goto done;
  }
  for (size_t r = 0; r <= nrows; r++) {
    if ((head == 0 && r == 1) || (head != 0 && (r == 0 || r == nrows)))
      rule_line(w, widths, ncols);
    if (r == nrows)
      break;
    galley_buf_clear(l);
    for (size_t c = 0; c < ncols; c++) {
      size_t i = row_start[r] + c;
      const cell *ce = i < row_start[r + 1] ? &cells[i] : NULL;
      put_cell(l, c, ce ? text.data + ce->off : NULL, ce ? ce->len : 0,
               ce ? ce->width : 0, widths[c], align[c]);
    }
    emit(w, l->data, l->len);
  }
  goto done;
fail:
  w->failed = true;
done:
  galley_buf_free(&text);
  free(cells);
  free(row_start);
  free(align);
  free(widths);
}

/* A table used for layout: one column, or cells that hold more than one
 * block or blocks other than paragraphs. Its cells are written one after
 * the other as ordinary blocks, not squeezed into columns. */
static bool layout_table(const galley_node *table) {
  size_t max_cells = 0;
  for (const galley_node *row = galley_node_first_child_const(table); row;
       row = galley_node_next_const(row)) {
    if (galley_node_kind(row) != GALLEY_NODE_TABLE_ROW)
      continue;
    size_t cells = 0;
    for (const galley_node *c = galley_node_first_child_const(row); c;
         c = galley_node_next_const(c)) {
      cells++;
      size_t blocks = 0;
      for (const galley_node *b = galley_node_first_child_const(c); b;
           b = galley_node_next_const(b)) {
        galley_kind k = galley_node_kind(b);
        if (galley_kind_is_inline(k))
          continue;
        if (k != GALLEY_NODE_PARAGRAPH || ++blocks > 1)
          return true;
      }
    }
    if (cells > max_cells)
      max_cells = cells;
  }
  return max_cells <= 1;
}

/* ---- The walk
 * -------------------------------------------------------------------- */

static bool has_inline_children(const galley_node *n) {
  const galley_node *c = galley_node_first_child_const(n);
  return c && galley_kind_is_inline(galley_node_kind(c));
}

/* The item's first-line prefix (marker, space, task box) into `first`;
 * returns the width of the marker and its space, which later lines indent. */
static size_t item_marker(writer *w, const galley_node *item, char *first,
                          size_t size) {
  const galley_node *list = galley_node_parent_const(item);
  char marker[32] = "-";
  if (list && galley_node_get_list_ordered(list) && w->ncounters) {
    int num = w->counters[w->ncounters - 1]++;
    const char *delim = galley_node_get_attr(list, "delim");
    if (delim && strcmp(delim, "bracket") == 0)
      snprintf(marker, sizeof marker, "[%d]", num);
    else
      snprintf(marker, sizeof marker, "%d%c", num,
               delim && strcmp(delim, "paren") == 0 ? ')' : '.');
  }
  galley_task task = galley_node_get_task(item);
  snprintf(first, size, "%s %s", marker,
           task == GALLEY_TASK_OPEN   ? "[ ] "
           : task == GALLEY_TASK_DONE ? "[x] "
                                      : "");
  return strlen(marker) + 1;
}

static void spaces(char *out, size_t n) {
  memset(out, ' ', n);
  out[n] = '\0';
}

/* Writes the blocks of the subtree at `root`. */
static void walk(writer *w, const galley_node *root) {
  galley_citer it;
  galley_citer_init(&it, root);
  galley_event ev;
  while (!w->failed && (ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    galley_kind k = galley_node_kind(n);
    if (ev == GALLEY_EVENT_EXIT) {
      switch (k) {
      case GALLEY_NODE_LIST:
        if (w->ncounters)
          w->ncounters--;
        break;
      case GALLEY_NODE_ITEM:
        if (galley_layout_fresh(w->l)) {
          separate(w, n);
          emit(w, "", 0); /* an empty item: its marker alone */
        }
        galley_layout_pop(w->l);
        break;
      case GALLEY_NODE_BLOCK_QUOTE:
      case GALLEY_NODE_DEFINITION:
      case GALLEY_NODE_FOOTNOTE: galley_layout_pop(w->l); break;
      default: break;
      }
      continue;
    }
    bool skip = !galley_kind_is_leaf(k);
    char first[96], rest[96];
    switch (k) {
    case GALLEY_NODE_PARAGRAPH:
    case GALLEY_NODE_TERM:
    case GALLEY_NODE_CAPTION:
      if (w->figures || !picture_caption(n))
        write_para(w, n);
      break;
    case GALLEY_NODE_HEADING:
      write_heading(w, n, galley_node_get_level(n));
      break;
    case GALLEY_NODE_CODE_BLOCK: write_code(w, n, false); break;
    case GALLEY_NODE_RAW_BLOCK:
      if (raw_is_text(n))
        write_code(w, n, true);
      else
        warn_raw(w, n);
      break;
    case GALLEY_NODE_THEMATIC_BREAK:
      separate(w, n);
      emit(w, "* * *", 5);
      break;
    case GALLEY_NODE_TABLE:
      if (layout_table(n))
        skip = false; /* rows and cells are walked as containers */
      else
        write_table(w, n);
      break;
    case GALLEY_NODE_LIST:
      if (galley_array_grow((void **)&w->counters, &w->counters_cap,
                            w->ncounters + 1,
                            sizeof *w->counters) != GALLEY_OK) {
        w->failed = true;
        break;
      }
      w->counters[w->ncounters++] = galley_node_get_list_start(n);
      skip = false;
      break;
    case GALLEY_NODE_ITEM:
    case GALLEY_NODE_BLOCK_QUOTE:
    case GALLEY_NODE_DEFINITION:
    case GALLEY_NODE_FOOTNOTE:
      if (k == GALLEY_NODE_ITEM) {
        /* A task item's later lines go under its box: "- [ ] " then "  ". */
        spaces(rest, item_marker(w, n, first, sizeof first));
        galley_layout_marker_rest(w->l, first, rest);
      } else if (k == GALLEY_NODE_BLOCK_QUOTE) {
        galley_layout_push(w->l, "> ");
      } else if (k == GALLEY_NODE_DEFINITION) {
        galley_layout_push(w->l, "  ");
      } else {
        note_mark(w, n, first, sizeof first - 1);
        strcat(first, " ");
        galley_layout_marker(w->l, first); /* later lines: its width */
      }
      if (has_inline_children(n)) {
        /* Inlines straight in a container: one paragraph. */
        write_para(w, n);
        if (k == GALLEY_NODE_ITEM && galley_layout_fresh(w->l)) {
          separate(w, n);
          emit(w, "", 0);
        }
        galley_layout_pop(w->l);
        break;
      }
      skip = false;
      break;
    default:
      /* DOCUMENT, DIV, FIGURE, DEFINITION_LIST go on into their children;
       * a block holding inlines directly is one paragraph. */
      if (has_inline_children(n)) {
        write_para(w, n);
        break;
      }
      skip = galley_kind_is_inline(k);
      break;
    }
    if (skip && n != root)
      galley_citer_reset(&it, n, GALLEY_EVENT_EXIT);
    else if (skip)
      return;
  }
}

int txt_write(galley_job *job, const galley_doc *doc, galley_sink *out) {
  writer w = {0};
  w.job = job;
  w.doc = doc;
  long wrap = galley_job_option_int(job, "wrap", 72);
  w.wrap = wrap > 0 ? (size_t)wrap : 0;
  w.references = galley_job_option_bool(job, "references", true);
  bool standalone = galley_job_option_bool(job, "standalone", true);
  w.figures = galley_job_option_bool(job, "figures", standalone);
  w.l = galley_layout_new(out, w.wrap);
  if (!w.l)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  /* Under deep prefixes text keeps 20 columns (or the whole width). */
  galley_layout_set_min_width(w.l, w.wrap < 20 ? w.wrap : 20);
  galley_layout_set_trim(w.l, true); /* and exactly one newline at the end */
  galley_layout_set_break_check(w.l, may_start, NULL);

  const char *title =
      standalone ? galley_doc_get_meta(doc, GALLEY_META_TITLE) : NULL;
  if (title && *title && !galley_doc_shows_title(doc)) {
    galley_buf_clear(&w.inl);
    put_text(&w.inl, title);
    collapse(&w.inl);
    if (w.inl.len) {
      emit(&w, w.inl.data, w.inl.len);
      size_t width = galley_display_width(w.inl.data, w.inl.len);
      galley_buf_clear(&w.inl);
      galley_buf_repeat(&w.inl, '=', width < 3 ? 3 : width);
      emit(&w, w.inl.data, w.inl.len);
      /* The credits under it, a line of their own (never wrapped). */
      char *credits = galley_doc_credits(doc, true);
      if (credits) {
        galley_buf_clear(&w.inl);
        put_text(&w.inl, credits);
        collapse(&w.inl);
        galley_layout_blank(w.l);
        emit(&w, w.inl.data, w.inl.len);
        free(credits);
      }
    }
  }
  walk(&w, galley_doc_root_const(doc));
  /* Definitions found inside table cells come after the body. */
  for (size_t i = 0; i < w.nnotes && !w.failed; i++) {
    w.prev_leaf = NULL;
    walk(&w, w.notes[i]);
  }
  if (w.nurls && !w.failed) {
    galley_layout_blank(w.l);
    emit(&w, "References", 10);
    emit(&w, "----------", 10);
    galley_layout_blank(w.l);
    char mark[32];
    for (size_t i = 0; i < w.nurls; i++) {
      int k = snprintf(mark, sizeof mark, "[%zu] ", i + 1);
      galley_buf_clear(&w.inl);
      galley_buf_add(&w.inl, mark, (size_t)k);
      galley_buf_puts(&w.inl, w.url_list[i]);
      emit(&w, w.inl.data, w.inl.len);
    }
  }
  int lrc = galley_layout_finish(w.l);
  int rc = GALLEY_OK;
  if (w.failed || w.inl.failed || lrc == GALLEY_ENOMEM)
    rc = galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  else if (lrc != GALLEY_OK)
    rc = galley_job_error(job, GALLEY_EIO, "cannot write the output");
  galley_layout_free(w.l);
  free(w.counters);
  tmap_free(&w.urls);
  free(w.url_list);
  free(w.links);
  free(w.notes);
  galley_buf_free(&w.inl);
  return rc;
}
