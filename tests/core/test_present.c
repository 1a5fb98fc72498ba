/* Unit tests of the metadata presenters: humane dates in seven languages
 * with the ISO fallback, and the "By" of a byline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <galley/galley.h>

static void check(const char *iso, const char *lang, const char *want) {
  char buf[GALLEY_DATE_FORMAT_MAX];
  size_t n = galley_date_format(iso, lang, buf, sizeof buf);
  if (strcmp(buf, want) != 0 || n != strlen(want))
    fail_msg("date_format(%s, %s) = '%s' (%zu), want '%s'", iso,
             lang ? lang : "NULL", buf, n, want);
}

static void dates_are_written_in_the_article_language(void **state) {
  (void)state;
  check("2026-12-05", "en", "5 December 2026");
  check("2026-12-05", "en-US", "5 December 2026");
  check("2026-12-05", "fr", "5 décembre 2026");
  check("2026-12-01", "fr-CA", "1er décembre 2026");
  check("2026-03-14", "de", "14. März 2026");
  check("2026-12-05", "es", "5 de diciembre de 2026");
  check("2026-12-01", "it", "1º dicembre 2026");
  check("2026-12-05", "it", "5 dicembre 2026");
  check("2018-12-21T12:55:00Z", "pt-BR", "21 de dezembro de 2018");
  check("2026-08-05", "pt_PT", "5 de agosto de 2026");
  check("2026-03-05", "NL", "5 maart 2026");
}

static void a_time_and_zone_are_left_out(void **state) {
  (void)state;
  check("2019-11-18T18:54:53.000Z", "en", "18 November 2019");
  check("2017-11-03 03:01:00.000000", "en", "3 November 2017");
  check("2020-07-19T06:10", "en-GB", "19 July 2020");
  check("2015-07-10T09:53:00-04:00", "fr", "10 juillet 2015");
}

static void months_and_years_alone_are_written_as_such(void **state) {
  (void)state;
  check("2026-12", "en", "December 2026");
  check("2026-12", "es", "diciembre de 2026");
  check("2026-03", "de", "März 2026");
  check("2026", "fr", "2026");
  check("2026", NULL, "2026");
}

static void an_unknown_language_gives_the_iso_date(void **state) {
  (void)state;
  check("2019-11-18T18:54:53.000Z", NULL, "2019-11-18");
  check("2019-11-18T18:54:53.000Z", "", "2019-11-18");
  check("2019-11-18", "und", "2019-11-18");
  check("2019-11-18", "zh-TW", "2019-11-18");
  check("2019-11", "ja", "2019-11");
  /* "e" is not "en", nor is "eng-x". */
  check("2019-11-18", "e", "2019-11-18");
}

static void what_is_not_a_date_gives_nothing(void **state) {
  (void)state;
  const char *bad[] = {"yesterday",   "2026-13-01", "2026-04-31", "2026-02-29",
                       "2026-00-10",  "2026-1-5",   "26-12-05",   "20261205",
                       "2026-12-05x", "2026-12x",   "",           "2026-12-5"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char buf[GALLEY_DATE_FORMAT_MAX] = "junk";
    if (galley_date_format(bad[i], "en", buf, sizeof buf) != 0 || buf[0])
      fail_msg("'%s' gave '%s'", bad[i], buf);
  }
  char buf[8] = "junk";
  assert_int_equal(galley_date_format(NULL, "en", buf, sizeof buf), 0);
  assert_string_equal(buf, "");
  check("2024-02-29", "en", "29 February 2024");
  check("2000-02-29", "en", "29 February 2000");
}

static void a_short_buffer_gives_nothing(void **state) {
  (void)state;
  char buf[10] = "junk";
  assert_int_equal(galley_date_format("2026-12-05", "en", buf, sizeof buf), 0);
  assert_string_equal(buf, "");
  assert_int_equal(galley_date_format("2026-12-05", "en", buf, 0), 0);
  char ok[16];
  assert_int_equal(galley_date_format("2026-12-05", "en", ok, sizeof ok), 15);
}

static void by_is_english_and_never_doubled(void **state) {
  (void)state;
  assert_true(galley_byline_wants_by("Jane Doe", "en"));
  assert_true(galley_byline_wants_by("Byron Katie", "en-US"));
  assert_false(galley_byline_wants_by("By Jane Doe", "en"));
  assert_false(galley_byline_wants_by("by jane doe", "en"));
  assert_false(galley_byline_wants_by("Written by Rob Ewaschuk", "en"));
  assert_false(galley_byline_wants_by("Reporting by A. B.", "en"));
  assert_false(galley_byline_wants_by("Jane Doe", "fr"));
  assert_false(galley_byline_wants_by("Par Sébastien Farcis", "fr"));
  assert_false(galley_byline_wants_by("Jane Doe", NULL));
  assert_false(galley_byline_wants_by("Jane Doe", "und"));
  assert_false(galley_byline_wants_by("", "en"));
  assert_false(galley_byline_wants_by(NULL, "en"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dates_are_written_in_the_article_language),
      cmocka_unit_test(a_time_and_zone_are_left_out),
      cmocka_unit_test(months_and_years_alone_are_written_as_such),
      cmocka_unit_test(an_unknown_language_gives_the_iso_date),
      cmocka_unit_test(what_is_not_a_date_gives_nothing),
      cmocka_unit_test(a_short_buffer_gives_nothing),
      cmocka_unit_test(by_is_english_and_never_doubled),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
