/* Structure recovery for scraped articles: the title, byline, date and
 * source lines near the top go into metadata, and short stand-alone lines
 * between paragraphs become subheadings.
 *
 * The reader hands over what it saw of each top-level block. A paragraph is
 * judged by its text with the lines joined, never by where its lines break
 * (so that text rewrapped by the writer reads back the same). The "header
 * zone" is the blocks before the first body paragraph (120 or more
 * characters), at most ZONE of them. Which lines are date lines, bylines,
 * reading times and source credits is libgalley's recogniser's answer
 * (galley/recognise.h), the same for every format. In the zone:
 *   - a date line (galley_recognise_dateline: a date with a weekday, a
 *     time, "Published", a reading time, a name…) gives "date" in ISO 8601;
 *   - a byline ("By Name[, Name | and Name][, date]", "Por …", "Von …")
 *     gives each name to "author" (and a date in it to "date");
 *   - the title is a level-1 heading (an underline of ===) if there is one;
 *     else the best title-like line: a short block without sentence-final
 *     punctuation, not repeated in the zone (a repeated line is a label),
 *     scored by its words, by a date or byline after it (a short label
 *     between them allowed) and by leading straight into the body. The
 *     title paragraph becomes a level-1 HEADING in place and its text goes
 *     to "title";
 *   - the source is "Source: X", "Via X", "(Reuters)" alone, or else a
 *     short line after the title and before any date line that is
 *     repeated in the zone or stands right above a line that is only a
 *     date;
 *   - a reading time alone ("5 min read") is none of the above and never
 *     the title or a subheading.
 * Date, byline and source paragraphs stay in the body (nothing is dropped:
 * that is the boilerplate transform's job) with the classes "dateline",
 * "byline" and "source".
 *
 * Subheadings (only when no underline already marked a level-2+ heading):
 * after the title, a paragraph under 100 characters that does not
 * end like a sentence (. , ; : or an ellipsis), starts with no lower-case
 * letter, follows another block that is not a heading, and is followed by
 * a longer paragraph (80 or more characters) becomes a level-2 HEADING. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define ZONE 15

/* ---- Line kinds
 * ----------------------------------------------------------------- */

/* K_META: a line that says something about the article but goes to no
 * metadata (a reading time): never a title, a label or a subheading. */
enum { K_NONE, K_DATE, K_BYLINE, K_SOURCE, K_META };

typedef struct line_info {
  int kind;
  char iso[GALLEY_ISO_DATE_MAX]; /* K_DATE, K_BYLINE with a date */
  bool only;                     /* K_DATE: the date and nothing else */
  const char *value; /* K_SOURCE: the source after "Source:"; K_BYLINE:
                        what follows a separator */
  size_t value_len;
} line_info;

static size_t count_words(const char *s, size_t n) {
  size_t w = 0;
  bool in = false;
  for (size_t i = 0; i < n; i++) {
    bool sp = s[i] == ' ' || s[i] == '\t';
    if (!sp && !in)
      w++;
    in = !sp;
  }
  return w;
}

/* The last character that counts, skipping closing quotes and brackets. */
static const char *last_char(const char *s, size_t n, size_t *clen) {
  while (n) {
    size_t k = n - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
      k--;
    const char *c = s + k;
    size_t l = n - k;
    bool closing = (l == 1 && strchr("'\")] ", *c)) ||
                   (l == 3 && (memcmp(c, "\xe2\x80\x99", 3) == 0 ||   /* ’ */
                               memcmp(c, "\xe2\x80\x9d", 3) == 0)) || /* ” */
                   (l == 2 && memcmp(c, "\xc2\xbb", 2) == 0);         /* » */
    if (!closing) {
      *clen = l;
      return c;
    }
    n = k;
  }
  *clen = 0;
  return NULL;
}

/* Ends like a sentence or a clause: . , ; : or an ellipsis. */
static bool ends_like_sentence(const char *s, size_t n) {
  size_t l;
  const char *c = last_char(s, n, &l);
  if (!c)
    return true;
  if (l == 1)
    return strchr(".,;:", *c) != NULL;
  return l == 3 && memcmp(c, "\xe2\x80\xa6", 3) == 0;
}

static bool ends_with(const char *s, size_t n, char ch) {
  size_t l;
  const char *c = last_char(s, n, &l);
  return c && l == 1 && *c == ch;
}

static bool has_letter(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0xC0)
      return true;
  return false;
}

/* What a header line is, as libgalley's recogniser (galley/recognise.h)
 * sees it: the same answer the boilerplate transform and the html reader
 * get for the same words. A byline with a date is a byline (its date goes
 * to "date" too); a line with a date and nothing else is a date line before
 * it is anything else. */
static line_info classify(const txt_block *b) {
  line_info info = {0};
  if (b->kind != GALLEY_NODE_PARAGRAPH || !b->text || b->width > 200)
    return info;
  const char *s = b->text;
  size_t n = b->text_len;
  galley_date d;
  bool dateline = b->width <= 120 && galley_recognise_dateline(s, n, &d);
  if (dateline && d.only) {
    info.kind = K_DATE;
    info.only = true;
    memcpy(info.iso, d.iso, sizeof info.iso);
    return info;
  }
  galley_byline by;
  if (n <= 150 && galley_recognise_byline(s, n, 0, &by)) {
    info.kind = K_BYLINE;
    if (by.has_date)
      memcpy(info.iso, by.date.iso, sizeof info.iso);
    info.value = s + by.rest.start;
    info.value_len = by.rest.len;
    return info;
  }
  if (dateline) {
    info.kind = K_DATE;
    memcpy(info.iso, d.iso, sizeof info.iso);
    return info;
  }
  galley_span v;
  galley_credit c =
      n < 80 ? galley_recognise_credit(s, n, &v) : GALLEY_CREDIT_NONE;
  if (c == GALLEY_CREDIT_SOURCE ||
      (c == GALLEY_CREDIT_AGENCY && v.start == 1 && v.len + 2 == n)) {
    info.kind = K_SOURCE;
    info.value = s + v.start;
    info.value_len = v.len;
    return info;
  }
  galley_span rt;
  if (b->width <= 60 && galley_recognise_reading_time(s, n, NULL, &rt) &&
      rt.start == 0 && rt.len == n)
    info.kind = K_META;
  return info;
}

/* Adds each name of the byline `s` to "author"; what follows its names
 * goes to *tail. */
static int add_authors(galley_doc *doc, const char *s, size_t n,
                       const char **tail, size_t *tail_len) {
  galley_byline by;
  *tail = NULL;
  *tail_len = 0;
  if (!galley_recognise_byline(s, n, 0, &by))
    return GALLEY_EINVALID;
  for (size_t i = 0; i < by.n_names; i++) {
    char *v = galley_doc_strndup(doc, s + by.names[i].start, by.names[i].len);
    if (!v || galley_doc_add_meta(doc, GALLEY_META_AUTHOR, v) != GALLEY_OK)
      return GALLEY_ENOMEM;
  }
  if (by.rest.len) {
    *tail = s + by.rest.start;
    *tail_len = by.rest.len;
  }
  return GALLEY_OK;
}

/* A short label: few words, no sentence end, not a date or byline. */
static bool short_label(const txt_block *b, const line_info *li) {
  return b->kind == GALLEY_NODE_PARAGRAPH && b->text && li->kind == K_NONE &&
         b->width <= 50 && count_words(b->text, b->text_len) <= 6 &&
         !ends_like_sentence(b->text, b->text_len) &&
         has_letter(b->text, b->text_len);
}

static bool same_text(const txt_block *a, const txt_block *b) {
  return a->text && b->text && a->text_len == b->text_len &&
         memcmp(a->text, b->text, a->text_len) == 0;
}

/* ---- Edits
 * ------------------------------------------------------------------------ */

static int to_heading(galley_doc *doc, txt_block *b, int level) {
  galley_node *h = galley_doc_new_node(doc, GALLEY_NODE_HEADING);
  if (!h)
    return GALLEY_ENOMEM;
  galley_node_set_level(h, level);
  galley_node_set_line(h, galley_node_get_line(b->node));
  int rc = galley_node_replace(b->node, h);
  galley_node *c;
  while (rc == GALLEY_OK && (c = galley_node_first_child(b->node)))
    rc = galley_node_append_child(h, c);
  if (rc != GALLEY_OK)
    return rc;
  b->node = h;
  b->kind = GALLEY_NODE_HEADING;
  b->level = level;
  return GALLEY_OK;
}

/* Sets `key` to `s` with runs of white space made one space. */
static int set_meta(galley_doc *doc, const char *key, const char *s, size_t n) {
  char *v = galley_doc_alloc(doc, n + 1);
  if (!v)
    return GALLEY_ENOMEM;
  size_t k = 0;
  bool space = false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ' ' || s[i] == '\t') {
      space = k > 0;
      continue;
    }
    if (space)
      v[k++] = ' ';
    space = false;
    v[k++] = s[i];
  }
  v[k] = '\0';
  return galley_doc_set_meta(doc, key, v);
}

static bool heading_like(const txt_block *b) {
  const char *s = b->text;
  size_t n = b->text_len;
  if (b->kind != GALLEY_NODE_PARAGRAPH || !s || b->width < 2 || b->width >= 100)
    return false;
  if (islower((unsigned char)s[0]) || ends_like_sentence(s, n) ||
      !has_letter(s, n))
    return false;
  /* Dialogue: '"Yes," she said' is a sentence, not a heading. */
  static const char *const speech[] = {",\"",           ",'",   ",\xe2\x80\x9d",
                                       ",\xe2\x80\x99", "?\" ", "!\" "};
  for (size_t k = 0; k < sizeof speech / sizeof *speech; k++) {
    size_t l = strlen(speech[k]);
    for (size_t i = 0; i + l <= n; i++)
      if (memcmp(s + i, speech[k], l) == 0)
        return false;
  }
  return true;
}

/* ---- The pass
 * ---------------------------------------------------------------------- */

int txt_recover(galley_job *job, galley_doc *doc, txt_block *blocks, size_t n,
                bool explicit_sub) {
  /* A quote or footnote left empty writes as nothing: it must not count
   * (text written and read back would not have it). */
  size_t kept = 0;
  for (size_t i = 0; i < n; i++)
    if (galley_kind_is_leaf(blocks[i].kind) ||
        galley_node_first_child(blocks[i].node))
      blocks[kept++] = blocks[i];
  n = kept;
  size_t body = n;
  for (size_t i = 0; i < n; i++) {
    const txt_block *b = &blocks[i];
    if (b->kind == GALLEY_NODE_PARAGRAPH && b->width >= 120) {
      body = i;
      break;
    }
  }
  size_t zone = body < ZONE ? body : ZONE;
  /* Short paragraphs are judged by their text, lines joined: where the
   * lines break must not matter, or text written at another width would
   * read back differently. */
  for (size_t i = 0; i < n; i++) {
    txt_block *b = &blocks[i];
    if (b->kind == GALLEY_NODE_PARAGRAPH && !b->text &&
        b->width <= (i < zone ? 200 : 100)) {
      b->text = galley_node_text(doc, b->node);
      if (!b->text)
        return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
      b->text_len = strlen(b->text);
    }
  }
  line_info info[ZONE];
  for (size_t i = 0; i < zone; i++)
    info[i] = classify(&blocks[i]);

  /* The title. */
  size_t title = (size_t)-1;
  for (size_t i = 0; i < zone; i++) {
    if (blocks[i].kind == GALLEY_NODE_HEADING && blocks[i].level == 1 &&
        blocks[i].text) {
      title = i;
      break;
    }
  }
  if (title == (size_t)-1) {
    int best = 0;
    for (size_t i = 0; i < zone; i++) {
      const txt_block *b = &blocks[i];
      if (b->kind != GALLEY_NODE_PARAGRAPH || !b->text ||
          info[i].kind != K_NONE || b->width < 3 || b->width > 200 ||
          ends_like_sentence(b->text, b->text_len) ||
          !has_letter(b->text, b->text_len))
        continue;
      bool repeated = false;
      for (size_t j = 0; j < zone && !repeated; j++)
        repeated = j != i && same_text(&blocks[j], b);
      if (repeated)
        continue;
      size_t words = count_words(b->text, b->text_len);
      int score = (int)(words < 15 ? words : 15);
      bool support = false;
      /* A date or byline after it, maybe past one short label. */
      size_t j = i + 1;
      if (j < zone && short_label(&blocks[j], &info[j]))
        j++;
      if (j < zone && (info[j].kind == K_DATE || info[j].kind == K_BYLINE)) {
        score += 20;
        support = true;
      }
      /* Leading into the body past dates, bylines and labels. */
      j = i + 1;
      while (j < zone &&
             (info[j].kind != K_NONE || short_label(&blocks[j], &info[j])))
        j++;
      if (j == body && body < n) {
        score += 10;
        support = true;
      }
      if (i == 0 && n > 1) {
        score += 3;
        support = true;
      }
      if (ends_with(b->text, b->text_len, '!'))
        score -= 10;
      if (support && score > best) {
        best = score;
        title = i;
      }
    }
    if (title != (size_t)-1) {
      int rc = to_heading(doc, &blocks[title], 1);
      if (rc != GALLEY_OK)
        return galley_job_error(job, rc, "cannot make the title a heading");
    }
  }
  int rc = GALLEY_OK;
  if (title != (size_t)-1)
    rc = set_meta(doc, GALLEY_META_TITLE, blocks[title].text,
                  blocks[title].text_len);

  /* Date, byline and source: those after the title first. */
  bool have_date = false, have_byline = false, have_source = false;
  size_t from = title != (size_t)-1 ? title + 1 : 0;
  for (int pass = 0; pass < 2 && rc == GALLEY_OK; pass++) {
    size_t lo = pass == 0 ? from : 0, hi = pass == 0 ? zone : from;
    for (size_t i = lo; i < hi && rc == GALLEY_OK; i++) {
      txt_block *b = &blocks[i];
      if (info[i].kind == K_DATE && !have_date) {
        have_date = true;
        galley_node_set_classes(b->node, "dateline");
        rc = galley_doc_set_meta(doc, GALLEY_META_DATE, info[i].iso);
      } else if (info[i].kind == K_BYLINE && !have_byline) {
        have_byline = true;
        galley_node_set_classes(b->node, "byline");
        const char *tail;
        size_t tail_len;
        galley_doc_remove_meta(doc, GALLEY_META_AUTHOR);
        rc = add_authors(doc, b->text, b->text_len, &tail, &tail_len);
        /* "By A | Harbour Courier": a source when it is also a label. */
        for (size_t j = 0; j < zone && tail_len && !have_source; j++) {
          if (j != i && blocks[j].text && blocks[j].text_len == tail_len &&
              memcmp(blocks[j].text, tail, tail_len) == 0 &&
              short_label(&blocks[j], &info[j])) {
            have_source = true;
            if (rc == GALLEY_OK)
              rc = set_meta(doc, GALLEY_META_SOURCE, tail, tail_len);
          }
        }
        if (rc == GALLEY_OK && info[i].iso[0] && !have_date) {
          have_date = true;
          rc = galley_doc_set_meta(doc, GALLEY_META_DATE, info[i].iso);
        }
      } else if (info[i].kind == K_SOURCE && !have_source) {
        have_source = true;
        galley_node_set_classes(b->node, "source");
        rc =
            set_meta(doc, GALLEY_META_SOURCE, info[i].value, info[i].value_len);
      }
    }
  }
  if (rc == GALLEY_OK && !have_source && title != (size_t)-1) {
    for (size_t i = title + 1; i < zone; i++) {
      txt_block *b = &blocks[i];
      if (info[i].kind == K_DATE)
        break; /* a source label stands above the date */
      if (info[i].kind != K_NONE)
        continue;
      if (!short_label(b, &info[i]))
        break;
      bool repeated = false;
      for (size_t j = 0; j < zone && !repeated; j++)
        repeated = j != i && same_text(&blocks[j], b);
      /* Only above a line that is a date and nothing else: above a
       * dateline that names people, a short line is more likely a name. */
      bool above_date =
          i + 1 < zone && info[i + 1].kind == K_DATE && info[i + 1].only;
      if (repeated || above_date) {
        galley_node_set_classes(b->node, "source");
        rc = set_meta(doc, GALLEY_META_SOURCE, b->text, b->text_len);
        break;
      }
    }
  }

  /* Subheadings. */
  if (rc == GALLEY_OK && !explicit_sub) {
    size_t start = title != (size_t)-1 ? title + 1 : 1;
    for (size_t i = start; i + 1 < n && rc == GALLEY_OK; i++) {
      txt_block *b = &blocks[i];
      if (i < zone && info[i].kind != K_NONE)
        continue;
      if (i == 0 || blocks[i - 1].kind == GALLEY_NODE_HEADING ||
          !heading_like(b))
        continue;
      if (galley_node_get_classes(b->node))
        continue; /* a source label */
      const txt_block *next = &blocks[i + 1];
      size_t need = b->width + 1 > 80 ? b->width + 1 : 80;
      if (next->kind != GALLEY_NODE_PARAGRAPH || next->width < need)
        continue;
      rc = to_heading(doc, b, 2);
    }
  }
  if (rc != GALLEY_OK)
    return galley_job_error(job, rc, "structure recovery failed: %s",
                            galley_strerror(rc));
  return GALLEY_OK;
}
