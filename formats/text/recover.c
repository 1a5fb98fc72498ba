/* Structure recovery for scraped articles: the title, byline, date and
 * source lines near the top go into metadata, and short stand-alone lines
 * between paragraphs become subheadings.
 *
 * The reader hands over what it saw of each top-level block. A paragraph is
 * judged by its text with the lines joined, never by where its lines break
 * (so that text rewrapped by the writer reads back the same). The "header
 * zone" is the blocks before the first body paragraph (120 or more
 * characters), at most ZONE of them. In it:
 *   - a date line is one that holds a date in a common English form and
 *     nothing else but a weekday, a time, a time zone and words such as
 *     "Published" or "Updated"; its ISO 8601 form goes to "date";
 *   - a byline is "By Name[, Name | and Name][, date]"; each name goes to
 *     "author" (and a date in it to "date");
 *   - the title is a level-1 heading (an underline of ===) if there is one;
 *     else the best title-like line: a short block without sentence-final
 *     punctuation, not repeated in the zone (a repeated line is a label),
 *     scored by its words, by a date or byline after it (a short label
 *     between them allowed) and by leading straight into the body. The
 *     title paragraph becomes a level-1 HEADING in place and its text goes
 *     to "title";
 *   - the source is "Source: X" or "Via X", or else a short line after the
 *     title that is repeated in the zone or stands right above the date.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

#define ZONE 15
#define MAX_TOKENS 64

/* ---- Tokens
 * ------------------------------------------------------------------ */

enum { T_WORD, T_NUM, T_PUNCT };

typedef struct token {
  int type;
  size_t start, end; /* bytes */
} token;

static size_t tokenize(const char *s, size_t n, token *t, size_t max) {
  size_t count = 0, i = 0;
  while (i < n && count < max) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t') {
      i++;
      continue;
    }
    size_t j = i;
    int type;
    if (isalpha(c)) {
      while (j < n && isalpha((unsigned char)s[j]))
        j++;
      type = T_WORD;
    } else if (isdigit(c)) {
      while (j < n && isdigit((unsigned char)s[j]))
        j++;
      type = T_NUM;
    } else {
      j += txt_seq_len(c);
      if (j > n)
        j = n;
      type = T_PUNCT;
    }
    t[count++] = (token){type, i, j};
    i = j;
  }
  return count;
}

static bool tok_is(const char *s, const token *t, const char *word) {
  size_t n = t->end - t->start;
  return strlen(word) == n && strncasecmp(s + t->start, word, n) == 0;
}

static bool tok_punct(const char *s, const token *t, char c) {
  return t->type == T_PUNCT && t->end - t->start == 1 && s[t->start] == c;
}

static int tok_num(const char *s, const token *t, size_t min_digits,
                   size_t max_digits) {
  size_t n = t->end - t->start;
  if (t->type != T_NUM || n < min_digits || n > max_digits)
    return -1;
  int v = 0;
  for (size_t i = t->start; i < t->end; i++)
    v = v * 10 + (s[i] - '0');
  return v;
}

static int month_of(const char *s, const token *t) {
  static const char *const names[] = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  if (t->type != T_WORD)
    return 0;
  size_t n = t->end - t->start;
  for (int m = 0; m < 12; m++) {
    if (n == strlen(names[m]) && strncasecmp(s + t->start, names[m], n) == 0)
      return m + 1;
    if (n == 3 && strncasecmp(s + t->start, names[m], 3) == 0)
      return m + 1;
  }
  if (tok_is(s, t, "sept"))
    return 9;
  return 0;
}

static bool is_weekday(const char *s, const token *t) {
  static const char *const names[] = {"monday",   "tuesday", "wednesday",
                                      "thursday", "friday",  "saturday",
                                      "sunday"};
  if (t->type != T_WORD)
    return false;
  size_t n = t->end - t->start;
  for (int d = 0; d < 7; d++) {
    if (n == strlen(names[d]) && strncasecmp(s + t->start, names[d], n) == 0)
      return true;
    if ((n == 3 || n == 4) && strncasecmp(s + t->start, names[d], n) == 0)
      return true;
  }
  return false;
}

static bool is_ordinal(const char *s, const token *t, const token *prev) {
  return t->type == T_WORD && t->start == prev->end &&
         (tok_is(s, t, "st") || tok_is(s, t, "nd") || tok_is(s, t, "rd") ||
          tok_is(s, t, "th"));
}

/* ---- Dates
 * ------------------------------------------------------------------- */

typedef struct date {
  int y, m, d;
  size_t first, last; /* token span, inclusive */
} date;

static bool valid_date(int y, int m, int d) {
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return y >= 1800 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 &&
         d <= days[m - 1];
}

/* A date starting at token i: 2020-07-19, 19 July 2020, July 19, 2020. */
static bool date_at(const char *s, const token *t, size_t n, size_t i,
                    date *out) {
  size_t k = i;
  int y, m, d;
  /* Year first: 2020-07-19 or 2020/07/19. */
  if ((y = tok_num(s, &t[k], 4, 4)) >= 0 && k + 4 < n &&
      (tok_punct(s, &t[k + 1], '-') || tok_punct(s, &t[k + 1], '/')) &&
      (m = tok_num(s, &t[k + 2], 1, 2)) >= 0 &&
      tok_punct(s, &t[k + 3], s[t[k + 1].start]) &&
      (d = tok_num(s, &t[k + 4], 1, 2)) >= 0 && valid_date(y, m, d)) {
    *out = (date){y, m, d, i, k + 4};
    return true;
  }
  /* Day first: 19 July 2020, 19th of July, 2020. */
  if ((d = tok_num(s, &t[k], 1, 2)) >= 0) {
    k++;
    if (k < n && is_ordinal(s, &t[k], &t[k - 1]))
      k++;
    if (k < n && tok_is(s, &t[k], "of"))
      k++;
    if (k < n && (m = month_of(s, &t[k])) > 0) {
      k++;
      if (k < n && tok_punct(s, &t[k], '.'))
        k++;
      if (k < n && tok_punct(s, &t[k], ','))
        k++;
      if (k < n && (y = tok_num(s, &t[k], 4, 4)) >= 0 && valid_date(y, m, d)) {
        *out = (date){y, m, d, i, k};
        return true;
      }
    }
    return false;
  }
  /* Month first: July 19, 2020; Jul. 19th 2020. */
  if ((m = month_of(s, &t[k])) > 0) {
    k++;
    if (k < n && tok_punct(s, &t[k], '.'))
      k++;
    if (k < n && (d = tok_num(s, &t[k], 1, 2)) >= 0) {
      k++;
      if (k < n && is_ordinal(s, &t[k], &t[k - 1]))
        k++;
      if (k < n && tok_punct(s, &t[k], ','))
        k++;
      if (k < n && (y = tok_num(s, &t[k], 4, 4)) >= 0 && valid_date(y, m, d)) {
        *out = (date){y, m, d, i, k};
        return true;
      }
    }
  }
  return false;
}

/* A time starting at token i: 6:10, 06:10:30, 6:10 AM, 6 p.m.; the last
 * token used goes to *last. */
static bool time_at(const char *s, const token *t, size_t n, size_t i, int *hh,
                    int *mm, int *ss, size_t *last) {
  int h = tok_num(s, &t[i], 1, 2), m = 0, sec = -1;
  if (h < 0)
    return false;
  size_t k = i + 1;
  bool minutes = false;
  if (k + 1 < n && tok_punct(s, &t[k], ':') &&
      (m = tok_num(s, &t[k + 1], 2, 2)) >= 0) {
    minutes = true;
    k += 2;
    if (k + 1 < n && tok_punct(s, &t[k], ':') &&
        (sec = tok_num(s, &t[k + 1], 2, 2)) >= 0)
      k += 2;
  }
  /* am/pm, also written a.m. */
  int half = 0;
  if (k < n && (tok_is(s, &t[k], "am") || tok_is(s, &t[k], "pm"))) {
    half = tolower((unsigned char)s[t[k].start]) == 'a' ? 1 : 2;
    k++;
  } else if (k + 2 < n && (tok_is(s, &t[k], "a") || tok_is(s, &t[k], "p")) &&
             tok_punct(s, &t[k + 1], '.') && tok_is(s, &t[k + 2], "m")) {
    half = tolower((unsigned char)s[t[k].start]) == 'a' ? 1 : 2;
    k += 3;
    if (k < n && tok_punct(s, &t[k], '.'))
      k++;
  }
  if (!minutes && !half)
    return false;
  if (half) {
    if (h < 1 || h > 12)
      return false;
    h = h % 12 + (half == 2 ? 12 : 0);
  }
  if (h > 23 || m > 59 || sec > 59)
    return false;
  *hh = h, *mm = m, *ss = sec;
  *last = k - 1;
  return true;
}

/* Words a date line may hold besides the date itself. */
static bool date_word(const char *s, const token *t) {
  static const char *const words[] = {
      "published", "posted", "updated", "last",    "modified", "on",
      "at",        "date",   "dated",   "created", "time",     "first",
      "issued",    "am",     "pm",      "uhr",     "h",        "hrs"};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    if (tok_is(s, t, words[i]))
      return true;
  if (is_weekday(s, t))
    return true;
  /* A time zone: GMT, UTC, ET, IRST, Z. */
  size_t n = t->end - t->start;
  if (n <= 4) {
    for (size_t i = t->start; i < t->end; i++)
      if (!isupper((unsigned char)s[i]))
        return false;
    return true;
  }
  return false;
}

bool txt_find_date(const char *s, size_t n, char *iso, size_t *start,
                   size_t *end, bool *only_date) {
  token t[MAX_TOKENS];
  size_t nt = tokenize(s, n, t, MAX_TOKENS);
  date d = {0};
  size_t i = 0;
  for (; i < nt; i++)
    if (date_at(s, t, nt, i, &d))
      break;
  if (i >= nt)
    return false;
  int hh = -1, mm = 0, ss = -1;
  size_t tfirst = 0, tlast = 0;
  bool timed = false;
  /* A "T" glued to an ISO date starts its time: 2020-07-19T06:10. */
  size_t k = d.last + 1;
  if (k + 1 < nt && t[k].start == t[d.last].end && tok_is(s, &t[k], "t") &&
      time_at(s, t, nt, k + 1, &hh, &mm, &ss, &tlast)) {
    tfirst = k;
    timed = true;
  }
  for (k = 0; !timed && k < nt; k++) {
    if (k >= d.first && k <= d.last)
      continue;
    if (time_at(s, t, nt, k, &hh, &mm, &ss, &tlast)) {
      if (tlast >= d.first && k <= d.last)
        continue;
      tfirst = k;
      timed = true;
    }
  }
  if (timed && ss >= 0)
    snprintf(iso, 80, "%04d-%02d-%02dT%02d:%02d:%02d", d.y, d.m, d.d, hh, mm,
             ss);
  else if (timed)
    snprintf(iso, 80, "%04d-%02d-%02dT%02d:%02d", d.y, d.m, d.d, hh, mm);
  else
    snprintf(iso, 80, "%04d-%02d-%02d", d.y, d.m, d.d);
  *start = t[d.first].start;
  *end = t[d.last].end;
  bool only = nt < MAX_TOKENS;
  for (k = 0; only && k < nt; k++) {
    if (k >= d.first && k <= d.last)
      continue;
    if (timed && k >= tfirst && k <= tlast)
      continue;
    if (t[k].type == T_PUNCT)
      continue;
    if (t[k].type == T_NUM && k > 0 &&
        (tok_punct(s, &t[k - 1], '+') || tok_punct(s, &t[k - 1], '-')))
      continue; /* a UTC offset */
    if (t[k].type == T_WORD && date_word(s, &t[k]))
      continue;
    only = false;
  }
  *only_date = only;
  return true;
}

/* ---- Line kinds
 * ----------------------------------------------------------------- */

enum { K_NONE, K_DATE, K_BYLINE, K_SOURCE };

typedef struct line_info {
  int kind;
  char iso[80];      /* K_DATE, K_BYLINE with a date */
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

static bool name_particle(const char *w, size_t n) {
  static const char *const particles[] = {
      "de",  "da",  "del", "della", "der", "den", "di",  "du",  "la",  "le",
      "van", "von", "al",  "el",    "bin", "ibn", "ben", "dos", "das", "y"};
  for (size_t i = 0; i < sizeof particles / sizeof *particles; i++)
    if (strlen(particles[i]) == n && strncmp(w, particles[i], n) == 0)
      return true;
  return false;
}

/* A person's name as bylines write it: one to five capitalized words
 * (particles like "van" allowed), no digits. */
static bool looks_like_name(const char *s, size_t n) {
  size_t words = 0, i = 0;
  if (n == 0 || n > 60)
    return false;
  while (i < n) {
    while (i < n && s[i] == ' ')
      i++;
    if (i >= n)
      break;
    size_t j = i;
    while (j < n && s[j] != ' ')
      j++;
    unsigned char c = (unsigned char)s[i];
    if (!(isupper(c) || c >= 0xC0 || name_particle(s + i, j - i)))
      return false;
    for (size_t k = i; k < j; k++)
      if (isdigit((unsigned char)s[k]))
        return false;
    words++;
    i = j;
  }
  return words >= 1 && words <= 5 && !ends_with(s, n, '.');
}

static void trim(const char **s, size_t *n) {
  while (*n && (**s == ' ' || **s == '\t'))
    (*s)++, (*n)--;
  while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
    (*n)--;
}

/* Separators that end the names of a byline. */
static size_t separator_at(const char *s, size_t n) {
  static const char *const seps[] = {"|",
                                     " - ",
                                     "\xe2\x80\x93", /* – */
                                     "\xe2\x80\x94", /* — */
                                     "\xe2\x80\xa2", /* • */
                                     "\xc2\xb7"};    /* · */
  for (size_t k = 0; k < sizeof seps / sizeof *seps; k++) {
    size_t l = strlen(seps[k]);
    if (n >= l && memcmp(s, seps[k], l) == 0)
      return l;
  }
  return 0;
}

/* The names of a byline "By A, B and C[ | Source][, date]": returns their
 * number, 0 when the line is not a byline. With `doc` each name is added
 * to its "author" metadata; with NULL the line is only checked. A date goes
 * to `iso` ("" when none), what follows a separator to `tail`. */
static size_t byline_names(const char *s, size_t n, galley_doc *doc, char *iso,
                           const char **tail, size_t *tail_len) {
  *tail = NULL;
  *tail_len = 0;
  if (n < 4 || n > 150 || strncasecmp(s, "by ", 3) != 0)
    return 0;
  s += 3, n -= 3;
  size_t ds, de;
  bool only;
  iso[0] = '\0';
  char found[80];
  if (txt_find_date(s, n, found, &ds, &de, &only)) {
    memcpy(iso, found, sizeof found);
    n = ds;
  }
  for (size_t i = 0; i < n; i++) {
    size_t l = separator_at(s + i, n - i);
    if (l) {
      /* What follows the separator may name the source. */
      *tail = s + i + l;
      *tail_len = n - i - l;
      trim(tail, tail_len);
      while (*tail_len && strchr(",;:", (*tail)[*tail_len - 1]))
        (*tail_len)--;
      n = i;
      break;
    }
  }
  /* Drop what leads up to a date: ", ", "on", "published". */
  for (;;) {
    trim(&s, &n);
    if (n && strchr(",;:", s[n - 1])) {
      n--;
      continue;
    }
    static const char *const tails[] = {" on", " published", " updated",
                                        " posted"};
    bool cut = false;
    for (size_t k = 0; k < sizeof tails / sizeof *tails; k++) {
      size_t l = strlen(tails[k]);
      if (n > l && strncasecmp(s + n - l, tails[k], l) == 0) {
        n -= l;
        cut = true;
      }
    }
    if (!cut)
      break;
  }
  /* Names split at ",", " and ", "&". */
  size_t count = 0;
  for (int pass = 0; pass < 2; pass++) {
    size_t i = 0, start = 0;
    count = 0;
    while (i <= n) {
      size_t l = 0;
      if (i == n)
        l = 0;
      else if (s[i] == ',' || s[i] == '&')
        l = 1;
      else if (n - i >= 5 && strncasecmp(s + i, " and ", 5) == 0)
        l = 5;
      else {
        i++;
        continue;
      }
      const char *name = s + start;
      size_t len = i - start;
      trim(&name, &len);
      if (len) {
        if (!looks_like_name(name, len))
          return 0;
        if (pass == 1 && doc) {
          char *v = galley_doc_strndup(doc, name, len);
          if (!v || galley_doc_add_meta(doc, GALLEY_META_AUTHOR, v) != 0)
            return 0;
        }
        count++;
      }
      i += l ? l : 1;
      start = i;
    }
    if (count == 0 || !doc)
      break;
  }
  return count;
}

static line_info classify(const txt_block *b) {
  line_info info = {0};
  if (b->kind != GALLEY_NODE_PARAGRAPH || !b->text || b->width > 200)
    return info;
  const char *s = b->text;
  size_t n = b->text_len;
  size_t ds, de;
  bool only;
  if (b->width <= 120 && txt_find_date(s, n, info.iso, &ds, &de, &only) &&
      only) {
    info.kind = K_DATE;
    return info;
  }
  char iso[80];
  const char *tail;
  size_t tail_len;
  if (byline_names(s, n, NULL, iso, &tail, &tail_len)) {
    info.kind = K_BYLINE;
    memcpy(info.iso, iso, sizeof iso);
    info.value = tail;
    info.value_len = tail_len;
    return info;
  }
  static const char *const prefixes[] = {"source:", "via:", "via ", "source "};
  for (size_t k = 0; k < sizeof prefixes / sizeof *prefixes; k++) {
    size_t l = strlen(prefixes[k]);
    if (n > l && n < 80 && strncasecmp(s, prefixes[k], l) == 0) {
      const char *v = s + l;
      size_t vl = n - l;
      trim(&v, &vl);
      if (vl && count_words(v, vl) <= 8) {
        info.kind = K_SOURCE;
        info.value = v;
        info.value_len = vl;
        return info;
      }
    }
  }
  return info;
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
        char iso[80];
        const char *tail;
        size_t tail_len;
        galley_doc_remove_meta(doc, GALLEY_META_AUTHOR);
        if (!byline_names(b->text, b->text_len, doc, iso, &tail, &tail_len))
          rc = GALLEY_ENOMEM;
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
      if (info[i].kind != K_NONE)
        continue;
      if (!short_label(b, &info[i]))
        break;
      bool repeated = false;
      for (size_t j = 0; j < zone && !repeated; j++)
        repeated = j != i && same_text(&blocks[j], b);
      bool above_date = i + 1 < zone && info[i + 1].kind == K_DATE;
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
