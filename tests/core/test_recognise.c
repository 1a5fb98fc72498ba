/* Unit tests of the metadata recogniser (galley/recognise.h): datelines,
 * bylines, reading times and credits in seven languages, and what must not
 * be taken for them. */
#include <pthread.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <galley/galley.h>

/* ---- Helpers ---- */

typedef struct line_iso {
  const char *line, *iso;
} line_iso;

/* The ISO value galley_recognise_dateline gives `line`, or "-" when none. */
static const char *dateline(const char *line, char *buf) {
  galley_date d;
  if (!galley_recognise_dateline(line, strlen(line), &d))
    return "-";
  strcpy(buf, d.iso);
  return buf;
}

static void expect_datelines(const line_iso *cases, size_t n) {
  char buf[GALLEY_ISO_DATE_MAX];
  for (size_t i = 0; i < n; i++) {
    const char *got = dateline(cases[i].line, buf);
    if (strcmp(got, cases[i].iso) != 0)
      fail_msg("\"%s\" gave %s, not %s", cases[i].line, got, cases[i].iso);
  }
}

/* The names of a byline joined with "|", "-" when it is none. */
static const char *names(const char *line, unsigned flags, char *buf,
                         size_t size) {
  galley_byline b;
  if (!galley_recognise_byline(line, strlen(line), flags, &b))
    return "-";
  buf[0] = '\0';
  for (size_t i = 0; i < b.n_names; i++) {
    size_t o = strlen(buf);
    snprintf(buf + o, size - o, "%s%.*s", i ? "|" : "", (int)b.names[i].len,
             line + b.names[i].start);
  }
  return buf;
}

typedef struct line_names {
  const char *line, *names;
} line_names;

static void expect_bylines(const line_names *cases, size_t n, unsigned flags) {
  char buf[512];
  for (size_t i = 0; i < n; i++) {
    const char *got = names(cases[i].line, flags, buf, sizeof buf);
    if (strcmp(got, cases[i].names) != 0)
      fail_msg("\"%s\" gave [%s], not [%s]", cases[i].line, got,
               cases[i].names);
  }
}

#define N(a) (sizeof(a) / sizeof *(a))

/* ---- Dates ---- */

static void english_datelines_give_iso_dates_with_their_time(void **state) {
  (void)state;
  static const line_iso cases[] = {
      {"19 July 2020", "2020-07-19"},
      {"July 19, 2020", "2020-07-19"},
      {"2020-07-19", "2020-07-19"},
      {"Sunday, 19 July 2020 6:10 AM", "2020-07-19T06:10"},
      {"Sun 19th of July, 2020", "2020-07-19"},
      {"Published: Jul. 19, 2020 at 11:30 p.m. EDT", "2020-07-19T23:30"},
      {"Updated 12:05 GMT, Monday, 20 July 2020", "2020-07-20T12:05"},
      {"Updated 12:24 am EST, Wednesday, November 20, 2019",
       "2019-11-20T00:24"},
      {"2020-07-19T06:10:05", "2020-07-19T06:10:05"},
      {"Sept 1, 2021 | 12 AM", "2021-09-01T00:00"},
      {"18 NOV 2019", "2019-11-18"},
      {"Nov 18, 2019 @17:19 PM", "2019-11-18T17:19"},
      {"Updated 0339 GMT (1139 HKT) November 19, 2019", "2019-11-19T03:39"},
      {"Dec 28 Sat 2013 00:28", "2013-12-28T00:28"},
  };
  expect_datelines(cases, N(cases));
}

static void datelines_in_six_more_languages(void **state) {
  (void)state;
  static const line_iso cases[] = {
      /* es */
      {"Publicado el 12 de marzo de 2024, 09:30", "2024-03-12T09:30"},
      {"mi\xc3\xa9rcoles, 5 de mayo del 2021", "2021-05-05"},
      {"3 dic. 2019", "2019-12-03"},
      /* pt */
      {"segunda-feira, 22 de janeiro de 2018 \xc3\xa0s 0:13",
       "2018-01-22T00:13"},
      {"Atualizado em 1\xc2\xba de mar\xc3\xa7o de 2020", "2020-03-01"},
      /* fr */
      {"Publi\xc3\xa9 le 3 d\xc3\xa9"
       "cembre 2019",
       "2019-12-03"},
      {"1er f\xc3\xa9vrier 2021 \xc3\xa0 13h36", "2021-02-01T13:36"},
      {"Mis \xc3\xa0 jour le 4 AO\xc3\x9bT 2020", "2020-08-04"},
      /* A line of four parts, 26 words: ten words a part. */
      {"La Gazette du Port | 04.05.2015 \xc3\xa0 13h36 \xe2\x80\xa2 Mis "
       "\xc3\xa0 jour le 05.05.2015 \xc3\xa0 20h13 | Par Jeanne Marie "
       "Lefebvre (avec Paul Girard et Anne Roux)",
       "2015-05-04T13:36"},
      /* de */
      {"14. M\xc3\xa4rz 2021", "2021-03-14"},
      {"Stand: 05.11.2019, 14.30 Uhr", "2019-11-05T14:30"},
      {"Ver\xc3\xb6"
       "ffentlicht am Dienstag, 3. Okt. 2017",
       "2017-10-03"},
      /* it */
      {"Pubblicato il 7 luglio 2020 alle ore 18:05", "2020-07-07T18:05"},
      {"venerd\xc3\xac 2 ottobre 2015", "2015-10-02"},
      /* nl */
      {"Gepubliceerd op 9 mei 2022 om 10:15", "2022-05-09T10:15"},
      {"zaterdag 2 mrt 2019", "2019-03-02"},
  };
  expect_datelines(cases, N(cases));
}

static void numeric_dates_only_when_their_order_is_plain(void **state) {
  (void)state;
  static const line_iso cases[] = {
      {"19.07.2020", "2020-07-19"},
      {"2016.12.01", "2016-12-01"},
      {"2020/07/19", "2020-07-19"},
      {"13/04/2020", "2020-04-13"},
      {"04/13/2020", "2020-04-13"},
      {"05/05/2020", "2020-05-05"},
      {"03/04/2020", "-"}, /* March 4th or April 3rd? */
      {"By Tess Bonn - 11/19/19 06:56 AM EST", "2019-11-19T06:56"},
      {"11/19/19", "-"}, /* two-digit years only before a time */
      {"2019-11-18T07:45:00Z", "2019-11-18T07:45:00Z"},
      {"2014-09-02T08:35:27-04:00", "2014-09-02T08:35:27-04:00"},
      {"2018-06-12T23:00:00.000Z", "2018-06-12T23:00:00.000Z"},
      {"31.02.2020", "-"},
      {"29 February 2019", "-"},
      {"29 February 2020", "2020-02-29"},
  };
  expect_datelines(cases, N(cases));
}

static void datelines_may_name_people_and_reading_times(void **state) {
  (void)state;
  static const line_iso cases[] = {
      {"Associated Press November 19, 2019, 9:02 AM", "2019-11-19T09:02"},
      {"Tuesday 15 October 2019 by Bradley M. Kuhn", "2019-10-15"},
      {"smithsonian.com November 18, 2019", "2019-11-18"},
      {"Dec 6, 2018 \xc2\xb7 5 min read", "2018-12-06"},
      {"Jane Doe \xc2\xb7 3 min read \xc2\xb7 Mar 3, 2026", "2026-03-03"},
      {"Last Updated : Nov 20, 2019 01:41 PM IST | Source: Moneycontrol.com",
       "2019-11-20T13:41"},
      {"Von Moritz Bachmann publiziert am 25. September 2018", "2018-09-25"},
      {"October 12, 2018/0 Comments/in Jeongdong Promotion /by jdadmin",
       "2018-10-12"},
      {"Sarah Gooding March 9, 2017 13", "2017-03-09"},
  };
  expect_datelines(cases, N(cases));
}

static void prose_quotes_and_references_are_not_datelines(void **state) {
  (void)state;
  static const line_iso cases[] = {
      {"The meeting on 19 July 2020 went well", "-"},
      {"The meeting on 19 July 2020 went well.", "-"},
      {"Die Sitzung am 19. Juli 2020 war kurz", "-"},
      {"La r\xc3\xa9union du 3 d\xc3\xa9"
       "cembre 2019 a dur\xc3\xa9 une heure",
       "-"},
      {"Federal Reserve Board, \"Beige Book,\" Oct. 16, 2019", "-"},
      {"^ \"Roadmap\". Retrieved 10 May 2016.", "-"},
      {"\xe2\x80\x94 Shay Friedman (@ironshay) August 22, 2013", "-"},
      {"LWN.net Weekly Edition for April 23, 2015", "-"},
      {"7th Amsterdam Light Festival 29 November 2018 | 20 January 2019", "-"},
      {"https://example.com/2015/03/30/a-story/", "-"},
      {"March 2020", "-"},
      {"Mar 11 \xc2\xb7 5 min read", "-"},
      {"", "-"},
  };
  expect_datelines(cases, N(cases));
  /* A date in the middle of a sentence is still a date mentioned. */
  galley_date d;
  const char *s = "The meeting on 19 July 2020 went well";
  assert_true(galley_recognise_date(s, strlen(s), &d));
  assert_string_equal(d.iso, "2020-07-19");
  assert_false(d.only);
  assert_int_equal(d.span.start, 15);
  assert_int_equal(d.span.len, 12);
  /* "Mary" and "Marine" are no months. */
  s = "Mary 5 2020";
  assert_false(galley_recognise_date(s, strlen(s), &d));
}

/* ---- Bylines ---- */

static void bylines_give_cleaned_names_in_each_language(void **state) {
  (void)state;
  static const line_names cases[] = {
      {"By Jane Doe", "Jane Doe"},
      {"BY JANE DOE", "JANE DOE"},
      {"By: Jane Doe", "Jane Doe"},
      {"By Jane Doe, Ana de la Cruz and John Smith | July 19, 2020",
       "Jane Doe|Ana de la Cruz|John Smith"},
      {"Written by Rachael Link, MS, RD on November 14, 2019", "Rachael Link"},
      {"Posted by Vortex", "Vortex"},
      {"Author: The Water Coolest", "The Water Coolest"},
      {"Por Mar\xc3\xad"
       "a Garc\xc3\xad"
       "a y Juan P\xc3\xa9rez",
       "Mar\xc3\xad"
       "a Garc\xc3\xad"
       "a|Juan P\xc3\xa9rez"},
      {"Por Steven Lee Myers, Keith Bradsher y Tariq Panja",
       "Steven Lee Myers|Keith Bradsher|Tariq Panja"},
      {"Par S\xc3\xa9"
       "bastien Farcis",
       "S\xc3\xa9"
       "bastien Farcis"},
      {"Par Alexandre Hervaud et J\xc3\xa9r\xc3\xa9my Piette",
       "Alexandre Hervaud|J\xc3\xa9r\xc3\xa9my Piette"},
      {"Von Moritz Bachmann publiziert am 25. September 2018",
       "Moritz Bachmann"},
      {"Von Anna Schmidt und Jonas Weber", "Anna Schmidt|Jonas Weber"},
      {"Di Mario Rossi e Giulia Bianchi", "Mario Rossi|Giulia Bianchi"},
      {"Door Jan de Vries en Piet Jansen", "Jan de Vries|Piet Jansen"},
      {"Escrito por Ana Souza", "Ana Souza"},
  };
  expect_bylines(cases, N(cases), 0);
}

static void bylines_lose_dates_titles_handles_and_reading_times(void **state) {
  (void)state;
  static const line_names cases[] = {
      {"By Jane Doe | Staff Writer, March 3, 2026", "Jane Doe"},
      {"By Jill Disis, CNN Business", "Jill Disis"},
      {"By Troy L. Smith, Cleveland.com", "Troy L. Smith"},
      {"By Laura Winter19 Nov 2019 05:44 GMT", "Laura Winter"},
      {"by Ahiza Garcia @ahiza_garcia February 1, 2016: 12:41 PM ET",
       "Ahiza Garcia"},
      {"By Chaim Gartenberg@cgartenberg Nov 19, 2019, 7:53pm EST",
       "Chaim Gartenberg"},
      {"By Megan Rowe meganr@spokesman.com(509) 459-5382", "Megan Rowe"},
      {"By Umair Irfan Updated Nov 13, 2019, 10:28am EST", "Umair Irfan"},
      {"by Lucas Nolan22 Dec 2016651", "Lucas Nolan"},
      {"by India Post News Weekly 0 Comments", "India Post News Weekly"},
      {"By Erin Cunningham March 14 at 6:45 PM", "Erin Cunningham"},
      {"Written by Rob Ewaschuk Edited by Betsy Beyer", "Rob Ewaschuk"},
      {"By Theresa May", "Theresa May"},
      {"By Thanh Le, July 5, 2020", "Thanh Le"},
      {"// By Arun Sai Krishnan \xe2\x80\xa2 Nov 11, 2020",
       "Arun Sai Krishnan"},
  };
  expect_bylines(cases, N(cases), 0);
  /* The parts after the names and the date are kept apart. */
  galley_byline b;
  const char *s = "By Jane Doe | Staff Writer, March 3, 2026";
  assert_true(galley_recognise_byline(s, strlen(s), 0, &b));
  assert_int_equal(b.rest.len, strlen("Staff Writer"));
  assert_memory_equal(s + b.rest.start, "Staff Writer", b.rest.len);
  assert_true(b.has_date);
  assert_string_equal(b.date.iso, "2026-03-03");
}

static void sentences_that_start_like_bylines_are_not_bylines(void **state) {
  (void)state;
  static const line_names cases[] = {
      {"By the time we arrived, the shop had closed.", "-"},
      {"By the end of the year we will know", "-"},
      {"By Monday, the company had lost $5 million.", "-"},
      {"Von hier aus sieht man das Meer", "-"},
      {"Von Montag an gilt die neue Regel", "-"},
      {"Por favor, cierre la puerta", "-"},
      {"Par exemple, la ville de Lyon", "-"},
      {"Di solito arriviamo presto", "-"},
      {"Door de regen bleven we thuis", "-"},
      {"Bylines are hard", "-"},
      {"Byron Smith wrote this", "-"},
      {"Text of the law", "-"},
      {"By", "-"},
      {"By Monday", "-"},
      {"By Jane Doe.", "-"},
  };
  expect_bylines(cases, N(cases), 0);
}

static void marked_bylines_need_no_by_but_still_a_name(void **state) {
  (void)state;
  static const line_names cases[] = {
      {"Jane Doe March 3, 2026", "Jane Doe"},
      {"Nicolas Perriault \xe2\x80\x94", "Nicolas Perriault"},
      {"James Akinaka \xe2\x80\xa2 8h", "James Akinaka"},
      {"Suzanne Gamboa1 day ago", "Suzanne Gamboa"},
      {"Rodrigo Campos5 Min Read", "Rodrigo Campos"},
      {"Tom RoganTuesday November 19, 2019", "Tom Rogan"},
      {"Ilana Muhlstein, MS, RDN", "Ilana Muhlstein"},
      {"Stella Kim, Jennifer Jett", "Stella Kim|Jennifer Jett"},
      {"Stella Kim is an NBC News producer based in Seoul.", "Stella Kim"},
      {"\xd0\xa2\xd0\xb5\xd0\xba\xd1\x81\xd1\x82: \xd0\x92\xd0\xb5\xd0\xbd"
       "\xd0\xb5\xd1\x80\xd0\xb0 \xd0\x95\xd1\x80\xd0\xbe\xd1\x84\xd0\xb5"
       "\xd0\xb5\xd0\xb2\xd0\xb0",
       "\xd0\x92\xd0\xb5\xd0\xbd\xd0\xb5\xd1\x80\xd0\xb0 \xd0\x95\xd1\x80"
       "\xd0\xbe\xd1\x84\xd0\xb5\xd0\xb5\xd0\xb2\xd0\xb0"},
      {"jdadmin", "jdadmin"},
      /* Not names: a date, a link's label, a credit, markup. */
      {"Last Updated: January 7, 2025", "-"},
      {"segunda-feira, 22 de janeiro de 2018 \xc3\xa0s 0:13", "-"},
      {"View author archive", "-"},
      {"Get author RSS feed", "-"},
      {"Source: Iran Press TV", "-"},
      {"id=\"authorization\"", "-"},
      {"smithsonian.com", "-"},
      {"By", "-"},
  };
  expect_bylines(cases, N(cases), GALLEY_BYLINE_MARKED);
}

static void initials_alone_are_no_name_but_a_nickname_stays(void **state) {
  (void)state;
  static const line_names cases[] = {
      /* A commenter's avatar letter and one-letter user name. */
      {"J J", "-"},
      {"A. B.", "-"},
      {"J. K. Rowling", "J. K. Rowling"},
      /* A nickname in brackets inside the name; a handle after it goes. */
      {"Richard (R.J.) Eskow", "Richard (R.J.) Eskow"},
      {"Chaim Gartenberg (@cgartenberg)", "Chaim Gartenberg"},
      /* A job title in a block of its own: one line each. */
      {"Ben Silverman\nGames Editor", "Ben Silverman"},
  };
  expect_bylines(cases, N(cases), GALLEY_BYLINE_MARKED);
}

/* ---- Titles ---- */

/* The title galley_recognise_title_site keeps, "-" when it cuts nothing. */
static const char *kept_title(const char *title, const char *const *sites,
                              char *buf) {
  galley_span k;
  if (!galley_recognise_title_site(title, strlen(title), sites, &k))
    return "-";
  snprintf(buf, 512, "%.*s", (int)k.len, title + k.start);
  return buf;
}

static void titles_lose_a_suffix_only_when_it_names_the_site(void **state) {
  (void)state;
  static const struct {
    const char *title, *site, *kept;
  } cases[] = {
      {"How to Build a Terrarium | eHow", "eHow", "How to Build a Terrarium"},
      {"Notes \xe2\x80\x93 My website", "My Website", "Notes"},
      {"Mozilla - Wikipedia", "https://en.wikipedia.org/wiki/Mozilla",
       "Mozilla"},
      {"Chapter 3 [Archive of Our Own]", "Archive of Our Own", "Chapter 3"},
      {"Weekly Edition [LWN.net]", "lwn.net", "Weekly Edition"},
      {"Friday Facts #282 - 0.17 in sight | Factorio", "Factorio.com",
       "Friday Facts #282 - 0.17 in sight"},
      {"Outside the web \xc2\xb7 V8", "https://v8.dev/blog/x",
       "Outside the web"},
      {"Une loi  approuv\xc3\xa9"
       "e\n   - Le Monde.fr",
       "Le Monde.fr", "Une loi  approuv\xc3\xa9"
                      "e"},
      /* Only a part that names the site goes. */
      {"Just-released exploit - what to do", "Ars Technica", "-"},
      {"Just-released Minecraft exploit", "Minecraft", "-"},
      {"Tips | Section | The Guardian", "BBC News", "-"},
      {"The New York Times en Espa\xc3\xb1ol", "The New York Times", "-"},
      {"Site-wide news", "news", "-"},
      {"| Wikipedia", "Wikipedia", "-"},
      {"", "Wikipedia", "-"},
  };
  char buf[512];
  for (size_t i = 0; i < N(cases); i++) {
    const char *sites[] = {"unrelated.example", cases[i].site, NULL};
    const char *got = kept_title(cases[i].title, sites, buf);
    if (strcmp(got, cases[i].kept) != 0)
      fail_msg("\"%s\" (site %s) kept \"%s\", not \"%s\"", cases[i].title,
               cases[i].site, got, cases[i].kept);
  }
  const char *none[] = {NULL};
  assert_string_equal(kept_title("Title | eHow", none, buf), "-");
  galley_span k;
  assert_false(galley_recognise_title_site(NULL, 3, none, &k));
}

static void byline_marks_are_whole_meanings_not_substrings(void **state) {
  (void)state;
  assert_true(galley_recognise_byline_mark("byline"));
  assert_true(galley_recognise_byline_mark("post-author vcard"));
  assert_true(galley_recognise_byline_mark("author_fmt"));
  assert_true(galley_recognise_byline_mark("c-byline__authors"));
  assert_true(galley_recognise_byline_mark("writtenBy"));
  assert_true(galley_recognise_byline_mark("p-author h-card"));
  assert_false(galley_recognise_byline_mark("authorization"));
  assert_false(galley_recognise_byline_mark("sidebar authority-box"));
  assert_false(galley_recognise_byline_mark("dateline"));
  assert_false(galley_recognise_byline_mark(""));
  assert_false(galley_recognise_byline_mark(NULL));
}

/* ---- Reading times and credits ---- */

static void reading_times_in_each_language(void **state) {
  (void)state;
  static const struct {
    const char *line;
    unsigned minutes;
  } cases[] = {
      {"5 min read", 5},
      {"5-minute read", 5},
      {"Reading time: 12 minutes", 12},
      {"Lesezeit: 4 Minuten", 4},
      {"4 Min. Lesezeit", 4},
      {"Temps de lecture : 3 min", 3},
      {"3 min de lecture", 3},
      {"Tiempo de lectura: 5 minutos", 5},
      {"Tempo de leitura: 6 min", 6},
      {"Tempo di lettura: 7 minuti", 7},
      {"Leestijd: 2 minuten", 2},
      {"8 min leestijd", 8},
  };
  for (size_t i = 0; i < N(cases); i++) {
    unsigned m = 0;
    galley_span sp;
    const char *s = cases[i].line;
    if (!galley_recognise_reading_time(s, strlen(s), &m, &sp))
      fail_msg("\"%s\" is no reading time", s);
    assert_int_equal(m, cases[i].minutes);
    assert_int_equal(sp.start, 0);
    assert_int_equal(sp.len, strlen(s));
  }
  static const char *const not_times[] = {"5 minutes ago", "min read",
                                          "Read 5 minutes of the speech",
                                          "0 min read", NULL};
  for (size_t i = 0; not_times[i]; i++)
    if (galley_recognise_reading_time(not_times[i], strlen(not_times[i]), NULL,
                                      NULL))
      fail_msg("\"%s\" taken for a reading time", not_times[i]);
}

static void credits_say_what_they_credit(void **state) {
  (void)state;
  static const struct {
    const char *line;
    galley_credit kind;
    const char *value;
  } cases[] = {
      {"Source: Iran Press TV", GALLEY_CREDIT_SOURCE, "Iran Press TV"},
      {"Via Reuters", GALLEY_CREDIT_SOURCE, "Reuters"},
      {"Fuente: Agencia EFE", GALLEY_CREDIT_SOURCE, "Agencia EFE"},
      {"Quelle: dpa", GALLEY_CREDIT_SOURCE, "dpa"},
      {"(Reuters)", GALLEY_CREDIT_AGENCY, "Reuters"},
      {"LONDON (Reuters) - The pound fell", GALLEY_CREDIT_AGENCY, "Reuters"},
      {"Photo: AP", GALLEY_CREDIT_PICTURE, "Photo: AP"},
      {"Foto: dpa", GALLEY_CREDIT_PICTURE, "Foto: dpa"},
      {"Protesters at the gate (Image: Getty)", GALLEY_CREDIT_PICTURE,
       "Protesters at the gate (Image: Getty)"},
      {"Mark Stout/iStock/Getty Images", GALLEY_CREDIT_PICTURE,
       "Mark Stout/iStock/Getty Images"},
      {"(Reporting by Greg Roumeliotis; Editing by Martin Howell)",
       GALLEY_CREDIT_REPORTING,
       "(Reporting by Greg Roumeliotis; Editing by Martin Howell)"},
      {"Additional reporting by Joseph Hudak", GALLEY_CREDIT_REPORTING,
       "Additional reporting by Joseph Hudak"},
      {"Via the new app, users can pay", GALLEY_CREDIT_NONE, ""},
      {"The source of the leak is unknown", GALLEY_CREDIT_NONE, ""},
      {"Paris (France) - a city", GALLEY_CREDIT_NONE, ""},
  };
  for (size_t i = 0; i < N(cases); i++) {
    galley_span v;
    const char *s = cases[i].line;
    galley_credit k = galley_recognise_credit(s, strlen(s), &v);
    if (k != cases[i].kind)
      fail_msg("\"%s\" is credit %d, not %d", s, (int)k, (int)cases[i].kind);
    assert_int_equal(v.len, strlen(cases[i].value));
    assert_memory_equal(s + v.start, cases[i].value, v.len);
  }
}

/* ---- Robustness ---- */

static void bad_and_huge_input_is_answered_without_harm(void **state) {
  (void)state;
  galley_date d;
  galley_byline b;
  galley_span sp;
  assert_false(galley_recognise_date(NULL, 5, &d));
  assert_false(galley_recognise_dateline(NULL, 5, &d));
  assert_false(galley_recognise_byline(NULL, 5, 0, &b));
  assert_false(galley_recognise_reading_time(NULL, 5, NULL, NULL));
  assert_int_equal(galley_recognise_credit(NULL, 5, &sp), GALLEY_CREDIT_NONE);
  /* Invalid UTF-8 and NUL bytes are only characters that are not letters. */
  static const char bad[] = "By \xff\xfe Jane \xc3 Doe\0 19 July 2020";
  assert_false(galley_recognise_byline(bad, sizeof bad - 1, 0, &b));
  assert_true(galley_recognise_date(bad, sizeof bad - 1, &d));
  /* Ten megabytes of digits and dates: only the start is looked at. */
  size_t n = 10 * 1024 * 1024;
  char *big = malloc(n);
  assert_non_null(big);
  for (size_t i = 0; i < n; i++)
    big[i] = "19 July 2020 "[i % 13];
  assert_true(galley_recognise_date(big, n, &d));
  assert_false(d.only);
  assert_false(galley_recognise_dateline(big, n, &d));
  assert_false(galley_recognise_byline(big, n, GALLEY_BYLINE_MARKED, &b));
  galley_recognise_credit(big, n, &sp);
  galley_recognise_reading_time(big, n, NULL, NULL);
  free(big);
}

typedef struct worker {
  int failures;
} worker;

/* The plain definition, byte by byte. */
static const char *naive_find_ci(const char *s, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++) {
    size_t j = 0;
    while (j < m && tolower((unsigned char)s[i + j]) ==
                        tolower((unsigned char)needle[j]))
      j++;
    if (j == m)
      return s + i;
  }
  return NULL;
}

/* Every place and length, in texts of letters that differ from the
 * needle's first only in case or in bit 5 ('@' against '`'), as the plain
 * definition finds them: the search sixteen bytes at a time stops at the
 * same place. */
static void find_ci_agrees_with_the_plain_search(void **state) {
  (void)state;
  const char *needles[] = {"abc", "ABC", "@x", "`x", "q", "[]", "z9"};
  char t[80];
  unsigned seed = 7;
  for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++)
    for (size_t n = 0; n <= sizeof t; n++)
      for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < n; i++) {
          seed = seed * 1103515245u + 12345u;
          const char pick[] = "aAbBcC@`xXqQ[]{}z9Z";
          t[i] = pick[(seed >> 16) % (sizeof pick - 1)];
        }
        assert_ptr_equal(galley_find_ci(t, n, needles[k]),
                         naive_find_ci(t, n, needles[k]));
      }
}

static void find_ci_finds_ascii_in_any_case_and_nothing_else(void **state) {
  (void)state;
  const char *t = "Photo: ALL Rights Reserved \xc3\x89t\xc3\xa9 (C) 2019";
  size_t n = strlen(t);
  assert_ptr_equal(galley_find_ci(t, n, "all rights"), t + 7);
  assert_ptr_equal(galley_find_ci(t, n, "ALL RIGHTS"), t + 7);
  assert_ptr_equal(galley_find_ci(t, n, "(c) 20"), strstr(t, "(C)"));
  assert_ptr_equal(galley_find_ci(t, n, ""), t);
  /* Bytes outside ASCII match only themselves: "É" is not "é". */
  assert_ptr_equal(galley_find_ci(t, n, "\xc3\x89t\xc3\xa9"),
                   strstr(t, "\xc3\x89"));
  assert_null(galley_find_ci(t, n, "\xc3\xa9t\xc3\xa9"));
  /* Only the first n bytes are looked at, every one of them. */
  assert_null(galley_find_ci(t, 9, "all rights"));
  assert_null(galley_find_ci(t, n - 1, "2019"));
  assert_non_null(galley_find_ci(t, n, "2019"));
  assert_null(galley_find_ci(NULL, 0, "x"));
  /* A long text is searched to its end. */
  size_t big = 1 << 20;
  char *s = malloc(big);
  assert_non_null(s);
  memset(s, 'a', big);
  memcpy(s + big - 5, "MaRk", 4);
  assert_ptr_equal(galley_find_ci(s, big, "mark"), s + big - 5);
  assert_null(galley_find_ci(s, big - 2, "mark"));
  free(s);
}

static void *work(void *arg) {
  worker *w = arg;
  char buf[512];
  for (int i = 0; i < 2000; i++) {
    galley_date d;
    const char *s = "Publi\xc3\xa9 le 3 d\xc3\xa9"
                    "cembre 2019 \xc3\xa0 14h05";
    if (!galley_recognise_dateline(s, strlen(s), &d) ||
        strcmp(d.iso, "2019-12-03T14:05") != 0)
      w->failures++;
    if (strcmp(names("Door Jan de Vries en Piet Jansen", 0, buf, sizeof buf),
               "Jan de Vries|Piet Jansen") != 0)
      w->failures++;
  }
  return NULL;
}

static void answers_are_the_same_on_many_threads(void **state) {
  (void)state;
  pthread_t t[8];
  worker w[8] = {{0}};
  for (int i = 0; i < 8; i++)
    assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
  for (int i = 0; i < 8; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(w[i].failures, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(english_datelines_give_iso_dates_with_their_time),
      cmocka_unit_test(datelines_in_six_more_languages),
      cmocka_unit_test(numeric_dates_only_when_their_order_is_plain),
      cmocka_unit_test(datelines_may_name_people_and_reading_times),
      cmocka_unit_test(prose_quotes_and_references_are_not_datelines),
      cmocka_unit_test(bylines_give_cleaned_names_in_each_language),
      cmocka_unit_test(bylines_lose_dates_titles_handles_and_reading_times),
      cmocka_unit_test(sentences_that_start_like_bylines_are_not_bylines),
      cmocka_unit_test(marked_bylines_need_no_by_but_still_a_name),
      cmocka_unit_test(initials_alone_are_no_name_but_a_nickname_stays),
      cmocka_unit_test(titles_lose_a_suffix_only_when_it_names_the_site),
      cmocka_unit_test(byline_marks_are_whole_meanings_not_substrings),
      cmocka_unit_test(reading_times_in_each_language),
      cmocka_unit_test(credits_say_what_they_credit),
      cmocka_unit_test(bad_and_huge_input_is_answered_without_harm),
      cmocka_unit_test(answers_are_the_same_on_many_threads),
      cmocka_unit_test(find_ci_finds_ascii_in_any_case_and_nothing_else),
      cmocka_unit_test(find_ci_agrees_with_the_plain_search),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
