/* Datelines, bylines, reading times and credits recognised in visible text
 * (recognise.h): one tokenizer and one set of word lists, in seven
 * languages, for every reader and transform that infers metadata. */
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>

#include "private.h"

/* A dateline or byline is short: text past this is not looked at, which
 * also keeps every function linear in what it reads. */
#define MAX_SCAN 1024
#define MAX_TOKENS 96

/* ---- Characters ---------------------------------------------------------
 * Only ASCII and UTF-8 rules, never <ctype.h>: the answer must not depend
 * on the locale. */

static size_t decode(const char *p, size_t n, unsigned *cp) {
  const unsigned char *s = (const unsigned char *)p;
  unsigned c = s[0], v;
  size_t len;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, v = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, v = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, v = c & 0x07;
  else {
    *cp = 0xFFFD;
    return 1;
  }
  if (len > n) {
    *cp = 0xFFFD;
    return 1;
  }
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = 0xFFFD;
      return 1;
    }
    v = (v << 6) | (s[i] & 0x3F);
  }
  *cp = v;
  return len;
}

static bool is_space(unsigned c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v' || c == 0xA0 || (c >= 0x2000 && c <= 0x200B) ||
         c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

static bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }

/* Letters of any script; punctuation, symbols and emoji are not. */
static bool is_letter(unsigned c) {
  if (c < 0x80)
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  if (c < 0xC0 || c == 0xD7 || c == 0xF7 || c == 0xFFFD)
    return false;
  return !((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x2E7F) ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE6F) ||
           (c >= 0xFF00 && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
           (c >= 0xFF5B && c <= 0xFF65) || c >= 0x1F000);
}

/* 1 for a capital, -1 for a small letter, 0 for a script without case
 * (or one this file does not know). */
static int letter_case(unsigned c) {
  if (c >= 'A' && c <= 'Z')
    return 1;
  if (c >= 'a' && c <= 'z')
    return -1;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
    return 1;
  if (c >= 0xDF && c <= 0xFF && c != 0xF7)
    return -1;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x138 || c == 0x149 || c == 0x17F)
      return -1;
    bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    return ((c & 1) != 0) == odd_upper ? 1 : -1;
  }
  if ((c >= 0x391 && c <= 0x3A9) || (c >= 0x400 && c <= 0x42F))
    return 1;
  if ((c >= 0x3B1 && c <= 0x3C9) || (c >= 0x430 && c <= 0x45F))
    return -1;
  return 0;
}

static unsigned char ascii_lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static unsigned fold(unsigned c) {
  if (letter_case(c) <= 0)
    return c;
  if (c < 0x100 || (c >= 0x391 && c <= 0x3A9) || (c >= 0x410 && c <= 0x42F))
    return c + 32;
  if (c >= 0x400 && c <= 0x40F)
    return c + 80;
  return c + 1; /* Latin Extended-A pairs */
}

/* The first byte a key (small letters) must have for word `w` to be a
 * prefix of it, or 0 when any may (a word that opens with a byte outside
 * ASCII is decoded and folded first): prefix_of's first test, and the
 * lists' searches pass over most keys by this byte alone, without a
 * call. */
static inline unsigned char key_start(const char *w, size_t n) {
  unsigned char c = n ? (unsigned char)w[0] : 0;
  return c >= 0x80 ? 0 : ascii_lower(c);
}

static inline bool may_start(unsigned char first, const char *key) {
  return !first || (unsigned char)key[0] == first;
}

/* How `w` (`n` bytes) compares with `key` (small letters), ignoring case:
 * -1 when `w` is not a prefix of `key`, else the code points of `w`;
 * *whole says whether it is all of it. */
static int prefix_of(const char *w, size_t n, const char *key, bool *whole) {
  /* Most words differ from most keys at once: an ASCII first letter is
   * compared before anything is decoded. */
  if (!may_start(key_start(w, n), key))
    return -1;
  size_t i = 0, k = 0, klen = strlen(key);
  int cps = 0;
  while (i < n) {
    if (k >= klen)
      return -1;
    unsigned a, b;
    i += decode(w + i, n - i, &a);
    k += decode(key + k, klen - k, &b);
    if (fold(a) != b)
      return -1;
    cps++;
  }
  *whole = k == klen;
  return cps;
}

static bool word_is(const char *w, size_t n, const char *key) {
  bool whole;
  return prefix_of(w, n, key, &whole) >= 0 && whole;
}

static bool in_list(const char *w, size_t n, const char *const *list) {
  unsigned char first = key_start(w, n);
  for (size_t i = 0; list[i]; i++)
    if (may_start(first, list[i]) && word_is(w, n, list[i]))
      return true;
  return false;
}

/* ---- Word lists -----------------------------------------------------------
 * English first; then Spanish, Portuguese, French, German, Italian and
 * Dutch, whose pages write dates in words as often. Small letters only. */

enum { EN, ES, PT, FR, DE, IT, NL };

typedef struct named {
  const char *name;
  unsigned char value, lang;
} named;

static const named months[] = {
    {"january", 1, EN},
    {"february", 2, EN},
    {"march", 3, EN},
    {"april", 4, EN},
    {"may", 5, EN},
    {"june", 6, EN},
    {"july", 7, EN},
    {"august", 8, EN},
    {"september", 9, EN},
    {"october", 10, EN},
    {"november", 11, EN},
    {"december", 12, EN},
    {"enero", 1, ES},
    {"febrero", 2, ES},
    {"marzo", 3, ES},
    {"abril", 4, ES},
    {"mayo", 5, ES},
    {"junio", 6, ES},
    {"julio", 7, ES},
    {"agosto", 8, ES},
    {"septiembre", 9, ES},
    {"setiembre", 9, ES},
    {"octubre", 10, ES},
    {"noviembre", 11, ES},
    {"diciembre", 12, ES},
    {"janeiro", 1, PT},
    {"fevereiro", 2, PT},
    {"mar\xc3\xa7o", 3, PT},
    {"maio", 5, PT},
    {"junho", 6, PT},
    {"julho", 7, PT},
    {"setembro", 9, PT},
    {"outubro", 10, PT},
    {"novembro", 11, PT},
    {"dezembro", 12, PT},
    {"janvier", 1, FR},
    {"f\xc3\xa9vrier", 2, FR},
    {"fevrier", 2, FR},
    {"mars", 3, FR},
    {"avril", 4, FR},
    {"mai", 5, FR},
    {"juin", 6, FR},
    {"juillet", 7, FR},
    {"ao\xc3\xbbt", 8, FR},
    {"aout", 8, FR},
    {"septembre", 9, FR},
    {"octobre", 10, FR},
    {"novembre", 11, FR},
    {"d\xc3\xa9"
     "cembre",
     12, FR},
    {"decembre", 12, FR},
    {"januar", 1, DE},
    {"j\xc3\xa4nner", 1, DE},
    {"februar", 2, DE},
    {"m\xc3\xa4rz", 3, DE},
    {"maerz", 3, DE},
    {"juni", 6, DE},
    {"juli", 7, DE},
    {"oktober", 10, DE},
    {"dezember", 12, DE},
    {"gennaio", 1, IT},
    {"febbraio", 2, IT},
    {"aprile", 4, IT},
    {"maggio", 5, IT},
    {"giugno", 6, IT},
    {"luglio", 7, IT},
    {"settembre", 9, IT},
    {"ottobre", 10, IT},
    {"dicembre", 12, IT},
    {"januari", 1, NL},
    {"februari", 2, NL},
    {"maart", 3, NL},
    {"mrt", 3, NL},
    {"mei", 5, NL},
    {"augustus", 8, NL},
};

static const named weekdays[] = {
    {"monday", 1, EN},
    {"tuesday", 2, EN},
    {"wednesday", 3, EN},
    {"thursday", 4, EN},
    {"friday", 5, EN},
    {"saturday", 6, EN},
    {"sunday", 7, EN},
    {"lunes", 1, ES},
    {"martes", 2, ES},
    {"mi\xc3\xa9rcoles", 3, ES},
    {"miercoles", 3, ES},
    {"jueves", 4, ES},
    {"viernes", 5, ES},
    {"s\xc3\xa1"
     "bado",
     6, ES},
    {"sabado", 6, ES},
    {"domingo", 7, ES},
    {"segunda", 1, PT},
    {"ter\xc3\xa7"
     "a",
     2, PT},
    {"terca", 2, PT},
    {"quarta", 3, PT},
    {"quinta", 4, PT},
    {"sexta", 5, PT},
    {"lundi", 1, FR},
    {"mardi", 2, FR},
    {"mercredi", 3, FR},
    {"jeudi", 4, FR},
    {"vendredi", 5, FR},
    {"samedi", 6, FR},
    {"dimanche", 7, FR},
    {"montag", 1, DE},
    {"dienstag", 2, DE},
    {"mittwoch", 3, DE},
    {"donnerstag", 4, DE},
    {"freitag", 5, DE},
    {"samstag", 6, DE},
    {"sonnabend", 6, DE},
    {"sonntag", 7, DE},
    {"luned\xc3\xac", 1, IT},
    {"lunedi", 1, IT},
    {"marted\xc3\xac", 2, IT},
    {"martedi", 2, IT},
    {"mercoled\xc3\xac", 3, IT},
    {"mercoledi", 3, IT},
    {"gioved\xc3\xac", 4, IT},
    {"giovedi", 4, IT},
    {"venerd\xc3\xac", 5, IT},
    {"venerdi", 5, IT},
    {"sabato", 6, IT},
    {"domenica", 7, IT},
    {"maandag", 1, NL},
    {"dinsdag", 2, NL},
    {"woensdag", 3, NL},
    {"donderdag", 4, NL},
    {"vrijdag", 5, NL},
    {"zaterdag", 6, NL},
    {"zondag", 7, NL},
};

/* Words a dateline may hold besides the date: "Published", "Updated on",
 * "Publicado el", "Mis à jour le", "Stand: … Uhr", "Pubblicato il … alle
 * ore", "Gepubliceerd op … om". */
static const char *const date_words[] = {
    /* en */ "published", "posted", "updated", "update", "last", "modified",
    "on", "at", "date", "dated", "created", "time", "first", "issued", "am",
    "pm", "hrs", "edited", "revised",
    /* es */ "publicado", "publicada", "actualizado", "actualizada", "el", "a",
    "las", "la", "de", "del", "fecha", "hora", "horas", "hs",
    /* pt */ "atualizado", "atualizada", "em", "\xc3\xa0s", "as", "do", "da",
    "data", "feira", "h",
    /* fr */ "publi\xc3\xa9",
    "publi\xc3\xa9"
    "e",
    "publie", "mis", "mise", "\xc3\xa0", "jour", "le", "modifi\xc3\xa9",
    "modifi\xc3\xa9"
    "e",
    "heure", "du",
    /* de */
    "ver\xc3\xb6"
    "ffentlicht",
    "aktualisiert", "publiziert", "am", "um", "uhr", "stand", "zuletzt",
    "ge\xc3\xa4ndert", "erstellt", "datum",
    /* it */ "pubblicato", "pubblicata", "aggiornato", "aggiornata", "il",
    "alle", "ore", "modificato",
    /* nl */ "gepubliceerd", "bijgewerkt", "geplaatst", "op", "om", "uur",
    "laatst", "gewijzigd", NULL};

/* Words that start a byline, longest first; a colon may follow any. */
static const char *const byline_words[] = {"written by",
                                           "posted by",
                                           "analysis by",
                                           "opinion by",
                                           "commentary by",
                                           "review by",
                                           "words by",
                                           "story by",
                                           "escrito por",
                                           "\xc3\xa9"
                                           "crit par",
                                           "geschrieben von",
                                           "scritto da",
                                           "author",
                                           "authors",
                                           "autor",
                                           "autora",
                                           "autores",
                                           "auteur",
                                           "auteure",
                                           "auteurs",
                                           "autore",
                                           "autori",
                                           "auteurs",
                                           "text",
                                           "texto",
                                           "texte",
                                           "tekst",
                                           "by",
                                           "por",
                                           "par",
                                           "von",
                                           "di",
                                           "door",
                                           NULL};

/* Those that must have their colon: "Text: Jane Doe", not "Text of …". */
static bool needs_colon(const char *word) {
  return strncmp(word, "aut", 3) == 0 || strncmp(word, "tex", 3) == 0 ||
         strncmp(word, "tek", 3) == 0;
}

/* Time zones a byline's date may end with ("… 7:07 PM EST"). */
static const char *const zones[] = {"gmt", "utc", "est",  "edt",  "cst", "cdt",
                                    "mst", "mdt", "pst",  "pdt",  "et",  "ct",
                                    "pt",  "bst", "cet",  "cest", "ist", "hst",
                                    "jst", "kst", "aest", "aedt", "msk", NULL};

/* Single words that mark a byline inside a dateline: "… by Bradley M.
 * Kuhn", "Von Moritz Bachmann publiziert am …". */
static const char *const byline_marks[] = {"by",
                                           "written",
                                           "posted",
                                           "por",
                                           "escrito",
                                           "par",
                                           "\xc3\xa9"
                                           "crit",
                                           "von",
                                           "geschrieben",
                                           "di",
                                           "scritto",
                                           "da",
                                           "door",
                                           NULL};

/* Words of a name written in small letters: "Ana de la Cruz". */
static const char *const particles[] = {
    "de",  "da",  "del", "della", "der", "den", "di",  "du",  "la",  "le",
    "van", "von", "al",  "el",    "bin", "ibn", "ben", "dos", "das", "y",
    "ter", "te",  "op",  "zu",    "des", "d",   "l",   NULL};

/* Degrees and suffixes written after a name, dropped from it. */
static const char *const degrees[] = {
    "md",   "phd",  "ms",  "msc",  "ma",    "mba",  "mph",  "rd",
    "rdn",  "rn",   "do",  "dds",  "dvm",   "np",   "pa-c", "lcsw",
    "cde",  "facs", "jr",  "jr.",  "sr",    "sr.",  "ii",   "iii",
    "iv",   "ld",   "bsc", "ba",   "bs",    "mfa",  "cpt",  "pharmd",
    "psyd", "edd",  "esq", "esq.", "ph.d.", "m.d.", NULL};

/* Words that make the part of a byline after a comma an outlet or a job
 * title, not another person: "By Jill Disis, CNN Business". */
static const char *const affiliations[] = {"staff",
                                           "writer",
                                           "reporter",
                                           "editor",
                                           "correspondent",
                                           "contributor",
                                           "columnist",
                                           "producer",
                                           "news",
                                           "business",
                                           "press",
                                           "times",
                                           "post",
                                           "journal",
                                           "magazine",
                                           "media",
                                           "online",
                                           "digital",
                                           "agency",
                                           "wire",
                                           "daily",
                                           "weekly",
                                           "tribune",
                                           "herald",
                                           "gazette",
                                           "reuters",
                                           "bureau",
                                           "desk",
                                           "team",
                                           "today",
                                           "redacci\xc3\xb3n",
                                           "corresponsal",
                                           "redaktion",
                                           "korrespondent",
                                           "r\xc3\xa9"
                                           "daction",
                                           "correspondant",
                                           "redazione",
                                           "redactie",
                                           "special",
                                           "senior",
                                           "chief",
                                           "associate",
                                           "assistant",
                                           "health",
                                           "science",
                                           "politics",
                                           NULL};

/* ---- Tokens ---------------------------------------------------------------
 */

enum { T_WORD, T_NUM, T_PUNCT };

typedef struct tok {
  unsigned char type;
  bool glued;  /* no space before it */
  unsigned cp; /* T_PUNCT: the character */
  size_t start, end;
} tok;

typedef struct toks {
  const char *s;
  size_t n; /* bytes looked at */
  tok t[MAX_TOKENS];
  size_t nt;
  bool truncated;
} toks;

static void tokenize(toks *k, const char *s, size_t n) {
  if (n > MAX_SCAN)
    n = MAX_SCAN;
  k->s = s;
  k->n = n;
  k->nt = 0;
  k->truncated = false;
  size_t i = 0;
  bool space = true;
  while (i < n) {
    unsigned c;
    size_t l = decode(s + i, n - i, &c);
    if (is_space(c)) {
      space = true;
      i += l;
      continue;
    }
    if (k->nt == MAX_TOKENS) {
      k->truncated = true;
      return;
    }
    tok *t = &k->t[k->nt++];
    t->glued = !space;
    t->start = i;
    t->cp = 0;
    space = false;
    if (is_digit(c)) {
      t->type = T_NUM;
      while (i < n && is_digit((unsigned char)s[i]))
        i++;
    } else if (is_letter(c)) {
      t->type = T_WORD;
      i += l;
      while (i < n) {
        unsigned d;
        size_t m = decode(s + i, n - i, &d);
        if (!is_letter(d))
          break;
        i += m;
      }
    } else {
      t->type = T_PUNCT;
      t->cp = c;
      i += l;
    }
    t->end = i;
  }
}

static const char *tw(const toks *k, size_t i) { return k->s + k->t[i].start; }
static size_t tl(const toks *k, size_t i) {
  return k->t[i].end - k->t[i].start;
}

static bool tok_is(const toks *k, size_t i, const char *word) {
  return i < k->nt && k->t[i].type == T_WORD &&
         word_is(tw(k, i), tl(k, i), word);
}

static bool tok_punct(const toks *k, size_t i, unsigned c) {
  return i < k->nt && k->t[i].type == T_PUNCT && k->t[i].cp == c;
}

static bool tok_in(const toks *k, size_t i, const char *const *list) {
  return i < k->nt && k->t[i].type == T_WORD &&
         in_list(tw(k, i), tl(k, i), list);
}

/* The value of a number token of `min`..`max` digits, else -1. */
static int tok_num(const toks *k, size_t i, size_t min, size_t max) {
  if (i >= k->nt || k->t[i].type != T_NUM)
    return -1;
  size_t n = tl(k, i);
  if (n < min || n > max)
    return -1;
  int v = 0;
  for (size_t j = k->t[i].start; j < k->t[i].end; j++)
    v = v * 10 + (k->s[j] - '0');
  return v;
}

/* ---- Dates --------------------------------------------------------------- */

/* The month a word at token i names, 0 when none; *next is the token after
 * it (and after its full stop). English names count from three letters
 * ("Sep", "Sept"); the other languages' shortened names only with a full
 * stop ("déc.", "Okt."), and only when no two months share the start. */
static int month_at(const toks *k, size_t i, size_t *next) {
  if (i >= k->nt || k->t[i].type != T_WORD)
    return 0;
  const char *w = tw(k, i);
  size_t n = tl(k, i);
  bool dot = tok_punct(k, i + 1, '.') && k->t[i + 1].glued;
  int found = 0;
  bool whole;
  unsigned char first = key_start(w, n);
  for (size_t m = 0; m < sizeof months / sizeof *months; m++)
    if (may_start(first, months[m].name) &&
        prefix_of(w, n, months[m].name, &whole) >= 0 && whole) {
      found = months[m].value;
      break;
    }
  for (size_t m = 0; !found && m < sizeof months / sizeof *months; m++) {
    if (!may_start(first, months[m].name))
      continue;
    int cps = prefix_of(w, n, months[m].name, &whole);
    if (cps < 3 || (months[m].lang != EN && !dot))
      continue;
    for (size_t o = m + 1; o < sizeof months / sizeof *months; o++) {
      if (!may_start(first, months[o].name))
        continue;
      int c2 = prefix_of(w, n, months[o].name, &whole);
      if (c2 >= 3 && months[o].value != months[m].value &&
          (months[o].lang == EN || dot))
        return 0;
    }
    found = months[m].value;
  }
  if (found)
    *next = i + 1 + (dot ? 1 : 0);
  return found;
}

static bool weekday_at(const toks *k, size_t i) {
  if (i >= k->nt || k->t[i].type != T_WORD)
    return false;
  const char *w = tw(k, i);
  size_t n = tl(k, i);
  bool whole;
  unsigned char first = key_start(w, n);
  for (size_t d = 0; d < sizeof weekdays / sizeof *weekdays; d++) {
    if (!may_start(first, weekdays[d].name))
      continue;
    int cps = prefix_of(w, n, weekdays[d].name, &whole);
    if (cps >= 0 && (whole || (weekdays[d].lang == EN && cps >= 3)))
      return true;
  }
  return false;
}

typedef struct dmatch {
  int y, m, d;
  size_t first, last; /* tokens, inclusive */
  bool iso;           /* written year first with '-' */
} dmatch;

static bool valid_date(int y, int m, int d) {
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m != 2 || d < 29 || leap;
}

static bool glued_punct(const toks *k, size_t i, unsigned c) {
  return tok_punct(k, i, c) && k->t[i].glued;
}

static bool glued_num(const toks *k, size_t i, size_t min, size_t max, int *v) {
  return i < k->nt && k->t[i].glued && (*v = tok_num(k, i, min, max)) >= 0;
}

/* An ordinal ending glued to a day: 19th, 1st, 1er, 1º. */
static bool ordinal_at(const toks *k, size_t i) {
  static const char *const ends[] = {"st", "nd", "rd", "th", "er", NULL};
  if (i >= k->nt || !k->t[i].glued)
    return false;
  return tok_in(k, i, ends) || tok_punct(k, i, 0xBA) || tok_punct(k, i, 0xAA) ||
         tok_punct(k, i, 0xB0);
}

typedef struct tmatch {
  int h, m, s;
  size_t first, last;
} tmatch;

static bool time_at(const toks *k, size_t i, tmatch *out);

/* A date that starts at token i. */
static bool date_at(const toks *k, size_t i, dmatch *out) {
  int y, m, d, a, b;
  size_t j;
  /* Numbers only: 2020-07-19, 2020/07/19, 2016.12.01; 19.07.2020; and
   * 19/07/2020 or 07/19/2020 when the order shows. */
  if ((y = tok_num(k, i, 4, 4)) >= 0 && i + 4 < k->nt) {
    unsigned sep = k->t[i + 1].cp;
    if ((sep == '-' || sep == '/' || sep == '.') &&
        glued_punct(k, i + 1, sep) && glued_num(k, i + 2, 1, 2, &m) &&
        glued_punct(k, i + 3, sep) && glued_num(k, i + 4, 1, 2, &d) &&
        valid_date(y, m, d)) {
      *out = (dmatch){y, m, d, i, i + 4, sep == '-'};
      return true;
    }
  }
  if ((a = tok_num(k, i, 1, 2)) >= 0 && i + 4 < k->nt) {
    unsigned sep = k->t[i + 1].cp;
    tmatch t;
    bool full = false;
    if ((sep == '-' || sep == '/' || sep == '.') &&
        glued_punct(k, i + 1, sep) && glued_num(k, i + 2, 1, 2, &b) &&
        glued_punct(k, i + 3, sep) &&
        ((full = glued_num(k, i + 4, 4, 4, &y)) ||
         /* "11/19/19 06:56 AM EST": a year of two digits, only when a
          * time follows, as news sites write it. */
         (sep == '/' && glued_num(k, i + 4, 2, 2, &y) &&
          time_at(k, i + 5, &t)))) {
      if (!full)
        y += y < 70 ? 2000 : 1900;
      if (sep == '.' || (a > 12 && b <= 12) || a == b)
        d = a, m = b;
      else if (b > 12 && a <= 12)
        m = a, d = b;
      else
        return false; /* 03/04/2020: day or month first? */
      if (valid_date(y, m, d)) {
        *out = (dmatch){y, m, d, i, i + 4, false};
        return true;
      }
      return false;
    }
  }
  /* Day first: 19 July 2020, 19th of July, 2020, 14. März 2021, 22 de
   * janeiro de 2018, 1er décembre 2019. */
  if ((d = tok_num(k, i, 1, 2)) >= 0) {
    j = i + 1;
    if (ordinal_at(k, j))
      j++;
    if (glued_punct(k, j, '.'))
      j++;
    if (tok_is(k, j, "of") || tok_is(k, j, "de"))
      j++;
    if ((m = month_at(k, j, &j)) > 0) {
      if (tok_punct(k, j, ','))
        j++;
      if (tok_is(k, j, "de") || tok_is(k, j, "del") || tok_is(k, j, "of"))
        j++;
      if ((y = tok_num(k, j, 4, 4)) >= 0 && valid_date(y, m, d)) {
        *out = (dmatch){y, m, d, i, j, false};
        return true;
      }
    }
    return false;
  }
  /* Month first: July 19, 2020; Jul. 19th 2020; Dec 28 Sat 2013. The day
   * follows the month or its full stop, so a word without a number after it
   * is not looked up. */
  bool num_after = (i + 1 < k->nt && k->t[i + 1].type == T_NUM) ||
                   (i + 2 < k->nt && k->t[i + 2].type == T_NUM);
  if (num_after && (m = month_at(k, i, &j)) > 0 &&
      (d = tok_num(k, j, 1, 2)) >= 0) {
    j++;
    if (ordinal_at(k, j))
      j++;
    if (tok_punct(k, j, ','))
      j++;
    if (weekday_at(k, j)) {
      j++;
      if (tok_punct(k, j, ','))
        j++;
    }
    if ((y = tok_num(k, j, 4, 4)) >= 0 && valid_date(y, m, d)) {
      *out = (dmatch){y, m, d, i, j, false};
      return true;
    }
  }
  return false;
}

/* A time zone written in capitals (GMT, UTC, ET, IST, CEST, Z). */
static bool zone_at(const toks *k, size_t i) {
  if (i >= k->nt || k->t[i].type != T_WORD || tl(k, i) > 4)
    return false;
  for (size_t j = k->t[i].start; j < k->t[i].end; j++)
    if (k->s[j] < 'A' || k->s[j] > 'Z')
      return false;
  return true;
}

/* A time that starts at token i: 6:10, 06:10:30, 6:10 AM, 6 p.m., 13h36,
 * 14.30 Uhr; 17:19 PM (a 24-hour time with a needless PM) keeps its hour. */
static bool time_at(const toks *k, size_t i, tmatch *out) {
  int h = tok_num(k, i, 1, 2), m = 0, s = -1, v;
  if (h < 0 && (v = tok_num(k, i, 4, 4)) >= 0 && zone_at(k, i + 1) &&
      v / 100 < 24 && v % 100 < 60) {
    /* "0339 GMT": a time written as four digits, then its zone. */
    *out = (tmatch){v / 100, v % 100, -1, i, i};
    return true;
  }
  if (h < 0)
    return false;
  size_t j = i + 1;
  bool minutes = false;
  if (glued_punct(k, j, ':') && glued_num(k, j + 1, 2, 2, &m)) {
    minutes = true;
    j += 2;
    if (glued_punct(k, j, ':') && glued_num(k, j + 1, 2, 2, &s))
      j += 2;
    if (glued_punct(k, j, '.') && glued_num(k, j + 1, 1, 9, &v))
      j += 2; /* a fraction of a second */
  } else if (tok_is(k, j, "h") && k->t[j].glued &&
             glued_num(k, j + 1, 2, 2, &m)) {
    minutes = true;
    j += 2;
  } else if (glued_punct(k, j, '.') && glued_num(k, j + 1, 2, 2, &m) &&
             tok_is(k, j + 2, "uhr")) {
    minutes = true;
    j += 2;
  }
  int half = 0;
  if (tok_is(k, j, "am") || tok_is(k, j, "pm")) {
    half = (k->s[k->t[j].start] | 0x20) == 'a' ? 1 : 2;
    j++;
  } else if ((tok_is(k, j, "a") || tok_is(k, j, "p")) &&
             glued_punct(k, j + 1, '.') && tok_is(k, j + 2, "m") &&
             k->t[j + 2].glued) {
    half = (k->s[k->t[j].start] | 0x20) == 'a' ? 1 : 2;
    j += 3;
    if (glued_punct(k, j, '.'))
      j++;
  }
  if (!minutes && !half)
    return false;
  if (half && !(minutes && h > 12 && half == 2)) {
    if (h < 1 || h > 12)
      return false;
    h = h % 12 + (half == 2 ? 12 : 0);
  }
  if (h > 23 || m > 59 || s > 59)
    return false;
  *out = (tmatch){h, m, s, i, j - 1};
  return true;
}

/* ISO 8601 time glued to an ISO date, as written: T06:10, T06:10:05.123Z,
 * T06:10+02:00. Returns the bytes it takes from `p`, 0 when none. */
static size_t iso_time(const char *p, size_t n) {
  size_t i = 0;
#define DIG(x) ((x) < n && p[x] >= '0' && p[x] <= '9')
  if (n < 6 || (p[0] != 'T' && p[0] != 't') || !DIG(1) || !DIG(2) ||
      p[3] != ':' || !DIG(4) || !DIG(5))
    return 0;
  i = 6;
  if (i + 2 < n && p[i] == ':' && DIG(i + 1) && DIG(i + 2)) {
    i += 3;
    if (i + 1 < n && (p[i] == '.' || p[i] == ',') && DIG(i + 1)) {
      i++;
      while (DIG(i) && i < 20)
        i++;
    }
  }
  if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
    i++;
  } else if (i + 2 < n && (p[i] == '+' || p[i] == '-') && DIG(i + 1) &&
             DIG(i + 2)) {
    size_t j = i + 3;
    if (j < n && p[j] == ':')
      j++;
    if (DIG(j) && DIG(j + 1))
      i = j + 2;
  }
#undef DIG
  /* What follows must end the value: not another letter or digit. */
  if (i < n && ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'))
    return 0;
  return i;
}

typedef struct found {
  dmatch d;
  bool timed;
  tmatch t;
  size_t iso_end; /* byte after a verbatim ISO value, or 0 */
} found;

/* Tokens [0, k->nt) that a date match covers. */
static bool covered(const found *f, const toks *k, size_t i) {
  if (i >= f->d.first && i <= f->d.last)
    return true;
  if (f->iso_end && k->t[i].start < f->iso_end && i > f->d.last)
    return true;
  return f->timed && i >= f->t.first && i <= f->t.last;
}

/* A date written in numbers inside a path or a name is no date:
 * "/2015/03/30/title", "report-2019-11-19.pdf". */
static bool inside_name(const toks *k, const dmatch *d) {
  if (k->t[d->first].type != T_NUM || k->t[d->first + 1].type != T_PUNCT ||
      k->t[d->first + 1].cp == ',')
    return false;
  size_t b = d->first, a = d->last + 1;
  if (b > 0 && k->t[b].glued &&
      (k->t[b - 1].type != T_PUNCT || strchr("/-_=.", (int)k->t[b - 1].cp)))
    return true;
  return a < k->nt && k->t[a].glued &&
         (k->t[a].type == T_NUM ||
          (k->t[a].type == T_PUNCT && strchr("/-_=", (int)k->t[a].cp)));
}

static bool find_date(const toks *k, found *f, galley_date *out) {
  memset(f, 0, sizeof *f);
  size_t i = 0;
  for (; i < k->nt; i++)
    if (date_at(k, i, &f->d) && !inside_name(k, &f->d))
      break;
  if (i >= k->nt)
    return false;
  memset(out, 0, sizeof *out);
  size_t ds = k->t[f->d.first].start, de = k->t[f->d.last].end;
  size_t it = f->d.iso ? iso_time(k->s + de, k->n - de) : 0;
  if (it && de - ds + it < GALLEY_ISO_DATE_MAX) {
    f->iso_end = de + it;
    memcpy(out->iso, k->s + ds, de + it - ds);
    out->iso[de + it - ds] = '\0';
    out->span = (galley_span){ds, de + it - ds};
  } else {
    tmatch t;
    /* A "T" glued to the date, then any time on the line that is not part
     * of the date itself. */
    size_t j = f->d.last + 1;
    if (f->d.iso && tok_is(k, j, "t") && k->t[j].glued && time_at(k, j + 1, &t))
      f->timed = true, f->t = t, f->t.first = j;
    for (j = 0; !f->timed && j < k->nt; j++) {
      if (j >= f->d.first && j <= f->d.last)
        continue;
      if (time_at(k, j, &t) && !(t.last >= f->d.first && j <= f->d.last))
        f->timed = true, f->t = t;
    }
    int n;
    if (f->timed && f->t.s >= 0)
      n = snprintf(out->iso, sizeof out->iso, "%04d-%02d-%02dT%02d:%02d:%02d",
                   f->d.y, f->d.m, f->d.d, f->t.h, f->t.m, f->t.s);
    else if (f->timed)
      n = snprintf(out->iso, sizeof out->iso, "%04d-%02d-%02dT%02d:%02d",
                   f->d.y, f->d.m, f->d.d, f->t.h, f->t.m);
    else
      n = snprintf(out->iso, sizeof out->iso, "%04d-%02d-%02d", f->d.y, f->d.m,
                   f->d.d);
    (void)n;
    out->span = (galley_span){ds, de - ds};
  }
  /* Nothing else on the line? */
  bool only = !k->truncated;
  for (size_t j = 0; only && j < k->nt; j++) {
    if (covered(f, k, j) || k->t[j].type == T_PUNCT)
      continue;
    if (k->t[j].type == T_NUM && j > 0 &&
        (tok_punct(k, j - 1, '+') || tok_punct(k, j - 1, '-')))
      continue; /* a UTC offset */
    if (k->t[j].type == T_NUM && j > 0 && glued_punct(k, j - 1, ':') && j > 1 &&
        k->t[j - 2].type == T_NUM && j > 2 &&
        (tok_punct(k, j - 3, '+') || tok_punct(k, j - 3, '-')))
      continue; /* its minutes */
    if (k->t[j].type == T_WORD &&
        (tok_in(k, j, date_words) || weekday_at(k, j) || zone_at(k, j)))
      continue;
    only = false;
  }
  out->only = only;
  return true;
}

/* Every date has a year written in digits: a text without a digit where
 * the tokenizer looks has none, and is not tokenized at all. */
static bool has_digit(const char *s, size_t n) {
  if (n > MAX_SCAN)
    n = MAX_SCAN;
  for (size_t i = 0; i < n; i++)
    if (s[i] >= '0' && s[i] <= '9')
      return true;
  return false;
}

GALLEY_API bool galley_recognise_date(const char *text, size_t len,
                                      galley_date *out) {
  if (!text || !out || !has_digit(text, len))
    return false;
  toks k;
  found f;
  tokenize(&k, text, len);
  return find_date(&k, &f, out);
}

/* ---- Reading times ------------------------------------------------------- */

static const char *const minute_words[] = {
    "min",    "mins",   "minute",  "minutes", "minuten", "minutos",
    "minuti", "minuut", "minutes", "minuto",  "minut",   NULL};

/* Words that say "to read" next to the minutes. */
static const char *const read_words[] = {
    "read",    "reading", "lesezeit", "lesedauer", "lecture", "lectura",
    "leitura", "lettura", "leestijd", "leesduur",  NULL};

/* Little words between the parts: "Temps de lecture", "3 min de lecture",
 * "Reading time", "Tempo di lettura". */
static const char *const read_glue[] = {"time", "temps",     "tiempo", "tempo",
                                        "de",   "di",        "of",     "to",
                                        "est.", "estimated", NULL};

/* A reading time starting at token i; its last token goes to *last. */
static bool reading_at(const toks *k, size_t i, unsigned *minutes,
                       size_t *last) {
  size_t j = i;
  /* "Reading time: 5 min", "Lesezeit: 4 Minuten". */
  bool lead = false;
  while (j < k->nt && (tok_in(k, j, read_words) || tok_in(k, j, read_glue))) {
    /* "Read" leads only as "Read time": "Read 5 minutes of…" is prose. */
    lead = lead || (tok_in(k, j, read_words) &&
                    (!tok_is(k, j, "read") || tok_is(k, j + 1, "time")));
    j++;
  }
  if (lead) {
    while (tok_punct(k, j, ':') || tok_punct(k, j, 0xFF1A))
      j++;
  } else {
    j = i;
  }
  int n = tok_num(k, j, 1, 3);
  if (n <= 0)
    return false;
  j++;
  if (tok_punct(k, j, '-') && k->t[j].glued)
    j++; /* 5-minute read */
  if (!tok_in(k, j, minute_words))
    return false;
  if (glued_punct(k, j + 1, '.'))
    j++;
  size_t end = j;
  if (!lead) {
    size_t r = j + 1;
    while (r < k->nt && tok_in(k, r, read_glue) && !tok_in(k, r, read_words))
      r++;
    if (!tok_in(k, r, read_words))
      return false;
    end = r;
  }
  *minutes = (unsigned)n;
  *last = end;
  return true;
}

static bool find_reading(const toks *k, size_t from, unsigned *minutes,
                         size_t *first, size_t *last) {
  for (size_t i = from; i < k->nt; i++)
    if (reading_at(k, i, minutes, last)) {
      *first = i;
      return true;
    }
  return false;
}

GALLEY_API bool galley_recognise_reading_time(const char *text, size_t len,
                                              unsigned *minutes,
                                              galley_span *span) {
  if (!text)
    return false;
  toks k;
  tokenize(&k, text, len);
  unsigned m;
  size_t first, last;
  if (!find_reading(&k, 0, &m, &first, &last))
    return false;
  if (minutes)
    *minutes = m;
  if (span)
    *span = (galley_span){k.t[first].start, k.t[last].end - k.t[first].start};
  return true;
}

/* ---- Credits ------------------------------------------------------------- */

/* Whether s (m bytes or more) starts with the m bytes of p, ASCII letters
 * in any case: galley_find_ci's comparison at one place. */
static bool ci_prefix(const char *s, const char *p, size_t m) {
  for (size_t j = 0; j < m; j++)
    if (ascii_lower((unsigned char)s[j]) != ascii_lower((unsigned char)p[j]))
      return false;
  return true;
}

const char *galley_find_ci(const char *s, size_t n, const char *needle) {
  size_t m = strlen(needle);
  if (m == 0)
    return s;
  if (!s || m > n)
    return NULL;
  unsigned char l0 = ascii_lower((unsigned char)needle[0]);
  bool letter = l0 >= 'a' && l0 <= 'z';
  /* A letter's two cases differ in bit 5 only: c | 0x20 is l0 exactly
   * when c is one of them. */
  unsigned char fold = letter ? 0x20 : 0;
  size_t last = n - m; /* the last place the needle can start */
  for (size_t i = 0; i <= last; i++) {
#ifdef __SSE2__
    /* Sixteen places at a time to the next that starts like the needle. */
    if (last - i >= 16) {
      const __m128i want = _mm_set1_epi8((char)l0);
      const __m128i bit = _mm_set1_epi8((char)fold);
      unsigned mask = 0;
      while (last - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        mask = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_or_si128(v, bit), want));
        if (mask)
          break;
        i += 16;
      }
      if (mask)
        i += (size_t)__builtin_ctz(mask);
    }
#endif
    if (((unsigned char)s[i] | fold) != l0)
      continue;
    if (ci_prefix(s + i + 1, needle + 1, m - 1))
      return s + i;
  }
  return NULL;
}

/* True when any of `needles` (small ASCII letters or other bytes) occurs
 * in s[0, n), ignoring case: one pass, where only a needle's first byte is
 * looked at before the rest is compared. */
static bool find_any_ci(const char *s, size_t n, const char *const *needles) {
  bool first[256] = {false};
  for (size_t k = 0; needles[k]; k++)
    first[(unsigned char)needles[k][0]] = true;
  for (size_t i = 0; i < n; i++) {
    char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
    if (!first[(unsigned char)c])
      continue;
    for (size_t k = 0; needles[k]; k++) {
      if (needles[k][0] != c)
        continue;
      size_t m = strlen(needles[k]);
      if (m <= n - i && ci_prefix(s + i, needles[k], m))
        return true;
    }
  }
  return false;
}

static bool starts_ci(const char *s, size_t n, const char *prefix) {
  size_t m = strlen(prefix);
  return n >= m && ci_prefix(s, prefix, m);
}

static void trim(const char *s, size_t *start, size_t *end) {
  while (*start < *end) {
    unsigned c;
    size_t l = decode(s + *start, *end - *start, &c);
    if (!is_space(c))
      break;
    *start += l;
  }
  while (*end > *start) {
    size_t k = *end - 1;
    while (k > *start && ((unsigned char)s[k] & 0xC0) == 0x80)
      k--;
    unsigned c;
    decode(s + k, *end - k, &c);
    if (!is_space(c))
      break;
    *end = k;
  }
}

static size_t count_words(const char *s, size_t n) {
  size_t w = 0;
  bool in = false;
  for (size_t i = 0; i < n;) {
    unsigned c;
    i += decode(s + i, n - i, &c);
    bool sp = is_space(c);
    if (!sp && !in)
      w++;
    in = !sp;
  }
  return w;
}

static const char *const agencies[] = {"reuters",
                                       "ap",
                                       "afp",
                                       "dpa",
                                       "efe",
                                       "ansa",
                                       "bloomberg",
                                       "xinhua",
                                       "upi",
                                       "aap",
                                       "kyodo",
                                       "lusa",
                                       "anp",
                                       "belga",
                                       "apa",
                                       "kna",
                                       "epd",
                                       "pa",
                                       "cp",
                                       "ians",
                                       "pti",
                                       "tass",
                                       "yonhap",
                                       "europa press",
                                       "associated press",
                                       "agence france-presse",
                                       NULL};

static bool is_agency(const char *s, size_t n) {
  for (size_t i = 0; agencies[i]; i++)
    if (strlen(agencies[i]) == n && galley_find_ci(s, n, agencies[i]) == s)
      return true;
  return false;
}

GALLEY_API galley_credit galley_recognise_credit(const char *text, size_t len,
                                                 galley_span *value) {
  galley_span dummy;
  if (!value)
    value = &dummy;
  *value = (galley_span){0, 0};
  if (!text)
    return GALLEY_CREDIT_NONE;
  if (len > MAX_SCAN * 4)
    len = MAX_SCAN * 4;
  size_t a = 0, b = len;
  trim(text, &a, &b);
  const char *s = text + a;
  size_t n = b - a;
  /* A news agency's closing credit. */
  size_t p = 0;
  while (p < n && (s[p] == '(' || s[p] == ' '))
    p++;
  static const char *const reporting[] = {
      "reporting by", "additional reporting", "editing by",
      "compiled by",  "writing by",           NULL};
  for (size_t i = 0; reporting[i]; i++)
    if (starts_ci(s + p, n - p, reporting[i])) {
      *value = (galley_span){a, n};
      return GALLEY_CREDIT_REPORTING;
    }
  /* A picture's credit, also at the end of a caption. */
  static const char *const marks[] = {"(image:",
                                      "(photo:",
                                      "(picture:",
                                      "(foto:",
                                      "(bild:",
                                      "credit:",
                                      "photo credit",
                                      "image credit",
                                      "(getty",
                                      "/getty images",
                                      "file photo:",
                                      "foto di ",
                                      "cr\xc3\xa9"
                                      "dit photo",
                                      "cr\xc3\xa9"
                                      "dito:",
                                      "cr\xc3\xa9"
                                      "ditos:",
                                      "bildquelle:",
                                      NULL};
  if (find_any_ci(s, n, marks)) {
    *value = (galley_span){a, n};
    return GALLEY_CREDIT_PICTURE;
  }
  /* "Source: X", "Via X". */
  static const struct {
    const char *label;
    bool colon;
  } sources[] = {{"source:", true},  {"sources:", true}, {"source :", true},
                 {"via:", true},     {"fuente:", true},  {"fonte:", true},
                 {"quelle:", true},  {"bron:", true},    {"via ", false},
                 {"source ", false}, {NULL, false}};
  for (size_t i = 0; sources[i].label; i++) {
    size_t l = strlen(sources[i].label);
    if (n <= l || !starts_ci(s, n, sources[i].label))
      continue;
    size_t vs = a + l, ve = b;
    trim(text, &vs, &ve);
    if (vs == ve || count_words(text + vs, ve - vs) > 8)
      break;
    unsigned c;
    decode(text + vs, ve - vs, &c);
    /* Without a colon the words must name something: "Via Reuters", not
     * "Via the new app, …". */
    if (!sources[i].colon && letter_case(c) < 0 &&
        !memchr(text + vs, '.', ve - vs))
      break;
    *value = (galley_span){vs, ve - vs};
    return GALLEY_CREDIT_SOURCE;
  }
  /* "(Reuters)" alone, or leading a story: "LONDON (Reuters) -". */
  const char *open = memchr(s, '(', n < 80 ? n : 80);
  if (open) {
    const char *close = memchr(open, ')', (size_t)(s + n - open));
    bool lead = true;
    for (const char *q = s; q < open; q++)
      if ((*q >= 'a' && *q <= 'z'))
        lead = false; /* a place written in capitals only */
    if (close && lead && is_agency(open + 1, (size_t)(close - open - 1))) {
      const char *rest = close + 1;
      while (rest < s + n && *rest == ' ')
        rest++;
      bool alone = open == s && rest == s + n;
      bool leads = rest < s + n &&
                   (*rest == '-' ||
                    starts_ci(rest, (size_t)(s + n - rest), "\xe2\x80\x94") ||
                    starts_ci(rest, (size_t)(s + n - rest), "\xe2\x80\x93"));
      if (alone || leads) {
        *value = (galley_span){(size_t)(open + 1 - text),
                               (size_t)(close - open - 1)};
        return GALLEY_CREDIT_AGENCY;
      }
    }
  }
  static const char *const starts[] = {
      "photo:", "image:", "foto:", "fotos:", "photos:", "bild:",
      "\xd1\x84\xd0\xbe\xd1\x82\xd0\xbe:",  /* фото: */
      "\xd0\xa4\xd0\xbe\xd1\x82\xd0\xbe:",  /* Фото: */
      "\xd0\xa4\xd0\x9e\xd0\xa2\xd0\x9e:",  /* ФОТО: */
      NULL};
  for (size_t i = 0; starts[i]; i++)
    if (starts_ci(s, n, starts[i])) {
      *value = (galley_span){a, n};
      return GALLEY_CREDIT_PICTURE;
    }
  /* "© Aaron Schwartz": a short line that opens with the copyright sign
   * and names who holds it. */
  if (starts_ci(s, n, "\xc2\xa9") && count_words(s, n) <= 6) {
    *value = (galley_span){a, n};
    return GALLEY_CREDIT_PICTURE;
  }
  return GALLEY_CREDIT_NONE;
}

/* ---- Bylines ------------------------------------------------------------- */

/* The first separator at or after `from` in s[from, n) that ends a byline's
 * names; its length goes to *len. */
/* The length of the separator that ends a byline's names at s[i] (of
 * s[0, n)), 0 when there is none there. */
static size_t separator_at(const char *s, size_t i, size_t n) {
  static const char *const seps[] = {"|",
                                     " - ",
                                     " / ",
                                     "//",
                                     "\xe2\x80\x93",
                                     /* – */ "\xe2\x80\x94",
                                     /* — */ "\xe2\x80\xa2", /* • */
                                     "\xc2\xb7",
                                     /* · */ "\xef\xbc\x8f",
                                     /* ／ */ "\n",
                                     NULL};
  unsigned char c = (unsigned char)s[i];
  /* The bytes a separator starts with; any other is none. */
  if (c != '|' && c != ' ' && c != '/' && c != '\n' && c != 0xE2 && c != 0xC2 &&
      c != 0xEF)
    return 0;
  for (size_t k = 0; seps[k]; k++) {
    size_t l = strlen(seps[k]);
    if (n - i >= l && memcmp(s + i, seps[k], l) == 0)
      return l;
  }
  return 0;
}

/* The first separator at or after `from` in s[from, n) that ends a byline's
 * names; its length goes to *len. */
static size_t separator(const char *s, size_t from, size_t n, size_t *len) {
  for (size_t i = from; i < n; i++)
    if ((*len = separator_at(s, i, n)) != 0)
      return i;
  *len = 0;
  return n;
}

/* The words of s[a, b), one at a time: *ws and *we get the next word's
 * bytes. */
static bool next_word(const char *s, size_t *pos, size_t b, size_t *ws,
                      size_t *we) {
  size_t i = *pos;
  while (i < b) {
    unsigned c;
    size_t l = decode(s + i, b - i, &c);
    if (!is_space(c))
      break;
    i += l;
  }
  if (i >= b)
    return false;
  *ws = i;
  while (i < b) {
    unsigned c;
    size_t l = decode(s + i, b - i, &c);
    if (is_space(c))
      break;
    i += l;
  }
  *we = i;
  *pos = i;
  return true;
}

/* A word that is one of the list, maybe with a full stop. */
static bool word_in(const char *w, size_t n, const char *const *list) {
  if (in_list(w, n, list))
    return true;
  return n > 1 && w[n - 1] == '.' && in_list(w, n - 1, list);
}

/* Is every word of w[0, n) a weekday, a month or a word from date_words
 * ("segunda-feira", "Tuesday", "Updated")? */
static bool is_date_word(const char *w, size_t n) {
  toks k;
  tokenize(&k, w, n);
  size_t words = 0, next;
  for (size_t i = 0; i < k.nt; i++) {
    if (k.t[i].type == T_PUNCT)
      continue;
    if (!tok_in(&k, i, date_words) && !weekday_at(&k, i) &&
        !month_at(&k, i, &next))
      return false;
    words++;
  }
  return words > 0;
}

/* A word that leads up to a date and goes with it from the end of a
 * byline: "on", "Updated", "publiziert", "Tuesday". Short words written
 * with a capital stay: "Le" and "Da" are names too. */
static bool lead_word(const char *w, size_t n) {
  toks k;
  tokenize(&k, w, n);
  if (k.nt != 1 ||
      !(tok_in(&k, 0, date_words) || weekday_at(&k, 0) || tok_in(&k, 0, zones)))
    return false;
  unsigned c;
  decode(w, n, &c);
  return letter_case(c) < 0 || n >= 4;
}

/* A character a name may hold besides letters: "Roberts-Grey", "O'Brien",
 * "John C. Welch"; a marked byline may be a user name ("greg_b"). */
static bool name_char(unsigned c, bool marked) {
  return c == '-' || c == '\'' || c == 0x2019 || c == '.' ||
         (marked && c == '_');
}

/* A person's name as bylines write it: one to five words written with a
 * capital (particles such as "de", "van" in small letters), no digits, not
 * a date, a site or a sentence. A marked byline may also be one user name
 * in small letters. */
static bool looks_like_name(const char *s, size_t a, size_t b, bool marked) {
  if (b - a == 0 || b - a > (marked ? 80u : 60u))
    return false;
  if (is_date_word(s + a, b - a))
    return false;
  size_t pos = a, ws, we, words = 0, small = 0, long_words = 0;
  size_t last_s = a, last_e = a;
  int bracket = 0;
  while (next_word(s, &pos, b, &ws, &we)) {
    last_s = ws, last_e = we;
    /* Words in brackets are a nickname: "Richard (R.J.) Eskow". */
    if (s[ws] == '(' || bracket) {
      bracket = s[we - 1] != ')';
      continue;
    }
    if (in_list(s + ws, we - ws, particles))
      continue;
    unsigned c, prev = 0;
    decode(s + ws, we - ws, &c);
    if (!is_letter(c))
      return false;
    size_t letters = 0;
    for (size_t i = ws; i < we; prev = c) {
      i += decode(s + i, we - i, &c);
      letters += is_letter(c);
      if (!is_letter(c) && !name_char(c, marked))
        return false;
      /* "spokesman.com": a site, not a name. */
      if (prev == '.' && letter_case(c) < 0)
        return false;
    }
    decode(s + ws, we - ws, &c);
    if (letter_case(c) < 0)
      small++;
    words++;
    long_words += letters > 1;
  }
  /* Initials alone are no name: "J J" (a commenter's avatar letter and
   * user name), "A. B.". */
  if (words == 0 || words > 5 || long_words == 0)
    return false;
  if (small > (marked && words == 1 ? 1u : 0u))
    return false;
  if (words == 1 && word_in(s + last_s, last_e - last_s, byline_marks))
    return false;
  /* "By Jane Doe." reads as a sentence; "John C. Welch", "Jr." do not. */
  if (s[last_e - 1] == '.' && last_e - last_s > 3 &&
      !word_in(s + last_s, last_e - last_s, degrees))
    return false;
  return true;
}

static bool in_domain(const toks *k, size_t i);

static bool has_affiliation(const char *s, size_t a, size_t b) {
  toks k;
  tokenize(&k, s + a, b - a);
  for (size_t i = 0; i < k.nt; i++)
    if (tok_in(&k, i, affiliations) || in_domain(&k, i))
      return true; /* "CNN Editor-at-large", "Cleveland.com" */
  return false;
}

static bool is_degree(const char *s, size_t a, size_t b) {
  return count_words(s + a, b - a) == 1 && word_in(s + a, b - a, degrees);
}

/* Relative times that follow a name: "1 day ago", "3 hours ago", "hace 2
 * horas", "il y a 3 heures", "vor 2 Stunden", "2 ore fa", "2 uur geleden".
 * Returns the byte where the first one starts, or `n`. */
static size_t relative_time(const toks *k, size_t n) {
  static const char *const units[] = {"second",
                                      "seconds",
                                      "sec",
                                      "secs",
                                      "minute",
                                      "minutes",
                                      "min",
                                      "mins",
                                      "hour",
                                      "hours",
                                      "hr",
                                      "hrs",
                                      "day",
                                      "days",
                                      "week",
                                      "weeks",
                                      "month",
                                      "months",
                                      "year",
                                      "years",
                                      "horas",
                                      "hora",
                                      "dias",
                                      "d\xc3\xad"
                                      "as",
                                      "heures",
                                      "heure",
                                      "jours",
                                      "stunden",
                                      "stunde",
                                      "tagen",
                                      "ore",
                                      "giorni",
                                      "uur",
                                      "dagen",
                                      NULL};
  for (size_t i = 0; i < k->nt; i++) {
    if (k->t[i].type != T_NUM || !tok_in(k, i + 1, units))
      continue;
    if (tok_is(k, i + 2, "ago") || tok_is(k, i + 2, "fa") ||
        tok_is(k, i + 2, "geleden"))
      return k->t[i].start;
    if (i > 0 && (tok_is(k, i - 1, "hace") || tok_is(k, i - 1, "vor") ||
                  tok_is(k, i - 1, "h\xc3\xa1")))
      return k->t[i - 1].start;
    if (i > 2 && tok_is(k, i - 1, "a") && tok_is(k, i - 2, "y") &&
        tok_is(k, i - 3, "il"))
      return k->t[i - 3].start;
  }
  return n;
}

/* Where the names of a byline end in s[0, n): at a date, a reading time, a
 * relative time, a handle or e-mail address, a bracket, a self-description
 * ("Jane Doe is a reporter…"). Fills the byline's date. */
static size_t names_end(const char *s, size_t n, galley_byline *out) {
  toks k;
  found f;
  tokenize(&k, s, n);
  size_t cut = k.n;
  if (find_date(&k, &f, &out->date)) {
    out->has_date = true;
    cut = k.t[f.d.first].start;
    if (f.timed && k.t[f.t.first].start < cut)
      cut = k.t[f.t.first].start; /* "Published 7:07 PM EST Nov 19, 2019" */
  }
  unsigned m;
  size_t first, last;
  if (find_reading(&k, 0, &m, &first, &last) && k.t[first].start < cut)
    cut = k.t[first].start;
  size_t r = relative_time(&k, k.n);
  if (r < cut)
    cut = r;
  /* Names have no digits: "Lucas Nolan22 Dec 2016651", "0 Comments";
   * a month before the number goes too ("Erin Cunningham March 14 at
   * 6:45 PM": a date without its year). */
  for (size_t i = 0; i < k.nt; i++)
    if (k.t[i].type == T_NUM && k.t[i].start < cut) {
      size_t next;
      cut = k.t[i].start;
      if (i > 0 && month_at(&k, i - 1, &next) && next == i)
        cut = k.t[i - 1].start;
      else if (i > 1 && month_at(&k, i - 2, &next) && next == i)
        cut = k.t[i - 2].start; /* "Mar. 14" */
      break;
    }
  for (size_t i = 0; i < cut; i++) {
    if (s[i] == '(' || s[i] == '[') {
      /* A nickname or middle name in brackets, the name going on after
       * it, stays: "Richard (R.J.) Eskow". */
      const char *close = memchr(s + i, s[i] == '(' ? ')' : ']', cut - i);
      size_t after = close ? (size_t)(close - s) + 1 : cut;
      while (after < cut && s[after] == ' ')
        after++;
      unsigned c = 0;
      if (close && after < cut && after > (size_t)(close - s) + 1)
        decode(s + after, cut - after, &c);
      if (letter_case(c) > 0) {
        i = (size_t)(close - s);
        continue;
      }
      cut = i;
      break;
    }
    if (s[i] != '@')
      continue;
    /* "Chaim Gartenberg@cgartenberg": the handle goes; in
     * "meganr@spokesman.com" the whole address. */
    size_t w = i;
    while (w > 0 && s[w - 1] != ' ')
      w--;
    unsigned c;
    decode(s + w, n - w, &c);
    cut = (w < i && letter_case(c) > 0) ? i : w;
    break;
  }
  /* "Jane Doe is a reporter…", "Rob Ewaschuk Edited by Betsy Beyer". */
  static const char *const describes[] = {" is a ",
                                          " is an ",
                                          " is the ",
                                          " was a ",
                                          " es ",
                                          " est ",
                                          " ist ",
                                          " edited by ",
                                          " editing by ",
                                          " photos by ",
                                          " photographs by ",
                                          " photography by ",
                                          " illustrations by ",
                                          " additional reporting",
                                          NULL};
  for (size_t i = 0; describes[i]; i++) {
    const char *d = galley_find_ci(s, cut, describes[i]);
    if (d)
      cut = (size_t)(d - s);
  }
  return cut;
}

/* Drops from the end of s[a, *b) what leads up to a date: spaces, ",;:",
 * "on", "published", "Updated", "publiziert am"; and a weekday or date word
 * glued to the last name ("Tom RoganTuesday"). */
static void trim_tail(const char *s, size_t a, size_t *b) {
  for (;;) {
    trim(s, &a, b);
    if (*b > a && strchr(",;:-", s[*b - 1])) {
      (*b)--;
      continue;
    }
    size_t ws = *b;
    while (ws > a && s[ws - 1] != ' ')
      ws--;
    if (ws > a && lead_word(s + ws, *b - ws)) {
      *b = ws;
      continue;
    }
    /* A capital inside the last word that starts a new word ("RoganTuesday",
     * "TODAYPublished") may start a glued date word. */
    bool cut = false;
    for (size_t i = ws + 1; i < *b && !cut; i++) {
      bool up = s[i] >= 'A' && s[i] <= 'Z';
      bool after_small = s[i - 1] >= 'a' && s[i - 1] <= 'z';
      bool before_small = i + 1 < *b && s[i + 1] >= 'a' && s[i + 1] <= 'z';
      if (up && (after_small || before_small) && lead_word(s + i, *b - i))
        *b = i, cut = true;
    }
    if (!cut)
      break;
  }
}

/* Splits s[a, b) into the parts a byline joins with "," ";" "&" or a word
 * such as "and"; calls back with each part's bytes. */
static size_t join_at(const char *s, size_t i, size_t b) {
  if (s[i] == ',' || s[i] == ';' || s[i] == '&')
    return 1;
  if (s[i] != ' ')
    return 0;
  static const char *const joins[] = {" and ", " AND ", " y ",  " e ",
                                      " et ",  " und ", " en ", NULL};
  for (size_t k = 0; joins[k]; k++) {
    size_t l = strlen(joins[k]);
    if (b - i >= l && memcmp(s + i, joins[k], l) == 0)
      return l;
  }
  return 0;
}

/* A byline word at `a` ("By", "Por", "Geschrieben von"): the byte after it
 * and its colon, or `a` when there is none. */
static size_t byline_word(const char *s, size_t a, size_t b) {
  if (a >= b)
    return a;
  char first = s[a] >= 'A' && s[a] <= 'Z' ? (char)(s[a] + 32) : s[a];
  for (size_t i = 0; byline_words[i]; i++) {
    if (byline_words[i][0] != first)
      continue; /* the words are small letters; "É" starts like "é" */
    size_t l = strlen(byline_words[i]);
    bool whole;
    if (b - a <= l || prefix_of(s + a, l, byline_words[i], &whole) < 0 ||
        !whole)
      continue;
    size_t p = a + l;
    size_t q = p;
    while (q < b && s[q] == ' ')
      q++;
    bool colon = q < b && s[q] == ':';
    if ((s[p] != ' ' && s[p] != ':' && s[p] != '\t' && s[p] != '\n' &&
         (unsigned char)s[p] != 0xC2) ||
        (needs_colon(byline_words[i]) && !colon))
      continue;
    while (p < b) {
      unsigned c;
      size_t n = decode(s + p, b - p, &c);
      if (!is_space(c) && c != ':')
        break;
      p += n;
    }
    return p;
  }
  return a;
}

GALLEY_API bool galley_recognise_byline(const char *text, size_t len,
                                        unsigned flags, galley_byline *out) {
  if (!text || !out)
    return false;
  memset(out, 0, sizeof *out);
  bool marked = (flags & GALLEY_BYLINE_MARKED) != 0;
  if (len > MAX_SCAN / 2)
    return false;
  size_t a = 0, b = len;
  trim(text, &a, &b);
  /* "// By …", "— By …": separators before the byline. */
  for (;;) {
    size_t l = 0;
    if (a < b && strchr("/|-*", text[a]))
      l = 1;
    else if (a < b && text[a] != '\n')
      l = separator_at(text, a, b);
    if (!l)
      break;
    a += l;
    trim(text, &a, &b);
  }
  if (marked &&
      galley_recognise_credit(text + a, b - a, NULL) != GALLEY_CREDIT_NONE)
    return false; /* "Source: Iran Press TV" names no author */
  size_t start = byline_word(text, a, b);
  if (start == a && marked) {
    /* A label in any language before the names: "Текст: Венера Ерофеева". */
    size_t ws, we, pos = a;
    if (next_word(text, &pos, b, &ws, &we) && we - ws <= 32 &&
        text[we - 1] == ':') {
      start = we;
      trim(text, &start, &b);
    }
  }
  if (start == a && !marked)
    return false;
  size_t cut = start + names_end(text + start, b - start, out);
  if (out->has_date)
    out->date.span.start += start;
  size_t sl, sep = separator(text, start, cut, &sl);
  if (sep < cut) {
    size_t rs = sep + sl, sl2, re = separator(text, rs, cut, &sl2);
    trim(text, &rs, &re);
    while (re > rs && strchr(",;:", text[re - 1]))
      re--;
    out->rest = (galley_span){rs, re - rs};
  }
  size_t end = sep;
  trim_tail(text, start, &end);
  size_t seg = start;
  for (size_t i = start; i <= end;) {
    size_t l = i < end ? join_at(text, i, end) : 1;
    if (!l) {
      i++;
      continue;
    }
    size_t ss = seg, se = i;
    trim(text, &ss, &se);
    i += l;
    seg = i;
    if (ss == se || is_degree(text, ss, se))
      continue;
    if (out->n_names && has_affiliation(text, ss, se)) {
      if (!out->rest.len)
        out->rest = (galley_span){ss, end - ss};
      break;
    }
    if (!looks_like_name(text, ss, se, marked)) {
      if (marked && out->n_names)
        break;
      memset(out, 0, sizeof *out);
      return false;
    }
    if (out->n_names < GALLEY_BYLINE_MAX_NAMES)
      out->names[out->n_names++] = (galley_span){ss, se - ss};
  }
  if (!out->n_names) {
    memset(out, 0, sizeof *out);
    return false;
  }
  return true;
}

GALLEY_API bool galley_recognise_byline_mark(const char *name) {
  static const char *const marks[] = {"byline", "author", "writtenby", NULL};
  if (!name)
    return false;
  /* One pass: only where a mark's first letter stands is it compared. */
  for (const char *p = name; *p; p++) {
    char c = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
    if (c != 'b' && c != 'a' && c != 'w')
      continue;
    for (size_t i = 0; marks[i]; i++) {
      size_t l = strlen(marks[i]);
      if (marks[i][0] != c || !starts_ci(p, strnlen(p, l), marks[i]))
        continue;
      /* Not "authorization", "authority", "authoring". */
      if (p[l] != 'i' && p[l] != 'I')
        return true;
    }
  }
  return false;
}

/* ---- Datelines ----------------------------------------------------------- */

/* Separators between the parts of a meta line: | · • — – ／ and a hyphen or
 * slash with spaces around it. */
static bool part_separator(const toks *k, size_t i) {
  if (i >= k->nt || k->t[i].type != T_PUNCT)
    return false;
  unsigned c = k->t[i].cp;
  if (c == '|' || c == 0xB7 || c == 0x2022 || c == 0x2014 || c == 0x2013 ||
      c == 0xFF0F || c == 0x2027 || c == 0x2219 || c == 0xFF5C)
    return true;
  return (c == '-' || c == '/') && !k->t[i].glued &&
         (i + 1 >= k->nt || !k->t[i + 1].glued);
}

/* A word glued into a site's name: "smithsonian.com", "LWN.net". */
static bool in_domain(const toks *k, size_t i) {
  return (glued_punct(k, i + 1, '.') && i + 2 < k->nt &&
          k->t[i + 2].type == T_WORD && k->t[i + 2].glued) ||
         (k->t[i].glued && i > 0 && glued_punct(k, i - 1, '.') && i > 1 &&
          k->t[i - 2].type == T_WORD);
}

/* The part of the line that holds the date: besides what `only` allows,
 * names written with capitals and the words that mark a byline. */
static bool date_part(const toks *k, const found *f, size_t s, size_t e) {
  size_t names = 0;
  for (size_t j = s; j < e; j++) {
    if (covered(f, k, j))
      continue;
    /* Another date or time: "Nov. 20, 2019Updated: Nov. 20, 2019 1:35
     * a.m.", "Updated 0339 GMT (1139 HKT) November 19, 2019". */
    dmatch dm;
    tmatch tm;
    if (date_at(k, j, &dm) && dm.last < e) {
      j = dm.last;
      continue;
    }
    if (time_at(k, j, &tm) && tm.last < e) {
      j = tm.last;
      continue;
    }
    const tok *t = &k->t[j];
    if (t->type == T_PUNCT) {
      if (t->cp == '@' && j + 1 < e && k->t[j + 1].type == T_WORD &&
          k->t[j + 1].glued)
        return false; /* a handle: "(@ironshay)" signs a quoted post */
      continue;
    }
    if (t->type == T_NUM) {
      if (j > 0 && (tok_punct(k, j - 1, '+') || tok_punct(k, j - 1, '-') ||
                    (glued_punct(k, j - 1, ':') && j > 2 &&
                     (tok_punct(k, j - 3, '+') || tok_punct(k, j - 3, '-')))))
        continue;
      /* A count at the end: "Sarah Gooding March 9, 2017 13" (comments). */
      if (j + 1 == k->nt && j > s)
        continue;
      return false;
    }
    if (tok_in(k, j, date_words) || weekday_at(k, j) || zone_at(k, j) ||
        tok_in(k, j, byline_marks) || tok_in(k, j, particles) ||
        in_domain(k, j))
      continue;
    unsigned c;
    decode(k->s + t->start, t->end - t->start, &c);
    if (letter_case(c) < 0)
      return false;
    names++;
  }
  return names <= 6;
}

/* Any other part: a reading time, a byline, a credit, another date, or a
 * few words that are not a sentence. */
static bool other_part(const toks *k, size_t s, size_t e) {
  if (s >= e)
    return true;
  const char *p = k->s + k->t[s].start;
  size_t n = k->t[e - 1].end - k->t[s].start;
  galley_byline by;
  galley_date d;
  if (galley_recognise_reading_time(p, n, NULL, NULL) ||
      galley_recognise_credit(p, n, NULL) != GALLEY_CREDIT_NONE ||
      galley_recognise_byline(p, n, 0, &by) || galley_recognise_date(p, n, &d))
    return true;
  size_t words = 0;
  for (size_t j = s; j < e; j++)
    if (k->t[j].type != T_PUNCT)
      words++;
  unsigned c = k->t[e - 1].type == T_PUNCT ? k->t[e - 1].cp : 0;
  return words <= 6 && c != '.' && c != '!' && c != '?';
}

GALLEY_API bool galley_recognise_dateline(const char *text, size_t len,
                                          galley_date *out) {
  if (!text || !out || !has_digit(text, len))
    return false;
  toks k;
  found f;
  galley_date d;
  tokenize(&k, text, len);
  if (!find_date(&k, &f, &d))
    return false;
  if (!d.only) {
    if (k.truncated)
      return false;
    size_t words = 0, parts = 1;
    for (size_t i = 0; i < k.nt; i++) {
      unsigned c = k.t[i].cp;
      if (k.t[i].type != T_PUNCT)
        words++;
      else if (c == '"' || c == 0x201C || c == 0x201D || c == 0x201E ||
               c == 0xAB || c == 0xBB || c == '^')
        return false; /* a quotation or a reference */
      else if (part_separator(&k, i))
        parts++;
    }
    /* 24 words, or ten a part for a line set out in three or four parts
     * ("Le Monde | 04.05.2015 à 13h36 • Mis à jour le 05.05.2015 à 20h13
     * | Par Martin Untersinger (avec Damien Leloup et Morgane Tual)"):
     * each part is asked below. */
    size_t most = parts >= 3 ? 10 * (parts < 4 ? parts : 4) : 24;
    if (words > most || galley_find_ci(text, k.n, "://") ||
        galley_find_ci(text, k.n, "www."))
      return false;
    size_t s = 0;
    for (size_t i = 0; i <= k.nt; i++) {
      /* A slash that is not part of the date parts too: "October 12,
       * 2018/0 Comments/in Promotion /by jdadmin". */
      if (i < k.nt && !part_separator(&k, i) &&
          !(tok_punct(&k, i, '/') && !covered(&f, &k, i)))
        continue;
      bool has_date = f.d.first >= s && f.d.first < i;
      if (has_date ? !date_part(&k, &f, s, i) : !other_part(&k, s, i))
        return false;
      s = i + 1;
    }
  }
  *out = d;
  return true;
}

/* ---- Titles -------------------------------------------------------------- */

/* The letters and digits of s[0, n), folded, in `key` (at most `cap` - 1
 * bytes, NUL-terminated): "LWN.net", "lwn.net" and "Lwn Net" share one. */
static size_t site_key(const char *s, size_t n, char *key, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    unsigned c;
    size_t l = decode(s + i, n - i, &c);
    if (is_letter(c) || is_digit(c)) {
      unsigned f = fold(c);
      char buf[4];
      size_t bl;
      if (f < 0x80)
        buf[0] = (char)f, bl = 1;
      else if (f == c)
        memcpy(buf, s + i, l), bl = l;
      else if (f < 0x800)
        buf[0] = (char)(0xC0 | (f >> 6)), buf[1] = (char)(0x80 | (f & 0x3F)),
        bl = 2;
      else
        memcpy(buf, s + i, l), bl = l; /* folds stay below 0x800 */
      if (o + bl >= cap)
        break;
      memcpy(key + o, buf, bl);
      o += bl;
    }
    i += l;
  }
  key[o] = '\0';
  return o;
}

/* Does the text s[0, n) name the site `site`: the same letters and digits,
 * or one label of a host name ("Wikipedia" and "en.wikipedia.org",
 * "Factorio" and "Factorio.com", "Le Monde" and "Le Monde.fr")? */
static bool names_site(const char *s, size_t n, const char *site) {
  char a[256], b[256];
  if (site_key(s, n, a, sizeof a) == 0)
    return false;
  size_t sl = strnlen(site, 512);
  /* A URL: only its host. */
  const char *scheme = galley_find_ci(site, sl, "://");
  if (scheme) {
    const char *h = scheme + 3, *e = h;
    while (e < site + sl && *e != '/' && *e != ':' && *e != '?' && *e != '#')
      e++;
    site = h;
    sl = (size_t)(e - h);
  }
  site_key(site, sl, b, sizeof b);
  if (strcmp(a, b) == 0)
    return true;
  /* The parts between full stops, but the last one (".com", ".fr"). */
  const char *p = site, *end = site + sl;
  while (p < end) {
    const char *dot = memchr(p, '.', (size_t)(end - p));
    if (!dot)
      break;
    size_t kl = site_key(p, (size_t)(dot - p), b, sizeof b);
    if (kl >= 2 && strcmp(b, "www") != 0 && strcmp(a, b) == 0)
      return true;
    p = dot + 1;
  }
  return false;
}

/* The separator of a title's parts at s[i] of s[0, n): its length (with
 * the spaces around it), 0 when there is none. A hyphen, a slash or an
 * underscore counts only with a space before it ("Just-released" is one
 * word). */
static size_t title_separator_at(const char *s, size_t i, size_t n) {
  static const char *const seps[] = {
      " | ", " \xe2\x80\x93 ", /* – */
      " \xe2\x80\x94 ",        /* — */
      " - ",  " \xc2\xb7 ",    /* · */
      " \xe2\x80\xa2 ",        /* • */
      " :: ", " \xc2\xbb ",    /* » */
      " / ",  " ~ ",
      " _",   " \xef\xbd\x9c ", /* ｜ */
      NULL};
  if (s[i] != ' ')
    return 0;
  for (size_t k = 0; seps[k]; k++) {
    size_t l = strlen(seps[k]);
    if (n - i >= l && memcmp(s + i, seps[k], l) == 0)
      return l;
  }
  return 0;
}

GALLEY_API bool galley_recognise_title_site(const char *title, size_t len,
                                            const char *const *sites,
                                            galley_span *kept) {
  if (!title || !sites || !kept || len > MAX_SCAN)
    return false;
  size_t a = 0, b = len;
  trim(title, &a, &b);
  if (a >= b)
    return false;
  /* Runs of white space count as one: a <title> is often wrapped. */
  char s[MAX_SCAN + 1];
  size_t map[MAX_SCAN + 1], n = 0;
  bool sp = false;
  for (size_t i = a; i < b;) {
    unsigned c;
    size_t l = decode(title + i, b - i, &c);
    if (is_space(c)) {
      sp = true;
      i += l;
      continue;
    }
    if (sp)
      map[n] = i, s[n++] = ' ';
    sp = false;
    for (size_t j = 0; j < l; j++)
      map[n] = i + j, s[n++] = title[i + j];
    i += l;
  }
  map[n] = b;
  s[n] = '\0';
  /* The last part, after its separator; "[Site]" at the end is one too. */
  size_t last_at = n, last_len = 0;
  for (size_t i = 1; i + 1 < n; i++) {
    size_t l = title_separator_at(s, i, n);
    if (!l)
      continue;
    last_at = i, last_len = l;
    i += l - 1;
  }
  size_t head_end = n, tail_s = n, tail_e = n;
  if (s[n - 1] == ']') {
    size_t o = n - 1;
    while (o > 0 && s[o] != '[')
      o--;
    if (o > 1 && s[o] == '[' && s[o - 1] == ' ')
      head_end = o - 1, tail_s = o + 1, tail_e = n - 1;
  }
  if (tail_s == n && last_at < n)
    head_end = last_at, tail_s = last_at + last_len, tail_e = n;
  for (size_t k = 0; tail_s < n && sites[k]; k++) {
    if (head_end == 0 || !*sites[k] ||
        !names_site(s + tail_s, tail_e - tail_s, sites[k]))
      continue;
    *kept = (galley_span){map[0], map[head_end - 1] + 1 - map[0]};
    /* A multi-byte character ends where its last byte does. */
    while (kept->start + kept->len < b &&
           ((unsigned char)title[kept->start + kept->len] & 0xC0) == 0x80)
      kept->len++;
    return true;
  }
  return false;
}
