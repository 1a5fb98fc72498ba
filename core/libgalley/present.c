/* Metadata as readers see it: humane dates and the "By" of a byline. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include "private.h"

typedef struct datelang {
  const char *tag;
  const char *months[12];
  /* Day, day_sep, month name, year_sep, year; `first` replaces the day
   * number on the 1st. */
  const char *day_sep, *year_sep;
  const char *first;
} datelang;

static const datelang langs[] = {
    {"en",
     {"January", "February", "March", "April", "May", "June", "July", "August",
      "September", "October", "November", "December"},
     " ",
     " ",
     NULL},
    {"fr",
     {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
      "septembre", "octobre", "novembre", "décembre"},
     " ",
     " ",
     "1er"},
    {"de",
     {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
      "September", "Oktober", "November", "Dezember"},
     ". ",
     " ",
     NULL},
    {"es",
     {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
      "septiembre", "octubre", "noviembre", "diciembre"},
     " de ",
     " de ",
     NULL},
    {"it",
     {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
      "agosto", "settembre", "ottobre", "novembre", "dicembre"},
     " ",
     " ",
     "1\xC2\xBA"},
    {"pt",
     {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho",
      "agosto", "setembro", "outubro", "novembro", "dezembro"},
     " de ",
     " de ",
     NULL},
    {"nl",
     {"januari", "februari", "maart", "april", "mei", "juni", "juli",
      "augustus", "september", "oktober", "november", "december"},
     " ",
     " ",
     NULL},
};

/* The entry for `lang`'s primary subtag, or NULL. */
static const datelang *find_lang(const char *lang) {
  if (!lang)
    return NULL;
  size_t n = strcspn(lang, "-_");
  for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
    if (n == strlen(langs[i].tag) && strncasecmp(lang, langs[i].tag, n) == 0)
      return &langs[i];
  return NULL;
}

static bool digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

static int num(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; i++)
    v = v * 10 + (s[i] - '0');
  return v;
}

static int days_in(int year, int month) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
    return 29;
  return d[month - 1];
}

size_t galley_date_format(const char *iso, const char *lang, char *buf,
                          size_t size) {
  if (buf && size)
    buf[0] = '\0';
  if (!iso || !buf || !size || !digits(iso, 4))
    return 0;
  int year = num(iso, 4), month = 0, day = 0;
  const char *p = iso + 4;
  if (p[0] == '-' && digits(p + 1, 2)) {
    month = num(p + 1, 2);
    p += 3;
    if (month < 1 || month > 12)
      return 0;
    if (p[0] == '-' && digits(p + 1, 2)) {
      day = num(p + 1, 2);
      p += 3;
      if (day < 1 || day > days_in(year, month))
        return 0;
    }
  }
  /* What may follow: nothing, or a time after T or a space (with a day). */
  if (*p && !(day && (*p == 'T' || *p == 't' || *p == ' ')))
    return 0;
  const datelang *l = find_lang(lang);
  int k;
  if (!month) {
    k = snprintf(buf, size, "%04d", year);
  } else if (!l) {
    k = day ? snprintf(buf, size, "%04d-%02d-%02d", year, month, day)
            : snprintf(buf, size, "%04d-%02d", year, month);
  } else if (!day) {
    k = snprintf(buf, size, "%s%s%d", l->months[month - 1], l->year_sep, year);
  } else {
    char d[8];
    if (day == 1 && l->first)
      snprintf(d, sizeof d, "%s", l->first);
    else
      snprintf(d, sizeof d, "%d", day);
    k = snprintf(buf, size, "%s%s%s%s%d", d, l->day_sep, l->months[month - 1],
                 l->year_sep, year);
  }
  if (k < 0 || (size_t)k >= size) {
    buf[0] = '\0';
    return 0;
  }
  return (size_t)k;
}

bool galley_byline_wants_by(const char *byline, const char *lang) {
  if (!byline || !*byline || !lang)
    return false;
  size_t n = strcspn(lang, "-_");
  if (n != 2 || strncasecmp(lang, "en", 2) != 0)
    return false;
  static const char *const marks[] = {"by",      "written by", "words by",
                                      "text by", "story by",   "reporting by"};
  for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
    size_t m = strlen(marks[i]);
    if (strncasecmp(byline, marks[i], m) == 0 &&
        (byline[m] == ' ' || byline[m] == ':' || byline[m] == '\0'))
      return false;
  }
  return true;
}

/* `s` with runs of white space made one space and the ends trimmed
 * (malloc'd), or NULL. */
static char *collapsed(const char *s) {
  galley_buf b = GALLEY_BUF_INIT;
  bool space = false;
  for (; *s; s++) {
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f') {
      space = b.len > 0;
      continue;
    }
    if (space)
      galley_buf_putc(&b, ' ');
    space = false;
    galley_buf_putc(&b, *s);
  }
  galley_buf_putc(&b, '\0');
  return galley_buf_detach(&b, NULL);
}

static bool same_title(const char *h, const char *t) {
  size_t n = strlen(h);
  if (!n || strncmp(h, t, n) != 0)
    return false;
  if (!t[n])
    return true;
  static const char *const seps[] = {
      " | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " :: ", " \xC2\xB7 "};
  for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++)
    if (strncmp(t + n, seps[i], strlen(seps[i])) == 0)
      return true;
  return false;
}

bool galley_doc_shows_title(const galley_doc *doc) {
  const char *title = doc ? galley_doc_get_meta(doc, GALLEY_META_TITLE) : NULL;
  if (!title || !*title)
    return false;
  galley_node *h = galley_node_find(galley_doc_root(doc), GALLEY_NODE_HEADING);
  if (!h)
    return false;
  galley_buf b = GALLEY_BUF_INIT;
  galley_iter it;
  galley_iter_init(&it, h);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    if (k == GALLEY_NODE_TEXT || k == GALLEY_NODE_CODE)
      galley_buf_puts(&b, galley_node_get_literal(n));
    else if (k == GALLEY_NODE_SOFT_BREAK || k == GALLEY_NODE_LINE_BREAK)
      galley_buf_putc(&b, ' ');
  }
  galley_buf_putc(&b, '\0');
  char *text = galley_buf_detach(&b, NULL);
  char *a = text ? collapsed(text) : NULL;
  char *c = collapsed(title);
  bool same = a && c && same_title(a, c);
  free(text);
  free(a);
  free(c);
  return same;
}

const char *galley_doc_site(const galley_doc *doc, char *buf, size_t size) {
  if (!buf || !size)
    return NULL;
  buf[0] = '\0';
  if (!doc)
    return NULL;
  const char *v = galley_doc_get_meta(doc, GALLEY_META_PUBLISHER);
  if (!v || !*v)
    v = galley_doc_get_meta(doc, GALLEY_META_SOURCE);
  if (v && *v) {
    snprintf(buf, size, "%s", v);
    return buf;
  }
  const char *url = galley_doc_get_meta(doc, GALLEY_META_URL);
  if (!url || !galley_url_is_web(url))
    return NULL;
  const char *h = strstr(url, "://") + 3;
  size_t n = strcspn(h, "/?#");
  const char *at = memchr(h, '@', n);
  if (at) {
    n -= (size_t)(at + 1 - h);
    h = at + 1;
  }
  if (n && h[0] != '[') {
    const char *colon = memchr(h, ':', n);
    if (colon)
      n = (size_t)(colon - h);
  }
  if (n > 4 && strncasecmp(h, "www.", 4) == 0) {
    h += 4;
    n -= 4;
  }
  if (!n)
    return NULL;
  snprintf(buf, size, "%.*s", (int)n, h);
  return buf;
}

char *galley_doc_credits(const galley_doc *doc, bool with_site) {
  if (!doc)
    return NULL;
  const char *lang = galley_doc_get_meta(doc, GALLEY_META_LANGUAGE);
  galley_buf b = GALLEY_BUF_INIT;
  size_t k = 0;
  /* One walk of the metadata: asking for the i-th author walks it. */
  for (size_t i = 0; i < galley_doc_meta_size(doc); i++) {
    const char *key, *v;
    if (!galley_doc_meta_entry(doc, i, &key, &v) || !v || !*v ||
        strcmp(key, GALLEY_META_AUTHOR) != 0)
      continue;
    if (k == 0 && galley_byline_wants_by(v, lang))
      galley_buf_puts(&b, "By ");
    if (k++)
      galley_buf_puts(&b, ", ");
    galley_buf_puts(&b, v);
  }
  const char *date = galley_doc_get_meta(doc, GALLEY_META_DATE);
  if (date && *date) {
    char human[GALLEY_DATE_FORMAT_MAX];
    if (b.len)
      galley_buf_puts(&b, " \xC2\xB7 ");
    galley_buf_puts(
        &b, galley_date_format(date, lang, human, sizeof human) ? human : date);
  }
  char site[512];
  const char *s = galley_doc_site(doc, site, sizeof site);
  const char *source = galley_doc_get_meta(doc, GALLEY_META_SOURCE);
  if (source && (!*source || (s && strcmp(source, s) == 0)))
    source = NULL;
  const char *tail[2] = {with_site ? s : NULL, source};
  for (size_t i = 0; i < 2; i++) {
    if (!tail[i])
      continue;
    if (b.len)
      galley_buf_puts(&b, " \xC2\xB7 ");
    galley_buf_puts(&b, tail[i]);
  }
  if (!b.len) {
    galley_buf_free(&b);
    return NULL;
  }
  galley_buf_putc(&b, '\0');
  return galley_buf_detach(&b, NULL);
}
