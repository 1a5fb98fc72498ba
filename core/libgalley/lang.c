/* Languages: BCP 47 tags made regular, the language of an article that
 * does not declare one (its letters' script, then libexttextcat's n-gram
 * models), and the direction it is written in; the pipeline's language
 * step, run once after the transforms. */
#define _GNU_SOURCE /* memmem */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "galley/lang.h"
#include "private.h"

#ifdef GALLEY_HAVE_EXTTEXTCAT
#include <textcat.h>
#endif

/* Text looked at: the models need a few hundred bytes, more only costs. */
#define SAMPLE_MAX 4096
/* What the n-gram models are given: their cost grows with it, and a few
 * hundred bytes of prose are enough for them. */
#define MODEL_SAMPLE_MAX 2048
/* Below this many letters of Latin script no model is trusted. */
#define LATIN_MIN_LETTERS 24
/* The n-gram models guess wildly on a few words ("Replace javascript:
 * links abc def" is Romanian to them): Latin text goes to them only from
 * about twenty words on. */
#define LATIN_MODEL_MIN_LETTERS 120
/* Shorter Latin text goes to them only when its function words and they
 * agree (short_text_guess), from about eight words on: a heading and a
 * list item say nothing, and a conversion of a few words does not load
 * the models. */
#define LATIN_SHORT_MIN_LETTERS 40

/* ---- Tags -------------------------------------------------------------- */

static bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static char upper(char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

GALLEY_API int galley_lang_normalize(const char *tag, char *out, size_t size) {
  if (!out || !size)
    return GALLEY_EINVALID;
  out[0] = '\0';
  if (!tag)
    return GALLEY_EINVALID;
  while (*tag == ' ' || *tag == '\t' || *tag == '\n' || *tag == '\r')
    tag++;
  size_t n = strcspn(tag, ",; \t\r\n.@");
  if (n == 0 || n >= size)
    return n ? GALLEY_ELIMIT : GALLEY_EINVALID;
  char *buf = out;
  memcpy(buf, tag, n);
  buf[n] = '\0';
  /* Subtag by subtag: its place and shape say what it is. */
  size_t idx = 0;
  bool private_use = false, after_variant = false;
  char *p = buf;
  while (*p) {
    char *s = p;
    size_t len = 0;
    while (s[len] && s[len] != '-' && s[len] != '_')
      len++;
    if (len == 0 || len > 8)
      goto invalid;
    for (size_t i = 0; i < len; i++)
      if (!is_alpha(s[i]) && (idx == 0 || !is_digit(s[i])))
        goto invalid;
    if (idx == 0) {
      /* A language of 2-3 letters (none of 5-8 is registered: "English"
       * is a word, not a tag), "x" for private use, "i" for the
       * grandfathered tags. */
      if (len > 3 || (len == 1 && lower(s[0]) != 'x' && lower(s[0]) != 'i'))
        goto invalid;
      for (size_t i = 0; i < len; i++)
        s[i] = lower(s[i]);
      private_use = len == 1;
    } else if (!private_use && len == 4 && is_alpha(s[0]) && !after_variant) {
      s[0] = upper(s[0]); /* script: Hant */
      for (size_t i = 1; i < len; i++)
        s[i] = lower(s[i]);
    } else if (!private_use && !after_variant &&
               ((len == 2 && is_alpha(s[0]) && is_alpha(s[1])) ||
                (len == 3 && is_digit(s[0]) && is_digit(s[1]) &&
                 is_digit(s[2])))) {
      for (size_t i = 0; i < len; i++)
        s[i] = upper(s[i]); /* region: BR, 419 */
    } else {
      for (size_t i = 0; i < len; i++)
        s[i] = lower(s[i]);
      if (len == 1)
        private_use = private_use || lower(s[0]) == 'x';
      if (len >= 5 || (len == 4 && is_digit(s[0])) || len == 1)
        after_variant = true;
    }
    if (s[len] == '_')
      s[len] = '-';
    if (s[len] == '-' && !s[len + 1])
      goto invalid; /* "en-" */
    p = s[len] ? s + len + 1 : s + len;
    idx++;
  }
  /* Codes ISO 639 withdrew, still on pages. */
  static const char *const old[][2] = {{"iw", "he"}, {"in", "id"}, {"ji", "yi"}};
  for (size_t i = 0; i < sizeof old / sizeof old[0]; i++)
    if (buf[0] == old[i][0][0] && buf[1] == old[i][0][1] &&
        (buf[2] == '\0' || buf[2] == '-')) {
      buf[0] = old[i][1][0];
      buf[1] = old[i][1][1];
    }
  return GALLEY_OK;
invalid:
  out[0] = '\0';
  return GALLEY_EINVALID;
}

GALLEY_API bool galley_lang_is_rtl(const char *tag) {
  char t[64];
  if (galley_lang_normalize(tag, t, sizeof t) != GALLEY_OK)
    return false;
  static const char *const scripts[] = {"Arab", "Hebr", "Thaa", "Syrc",
                                        "Nkoo", "Adlm", "Rohg", "Samr",
                                        "Mand", "Mend", NULL};
  char *dash = strchr(t, '-');
  if (dash && strlen(dash + 1) >= 4 && (dash[5] == '\0' || dash[5] == '-')) {
    for (size_t i = 0; scripts[i]; i++)
      if (!strncmp(dash + 1, scripts[i], 4))
        return true;
    return false; /* a script subtag says it all: az-Latn, pa-Guru */
  }
  if (dash)
    *dash = '\0';
  static const char *const langs[] = {
      "ar",  "he",  "fa",  "ur",  "yi",  "ps",  "sd",  "ug", "dv",  "ckb",
      "syr", "arc", "arz", "ary", "apc", "acm", "prs", "ks", "azb", "lrc",
      "mzn", "glk", "pnb", "bal", "nqo", "ug",  "khw", "sdh", NULL};
  for (size_t i = 0; langs[i]; i++)
    if (!strcmp(t, langs[i]))
      return true;
  return false;
}

/* ---- Scripts ----------------------------------------------------------- */

typedef enum {
  S_LATIN,
  S_GREEK,
  S_CYRILLIC,
  S_ARMENIAN,
  S_HEBREW,
  S_ARABIC,
  S_SYRIAC,
  S_THAANA,
  S_DEVANAGARI,
  S_BENGALI,
  S_GURMUKHI,
  S_GUJARATI,
  S_ORIYA,
  S_TAMIL,
  S_TELUGU,
  S_KANNADA,
  S_MALAYALAM,
  S_SINHALA,
  S_THAI,
  S_LAO,
  S_TIBETAN,
  S_MYANMAR,
  S_GEORGIAN,
  S_HANGUL,
  S_ETHIOPIC,
  S_KHMER,
  S_MONGOLIAN,
  S_KANA,
  S_HAN,
  S_N,
  S_NONE = S_N
} script;

/* The language a script stands for when nothing says more. */
static const char *const script_lang[S_N] = {
    [S_LATIN] = NULL,       [S_GREEK] = "el",     [S_CYRILLIC] = "ru",
    [S_ARMENIAN] = "hy",    [S_HEBREW] = "he",    [S_ARABIC] = "ar",
    [S_SYRIAC] = "syr",     [S_THAANA] = "dv",    [S_DEVANAGARI] = "hi",
    [S_BENGALI] = "bn",     [S_GURMUKHI] = "pa",  [S_GUJARATI] = "gu",
    [S_ORIYA] = "or",       [S_TAMIL] = "ta",     [S_TELUGU] = "te",
    [S_KANNADA] = "kn",     [S_MALAYALAM] = "ml", [S_SINHALA] = "si",
    [S_THAI] = "th",        [S_LAO] = "lo",       [S_TIBETAN] = "bo",
    [S_MYANMAR] = "my",     [S_GEORGIAN] = "ka",  [S_HANGUL] = "ko",
    [S_ETHIOPIC] = "am",    [S_KHMER] = "km",     [S_MONGOLIAN] = "mn",
    [S_KANA] = "ja",        [S_HAN] = "zh"};

/* Languages the models may name for text of a script that several
 * languages write; a script missing here is one language's alone. */
static const char *const script_models[S_N] = {
    [S_CYRILLIC] = " ru uk bg sr mk be kk ky tg tt mn az-Cyrl uz-Cyrl rue ",
    [S_ARABIC] = " ar fa ur ps sd ug ckb ",
    [S_HEBREW] = " he yi ",
    [S_DEVANAGARI] = " hi mr ne sa mai bho ",
    [S_BENGALI] = " bn ",
    [S_ETHIOPIC] = " am ti "};

static script script_of(uint32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
      (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
      (c >= 0x1E00 && c <= 0x1EFF))
    return S_LATIN;
  if ((c >= 0x370 && c <= 0x3FF) || (c >= 0x1F00 && c <= 0x1FFF))
    return S_GREEK;
  if (c >= 0x400 && c <= 0x52F)
    return S_CYRILLIC;
  if (c >= 0x531 && c <= 0x58F)
    return S_ARMENIAN;
  if ((c >= 0x5D0 && c <= 0x5F4) || (c >= 0xFB1D && c <= 0xFB4F))
    return S_HEBREW;
  if ((c >= 0x620 && c <= 0x64A) || (c >= 0x66E && c <= 0x6D3) ||
      (c >= 0x6FA && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F) ||
      (c >= 0x8A0 && c <= 0x8FF) || (c >= 0xFB50 && c <= 0xFDFF) ||
      (c >= 0xFE70 && c <= 0xFEFF))
    return S_ARABIC;
  if (c >= 0x710 && c <= 0x74F)
    return S_SYRIAC;
  if (c >= 0x780 && c <= 0x7BF)
    return S_THAANA;
  if (c >= 0x900 && c <= 0xDFF) {
    static const script indic[] = {
        S_DEVANAGARI, S_BENGALI, S_GURMUKHI, S_GUJARATI, S_ORIYA,
        S_TAMIL,      S_TELUGU,  S_KANNADA,  S_MALAYALAM, S_SINHALA};
    return indic[(c - 0x900) >> 7];
  }
  if (c >= 0xE00 && c <= 0xE7F)
    return S_THAI;
  if (c >= 0xE80 && c <= 0xEFF)
    return S_LAO;
  if (c >= 0xF00 && c <= 0xFFF)
    return S_TIBETAN;
  if (c >= 0x1000 && c <= 0x109F)
    return S_MYANMAR;
  if ((c >= 0x10A0 && c <= 0x10FF) || (c >= 0x1C90 && c <= 0x1CBF))
    return S_GEORGIAN;
  if ((c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
      (c >= 0xAC00 && c <= 0xD7AF))
    return S_HANGUL;
  if (c >= 0x1200 && c <= 0x139F)
    return S_ETHIOPIC;
  if (c >= 0x1780 && c <= 0x17FF)
    return S_KHMER;
  if (c >= 0x1800 && c <= 0x18AF)
    return S_MONGOLIAN;
  if ((c >= 0x3041 && c <= 0x309F) || (c >= 0x30A1 && c <= 0x30FA) ||
      (c >= 0x31F0 && c <= 0x31FF) || (c >= 0xFF66 && c <= 0xFF9D))
    return S_KANA;
  if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF))
    return S_HAN;
  return S_NONE;
}

/* Decodes one UTF-8 sequence at s (n bytes left); a bad byte counts as one
 * byte of nothing. */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *used) {
  uint32_t c = s[0];
  size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (k == 0 || k > n) {
    *used = 1;
    return 0xFFFD;
  }
  if (k > 1) {
    c &= 0x3F >> (k - 1);
    for (size_t i = 1; i < k; i++) {
      if ((s[i] & 0xC0) != 0x80) {
        *used = 1;
        return 0xFFFD;
      }
      c = (c << 6) | (s[i] & 0x3F);
    }
  }
  *used = k;
  return c;
}

/* Characters of everyday Chinese written one way in simplified and
 * another in traditional script (这/這, 说/說...). */
static const char *const simplified_only[] = {
    "这", "个", "们", "说", "国", "为", "会", "对", "时", "来", "过", "还",
    "发", "经", "进", "没", "动", "后", "学", "于", "么", "现", "开", "关",
    "长", "问", "样", "车", "业", "员", "实", "产", "电", "与", "让", "从",
    "书", "东", "见", "两", "报", "门", "间", "写", "华", "机", "务", NULL};
static const char *const traditional_only[] = {
    "這", "個", "們", "說", "國", "為", "會", "對", "時", "來", "過", "還",
    "發", "經", "進", "沒", "動", "後", "學", "於", "麼", "現", "開", "關",
    "長", "問", "樣", "車", "業", "員", "實", "產", "電", "與", "讓", "從",
    "書", "東", "見", "兩", "報", "門", "間", "寫", "華", "機", "務", NULL};

static bool in_list(uint32_t c, const char *const *list) {
  for (size_t i = 0; list[i]; i++) {
    size_t used;
    if (next_cp((const unsigned char *)list[i], strlen(list[i]), &used) == c)
      return true;
  }
  return false;
}

typedef struct counts {
  size_t letters[S_N];
  size_t total;
  size_t simplified, traditional;
  /* Letters that only some of a script's languages use. */
  size_t persian, urdu, ukrainian, serbian, belarusian, macedonian,
      kazakh, russian;
} counts;

static void count_scripts(const char *text, size_t len, counts *k) {
  memset(k, 0, sizeof *k);
  const unsigned char *s = (const unsigned char *)text;
  size_t used;
  for (size_t i = 0; i < len; i += used) {
    uint32_t c = next_cp(s + i, len - i, &used);
    script sc = script_of(c);
    if (sc == S_NONE)
      continue;
    k->letters[sc]++;
    k->total++;
    if (sc == S_HAN) {
      if (in_list(c, simplified_only))
        k->simplified++;
      else if (in_list(c, traditional_only))
        k->traditional++;
    } else if (sc == S_ARABIC) {
      if (c == 0x67E || c == 0x686 || c == 0x698 || c == 0x6AF ||
          c == 0x6CC)
        k->persian++; /* پ چ ژ گ ی */
      if (c == 0x679 || c == 0x688 || c == 0x691 || c == 0x6BA ||
          c == 0x6D2 || c == 0x6BE)
        k->urdu++; /* ٹ ڈ ڑ ں ے ھ */
    } else if (sc == S_CYRILLIC) {
      if (c == 0x456 || c == 0x457 || c == 0x454 || c == 0x491)
        k->ukrainian++; /* і ї є ґ */
      if (c == 0x452 || c == 0x458 || c == 0x459 || c == 0x45A ||
          c == 0x45B || c == 0x45F)
        k->serbian++; /* ђ ј љ њ ћ џ */
      if (c == 0x45E)
        k->belarusian++; /* ў */
      if (c == 0x453 || c == 0x45C || c == 0x455)
        k->macedonian++; /* ѓ ќ ѕ */
      if (c == 0x4D9 || c == 0x493 || c == 0x49B || c == 0x4A3 ||
          c == 0x4E9 || c == 0x4B1 || c == 0x4AF || c == 0x4BB)
        k->kazakh++; /* ә ғ қ ң ө ұ ү һ */
      if (c == 0x44B || c == 0x44D || c == 0x451)
        k->russian++; /* ы э ё */
    }
  }
}

/* ---- libexttextcat ----------------------------------------------------- */

#ifdef GALLEY_HAVE_EXTTEXTCAT
static pthread_once_t models_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t models_lock = PTHREAD_MUTEX_INITIALIZER;
static void *models;
static candidate_t *model_out;

static void models_free(void) {
  if (models) {
    textcat_ReleaseClassifyFullOutput(models, model_out);
    textcat_Done(models);
    models = NULL;
  }
}

static void models_load(void) {
  const char *dir = getenv("GALLEY_TEXTCAT_DIR");
  if (!dir)
    dir = GALLEY_TEXTCAT_DEFAULT_DIR;
  if (!*dir)
    return;
  size_t n = strlen(dir);
  char *conf = malloc(n + sizeof "/fpdb.conf");
  char *prefix = malloc(n + 2);
  if (conf && prefix) {
    snprintf(conf, n + sizeof "/fpdb.conf", "%s/fpdb.conf", dir);
    snprintf(prefix, n + 2, "%s/", dir);
    FILE *f = fopen(conf, "r"); /* textcat_Init says nothing of why */
    if (f) {
      fclose(f);
      models = special_textcat_Init(conf, prefix);
    }
  }
  free(conf);
  free(prefix);
  if (models) {
    model_out = textcat_GetClassifyFullOutput(models);
    if (!model_out) {
      textcat_Done(models);
      models = NULL;
    } else {
      atexit(models_free);
    }
  }
}
#endif

GALLEY_API bool galley_lang_models_available(void) {
#ifdef GALLEY_HAVE_EXTTEXTCAT
  pthread_once(&models_once, models_load);
  return models != NULL;
#else
  return false;
#endif
}

/* A model's name in fpdb.conf ("en--utf8", "zh-TW-utf8", "az-cyrillic-utf8")
 * as a BCP 47 tag. */
static void model_tag(const char *name, char *out, size_t size) {
  static const char *const names[][2] = {
      {"zh-CN", "zh-Hans"},   {"zh-TW", "zh-Hant"}, {"az-cyrillic", "az-Cyrl"},
      {"ha-NG", "ha"},        {"sh", "sr-Latn"}};
  char t[64];
  size_t n = strlen(name);
  if (n > 5 && !strcmp(name + n - 5, "-utf8"))
    n -= 5;
  while (n && name[n - 1] == '-')
    n--;
  if (n >= sizeof t)
    n = sizeof t - 1;
  memcpy(t, name, n);
  t[n] = '\0';
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(t, names[i][0])) {
      snprintf(out, size, "%s", names[i][1]);
      return;
    }
  if (galley_lang_normalize(t, out, size) != GALLEY_OK)
    out[0] = '\0';
}

/* Whether `list` (" ru uk ") holds the word `tag`. */
static bool word_in(const char *list, const char *tag) {
  size_t n = strlen(tag);
  for (const char *p = list; n && (p = strstr(p, tag)); p++)
    if (p > list && p[-1] == ' ' && p[n] == ' ')
      return true;
  return false;
}

/* Languages most pages are written in: when the models find a rarer one
 * about as likely (Scots beside English, Occitan beside Catalan), the
 * common one is the better guess. */
static bool common_language(const char *tag) {
  static const char common[] =
      " en es fr de it pt nl sv da nb nn fi pl cs sk hu ro tr id ms vi ca hr "
      "sl et lv lt sq is ga cy eu gl af sw tl ru uk bg sr mk be kk ar fa ur "
      "he hi bn el ";
  return word_in(common, tag);
}

/* The models' guess among the languages `allowed` lists (" ru uk ", NULL
 * for any): 0 and a tag in `out`, or -1. */
static int models_guess(const char *text, size_t len, const char *allowed,
                        char *out, size_t size) {
#ifdef GALLEY_HAVE_EXTTEXTCAT
  if (!galley_lang_models_available())
    return -1;
  char tags[5][32];
  int n;
  if (len > MODEL_SAMPLE_MAX) {
    len = MODEL_SAMPLE_MAX;
    while (len && ((unsigned char)text[len] & 0xC0) == 0x80)
      len--;
  }
  /* libexttextcat reads past `len` up to a NUL (valgrind: fp_Create), so
   * it is given a terminated copy: without one the guess depended on
   * whatever bytes followed the sample and changed from run to run. */
  char copy[MODEL_SAMPLE_MAX + 1];
  memcpy(copy, text, len);
  copy[len] = '\0';
  pthread_mutex_lock(&models_lock);
  n = textcat_ClassifyFull(models, copy, len, model_out);
  if (n > 5)
    n = 5;
  for (int i = 0; i < n; i++)
    model_tag(model_out[i].name, tags[i], sizeof tags[i]);
  pthread_mutex_unlock(&models_lock);
  int pick = -1;
  for (int i = 0; i < n && pick < 0; i++) {
    if (tags[i][0] && (!allowed || word_in(allowed, tags[i])))
      pick = i;
  }
  if (pick < 0)
    return -1;
  if (!common_language(tags[pick]))
    for (int i = pick + 1; i < n; i++)
      if (common_language(tags[i])) {
        pick = i;
        break;
      }
  snprintf(out, size, "%s", tags[pick]);
  return 0;
#else
  (void)text;
  (void)len;
  (void)allowed;
  (void)out;
  (void)size;
  return -1;
#endif
}

/* ---- Function words ---------------------------------------------------- */

/* The commonest words of the languages most pages are in, chosen to be
 * rare in the others. A long text in one of them says so by these words
 * alone, by a wide margin, and the models need not be loaded (they cost
 * tens of milliseconds, more than the rest of a conversion); anything
 * less clear goes to the models. */
static const struct {
  const char *lang;
  const char *words;
} function_words[] = {
    {"en", " the and of to is that with for was are this it be have from "
           "has were which by "},
    {"de", " der die und das ist nicht mit den von sich auch ein eine dem "
           "zu im wird werden "},
    {"fr", " le les des est et une dans pour pas qui sur au du ce avec "
           "sont leur cette "},
    {"es", " el los las del por una para con su al como más pero sus "
           "fue este "},
    {"pt", " os da do não uma em com dos das ao pelo pela foi mais seu "
           "sua "},
    {"it", " il di che della non per del sono gli anche alla nel delle "
           "questo ha è dei nella sulla più degli "},
    {"nl", " het een van en niet dat zijn op voor met ook te aan er "
           "wordt werd "},
};
#define N_FW (sizeof function_words / sizeof function_words[0])
_Static_assert(N_FW <= 32, "a language is a bit of a word's mask");

/* Those of the other languages' function words that English text uses
 * too, as words, names, abbreviations or parts of names ("para", "Los
 * Angeles", "per cent", "MIT", "EST", "et al.", "von Neumann"): alone in
 * a few words they say nothing of the language. */
static const char english_too[] =
    " die den im mit von das dem le les des est et au du ce el los las del "
    "una para con su al como sus os da do em com dos das ao il di per della "
    "sono alla ha van en op met te er ";

/* The function words in a table: each word and the languages (a bit each)
 * whose list has it, so a word of the text is looked up once rather than
 * searched for in every list. Built once. */
#define FW_SLOTS 512
static struct fw_slot {
  const char *w;
  size_t n;
  uint32_t langs;
  bool english_too; /* in english_too */
} fw_table[FW_SLOTS];
static pthread_once_t fw_once = PTHREAD_ONCE_INIT;

static uint32_t fw_hash(const char *w, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)w[i]) * 16777619u;
  return h;
}

static struct fw_slot *fw_find(const char *w, size_t n) {
  uint32_t i = fw_hash(w, n) & (FW_SLOTS - 1);
  while (fw_table[i].w && !(fw_table[i].n == n && !memcmp(fw_table[i].w, w, n)))
    i = (i + 1) & (FW_SLOTS - 1);
  return &fw_table[i];
}

/* The next word of space-separated list *p (its length in *n), *p moved
 * past it; NULL at the end. */
static const char *list_word(const char **p, size_t *n) {
  while (**p == ' ')
    (*p)++;
  const char *w = *p;
  while (**p && **p != ' ')
    (*p)++;
  *n = (size_t)(*p - w);
  return *n ? w : NULL;
}

static void fw_build(void) {
  const char *w, *p;
  size_t n;
  for (size_t l = 0; l < N_FW; l++)
    for (p = function_words[l].words; (w = list_word(&p, &n));) {
      struct fw_slot *s = fw_find(w, n);
      s->w = w;
      s->n = n;
      s->langs |= (uint32_t)1 << l;
    }
  for (p = english_too; (w = list_word(&p, &n));) {
    struct fw_slot *s = fw_find(w, n);
    if (s->w)
      s->english_too = true;
  }
}

/* Counts the words of `text` into *words and, for each language of the
 * table, those of its function words into hits[], and into sure[] (when
 * not NULL) those that are not English words too. */
static void function_word_counts(const char *text, size_t len,
                                 size_t hits[N_FW], size_t sure[N_FW],
                                 size_t *words_out) {
  pthread_once(&fw_once, fw_build);
  size_t words = 0;
  char w[24];
  size_t i = 0;
  while (i < len) {
    /* A word: ASCII letters and any non-ASCII bytes (accents), lower
     * cased; anything else ends it. */
    size_t n = 0;
    bool letters = false;
    while (i < len) {
      unsigned char c = (unsigned char)text[i];
      if (!(c >= 0x80 || is_alpha((char)c)))
        break;
      letters = true;
      if (n + 3 < sizeof w)
        w[1 + n++] = lower((char)c);
      else
        n = sizeof w; /* too long to be a function word */
      i++;
    }
    if (!letters) {
      i++;
      continue;
    }
    words++;
    if (n >= sizeof w)
      continue;
    const struct fw_slot *f = fw_find(w + 1, n);
    if (f->w)
      for (size_t l = 0; l < N_FW; l++)
        if (f->langs >> l & 1) {
          hits[l]++;
          if (sure && !f->english_too)
            sure[l]++;
        }
  }
  *words_out = words;
}

/* 0 and a tag when one language's function words stand out, else -1. */
static int function_word_guess(const char *text, size_t len, char *out,
                               size_t size) {
  size_t hits[N_FW] = {0}, words = 0;
  function_word_counts(text, len, hits, NULL, &words);
  size_t best = 0, second = 0;
  for (size_t l = 1; l < N_FW; l++)
    if (hits[l] > hits[best])
      best = l;
  for (size_t l = 0; l < N_FW; l++)
    if (l != best && hits[l] > second)
      second = hits[l];
  /* At least 80 words, a sixth of them this language's, and four times
   * the next language's share. */
  if (words < 80 || hits[best] * 6 < words || hits[best] < 4 * second)
    return -1;
  snprintf(out, size, "%s", function_words[best].lang);
  return 0;
}

/* A short Latin text (a sentence or two, too little for either guess
 * alone): 0 and a tag when the models' guess is a language of the table
 * and the text holds two of its function words, or one that English does
 * not use too, and none of any other language's. The models alone guess
 * wildly on a few words ("Replace javascript: links abc def" is Esperanto
 * to them), and a function word alone may say nothing ("para" among a
 * page's English labels, "Los" in "Los Angeles"); agreeing, they are
 * right. On the corpus pages' 4,518 sentences of 40 to 119 letters in
 * the language their page declares (or, read by hand, another), one word
 * rather than two gave a language to 376 more (3,905 of them) and none wrong. */
static int short_text_guess(const char *text, size_t len, char *out,
                            size_t size) {
  /* The function words first: the models are loaded (tens of
   * milliseconds) only for a text that has one language's alone. */
  size_t hits[N_FW] = {0}, sure[N_FW] = {0}, words = 0, l = N_FW;
  function_word_counts(text, len, hits, sure, &words);
  for (size_t k = 0; k < N_FW; k++)
    if (hits[k] > 0) {
      if (l != N_FW)
        return -1;
      l = k;
    }
  /* One word will do unless English text uses it too. */
  char guess[64];
  if (l == N_FW || (hits[l] < 2 && sure[l] == 0) ||
      models_guess(text, len, NULL, guess, sizeof guess) != 0 ||
      strcmp(guess, function_words[l].lang) != 0)
    return -1;
  snprintf(out, size, "%s", guess);
  return 0;
}

/* ---- Guessing ---------------------------------------------------------- */

/* Cuts `len` to at most SAMPLE_MAX bytes, on a character boundary. */
static size_t sample_len(const char *text, size_t len) {
  if (len <= SAMPLE_MAX)
    return len;
  len = SAMPLE_MAX;
  while (len && ((unsigned char)text[len] & 0xC0) == 0x80)
    len--;
  return len;
}

/* galley_lang_detect, saying in `how` what decided. */
static int detect(const char *text, size_t len, char *out, size_t size,
                  const char **how) {
  *how = "the script of its letters";
  if (!out || !size || (!text && len))
    return GALLEY_EINVALID;
  out[0] = '\0';
  if (!text)
    return GALLEY_ENOTFOUND;
  len = sample_len(text, len);
  counts k;
  count_scripts(text, len, &k);
  if (k.total == 0)
    return GALLEY_ENOTFOUND;
  /* Japanese mixes kana into Han; Korean may carry some Han. */
  size_t cjk = k.letters[S_HAN] + k.letters[S_KANA];
  script top = S_LATIN;
  for (int s = 0; s < S_N; s++)
    if (k.letters[s] > k.letters[top])
      top = (script)s;
  if (cjk > k.letters[top] / 2 && cjk >= k.letters[S_HANGUL] &&
      cjk * 2 >= k.letters[S_LATIN])
    top = k.letters[S_KANA] * 10 >= cjk ? S_KANA : S_HAN;
  const char *tag = NULL;
  char guess[64];
  switch (top) {
  case S_LATIN:
    if (k.letters[S_LATIN] < LATIN_MIN_LETTERS)
      return GALLEY_ENOTFOUND;
    *how = "its function words";
    if (function_word_guess(text, len, guess, sizeof guess) != 0) {
      if (k.letters[S_LATIN] < LATIN_MODEL_MIN_LETTERS) {
        *how = "the n-gram models and its function words";
        if (k.letters[S_LATIN] < LATIN_SHORT_MIN_LETTERS ||
            short_text_guess(text, len, guess, sizeof guess) != 0)
          return GALLEY_ENOTFOUND;
        tag = guess;
        break;
      }
      *how = "the n-gram models";
      if (models_guess(text, len, NULL, guess, sizeof guess) != 0)
        return GALLEY_ENOTFOUND;
    }
    tag = guess;
    break;
  case S_HAN:
    tag = k.simplified > k.traditional   ? "zh-Hans"
          : k.traditional > k.simplified ? "zh-Hant"
                                         : "zh";
    break;
  default:
    if (script_models[top] &&
        models_guess(text, len, script_models[top], guess, sizeof guess) ==
            0) {
      tag = guess;
      *how = "the n-gram models";
    } else if (top == S_ARABIC) {
      tag = k.urdu > k.letters[top] / 100 && k.urdu > 1 ? "ur"
            : k.persian > k.letters[top] / 100 && k.persian > 1 ? "fa"
                                                                : "ar";
    } else if (top == S_CYRILLIC) {
      tag = k.kazakh > 1        ? "kk"
            : k.ukrainian > 1   ? "uk"
            : k.belarusian > 1  ? "be"
            : k.macedonian > 1  ? "mk"
            : k.serbian > 1     ? "sr"
            : k.russian == 0 && k.letters[top] > 200 ? "bg"
                                                     : "ru";
    } else {
      tag = script_lang[top];
    }
  }
  if (!tag || strlen(tag) >= size)
    return GALLEY_ENOTFOUND;
  snprintf(out, size, "%s", tag);
  return GALLEY_OK;
}

GALLEY_API int galley_lang_detect(const char *text, size_t len, char *out,
                                  size_t size) {
  const char *how;
  return detect(text, len, out, size, &how);
}

/* ---- The pipeline's step ----------------------------------------------- */

typedef struct sample {
  char buf[SAMPLE_MAX + 8];
  size_t len;
} sample;

static void sample_add(sample *s, const char *t, size_t n) {
  if (s->len >= SAMPLE_MAX)
    return;
  if (n > SAMPLE_MAX - s->len)
    n = SAMPLE_MAX - s->len;
  memcpy(s->buf + s->len, t, n);
  s->len += n;
}

/* A text node with words in it: an address printed as text is in no
 * language. */
static bool says_words(const galley_node *n) {
  return n->literal && strncmp(n->literal, "http://", 7) != 0 &&
         strncmp(n->literal, "https://", 8) != 0 &&
         strncmp(n->literal, "www.", 4) != 0;
}

/* Kinds whose content the sample leaves out: code, raw markup, and
 * tables unless `tables`. */
static bool left_out(galley_kind k, bool tables) {
  return k == GALLEY_NODE_CODE_BLOCK || k == GALLEY_NODE_RAW_BLOCK ||
         k == GALLEY_NODE_CODE || k == GALLEY_NODE_RAW_INLINE ||
         (k == GALLEY_NODE_TABLE && !tables);
}

/* Adds what node `n` itself says (a text's words, a break's space);
 * returns the bytes added. */
static size_t add_own_text(sample *s, const galley_node *n) {
  size_t before = s->len;
  if (n->kind == GALLEY_NODE_TEXT && says_words(n))
    sample_add(s, n->literal, strnlen(n->literal, SAMPLE_MAX));
  else if (n->kind == GALLEY_NODE_SOFT_BREAK ||
           n->kind == GALLEY_NODE_LINE_BREAK)
    sample_add(s, " ", 1);
  return s->len - before;
}

/* The document's visible prose in order, without code (and without
 * tables unless `tables`), up to SAMPLE_MAX bytes. A walk by links: no
 * recursion that input controls. */
static void collect_text(const galley_node *root, sample *s, bool tables) {
  const galley_node *n = root;
  while (n && s->len < SAMPLE_MAX) {
    add_own_text(s, n);
    if (!left_out(n->kind, tables) && n->first) {
      n = n->first;
      continue;
    }
    while (n && n != root && !n->next) {
      n = n->parent;
      if (n && galley_kind_is_block(n->kind))
        sample_add(s, " ", 1);
    }
    if (!n || n == root)
      break;
    if (galley_kind_is_block(n->kind))
      sample_add(s, " ", 1);
    n = n->next;
  }
}

/* A paragraph's text is prose when it has this many bytes, less than half
 * of them link text. */
#define PROSE_MIN 80

/* The document's prose paragraphs in order (see PROSE_MIN), outside code
 * and tables, up to SAMPLE_MAX bytes: a page's menus and link lists come
 * before its article and are words of no sentence. A walk by links. */
static void collect_prose(const galley_node *root, sample *s) {
  const galley_node *n = root, *para = NULL;
  size_t start = 0, links = 0, in_link = 0;
  while (n && s->len < SAMPLE_MAX) {
    galley_kind k = n->kind;
    if (!para && k == GALLEY_NODE_PARAGRAPH) {
      para = n;
      start = s->len;
      links = in_link = 0;
    }
    if (para) {
      size_t added = add_own_text(s, n);
      if (in_link && k == GALLEY_NODE_TEXT)
        links += added;
      if (k == GALLEY_NODE_LINK)
        in_link++;
    }
    if (!left_out(k, false) && n->first) {
      n = n->first;
      continue;
    }
    /* Leaving n, then each parent left with it. */
    for (;;) {
      if (para && n->kind == GALLEY_NODE_LINK && in_link)
        in_link--;
      if (n == para) {
        size_t got = s->len - start;
        if (got < PROSE_MIN || links * 2 >= got)
          s->len = start;
        else
          sample_add(s, " ", 1);
        para = NULL;
      }
      if (n == root || n->next)
        break;
      n = n->parent;
    }
    if (n == root)
      break;
    n = n->next;
  }
  if (para && s->len - start < PROSE_MIN)
    s->len = start; /* cut off by the sample's end */
}

/* What the language is guessed from: the prose paragraphs when there are
 * a few hundred bytes of them; else the text outside tables, whose cells
 * (names, figures, abbreviations) say little of the language a page is
 * written in; all of it when that is little. */
static void lang_sample(const galley_doc *doc, sample *s) {
  s->len = 0;
  collect_prose(doc->root, s);
  if (s->len >= 400)
    return;
  s->len = 0;
  collect_text(doc->root, s, false);
  if (s->len < 200) {
    s->len = 0;
    collect_text(doc->root, s, true);
  }
}

static bool user_set(const galley_job *job, const char *key) {
  for (size_t i = 0; i < job->n_meta; i++)
    if (!strcmp(job->meta[i].key, key))
      return true;
  return false;
}

int lang_step(galley_job *job, galley_doc *doc) {
  const char *lang = galley_doc_get_meta(doc, GALLEY_META_LANGUAGE);
  char tag[64];
  if (lang) {
    int rc = galley_lang_normalize(lang, tag, sizeof tag);
    if (rc == GALLEY_OK && strcmp(tag, lang) != 0) {
      if (galley_doc_set_meta(doc, GALLEY_META_LANGUAGE, tag))
        return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    } else if (rc != GALLEY_OK && !user_set(job, GALLEY_META_LANGUAGE)) {
      galley_job_info(job,
                      "language '%s' is not a BCP 47 tag; guessing it from "
                      "the text",
                      lang);
      galley_doc_remove_meta(doc, GALLEY_META_LANGUAGE);
    }
  }
  lang = galley_doc_get_meta(doc, GALLEY_META_LANGUAGE);
  if (lang && !user_set(job, GALLEY_META_LANGUAGE)) {
    /* Templates declare a language whatever their pages are written in
     * (lang="en" over a German article): a text whose function words
     * clearly say another language wins over the declaration. */
    sample *s = malloc(sizeof *s);
    if (!s)
      return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    lang_sample(doc, s);
    char fw[16];
    size_t fl;
    if (function_word_guess(s->buf, s->len, fw, sizeof fw) == 0 &&
        (strncmp(fw, lang, fl = strlen(fw)) != 0 ||
         (lang[fl] != '\0' && lang[fl] != '-'))) {
      galley_job_info(job,
                      "the page declares language '%s' but its text is in "
                      "'%s'; using '%s'",
                      lang, fw, fw);
      if (galley_doc_set_meta(doc, GALLEY_META_LANGUAGE, fw)) {
        free(s);
        return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
      }
      lang = galley_doc_get_meta(doc, GALLEY_META_LANGUAGE);
    }
    free(s);
  }
  /* A tree whose root says its language (galley's xml form can) is left
   * as it is. */
  const char *root_lang = galley_node_get_attr(doc->root, "lang");
  if (!lang && !(root_lang && *root_lang)) {
    sample *s = malloc(sizeof *s);
    if (!s)
      return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    lang_sample(doc, s);
    /* A short article: its title and description say something too. */
    if (s->len < 200) {
      const char *more[] = {galley_doc_get_meta(doc, GALLEY_META_TITLE),
                            galley_doc_get_meta(doc, GALLEY_META_DESCRIPTION)};
      /* Not twice: a writer's title block puts the title in the body,
       * and reading that output again must guess the same. */
      for (size_t i = 0; i < 2; i++)
        if (more[i] && !memmem(s->buf, s->len, more[i], strlen(more[i]))) {
          sample_add(s, " ", 1);
          sample_add(s, more[i], strlen(more[i]));
        }
    }
    const char *how;
    int rc = detect(s->buf, s->len, tag, sizeof tag, &how);
    free(s);
    if (rc == GALLEY_OK) {
      if (galley_doc_set_meta(doc, GALLEY_META_LANGUAGE, tag))
        return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
      galley_job_info(job, "language guessed from %s: %s", how, tag);
      lang = galley_doc_get_meta(doc, GALLEY_META_LANGUAGE);
    } else {
      galley_job_info(job, "the text does not say its language");
    }
  }
  /* The direction: the page's own word, else its language's. */
  const char *dir = galley_doc_get_meta(doc, GALLEY_META_DIRECTION);
  if (dir) {
    const char *d = !strcasecmp(dir, "rtl")   ? "rtl"
                    : !strcasecmp(dir, "ltr") ? "ltr"
                                              : NULL;
    if (!d)
      galley_doc_remove_meta(doc, GALLEY_META_DIRECTION);
    else if (strcmp(d, dir) != 0 &&
             galley_doc_set_meta(doc, GALLEY_META_DIRECTION, d))
      return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    if (d)
      return GALLEY_OK;
  }
  /* Left to right goes without saying. */
  if (lang && galley_lang_is_rtl(lang) &&
      galley_doc_set_meta(doc, GALLEY_META_DIRECTION, "rtl"))
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  return GALLEY_OK;
}
