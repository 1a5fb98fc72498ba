/* The layout layer for line-oriented writers (galley/layout.h): a line is
 * built in a buffer, prefixes first, and handed to the sink when it ends;
 * a text that passes the width is broken at its last space, the rest of
 * the line carried to the next one after the prefixes. A container keeps
 * the prefix of its later lines in `prefix` (all of them, outermost
 * first), and a list item its marker in `firsts` until its first line
 * starts. */
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct galley_layout {
  galley_sink *out;
  size_t width; /* 0: no wrapping */
  galley_layout_escape_fn escape;
  void *escape_data;
  size_t min_text;   /* columns text may always take after the prefixes */
  bool trim;         /* trailing spaces off, no empty lines at the end */
  galley_buf prefix; /* every container's later-line prefix, outermost first */
  galley_buf firsts; /* the first-line prefixes (markers) not yet written */
  struct box {
    size_t rest_at;             /* prefix.len before it */
    size_t first_at, first_len; /* its marker in `firsts` */
    bool has_first;             /* its first line starts with that marker */
    bool used;                  /* it has started a line */
  } *boxes;
  size_t n_boxes, cap_boxes;
  size_t fresh; /* the first box that has not started a line (n_boxes: none) */
  galley_buf line;      /* the open line, its prefix included */
  size_t col;           /* display width of `line` */
  size_t content_start; /* bytes of prefix at the line's start */
  size_t start_col;     /* display width of those bytes */
  /* The spaces of the open line a wrap may break at, in order; `ok` is
   * 1 when the word after one may start a line, 0 when the break check
   * refused it, -1 while that word is still being written. */
  struct brk {
    size_t pos;
    int ok;
  } *brks;
  size_t n_brks, cap_brks;
  size_t last_ok; /* 1 + the index of the last break with ok == 1; 0: none */
  galley_layout_break_fn may_start;
  void *may_start_data;
  bool open;         /* a line is being built */
  bool blank_wanted; /* a blank line goes before the next line */
  size_t blank_depth; /* the fewest boxes open since it was asked for */
  bool wrote;        /* a line has gone to the sink */
  size_t held;       /* trim: empty lines not yet written */
  galley_buf scratch;
  galley_buf tail; /* what a wrap carries to the next line */
  galley_buf obuf; /* ended lines not handed to the sink yet */
  int status;
};

/* ---- Display width ---- */

/* Code points that take no column: combining marks, zero-width spaces and
 * joiners, variation selectors. */
static bool zero_width(uint32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x0483 && c <= 0x0489) ||
         (c >= 0x0591 && c <= 0x05BD) || (c >= 0x0610 && c <= 0x061A) ||
         (c >= 0x064B && c <= 0x065F) || (c >= 0x0E31 && c <= 0x0E3A &&
                                          c != 0x0E32 && c != 0x0E33) ||
         (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
         (c >= 0x200B && c <= 0x200F) || (c >= 0x20D0 && c <= 0x20FF) ||
         c == 0x2060 || (c >= 0xFE00 && c <= 0xFE0F) ||
         (c >= 0xFE20 && c <= 0xFE2F) || c == 0xFEFF ||
         (c >= 0xE0100 && c <= 0xE01EF);
}

/* East Asian Wide and Fullwidth code points (Unicode's EastAsianWidth W
 * and F, the main blocks) and the emoji that terminals show two wide. */
static bool wide(uint32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x231A && c <= 0x231B) ||
         (c >= 0x2329 && c <= 0x232A) || (c >= 0x23E9 && c <= 0x23EC) ||
         (c >= 0x25FD && c <= 0x25FE) || (c >= 0x2614 && c <= 0x2615) ||
         (c >= 0x2648 && c <= 0x2653) || (c >= 0x26AA && c <= 0x26AB) ||
         (c >= 0x26BD && c <= 0x26BE) || (c >= 0x26C4 && c <= 0x26C5) ||
         (c >= 0x2705 && c <= 0x2705) || (c >= 0x270A && c <= 0x270B) ||
         (c >= 0x2753 && c <= 0x2755) || (c >= 0x2795 && c <= 0x2797) ||
         (c >= 0x2B1B && c <= 0x2B1C) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7A3) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE10 && c <= 0xFE19) ||
         (c >= 0xFE30 && c <= 0xFE6F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x16FE0 && c <= 0x18CFF) ||
         (c >= 0x1B000 && c <= 0x1B2FF) || (c >= 0x1F004 && c <= 0x1F004) ||
         (c >= 0x1F18E && c <= 0x1F18E) || (c >= 0x1F191 && c <= 0x1F19A) ||
         (c >= 0x1F200 && c <= 0x1F251) || (c >= 0x1F300 && c <= 0x1F64F) ||
         (c >= 0x1F680 && c <= 0x1F6FF) || (c >= 0x1F900 && c <= 0x1F9FF) ||
         (c >= 0x1FA70 && c <= 0x1FAFF) || (c >= 0x20000 && c <= 0x3FFFD);
}

/* Width of the character at `s` (`*n` set to its length in bytes). */
static size_t char_width(const char *s, size_t len, size_t *n) {
  uint32_t cp;
  size_t k = galley_utf8_decode(s, len, &cp);
  if (k == 0) { /* an invalid byte */
    *n = 1;
    return 1;
  }
  *n = k;
  if (cp < 0x300)
    return 1;
  return zero_width(cp) ? 0 : wide(cp) ? 2 : 1;
}

GALLEY_API size_t galley_display_width(const char *s, size_t len) {
  size_t w = 0, pos = 0;
  while (pos < len) {
    if ((unsigned char)s[pos] < 0x80) { /* the common case */
      w++;
      pos++;
      continue;
    }
    size_t n;
    w += char_width(s + pos, len - pos, &n);
    pos += n;
  }
  return w;
}

/* ---- Lines ---- */

static void settle(galley_layout *l);

GALLEY_API galley_layout *galley_layout_new(galley_sink *out, size_t width) {
  if (!out)
    return NULL;
  galley_layout *l = calloc(1, sizeof *l);
  if (!l)
    return NULL;
  l->out = out;
  l->width = width;
  return l;
}

GALLEY_API void galley_layout_free(galley_layout *l) {
  if (!l)
    return;
  galley_buf_free(&l->prefix);
  galley_buf_free(&l->firsts);
  galley_buf_free(&l->line);
  galley_buf_free(&l->scratch);
  galley_buf_free(&l->tail);
  galley_buf_free(&l->obuf);
  free(l->boxes);
  free(l->brks);
  free(l);
}

GALLEY_API void galley_layout_set_escape(galley_layout *l,
                                         galley_layout_escape_fn fn,
                                         void *data) {
  if (!l)
    return;
  l->escape = fn;
  l->escape_data = data;
}

GALLEY_API void galley_layout_set_break_check(galley_layout *l,
                                              galley_layout_break_fn fn,
                                              void *data) {
  if (!l)
    return;
  l->may_start = fn;
  l->may_start_data = data;
}

GALLEY_API void galley_layout_set_width(galley_layout *l, size_t width) {
  if (!l)
    return;
  if (l->open)
    settle(l);
  l->width = width;
}

GALLEY_API void galley_layout_set_min_width(galley_layout *l, size_t columns) {
  if (!l)
    return;
  if (l->open)
    settle(l);
  l->min_text = columns;
}

GALLEY_API void galley_layout_set_trim(galley_layout *l, bool trim) {
  if (l)
    l->trim = trim;
}

/* Bytes of `prefix` for boxes [0, n). */
static size_t rest_len(const galley_layout *l, size_t n) {
  return n < l->n_boxes ? l->boxes[n].rest_at : l->prefix.len;
}

/* Bytes of box `i`'s first-line prefix, at *s. */
static size_t first_of(const galley_layout *l, size_t i, const char **s) {
  const struct box *b = &l->boxes[i];
  if (b->has_first && !b->used) {
    *s = l->firsts.data ? l->firsts.data + b->first_at : "";
    return b->first_len;
  }
  *s = l->prefix.data ? l->prefix.data + b->rest_at : "";
  return rest_len(l, i + 1) - b->rest_at;
}

GALLEY_API size_t galley_layout_text_width(const galley_layout *l) {
  if (!l || !l->width)
    return 0;
  size_t pw = galley_display_width(l->prefix.data, rest_len(l, l->fresh));
  for (size_t i = l->fresh; i < l->n_boxes; i++) {
    const char *s;
    size_t n = first_of(l, i, &s);
    pw += galley_display_width(s, n);
  }
  size_t room = l->width > pw ? l->width - pw : 0;
  return room > l->min_text ? room : l->min_text;
}

GALLEY_API bool galley_layout_fresh(const galley_layout *l) {
  return l && l->n_boxes && !l->boxes[l->n_boxes - 1].used;
}

GALLEY_API size_t galley_layout_column(const galley_layout *l) {
  if (!l)
    return 0;
  return l->open ? l->col : 0;
}

static int fail(galley_layout *l, int rc) {
  if (rc != GALLEY_OK && l->status == GALLEY_OK)
    l->status = rc;
  return l->status;
}

/* Lines go to the sink in pieces of about this size. */
#define OUT_CHUNK ((size_t)1 << 16)

static int flush_out(galley_layout *l) {
  if (l->obuf.len && l->status == GALLEY_OK)
    fail(l, galley_sink_write(l->out, l->obuf.data, l->obuf.len));
  galley_buf_clear(&l->obuf);
  return l->status;
}

/* Hands `len` bytes and a newline to the sink (trim: without trailing
 * spaces, and an empty line only once a line with something on it
 * follows). */
static int emit(galley_layout *l, const char *s, size_t len) {
  l->wrote = true;
  if (l->trim) {
    while (len && s[len - 1] == ' ')
      len--;
    if (!len) {
      l->held++;
      return l->status;
    }
  }
  galley_buf *o = &l->obuf;
  if (l->held)
    galley_buf_repeat(o, '\n', l->held);
  l->held = 0;
  galley_buf_add(o, s, len);
  galley_buf_putc(o, '\n');
  if (o->failed)
    return fail(l, GALLEY_ENOMEM);
  return o->len >= OUT_CHUNK ? flush_out(l) : l->status;
}

/* What follows on the open line is content: no break before it. */
static void content_starts(galley_layout *l) {
  l->content_start = l->line.len;
  l->start_col = l->col;
  l->n_brks = 0;
  l->last_ok = 0;
}

/* Starts a line (after the blank line asked for) with the prefixes. */
static int open_line(galley_layout *l) {
  if (l->open)
    return l->status;
  if (l->blank_wanted && l->wrote) {
    /* The blank line belongs where it was asked for, and only to the
     * containers that have started a line: a quote entered since does not
     * put its marker on it, nor does an item its marker. */
    size_t d = l->blank_depth < l->fresh ? l->blank_depth : l->fresh;
    size_t n = rest_len(l, d);
    while (n > 0 && l->prefix.data[n - 1] == ' ')
      n--;
    emit(l, l->prefix.data ? l->prefix.data : "", n);
  }
  l->blank_wanted = false;
  l->line.len = 0;
  if (l->line.data)
    l->line.data[0] = '\0';
  /* The prefixes: a container's first line starts with its marker. */
  size_t from = rest_len(l, l->fresh);
  if (from)
    galley_buf_add(&l->line, l->prefix.data, from);
  for (size_t i = l->fresh; i < l->n_boxes; i++) {
    const char *s;
    size_t n = first_of(l, i, &s);
    galley_buf_add(&l->line, s, n);
    l->boxes[i].used = true;
  }
  l->fresh = l->n_boxes;
  l->col = galley_display_width(l->line.data, l->line.len);
  content_starts(l);
  l->open = true;
  return fail(l, l->line.failed ? GALLEY_ENOMEM : GALLEY_OK);
}

static int end_line(galley_layout *l) {
  if (!l->open)
    return l->status;
  settle(l);
  l->open = false;
  return emit(l, l->line.data ? l->line.data : "", l->line.len);
}

GALLEY_API int galley_layout_cr(galley_layout *l) {
  if (!l)
    return GALLEY_EINVALID;
  return end_line(l);
}

GALLEY_API int galley_layout_blank(galley_layout *l) {
  if (!l)
    return GALLEY_EINVALID;
  end_line(l);
  if (l->wrote) {
    if (!l->blank_wanted)
      l->blank_depth = l->n_boxes;
    l->blank_wanted = true;
  }
  return l->status;
}

GALLEY_API int galley_layout_finish(galley_layout *l) {
  if (!l)
    return GALLEY_EINVALID;
  end_line(l);
  l->blank_wanted = false;
  l->held = 0; /* trim: no empty line at the end */
  return flush_out(l);
}

/* ---- Containers ---- */

/* Enters a container whose later lines start with `rest` (or `spaces`
 * spaces) and, when `first` is not NULL, whose first line starts with
 * `first`; `used`: it has started a line already. */
static int enter(galley_layout *l, const char *first, size_t first_len,
                 const char *rest, size_t rest_len_, size_t spaces, bool used) {
  if (galley_array_grow((void **)&l->boxes, &l->cap_boxes, l->n_boxes + 1,
                        sizeof *l->boxes) != GALLEY_OK)
    return fail(l, GALLEY_ENOMEM);
  struct box *b = &l->boxes[l->n_boxes];
  *b = (struct box){l->prefix.len, l->firsts.len, first_len, first != NULL,
                    used};
  if (first)
    galley_buf_add(&l->firsts, first, first_len);
  if (rest_len_)
    galley_buf_add(&l->prefix, rest, rest_len_);
  if (spaces)
    galley_buf_repeat(&l->prefix, ' ', spaces);
  if (l->fresh == l->n_boxes && used)
    l->fresh++;
  l->n_boxes++;
  return fail(l,
              l->prefix.failed || l->firsts.failed ? GALLEY_ENOMEM : GALLEY_OK);
}

GALLEY_API int galley_layout_push(galley_layout *l, const char *prefix) {
  if (!l)
    return GALLEY_EINVALID;
  if (l->open)
    settle(l);
  return enter(l, NULL, 0, prefix ? prefix : "", prefix ? strlen(prefix) : 0, 0,
               false);
}

GALLEY_API int galley_layout_marker_rest(galley_layout *l, const char *marker,
                                         const char *rest) {
  if (!l)
    return GALLEY_EINVALID;
  if (!marker)
    marker = "";
  size_t len = strlen(marker), mw = galley_display_width(marker, len);
  size_t rlen = rest ? strlen(rest) : 0, spaces = rest ? 0 : mw;
  if (!l->open) /* written when the item's first line starts */
    return enter(l, marker, len, rest, rlen, spaces, false);
  /* Inside a line: the marker goes on it, and the item has started. */
  settle(l);
  galley_buf_add(&l->line, marker, len);
  l->col += mw;
  /* The marker is markup: the text after it may not break before it. */
  content_starts(l);
  fail(l, l->line.failed ? GALLEY_ENOMEM : GALLEY_OK);
  return enter(l, NULL, 0, rest, rlen, spaces, true);
}

GALLEY_API int galley_layout_marker(galley_layout *l, const char *marker) {
  return galley_layout_marker_rest(l, marker, NULL);
}

GALLEY_API int galley_layout_open(galley_layout *l) {
  if (!l)
    return GALLEY_EINVALID;
  return open_line(l);
}

GALLEY_API void galley_layout_pop(galley_layout *l) {
  if (!l || l->n_boxes == 0)
    return;
  if (l->open)
    settle(l); /* the words written inside wrap with its prefixes */
  struct box *b = &l->boxes[--l->n_boxes];
  l->prefix.len = b->rest_at;
  if (l->prefix.data)
    l->prefix.data[l->prefix.len] = '\0';
  if (b->has_first)
    galley_buf_truncate(&l->firsts, b->first_at);
  if (l->fresh > l->n_boxes)
    l->fresh = l->n_boxes;
  if (l->blank_depth > l->n_boxes)
    l->blank_depth = l->n_boxes;
}

/* ---- Text ---- */

/* The open line's width without the spaces it ends with. */
static size_t line_width(const galley_layout *l) {
  size_t w = l->col, i = l->line.len;
  while (i > l->content_start && l->line.data[i - 1] == ' ')
    i--, w--;
  return w;
}

/* The word after break `b`: from the first non-space after it to the
 * next space or the line's end. */
static void word_after(const galley_layout *l, const struct brk *b,
                       size_t *from, size_t *to) {
  size_t i = b->pos;
  while (i < l->line.len && l->line.data[i] == ' ')
    i++;
  size_t j = i;
  while (j < l->line.len && l->line.data[j] != ' ')
    j++;
  *from = i;
  *to = j;
}

/* Decides break `k` once the word after it has begun (at a run of
 * spaces it is not there yet): may that word start a line? */
static void judge(galley_layout *l, size_t k) {
  struct brk *b = &l->brks[k];
  size_t from, to;
  word_after(l, b, &from, &to);
  if (to == from)
    return;
  b->ok = !l->may_start ||
          l->may_start(l->line.data + from, to - from, l->may_start_data);
  if (b->ok)
    l->last_ok = k + 1;
}

/* Breaks the open line at break `k`: what follows its spaces goes to a
 * new line after the prefixes, with the breaks that were in it. */
static void wrap_at(galley_layout *l, size_t k) {
  size_t end = l->brks[k].pos;
  size_t rest = end;
  while (end > l->content_start && l->line.data[end - 1] == ' ')
    end--;
  while (rest < l->line.len && l->line.data[rest] == ' ')
    rest++;
  galley_buf *tail = &l->tail;
  galley_buf_clear(tail);
  if (rest < l->line.len)
    galley_buf_add(tail, l->line.data + rest, l->line.len - rest);
  size_t moved = l->n_brks - (k + 1);
  l->line.len = end;
  l->line.data[end] = '\0';
  l->open = false;
  emit(l, l->line.data, l->line.len);
  open_line(l);
  size_t shift = l->line.len; /* the prefixes */
  if (tail->len) {
    galley_buf_add(&l->line, tail->data, tail->len);
    l->col += galley_display_width(tail->data, tail->len);
  }
  /* The breaks after k move with the text, by where it now starts. */
  memmove(l->brks, l->brks + k + 1, moved * sizeof *l->brks);
  l->n_brks = moved;
  l->last_ok = 0;
  for (size_t i = 0; i < moved; i++) {
    l->brks[i].pos = l->brks[i].pos - rest + shift;
    if (l->brks[i].ok == 1)
      l->last_ok = i + 1;
  }
  fail(l, tail->failed || l->line.failed ? GALLEY_ENOMEM : GALLEY_OK);
}

/* The last word is complete: decides the break before it, then breaks the
 * line as long as it passes the width and a break may be taken. */
static void settle(galley_layout *l) {
  if (l->n_brks && l->brks[l->n_brks - 1].ok < 0)
    judge(l, l->n_brks - 1);
  while (l->width && l->status == GALLEY_OK && l->last_ok) {
    size_t limit = l->width;
    if (l->start_col + l->min_text > limit)
      limit = l->start_col + l->min_text; /* deep prefixes leave text room */
    if (line_width(l) <= limit)
      break;
    wrap_at(l, l->last_ok - 1);
  }
}

/* Appends `len` bytes of (escaped) text, breaking where it passes the
 * width. */
static void add_wrapped(galley_layout *l, const char *s, size_t len) {
  size_t pos = 0;
  while (pos < len && l->status == GALLEY_OK) {
    char c = s[pos];
    size_t n = 1, w;
    if (c == '\n' || c == ' ') {
      settle(l);
      bool after_space = l->line.len > 0 && l->line.data[l->line.len - 1] == ' ';
      if (l->line.len > l->content_start && !after_space) {
        if (galley_array_grow((void **)&l->brks, &l->cap_brks, l->n_brks + 1,
                              sizeof *l->brks) != GALLEY_OK) {
          fail(l, GALLEY_ENOMEM);
          return;
        }
        l->brks[l->n_brks++] = (struct brk){l->line.len, -1};
      }
      galley_buf_putc(&l->line, ' ');
      w = 1;
    } else {
      /* A run of characters up to the next space, added at once. */
      n = 0;
      while (pos + n < len && s[pos + n] != ' ' && s[pos + n] != '\n')
        n++;
      w = galley_display_width(s + pos, n);
      galley_buf_add(&l->line, s + pos, n);
    }
    l->col += w;
    pos += n;
  }
  fail(l, l->line.failed ? GALLEY_ENOMEM : GALLEY_OK);
}

GALLEY_API int galley_layout_text(galley_layout *l, const char *s, size_t len) {
  if (!l)
    return GALLEY_EINVALID;
  if (!s || !len)
    return l->status;
  open_line(l);
  if (l->escape) {
    l->scratch.len = 0;
    bool line_start = l->line.len == l->content_start;
    int rc = l->escape(&l->scratch, s, len, line_start, l->escape_data);
    if (rc != GALLEY_OK || l->scratch.failed)
      return fail(l, rc != GALLEY_OK ? rc : GALLEY_ENOMEM);
    add_wrapped(l, l->scratch.data ? l->scratch.data : "", l->scratch.len);
  } else {
    add_wrapped(l, s, len);
  }
  return l->status;
}

GALLEY_API int galley_layout_raw(galley_layout *l, const char *s, size_t len) {
  if (!l)
    return GALLEY_EINVALID;
  size_t pos = 0;
  while (s && pos < len && l->status == GALLEY_OK) {
    const char *nl = memchr(s + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - s) : len;
    open_line(l);
    if (end > pos) {
      galley_buf_add(&l->line, s + pos, end - pos);
      l->col += galley_display_width(s + pos, end - pos);
      fail(l, l->line.failed ? GALLEY_ENOMEM : GALLEY_OK);
    }
    if (nl)
      end_line(l);
    pos = end + (nl ? 1 : 0);
  }
  return l->status;
}

GALLEY_API int galley_layout_puts(galley_layout *l, const char *s) {
  return galley_layout_raw(l, s, s ? strlen(s) : 0);
}
