/* Languages (galley/lang.h): tags made regular, the direction of a
 * language, and the guess of a text's language. Built twice: as it is,
 * with libexttextcat's models when this build has them and they are
 * installed, and with GALLEY_TEXTCAT_DIR set empty (NO_MODELS), where only
 * the script of the letters and the function words can answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <galley/galley.h>

static void norm_is(const char *in, const char *want) {
  char out[64];
  int rc = galley_lang_normalize(in, out, sizeof out);
  if (!want) {
    if (rc != GALLEY_EINVALID)
      fail_msg("'%s' was taken as '%s'", in, out);
    assert_string_equal(out, "");
    return;
  }
  if (rc != GALLEY_OK)
    fail_msg("'%s' was refused", in);
  assert_string_equal(out, want);
}

static void tags_are_made_regular_bcp47(void **state) {
  (void)state;
  norm_is("pt_BR", "pt-BR");
  norm_is("EN-us", "en-US");
  norm_is("en-gb", "en-GB");
  norm_is("zh-hant-tw", "zh-Hant-TW");
  norm_is("sr_latn_RS", "sr-Latn-RS");
  norm_is("es-419", "es-419");
  norm_is("de-CH-1996", "de-CH-1996");
  norm_is("  fr  ", "fr");
  norm_is("en_US.UTF-8", "en-US");
  norm_is("de_DE@euro", "de-DE");
  norm_is("en-US,en;q=0.9", "en-US");
  norm_is("iw", "he");
  norm_is("in-ID", "id-ID");
  norm_is("ji", "yi");
  norm_is("x-klingon", "x-klingon");
}

static void what_is_not_a_tag_is_refused(void **state) {
  (void)state;
  norm_is("", NULL);
  norm_is("English", NULL);
  norm_is("{{lang}}", NULL);
  norm_is("en-", NULL);
  norm_is("e", NULL);
  norm_is("en--US", NULL);
  norm_is("en-verylongsubtag", NULL);
  norm_is("12", NULL);
  norm_is(NULL, NULL);
  char small[3];
  assert_int_equal(galley_lang_normalize("en-US", small, sizeof small),
                   GALLEY_ELIMIT);
}

static void right_to_left_languages_and_scripts(void **state) {
  (void)state;
  const char *rtl[] = {"ar", "ar-EG", "he", "fa-IR", "ur", "yi", "ps", "ckb",
                       "dv", "ug", "ku-Arab", "pa-Arab", "iw", NULL};
  const char *ltr[] = {"en", "fr-CA", "az-Latn", "zh-Hant", "ja", "ar-Latn",
                       "ru", "", "nonsense!", NULL};
  for (size_t i = 0; rtl[i]; i++)
    if (!galley_lang_is_rtl(rtl[i]))
      fail_msg("%s should be right to left", rtl[i]);
  for (size_t i = 0; ltr[i]; i++)
    if (galley_lang_is_rtl(ltr[i]))
      fail_msg("%s should be left to right", ltr[i]);
}

static void guess_is(const char *text, const char *want) {
  char out[64];
  int rc = galley_lang_detect(text, strlen(text), out, sizeof out);
  if (!want) {
    if (rc != GALLEY_ENOTFOUND)
      fail_msg("guessed '%s' for: %.60s", out, text);
    return;
  }
  if (rc != GALLEY_OK)
    fail_msg("no guess (want %s) for: %.60s", want, text);
  if (strcmp(out, want) != 0)
    fail_msg("guessed '%s', want '%s', for: %.60s", out, want, text);
}

/* Scripts one language writes decide alone, models or not. */
static void scripts_of_one_language_decide_alone(void **state) {
  (void)state;
  guess_is("这是一个关于语言识别的简单例子，我们说中文。", "zh-Hans");
  guess_is("這是一個關於語言識別的簡單例子，我們說中文。", "zh-Hant");
  guess_is("서울은 대한민국의 수도이며 가장 큰 도시이다.", "ko");
  guess_is("東京は日本の首都であり、最も大きな都市です。", "ja");
  guess_is("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.", "el");
  guess_is("กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย", "th");
  guess_is("ירושלים היא עיר הבירה של ישראל.", "he");
  guess_is("Երևանը Հայաստանի մայրաքաղաքն է։", "hy");
  guess_is("თბილისი საქართველოს დედაქალაქია.", "ka");
  /* Korean with a few Han characters is still Korean. */
  guess_is("大韓民國 서울은 대한민국의 수도이며 가장 큰 도시이다.", "ko");
}

static void scripts_of_several_languages_get_their_main_one(void **state) {
  (void)state;
  guess_is("القاهرة هي عاصمة جمهورية مصر العربية وأكبر مدنها.", "ar");
  guess_is("Москва является столицей Российской Федерации и крупнейшим "
           "городом страны.",
           "ru");
  guess_is("Київ є столицею та найбільшим містом України, її "
           "історичним центром.",
           "uk");
}

static void too_little_text_says_nothing(void **state) {
  (void)state;
  guess_is("", NULL);
  guess_is("Hello", NULL);
  guess_is("123 456 -- !!", NULL);
  char out[8] = "x";
  assert_int_equal(galley_lang_detect(NULL, 0, out, sizeof out),
                   GALLEY_ENOTFOUND);
  assert_string_equal(out, "");
}

/* A long text in one of the commonest languages: its function words. */
static void long_texts_of_common_languages(void **state) {
  (void)state;
  char *en = NULL, *de = NULL;
  const char *en1 = "The city council said on Monday that the new bridge, "
                    "which was built over the river in two years, is open "
                    "to traffic and that it has cost less than was "
                    "planned. ";
  const char *de1 = "Der Stadtrat hat am Montag gesagt, dass die neue "
                    "Brücke, die in zwei Jahren über den Fluss gebaut "
                    "wurde, für den Verkehr offen ist und dass sie "
                    "weniger gekostet hat, als geplant war. ";
  size_t ne = strlen(en1), nd = strlen(de1);
  en = calloc(1, ne * 8 + 1);
  de = calloc(1, nd * 8 + 1);
  assert_non_null(en);
  assert_non_null(de);
  for (int i = 0; i < 8; i++) {
    memcpy(en + i * ne, en1, ne);
    memcpy(de + i * nd, de1, nd);
  }
  guess_is(en, "en");
  guess_is(de, "de");
  free(en);
  free(de);
}

static void only_the_first_4kb_are_read(void **state) {
  (void)state;
  /* Korean after 5,000 bytes of digits: not seen. */
  size_t n = 5000;
  const char *ko = "서울은 대한민국의 수도이며 가장 큰 도시이다.";
  char *t = malloc(n + strlen(ko) + 1);
  assert_non_null(t);
  memset(t, '7', n);
  strcpy(t + n, ko);
  guess_is(t, NULL);
  guess_is(t + n - 10, "ko");
  free(t);
}

/* A sentence or two: the models' guess counts when the text holds two
 * function words of that language and none of another's. */
static void short_texts_need_the_models_and_their_function_words(
    void **state) {
  (void)state;
  const char *en = "The new bridge over the river is open to traffic "
                   "since this morning.";
  const char *fr = "Le chat dort sur la table de la cuisine depuis ce matin.";
  if (!galley_lang_models_available()) {
    guess_is(en, NULL);
    guess_is(fr, NULL);
    return;
  }
  guess_is(en, "en");
  guess_is(fr, "fr");
  guess_is("Der Hund schläft seit heute Morgen im Garten unter dem Baum.",
           "de");
  /* The models say Esperanto: no function words to agree. */
  guess_is("Replace javascript: links abc def ghi jkl mno pqr stu", NULL);
  /* Function words of two languages, whichever the models favour. */
  guess_is("The cat sleeps on le table de la cuisine every single morning",
           NULL);
  guess_is("Le chat dort sur la table de la cuisine avec the dog", NULL);
  /* One function word ("is") will do when the models say the same
   * (Readability's test page "ol"); a heading's "para", which they do
   * not take for Spanish, is no Spanish. */
  guess_is("AI hasn't meaningfully changed anything in cybersecurity so "
           "far. Deep fake phishing is still rare.",
           "en");
  guess_is("Icon title Head label Head para text label alt text Head", NULL);
  /* One word English does not use ("dans") will do; one it does ("Los"
   * of "Los Angeles") not. */
  guess_is("Nous partirons demain matin dans la voiture rouge de Paul", "fr");
  guess_is("Los Angeles Lakers tickets schedule roster highlights scores "
           "news today",
           NULL);
  /* Under about eight words, nothing (a heading and a list item). */
  guess_is("A title. Some text with a link. One. Two.", NULL);
}

#ifdef NO_MODELS
static void without_models_latin_text_of_a_rarer_language_is_unknown(
    void **state) {
  (void)state;
  assert_false(galley_lang_models_available());
  guess_is("Stockholm är Sveriges huvudstad och landets största stad, "
           "belägen där Mälaren möter Östersjön.",
           NULL);
  /* Cyrillic without a language's own letters: Russian stands in. */
  guess_is("Москва столица России", "ru");
}
#else
static void the_models_name_rarer_languages(void **state) {
  (void)state;
  if (!galley_lang_models_available())
    skip();
  guess_is("Stockholm är Sveriges huvudstad och landets största stad, "
           "belägen där Mälaren möter Östersjön. Staden har omkring en "
           "miljon invånare och är landets politiska och ekonomiska "
           "centrum.",
           "sv");
  guess_is("Warszawa jest stolicą Polski i największym miastem kraju. "
           "Leży nad Wisłą, w środkowo-wschodniej części Polski, i "
           "liczy blisko dwa miliony mieszkańców.",
           "pl");
  guess_is("تهران پایتخت ایران و بزرگ‌ترین شهر این کشور است که در دامنه "
           "کوه‌های البرز قرار گرفته است.",
           "fa");
}
#endif

int main(void) {
#ifdef NO_MODELS
  setenv("GALLEY_TEXTCAT_DIR", "", 1);
#endif
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tags_are_made_regular_bcp47),
      cmocka_unit_test(what_is_not_a_tag_is_refused),
      cmocka_unit_test(right_to_left_languages_and_scripts),
      cmocka_unit_test(scripts_of_one_language_decide_alone),
      cmocka_unit_test(scripts_of_several_languages_get_their_main_one),
      cmocka_unit_test(too_little_text_says_nothing),
      cmocka_unit_test(long_texts_of_common_languages),
      cmocka_unit_test(only_the_first_4kb_are_read),
      cmocka_unit_test(short_texts_need_the_models_and_their_function_words),
#ifdef NO_MODELS
      cmocka_unit_test(without_models_latin_text_of_a_rarer_language_is_unknown),
#else
      cmocka_unit_test(the_models_name_rarer_languages),
#endif
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
