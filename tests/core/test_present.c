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

static galley_doc *doc_with(const char *title, const char *heading) {
  galley_doc *d = galley_doc_new();
  assert_non_null(d);
  if (title)
    galley_doc_set_meta(d, GALLEY_META_TITLE, title);
  galley_node *div = galley_doc_new_node(d, GALLEY_NODE_DIV);
  galley_node_append_child(galley_doc_root(d), div);
  galley_node *p = galley_doc_new_node(d, GALLEY_NODE_PARAGRAPH);
  galley_node_append_child(p, galley_doc_new_text(d, "Text.", 5));
  galley_node_append_child(div, p);
  if (heading) {
    galley_node *h = galley_doc_new_node(d, GALLEY_NODE_HEADING);
    galley_node_set_level(h, 1);
    galley_node_append_child(h, galley_doc_new_text(d, heading, (size_t)-1));
    galley_node_append_child(div, h);
  }
  return d;
}

static void the_first_heading_shows_the_title(void **state) {
  (void)state;
  static const struct {
    const char *title, *heading;
    bool shows;
  } cases[] = {
      {"Canal locks", "Canal locks", true},
      {"Canal  locks\n", " Canal locks", true},
      {"Canal locks | The Gazette", "Canal locks", true},
      {"Canal locks \xE2\x80\x93 The Gazette", "Canal locks", true},
      {"Canal locks and weirs", "Canal locks", false},
      {"Canal locks", "Canal gates", false},
      {"Canal locks", NULL, false},
      {NULL, "Canal locks", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    galley_doc *d = doc_with(cases[i].title, cases[i].heading);
    if (galley_doc_shows_title(d) != cases[i].shows)
      fail_msg("case %zu: title '%s' heading '%s'", i,
               cases[i].title ? cases[i].title : "NULL",
               cases[i].heading ? cases[i].heading : "NULL");
    galley_doc_free(d);
  }
}

static void the_site_is_the_publisher_the_source_or_the_host(void **state) {
  (void)state;
  galley_doc *d = doc_with("T", NULL);
  char buf[64];
  assert_null(galley_doc_site(d, buf, sizeof buf));
  assert_string_equal(buf, "");
  galley_doc_set_meta(d, GALLEY_META_URL,
                      "https://user@www.example.org:8080/a");
  assert_string_equal(galley_doc_site(d, buf, sizeof buf), "example.org");
  galley_doc_set_meta(d, GALLEY_META_SOURCE, "Iran Press TV");
  assert_string_equal(galley_doc_site(d, buf, sizeof buf), "Iran Press TV");
  galley_doc_set_meta(d, GALLEY_META_PUBLISHER, "GlobalSecurity.org");
  assert_string_equal(galley_doc_site(d, buf, sizeof buf),
                      "GlobalSecurity.org");
  galley_doc_free(d);
}

static void credits_join_byline_date_and_site(void **state) {
  (void)state;
  galley_doc *d = doc_with("T", NULL);
  assert_null(galley_doc_credits(d, true));
  galley_doc_set_meta(d, GALLEY_META_LANGUAGE, "en");
  galley_doc_add_meta(d, GALLEY_META_AUTHOR, "Jane Doe");
  galley_doc_add_meta(d, GALLEY_META_AUTHOR, "Tim Lee");
  galley_doc_set_meta(d, GALLEY_META_DATE, "2020-07-19T06:10");
  galley_doc_set_meta(d, GALLEY_META_SOURCE, "Iran Press TV");
  char *c = galley_doc_credits(d, true);
  assert_string_equal(c, "By Jane Doe, Tim Lee \xC2\xB7 19 July 2020 \xC2\xB7 "
                         "Iran Press TV");
  free(c);
  /* Without the site, the source stays only when it is not the site. */
  c = galley_doc_credits(d, false);
  assert_string_equal(c, "By Jane Doe, Tim Lee \xC2\xB7 19 July 2020");
  free(c);
  galley_doc_set_meta(d, GALLEY_META_PUBLISHER, "GlobalSecurity.org");
  c = galley_doc_credits(d, false);
  assert_string_equal(c, "By Jane Doe, Tim Lee \xC2\xB7 19 July 2020 "
                         "\xC2\xB7 Iran Press TV");
  free(c);
  galley_doc_set_meta(d, GALLEY_META_LANGUAGE, "de");
  galley_doc_set_meta(d, GALLEY_META_DATE, "im Sommer");
  c = galley_doc_credits(d, true);
  assert_string_equal(c, "Jane Doe, Tim Lee \xC2\xB7 im Sommer \xC2\xB7 "
                         "GlobalSecurity.org \xC2\xB7 Iran Press TV");
  free(c);
  galley_doc_free(d);
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
      cmocka_unit_test(the_first_heading_shows_the_title),
      cmocka_unit_test(the_site_is_the_publisher_the_source_or_the_host),
      cmocka_unit_test(credits_join_byline_date_and_site),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
