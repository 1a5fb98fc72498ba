/* Metadata as readers see it: humane dates and the "By" of a byline. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
    if (p[0] == '-' && digits(p + 1, 2)) {
      day = num(p + 1, 2);
      p += 3;
    }
  }
  /* What may follow: nothing, or a time after T or a space (with a day). */
  if (*p && !(day && (*p == 'T' || *p == 't' || *p == ' ')))
    return 0;
  if (month && (month < 1 || month > 12))
    return 0;
  if (day && (day < 1 || day > days_in(year, month)))
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
