/*
 * galley's CommonMark renderer: writes the cmark-gfm tree that write.c
 * builds as Markdown, on the layout layer (galley/layout.h). The layout
 * holds the containers' prefixes ("> ", an item's indent), writes list
 * markers, wraps text at spaces by display width and asks the break check
 * below before a wrap puts a word first on a line; the escaping hook
 * escapes text by CommonMark's rules, which depend on where a character
 * stands. At width 0 the output is the same, byte for byte, as cmark-gfm
 * 0.29.0.gfm.6's own renderer gave for these trees (the writer's corpus
 * figures and round trips were measured on it), but for two of its bugs,
 * fixed below (a quote cut in two, a table cell cut in two); the rules
 * that keeps are written down where they apply.
 *
 * Lines and blank lines: a block asks for a line end (`cr`) or a blank
 * line (`blank`) after itself; the request is settled when the next bytes
 * are written, and newlines the output already ends with count towards
 * it. A blank line settled after text is the containers' prefix, trailing
 * spaces and all ("> "); one settled after a literal that ended its own
 * line (an HTML block, an indented code block) is that prefix without
 * its trailing spaces (">", "" in a list item). Inside an item of a tight
 * list a blank line is a line end.
 *
 * Where a wrap could change what the Markdown says, it does not happen:
 * headings and table rows are not wrapped (a heading's second line would
 * be a paragraph, a table row's would end the row), nor are code spans,
 * raw HTML, link destinations and titles; a word that would be read as a
 * block marker at a line's start ("-", "+", "*", "1.", "2)", "---", "===",
 * a table row's "|", a fence, an HTML block's opening tag) never starts a
 * wrapped line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "markdown.h"

/* How out() treats the bytes it is given. */
typedef enum {
  ESC_LITERAL, /* as they are (markup, code, raw HTML) */
  ESC_NORMAL,  /* text: escaped where Markdown would read markup */
  ESC_URL,     /* a link destination */
  ESC_TITLE,   /* a link title, in double quotes */
} escaping;

typedef struct renderer {
  galley_layout *l;
  const md_extensions *ext;
  size_t width;      /* 0: no wrapping */
  size_t want_width; /* the width from the next line on (0 in a heading) */
  size_t cur_width;  /* the layout's */
  /* Line ends asked for and not yet written: 1 a line end, 2 a blank
   * line. */
  int need_cr;
  bool in_tight;      /* inside an item of a tight list */
  bool begin_line;    /* nothing written on this line yet */
  bool begin_content; /* only a marker or digits on it so far */
  bool no_linebreaks; /* in a heading */
  /* What the output is, as far as settling line ends needs it. */
  bool line_open;     /* a line has been started and not ended */
  size_t line_bytes;  /* bytes on it, its prefix included */
  bool only_newlines; /* nothing but newlines written so far */
  size_t trailing;    /* newlines the output ends with */
  unsigned char last; /* the last byte written on the open line */
  /* The layout's prefix, mirrored: `marks` are its length before each
   * push, so that a line can be written without it. */
  galley_buf prefix;
  size_t *marks;
  size_t n_marks, cap_marks;
  /* Each open list's next item number. */
  long *numbers;
  size_t n_lists, cap_lists;
  /* The escaping hook's context: the mode, whether spaces may wrap, and
   * whether a pipe needs a backslash (the node is in a table cell). */
  escaping mode;
  bool wrap, pipe;
  const char *src_end; /* the end of the string out() is writing */
  size_t hook_bytes;   /* what the hook wrote last */
  galley_buf tmp;
  int status;
} renderer;

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
static bool is_punct(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
         (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

static void fail(renderer *r, int rc) {
  if (rc != GALLEY_OK && r->status == GALLEY_OK)
    r->status = rc;
}

/* ---- The escaping ---- */

/*
 * Appends the bytes of `s` to `out` as out() writes them in `mode`,
 * keeping the line state. Text is escaped where a reader would take it
 * for markup: the characters that open or close inline markup always;
 * "&" before a letter (an entity); "-", "+", "=" at a line's start (a
 * list, a setext underline) and "." or ")" after a number there (an
 * ordered list); control characters as character references. A
 * destination escapes what would end it, and writes whitespace as %XX; a
 * title escapes its quote. Digits keep a line "at its start" ("12." is
 * a list marker too); so does any character whose code point's low byte
 * is an ASCII digit, as in cmark-gfm, which tested the code point cast to
 * a char (U+0130 counts as "0"). `s` is valid UTF-8, the whole string
 * out() writes or a piece of it.
 */
static void escape_into(renderer *r, galley_buf *out, const char *s,
                        size_t len) {
  /* Bytes that stop a run of text copied as it is: what text escapes
   * wherever it stands, and "&" (before a letter); control characters
   * too. */
  static const unsigned char text_stops[128] = {
      ['*'] = 1, ['_'] = 1,  ['['] = 1, [']'] = 1, ['#'] = 1, ['<'] = 1,
      ['>'] = 1, ['\\'] = 1, ['`'] = 1, ['~'] = 1, ['!'] = 1, ['&'] = 1};
  size_t i = 0;
  while (i < len) {
    if (!r->begin_content && !r->begin_line) {
      /* Past a line's start nothing depends on what came before: the
       * longest run that needs no escaping goes in one piece. */
      size_t j = i;
      if (r->mode == ESC_NORMAL)
        while (j < len &&
               ((unsigned char)s[j] >= 0x80 ||
                ((unsigned char)s[j] >= 0x20 && !text_stops[(int)s[j]])) &&
               !(s[j] == '|' && r->pipe))
          j++;
      else if (r->mode == ESC_LITERAL)
        while (j < len && s[j] != '\n' && !(s[j] == '|' && r->pipe) &&
               !(s[j] == ' ' && r->wrap))
          j++;
      if (j > i) {
        galley_buf_add(out, s + i, j - i);
        r->last = (unsigned char)s[j - 1];
        i = j;
        continue;
      }
    }
    uint32_t c;
    size_t n = galley_utf8_decode(s + i, len - i, &c);
    if (n == 0)
      break; /* out() cut the string before any invalid sequence */
    /* The byte after the character in the whole string (`s` may be a
     * piece of it). */
    const char *after = s + i + n;
    unsigned char nextc = after < r->src_end ? (unsigned char)*after : 0;
    bool follows_digit = !r->begin_line && is_digit(r->last);
    if (r->pipe && c == '|') {
      galley_buf_putc(out, '\\');
      r->last = '\\';
      follows_digit = false;
    }
    if (c == ' ' && r->wrap) {
      /* Spaces a line would start with are indentation: they go. */
      if (!r->begin_line) {
        galley_buf_putc(out, ' ');
        r->last = ' ';
        r->begin_content = false;
      }
      i += n;
      continue;
    }
    if (r->mode == ESC_LITERAL) {
      galley_buf_add(out, s + i, n);
      if (c == '\n') {
        r->begin_line = r->begin_content = true;
      } else {
        r->begin_line = false;
        r->begin_content = r->begin_content && is_digit(c & 0xff);
      }
      r->last = (unsigned char)s[i + n - 1];
      i += n;
      continue;
    }
    bool esc = false;
    if (c < 0x80) {
      switch (r->mode) {
      case ESC_NORMAL:
        esc = c < 0x20 || strchr("*_[]#<>\\`~!", (int)c) ||
              (c == '&' && is_alpha(nextc)) ||
              (r->begin_content && strchr("-+=", (int)c) && !follows_digit) ||
              (r->begin_content && (c == '.' || c == ')') && follows_digit &&
               (nextc == 0 || is_space(nextc)));
        break;
      case ESC_URL:
        esc = strchr("`<>\\()", (int)c) || is_space((unsigned char)c);
        break;
      case ESC_TITLE: esc = strchr("`<>\"\\", (int)c) != NULL; break;
      default: break;
      }
      esc = esc && c != 0;
    }
    if (!esc) {
      galley_buf_add(out, s + i, n);
      r->last = (unsigned char)s[i + n - 1];
    } else if (r->mode == ESC_URL && is_space((unsigned char)c)) {
      char enc[8];
      int k = snprintf(enc, sizeof enc, "%%%2X", (unsigned)c);
      galley_buf_add(out, enc, (size_t)k);
      r->last = (unsigned char)enc[k - 1];
    } else if (is_punct((unsigned char)c)) {
      char pair[2] = {'\\', (char)c};
      galley_buf_add(out, pair, 2);
      r->last = (unsigned char)c;
    } else {
      char enc[16];
      int k = snprintf(enc, sizeof enc, "&#%u;", (unsigned)c);
      galley_buf_add(out, enc, (size_t)k);
      r->last = ';';
    }
    r->begin_line = false;
    r->begin_content = r->begin_content && is_digit(c & 0xff);
    i += n;
  }
}

/* The layout's escaping hook: text goes through escape_into, in the
 * context out() set. */
static int escape_hook(galley_buf *out, const char *s, size_t len,
                       bool line_start, void *data) {
  (void)line_start; /* the renderer knows more: digits, markers */
  renderer *r = data;
  size_t before = out->len;
  escape_into(r, out, s, len);
  r->hook_bytes = out->len - before;
  return out->failed ? GALLEY_ENOMEM : GALLEY_OK;
}

/* Whether the `len` bytes at `s` start an HTML block that can interrupt a
 * paragraph (CommonMark's kinds 1 to 6): <script, <pre, <style,
 * <textarea; a comment, a processing instruction, a declaration, CDATA;
 * or a block-level tag, opening or closing, whose name ends there. */
static bool opens_html_block(const char *s, size_t len) {
  if (len < 2 || s[0] != '<')
    return false;
  if (s[1] == '?' ||
      (s[1] == '!' && len > 2 &&
       (s[2] == '-' || s[2] == '[' || is_alpha((unsigned char)s[2]))))
    return true;
  size_t i = s[1] == '/' ? 2 : 1, from = i;
  while (i < len &&
         (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i])))
    i++;
  if (i == from || (i < len && s[i] != '>' &&
                    !(s[i] == '/' && i + 1 < len && s[i + 1] == '>')))
    return false;
  static const char *const raw[] = {"pre", "script", "style", "textarea"};
  for (size_t k = 0; k < sizeof raw / sizeof raw[0]; k++)
    if (strlen(raw[k]) == i - from &&
        strncasecmp(raw[k], s + from, i - from) == 0)
      return true;
  return md_html_block_name(s + from, i - from);
}

/*
 * The layout's break check: may a wrap put this word first on a line?
 * Not when a reader would take it, there, for the start of a block: a
 * bullet ("-", "+", "*"), an ordered list's marker ("1.", "12)"), a
 * setext underline, thematic break or table delimiter row (only "-",
 * "=", ":" and "|"), a code fence, or an HTML block that can interrupt a
 * paragraph. Text that starts with one of these at a line's real start is
 * escaped; a word a wrap moves there was escaped where it stood, mid-line.
 */
static bool may_start_line(const char *s, size_t len, void *data) {
  (void)data;
  /* No word yet: the layout asks about a break before a run of spaces
   * when the second space comes, before the word after the run is there
   * to be judged ("a  1) x" would put "1)" first). */
  if (len == 0)
    return false;
  if (len == 1 && strchr("-+*", s[0]))
    return false;
  size_t d = 0;
  while (d < len && is_digit((unsigned char)s[d]))
    d++;
  if (d > 0 && d <= 9 && d + 1 == len && (s[d] == '.' || s[d] == ')'))
    return false;
  bool rule = true, dash = false;
  for (size_t i = 0; i < len && rule; i++) {
    rule = s[i] == '-' || s[i] == '=' || s[i] == ':' || s[i] == '|';
    dash = dash || s[i] == '-' || s[i] == '=';
  }
  if ((rule && dash) || s[0] == '|')
    return false; /* a table's delimiter row, or a row */
  if (len >= 3 && (strncmp(s, "```", 3) == 0 || strncmp(s, "~~~", 3) == 0))
    return false;
  return !opens_html_block(s, len);
}

/* ---- Output ---- */

/* Keeps the mirror of what the layout wrote: `len` bytes at `s`. */
static void wrote(renderer *r, const char *s, size_t len) {
  const char *end = s + len;
  while (s < end) {
    if (!r->line_open) {
      r->line_open = true;
      r->line_bytes = r->prefix.len;
    }
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    r->line_bytes += (size_t)((nl ? nl : end) - s);
    if (!nl)
      break;
    if (r->line_bytes > 0) {
      r->trailing = 1;
      r->only_newlines = false;
    } else {
      r->trailing++;
    }
    r->line_open = false;
    s = nl + 1;
  }
  if (r->line_open && r->line_bytes > 0)
    r->only_newlines = false;
}

/* Writes `len` bytes as they are (a newline ends the line; the next one
 * starts with the prefixes). */
static void put_raw(renderer *r, const char *s, size_t len) {
  if (!len)
    return;
  fail(r, galley_layout_raw(r->l, s, len));
  wrote(r, s, len);
}

/* Ends the open line. */
static void end_line(renderer *r) {
  fail(r, galley_layout_cr(r->l));
  wrote(r, "\n", 1);
}

/*
 * A blank line where the output already ends with a newline (after an HTML
 * block or an indented code block): the prefixes without their trailing
 * spaces, so "" in a list item and ">" in a quote. (cmark-gfm's renderer
 * wrote an empty line, which ended the quote: the blocks after it came back
 * in a second quote.) The layout writes every prefix on each line it
 * starts, so they are taken off and put back.
 */
static void empty_line(renderer *r) {
  size_t keep = r->prefix.len;
  while (keep > 0 && r->prefix.data[keep - 1] == ' ')
    keep--;
  if (keep == r->prefix.len) {
    put_raw(r, "\n", 1);
    return;
  }
  galley_buf line = GALLEY_BUF_INIT;
  galley_buf_add(&line, r->prefix.data, keep);
  galley_buf_putc(&line, '\n');
  fail(r, line.failed ? GALLEY_ENOMEM : GALLEY_OK);
  for (size_t i = 0; i < r->n_marks; i++)
    galley_layout_pop(r->l);
  if (!line.failed)
    fail(r, galley_layout_raw(r->l, line.data, line.len));
  galley_buf_free(&line);
  char seg[64];
  for (size_t i = 0; i < r->n_marks; i++) {
    size_t from = r->marks[i],
           to = i + 1 < r->n_marks ? r->marks[i + 1] : r->prefix.len;
    galley_buf part = GALLEY_BUF_INIT;
    const char *p = seg;
    if (to - from < sizeof seg) {
      memcpy(seg, r->prefix.data + from, to - from);
      seg[to - from] = '\0';
    } else {
      galley_buf_add(&part, r->prefix.data + from, to - from);
      p = part.data ? part.data : "";
      fail(r, part.failed ? GALLEY_ENOMEM : GALLEY_OK);
    }
    fail(r, galley_layout_push(r->l, p));
    galley_buf_free(&part);
  }
  r->line_open = false;
  if (keep > 0) {
    r->trailing = 1;
    r->only_newlines = false;
  } else {
    r->trailing++;
  }
}

/*
 * Settles the line ends asked for before anything more is written.
 * Newlines the output ends with count towards them (none at the start).
 * A blank line written after text carries the prefixes.
 */
static void settle(renderer *r) {
  if (r->in_tight && r->need_cr > 1)
    r->need_cr = 1;
  size_t absorb = r->only_newlines ? SIZE_MAX : r->line_open ? 0 : r->trailing;
  for (; r->need_cr > 0; r->need_cr--) {
    r->begin_line = r->begin_content = true;
    if (absorb > 0) {
      absorb--;
      continue;
    }
    if (!r->line_open) {
      /* A line end after a newline the output had: an empty line. */
      empty_line(r);
      continue;
    }
    end_line(r);
    if (r->need_cr > 1) {
      /* The prefixes and the newline that follows them. */
      put_raw(r, "\n", 1);
      r->need_cr--;
    }
  }
}

/* Wrapping stops at once (a heading's or a table's first line) and
 * starts again only after the line it was stopped for has ended: the
 * layout wraps a line as its words end and when it ends, at the width of
 * that moment. */
static void set_width(renderer *r, size_t width) {
  r->want_width = width;
  if (r->cur_width != width && (width == 0 || !r->line_open)) {
    galley_layout_set_width(r->l, width);
    r->cur_width = width;
  }
}

static void apply_width(renderer *r) { set_width(r, r->want_width); }

static void cr(renderer *r) {
  if (r->need_cr < 1)
    r->need_cr = 1;
}

static void blank(renderer *r) {
  if (r->need_cr < 2)
    r->need_cr = 2;
}

/* The length of the piece of the `len` bytes at `s` that out() hands on
 * at once: at most 64 KiB, ending at a character's end. */
static size_t piece(const char *s, size_t len) {
  size_t n = len < 65536 ? len : 65536;
  while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  return n ? n : len;
}

/*
 * Writes `s` for the node being rendered, after the line ends asked for.
 * When lines wrap, text (ESC_NORMAL) and spaces that may wrap go through
 * the layout's wrapping and escaping hook; the rest, and everything when
 * nothing wraps, is escaped for its place here and written as it is
 * (raw text keeps no break positions: a paragraph of 200 MB would
 * otherwise hold one for each space). `wrap`: may be wrapped at its
 * spaces. An invalid UTF-8 sequence ends the string, as it ended
 * cmark-gfm's.
 */
static void out(renderer *r, const char *s, bool wrap, escaping mode) {
  settle(r);
  apply_width(r);
  size_t len = s ? strlen(s) : 0;
  if (!len)
    return;
  r->mode = mode;
  r->wrap = wrap && r->width > 0 && !r->no_linebreaks;
  bool plain = mode == ESC_LITERAL && !r->pipe && !r->wrap;
  for (size_t i = 0; plain && i < len; i++)
    plain = s[i] != '\n' && (unsigned char)s[i] < 0x80;
  if (plain) {
    /* The common case (markup): written as it is. */
    for (size_t i = 0; i < len && r->begin_content; i++)
      r->begin_content = is_digit((unsigned char)s[i]);
    r->begin_line = false;
    r->last = (unsigned char)s[len - 1];
    put_raw(r, s, len);
    return;
  }
  galley_utf8_valid(s, len, &len);
  r->src_end = s + len;
  bool text = r->cur_width > 0 &&
              (mode == ESC_NORMAL || (r->wrap && !memchr(s, '\n', len)));
  for (size_t off = 0, n; off < len && r->status == GALLEY_OK; off += n) {
    n = piece(s + off, len - off);
    if (text) {
      bool was_open = r->line_open;
      r->hook_bytes = 0;
      fail(r, galley_layout_text(r->l, s + off, n));
      if (!was_open) {
        r->line_open = true;
        r->line_bytes = r->prefix.len;
      }
      r->line_bytes += r->hook_bytes;
      if (r->line_bytes > 0)
        r->only_newlines = false;
      continue;
    }
    r->tmp.len = 0;
    escape_into(r, &r->tmp, s + off, n);
    fail(r, r->tmp.failed ? GALLEY_ENOMEM : GALLEY_OK);
    put_raw(r, r->tmp.data, r->tmp.len);
  }
  r->tmp.len = 0;
}

static void lit(renderer *r, const char *s) { out(r, s, false, ESC_LITERAL); }

/* ---- Containers ---- */

static void mark(renderer *r) {
  if (galley_array_grow((void **)&r->marks, &r->cap_marks, r->n_marks + 1,
                        sizeof *r->marks) != GALLEY_OK) {
    fail(r, GALLEY_ENOMEM);
    return;
  }
  r->marks[r->n_marks++] = r->prefix.len;
}

/* Every line from the next on starts with `prefix` too. */
static void push(renderer *r, const char *prefix) {
  mark(r);
  galley_buf_puts(&r->prefix, prefix);
  fail(r, galley_layout_push(r->l, prefix));
}

/* A list marker, then its width in spaces on the item's other lines. */
static void marker(renderer *r, const char *m) {
  settle(r);
  apply_width(r);
  bool was_open = r->line_open;
  fail(r, galley_layout_marker(r->l, m));
  /* The marker is written now, as cmark-gfm's renderer writes it: an item
   * whose first block starts on the next line keeps it alone on its
   * line. */
  fail(r, galley_layout_open(r->l));
  if (!was_open) {
    r->line_open = true;
    r->line_bytes = r->prefix.len;
  }
  size_t len = strlen(m);
  r->line_bytes += len;
  r->only_newlines = false;
  r->last = (unsigned char)m[len - 1];
  r->begin_line = false;
  mark(r);
  galley_buf_repeat(&r->prefix, ' ', galley_display_width(m, len));
}

static void pop(renderer *r) {
  if (r->n_marks == 0)
    return;
  galley_layout_pop(r->l);
  r->prefix.len = r->marks[--r->n_marks];
  if (r->prefix.data)
    r->prefix.data[r->prefix.len] = '\0';
}

/* ---- Nodes ---- */

static bool is_block(cmark_node *n) {
  return (cmark_node_get_type(n) & CMARK_NODE_TYPE_MASK) ==
         CMARK_NODE_TYPE_BLOCK;
}

static bool tight_list(cmark_node *n) {
  return n && cmark_node_get_type(n) == CMARK_NODE_LIST &&
         cmark_node_get_list_tight(n);
}

/* Whether what `node` writes is inside an item of a tight list: its
 * block (itself, or `block`, the innermost block around it) is such an
 * item, or that block's parent is. */
static bool in_tight_item(cmark_node *node, cmark_node *block) {
  cmark_node *b = is_block(node) ? node : block;
  if (!b)
    return false;
  cmark_node *p = cmark_node_parent(b);
  if (cmark_node_get_type(b) == CMARK_NODE_ITEM && tight_list(p))
    return true;
  return p && cmark_node_get_type(p) == CMARK_NODE_ITEM &&
         tight_list(cmark_node_parent(p));
}

/* The length of the "scheme:" that starts `s`, or 0. */
static size_t scheme_len(const char *s) {
  if (!is_alpha((unsigned char)s[0]))
    return 0;
  size_t n = 1;
  while (n < 33 &&
         (is_alpha((unsigned char)s[n]) || is_digit((unsigned char)s[n]) ||
          s[n] == '.' || s[n] == '+' || s[n] == '-'))
    n++;
  return n >= 2 && s[n] == ':' ? n + 1 : 0;
}

/*
 * A link written <url>: its destination has a scheme, it has no title,
 * and its text is the destination (without "mailto:"). write.c makes a
 * link's first child its only text, or an empty raw inline when it has
 * other content, so comparing the first child's text is enough.
 */
static bool is_autolink(cmark_node *link) {
  const char *url = cmark_node_get_url(link);
  const char *title = cmark_node_get_title(link);
  if (!url || !url[0] || !scheme_len(url) || (title && title[0]))
    return false;
  cmark_node *first = cmark_node_first_child(link);
  if (!first)
    return false;
  const char *text;
  cmark_node_type t = cmark_node_get_type(first);
  if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE)
    text = cmark_node_get_url(first);
  else
    text = cmark_node_get_literal(first);
  if (!text)
    return false;
  if (strncmp(url, "mailto:", 7) == 0)
    url += 7;
  return strcmp(url, text) == 0;
}

/* The longest run of backticks in `s`. */
static size_t longest_ticks(const char *s) {
  size_t best = 0, run = 0;
  for (; *s; s++) {
    run = *s == '`' ? run + 1 : 0;
    if (run > best)
      best = run;
  }
  return best;
}

/* The shortest run of backticks that `s` does not hold (runs of 32 and
 * more are not looked at; 32 when every shorter one is taken). */
static int free_ticks(const char *s) {
  uint32_t used = 1;
  unsigned run = 0;
  for (;; s++) {
    if (*s == '`') {
      run++;
      continue;
    }
    if (run > 0 && run < 32)
      used |= 1u << run;
    run = 0;
    if (!*s)
      break;
  }
  int n = 0;
  while (used & 1) {
    used >>= 1;
    n++;
  }
  return n;
}

static void ticks(renderer *r, char c, size_t n) {
  char buf[64];
  while (n > 0) {
    size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
    memset(buf, c, k);
    buf[k] = '\0';
    lit(r, buf);
    n -= k;
  }
}

static void code_block(renderer *r, cmark_node *node) {
  cmark_node *parent = cmark_node_parent(node);
  bool first_in_item = !cmark_node_previous(node) && parent &&
                       cmark_node_get_type(parent) == CMARK_NODE_ITEM;
  if (!first_in_item)
    blank(r);
  const char *info = cmark_node_get_fence_info(node);
  const char *code = cmark_node_get_literal(node);
  info = info ? info : "";
  code = code ? code : "";
  size_t n = strlen(code);
  /* Indented when nothing asks for a fence: an info string, blank lines
   * or spaces at either end, the first place in an item. */
  if (!info[0] && n > 2 && !is_space((unsigned char)code[0]) &&
      !(is_space((unsigned char)code[n - 1]) &&
        is_space((unsigned char)code[n - 2])) &&
      !first_in_item) {
    lit(r, "    ");
    push(r, "    ");
    lit(r, code);
    pop(r);
  } else {
    char fence = strchr(info, '`') ? '~' : '`';
    size_t k = longest_ticks(code) + 1;
    k = k < 3 ? 3 : k;
    ticks(r, fence, k);
    lit(r, " ");
    lit(r, info);
    cr(r);
    lit(r, code);
    cr(r);
    ticks(r, fence, k);
  }
  blank(r);
}

static void code_span(renderer *r, cmark_node *node) {
  const char *code = cmark_node_get_literal(node);
  code = code ? code : "";
  size_t n = strlen(code);
  int k = free_ticks(code);
  bool pad = n == 0 || code[0] == '`' || code[n - 1] == '`' || code[0] == ' ' ||
             code[n - 1] == ' ';
  ticks(r, '`', (size_t)k);
  if (pad)
    lit(r, " ");
  /* Not wrapped: a break inside a span could start a block. */
  lit(r, code);
  if (pad)
    lit(r, " ");
  ticks(r, '`', (size_t)k);
}

static void item(renderer *r, cmark_node *node, bool entering) {
  cmark_node *list = cmark_node_parent(node);
  if (cmark_node_get_syntax_extension(node) == r->ext->tasklist &&
      r->ext->tasklist) {
    /* A task item is a bullet item with its box, in any list. */
    if (entering) {
      cr(r);
      marker(r, "- ");
      lit(r, cmark_gfm_extensions_get_tasklist_item_checked(node) ? "[x] "
                                                                  : "[ ] ");
    } else {
      pop(r);
      cr(r);
    }
    if (entering && r->n_lists)
      r->numbers[r->n_lists - 1]++;
    return;
  }
  if (!entering) {
    pop(r);
    cr(r);
    return;
  }
  char m[32];
  if (cmark_node_get_list_type(list) == CMARK_BULLET_LIST) {
    strcpy(m, "  - ");
  } else {
    long number = r->n_lists ? r->numbers[r->n_lists - 1] : 1;
    bool paren = cmark_node_get_list_delim(list) == CMARK_PAREN_DELIM;
    /* Two spaces after a one-digit number, so that items up to 99 line
     * up. */
    snprintf(m, sizeof m, "%ld%s%s", number, paren ? ")" : ".",
             number < 10 ? "  " : " ");
  }
  if (r->n_lists)
    r->numbers[r->n_lists - 1]++;
  marker(r, m);
  r->begin_content = true;
}

static void list(renderer *r, cmark_node *node, bool entering) {
  if (entering) {
    if (galley_array_grow((void **)&r->numbers, &r->cap_lists, r->n_lists + 1,
                          sizeof *r->numbers) != GALLEY_OK) {
      fail(r, GALLEY_ENOMEM);
      return;
    }
    r->numbers[r->n_lists++] = cmark_node_get_list_start(node);
    return;
  }
  if (r->n_lists)
    r->n_lists--;
  cmark_node *next = cmark_node_next(node);
  if (next && (cmark_node_get_type(next) == CMARK_NODE_CODE_BLOCK ||
               cmark_node_get_type(next) == CMARK_NODE_LIST)) {
    /* Without it the next list would continue this one, and an indented
     * code block would be read as the last item's. */
    cr(r);
    lit(r, "<!-- end list -->");
    blank(r);
  }
}

static void table_cell(renderer *r, cmark_node *node, bool entering) {
  if (entering) {
    lit(r, " ");
    return;
  }
  lit(r, " |");
  cmark_node *row = cmark_node_parent(node);
  if (cmark_node_next(node) || !row ||
      !cmark_gfm_extensions_get_table_row_is_header(row))
    return;
  cmark_node *table = cmark_node_parent(row);
  uint16_t columns = cmark_gfm_extensions_get_table_columns(table);
  uint8_t *aligns = cmark_gfm_extensions_get_table_alignments(table);
  cr(r);
  lit(r, "|");
  for (uint16_t i = 0; i < columns; i++) {
    switch (aligns ? aligns[i] : 0) {
    case 'l': lit(r, " :-- |"); break;
    case 'c': lit(r, " :-: |"); break;
    case 'r': lit(r, " --: |"); break;
    default: lit(r, " --- |"); break;
    }
  }
  cr(r);
}

/* Writes one event (`block`: the innermost block around `node`); false
 * when the node's content is to be skipped. */
static bool render_node(renderer *r, cmark_node *node, bool entering,
                        cmark_node *block) {
  cmark_node_type t = cmark_node_get_type(node);
  /* An item's first line settles its list's blank line before the list's
   * tightness applies. */
  if (!(t == CMARK_NODE_ITEM && !cmark_node_previous(node) && entering))
    r->in_tight = in_tight_item(node, block);

  if (t == CMARK_NODE_TABLE) {
    set_width(r, entering ? 0 : r->width);
    blank(r);
    return true;
  }
  if (t == CMARK_NODE_TABLE_ROW) {
    if (entering) {
      cr(r);
      lit(r, "|");
    }
    return true;
  }
  if (t == CMARK_NODE_TABLE_CELL) {
    table_cell(r, node, entering);
    return true;
  }
  if (t == CMARK_NODE_STRIKETHROUGH) {
    lit(r, "~~");
    return true;
  }

  switch (t) {
  case CMARK_NODE_DOCUMENT: break;

  case CMARK_NODE_BLOCK_QUOTE:
    if (entering) {
      lit(r, "> ");
      r->begin_content = true;
      push(r, "> ");
    } else {
      pop(r);
      blank(r);
    }
    break;

  case CMARK_NODE_LIST: list(r, node, entering); break;
  case CMARK_NODE_ITEM: item(r, node, entering); break;

  case CMARK_NODE_HEADING:
    if (entering) {
      char hashes[8] = "######";
      int level = cmark_node_get_heading_level(node);
      hashes[level < 1 ? 1 : level > 6 ? 6 : level] = '\0';
      lit(r, hashes);
      lit(r, " ");
      r->begin_content = true;
      r->no_linebreaks = true;
      set_width(r, 0);
    } else {
      r->no_linebreaks = false;
      set_width(r, r->width);
      blank(r);
    }
    break;

  case CMARK_NODE_CODE_BLOCK: code_block(r, node); break;

  case CMARK_NODE_HTML_BLOCK:
    blank(r);
    lit(r, cmark_node_get_literal(node));
    blank(r);
    break;

  case CMARK_NODE_THEMATIC_BREAK:
    blank(r);
    lit(r, "-----");
    blank(r);
    break;

  case CMARK_NODE_PARAGRAPH:
    if (!entering)
      blank(r);
    break;

  case CMARK_NODE_TEXT:
    out(r, cmark_node_get_literal(node), true, ESC_NORMAL);
    break;

  case CMARK_NODE_LINEBREAK:
    lit(r, "  ");
    cr(r);
    break;

  case CMARK_NODE_SOFTBREAK:
    if (!r->no_linebreaks && r->width == 0)
      cr(r);
    else
      out(r, " ", true, ESC_LITERAL);
    break;

  case CMARK_NODE_CODE: code_span(r, node); break;

  case CMARK_NODE_HTML_INLINE: lit(r, cmark_node_get_literal(node)); break;

  case CMARK_NODE_LINK:
    if (is_autolink(node)) {
      if (entering) {
        const char *url = cmark_node_get_url(node);
        lit(r, "<");
        lit(r, strncmp(url, "mailto:", 7) == 0 ? url + 7 : url);
        lit(r, ">");
        return false;
      }
      break;
    }
    /* fall through */
  case CMARK_NODE_IMAGE:
    if (entering) {
      lit(r, t == CMARK_NODE_IMAGE ? "![" : "[");
    } else {
      const char *title = cmark_node_get_title(node);
      const char *url = cmark_node_get_url(node);
      lit(r, "](");
      if ((!url || !url[0]) && title && title[0])
        lit(r, "<>"); /* cmark-gfm writes nothing: the title would be read
                       * as the destination, or the link not at all */
      else
        out(r, url, false, ESC_URL);
      if (title && title[0]) {
        lit(r, " \"");
        out(r, title, false, ESC_TITLE);
        lit(r, "\"");
      }
      lit(r, ")");
    }
    break;

  default:
    /* write.c makes no other node (emphasis is raw delimiters by then,
     * footnotes raw Markdown): the content is written. */
    break;
  }
  return true;
}

/* ---- The whole tree ---- */

/* An open node the renderer asks about, a block (for tight lists) or a
 * node of an extension (for pipes in table cells), with the innermost
 * block that was around it and whether it was in a table. */
typedef struct open_node {
  cmark_node *block;
  bool in_table;
} open_node;

int md_render(cmark_node *root, galley_sink *sink, size_t width) {
  renderer r = {.ext = md_extensions_get(),
                .width = width,
                .want_width = width,
                .cur_width = width,
                .begin_line = true,
                .begin_content = true,
                .only_newlines = true};
  r.l = galley_layout_new(sink, width);
  if (!r.l)
    return GALLEY_ENOMEM;
  galley_layout_set_escape(r.l, escape_hook, &r);
  if (width > 0)
    galley_layout_set_break_check(r.l, may_start_line, NULL);
  open_node *stack = NULL;
  size_t depth = 0, cap = 0;
  cmark_node *block = NULL;
  bool in_table = false;
  cmark_iter *it = cmark_iter_new(root);
  if (!it)
    fail(&r, GALLEY_ENOMEM);
  cmark_event_type ev;
  while (r.status == GALLEY_OK && it &&
         (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    bool entering = ev == CMARK_EVENT_ENTER;
    cmark_syntax_extension *own = cmark_node_get_syntax_extension(node);
    bool kept = is_block(node) || own;
    if (!entering && kept && depth > 0) {
      depth--;
      block = stack[depth].block;
      in_table = stack[depth].in_table;
    }
    cmark_node_type t = cmark_node_get_type(node);
    /* In a table a pipe ends a cell, in strikethrough too (cmark-gfm's
     * renderer asked only the nearest extension, and wrote `~~a|b~~`). */
    r.pipe = in_table && t != CMARK_NODE_TABLE && t != CMARK_NODE_TABLE_ROW &&
             t != CMARK_NODE_TABLE_CELL;
    if (!render_node(&r, node, entering, block)) {
      cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
      continue;
    }
    if (entering && kept && !md_cmark_is_leaf(t)) {
      if (galley_array_grow((void **)&stack, &cap, depth + 1, sizeof *stack) !=
          GALLEY_OK) {
        fail(&r, GALLEY_ENOMEM);
        break;
      }
      stack[depth++] = (open_node){block, in_table};
      if (is_block(node))
        block = node;
      if (own && own == r.ext->table)
        in_table = true;
    }
  }
  cmark_iter_free(it);
  free(stack);
  if (r.line_open)
    wrote(&r, "\n", 1);
  fail(&r, galley_layout_finish(r.l));
  /* The output ends with a newline, even when it is nothing else. */
  if (r.status == GALLEY_OK && r.only_newlines && r.trailing == 0)
    fail(&r, galley_sink_write(sink, "\n", 1));
  galley_layout_free(r.l);
  galley_buf_free(&r.prefix);
  galley_buf_free(&r.tmp);
  free(r.marks);
  free(r.numbers);
  return r.status;
}
