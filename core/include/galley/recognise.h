/* Article metadata recognised in visible text: datelines, bylines, reading
 * times and source credits, in one place for every reader and transform. */
#ifndef GALLEY_RECOGNISE_H
#define GALLEY_RECOGNISE_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * These functions look at one line or short paragraph of visible text
 * (UTF-8; runs of white space count as one space) and say what it is. They
 * are for text a page *shows*; what a source *declares* (meta tags, JSON-LD,
 * front matter) is read by its reader and never passes through here.
 *
 * Every function is pure: no allocation, no global state, no locale (ASCII
 * and UTF-8 rules only), safe on many threads at once. Spans point into the
 * text given. Bytes after the first 1,000 or so of a long text are not
 * looked at: a dateline or byline is short.
 *
 * Languages: month names, weekdays and the words around a date in English,
 * Spanish, Portuguese, French, German, Italian and Dutch; byline words "By",
 * "Written by", "Por", "Par", "Von", "Di", "Door"; reading times in the same
 * seven languages.
 *
 * The structs below are filled in by the library and never grow (new
 * information comes with new functions), so callers may keep them on the
 * stack.
 */

/** Bytes [start, start + len) of the text a function was given. */
typedef struct galley_span {
  size_t start;
  size_t len;
} galley_span;

/** Room for the longest ISO 8601 value written ("2020-07-19T06:10:05.123+02:00"
 * and some to spare), with its terminating NUL. */
#define GALLEY_ISO_DATE_MAX 40

/** A date found in text. */
typedef struct galley_date {
  /** ISO 8601: "2020-07-19", with the time when the text gives one
   * ("2020-07-19T06:10", "2020-07-19T06:10:05"). A date already written in
   * ISO 8601 with a time keeps its fraction and zone as written
   * ("2019-11-18T07:45:00Z"); other zones ("EDT") are not converted. */
  char iso[GALLEY_ISO_DATE_MAX];
  /** The date itself (without the time, unless the two are written as one
   * ISO 8601 value). */
  galley_span span;
  /** True when nothing else is on the line but the date, a weekday, a
   * time, a time zone or UTC offset, punctuation and words such as
   * "Published", "Updated", "on", "am", "Publicado el", "Mis à jour le". */
  bool only;
} galley_date;

/**
 * Finds the first date in `text` (`len` bytes): "2020-07-19", "19 July 2020",
 * "July 19th, 2020", "Sun 19th of July, 2020", "22 de janeiro de 2018",
 * "14. März 2021", "1er décembre 2019", "19.07.2020", "2016.12.01", and
 * "19/07/2020" or "07/19/2020" when the order is plain (a day over 12, or
 * day and month equal; "03/04/2020" is no date). English month names may be
 * shortened to three or more letters ("Sep", "Sept."); the other languages'
 * only with a full stop ("déc.", "Okt."). Years run 1800 to 2200; a month
 * and a year without a day ("March 2020") are no date. A time anywhere on
 * the line ("6:10 AM", "11:30 p.m.", "13h36", "14.30 Uhr", "0:13") joins
 * the ISO value. Fills `*out` and returns true, else returns false.
 *
 * This answers "does the text mention a date"; a sentence with a date in
 * it answers yes. Use galley_recognise_dateline() for "is this line a
 * date".
 */
GALLEY_EXPORT bool galley_recognise_date(const char *text, size_t len,
                                         galley_date *out);

/**
 * True when `text` is a dateline: a short line that is there to say when
 * the article was written. That is a date (as galley_recognise_date finds
 * it) with nothing else but what `only` allows, or besides that, in the
 * date's own part of the line, names written with capitals ("Associated
 * Press November 19, 2019", "Tuesday 15 October 2019 by Bradley M. Kuhn")
 * and, in parts set apart by | · • — – or a spaced hyphen or slash, a
 * reading time, a byline, a credit or a few words that are not a sentence
 * ("Dec 6, 2018 · 5 min read", "Last Updated : Nov 20, 2019 | Source: X").
 * Prose ("The meeting on 19 July 2020 went well"), quotations and
 * references ("\"Title\". Retrieved 1 May 2016.") are not datelines. Fills
 * `*out` with the date as galley_recognise_date does.
 */
GALLEY_EXPORT bool galley_recognise_dateline(const char *text, size_t len,
                                             galley_date *out);

/** Most names one byline gives. */
#define GALLEY_BYLINE_MAX_NAMES 8

/** Flags of galley_recognise_byline(). */
enum {
  /** The markup already says the text is a byline (class="byline",
   * rel="author"): the "By" is optional and a name may be a user name in
   * small letters ("jdadmin"). Without it, the text must start with a
   * byline word and every part must read as a name. */
  GALLEY_BYLINE_MARKED = 1u << 0,
};

/** The parts of a byline. */
typedef struct galley_byline {
  /** The people's names, cleaned: no "By", date, job title, outlet,
   * handle, e-mail address or reading time. */
  galley_span names[GALLEY_BYLINE_MAX_NAMES];
  size_t n_names;
  /** What follows the names after a separator or a comma, when it is not
   * a name: a job title or an outlet ("Staff Writer", "CNN Business");
   * len 0 when none. */
  galley_span rest;
  /** A date in the byline ("By Jane Doe | July 19, 2020"). */
  bool has_date;
  galley_date date;
} galley_byline;

/**
 * True when `text` is a byline: "By Jane Doe", "By Jane Doe, Ana de la Cruz
 * and John Smith | July 19, 2020", "Por María García y Juan Pérez", "Von
 * Moritz Bachmann publiziert am 25. September 2018", "Par Sébastien Farcis",
 * "Di Mario Rossi", "Door Jan de Vries". Names are split at commas, "&",
 * and "and", "y", "e", "et", "und", "en"; degrees after a name ("MS",
 * "PhD", "Jr.") are dropped. The names must be written as names: "By the
 * time we arrived", "Von hier aus", "By Monday, the company had…" are not
 * bylines. `flags` is 0 or GALLEY_BYLINE_MARKED. Fills `*out`.
 */
GALLEY_EXPORT bool galley_recognise_byline(const char *text, size_t len,
                                           unsigned flags, galley_byline *out);

/**
 * True when `name` (an id, a class list, a `rel` or an `itemprop` value,
 * NUL-terminated; NULL is false) marks its element as a byline: it holds
 * "byline", "author" (also inside "post_author", "authorname", "authors")
 * or "writtenby", in any case, but not as the start of a longer word that
 * means something else ("authorization", "authority").
 */
GALLEY_EXPORT bool galley_recognise_byline_mark(const char *name);

/**
 * Finds a reading time in `text`: "5 min read", "5-minute read", "Reading
 * time: 5 minutes", "Lesezeit: 4 Minuten", "4 Min. Lesezeit", "Temps de
 * lecture : 3 min", "3 min de lecture", "Tiempo de lectura: 5 minutos",
 * "Tempo de leitura: 5 min", "Tempo di lettura: 5 minuti", "Leestijd: 4
 * minuten". Sets `*minutes` and `*span` (either may be NULL) and returns
 * true; the caller compares the span with the text to know whether the
 * line is nothing else.
 */
GALLEY_EXPORT bool galley_recognise_reading_time(const char *text, size_t len,
                                                 unsigned *minutes,
                                                 galley_span *span);

/** What a credit line credits. */
typedef enum galley_credit {
  GALLEY_CREDIT_NONE = 0,
  /** "Source: X", "Via X", "Fuente: X", "Fonte: X", "Quelle: X", "Bron:
   * X": the value is X, a few words. */
  GALLEY_CREDIT_SOURCE,
  /** A news agency in brackets, alone ("(Reuters)") or leading a story
   * ("LONDON (Reuters) -"): the value is the agency's name. */
  GALLEY_CREDIT_AGENCY,
  /** A picture's credit: "Photo: X", "Foto: X", "Image: X", "(Image:
   * Getty)", "Credit: X", "…/Getty Images", "FILE PHOTO: …": the value is
   * the whole text. */
  GALLEY_CREDIT_PICTURE,
  /** A news agency's closing credit: "(Reporting by …; Editing by …)",
   * "Additional reporting by …", "Compiled by …": the value is the whole
   * text. */
  GALLEY_CREDIT_REPORTING,
} galley_credit;

/**
 * What kind of credit `text` is, GALLEY_CREDIT_NONE when none; `*value`
 * (may be NULL) gets what is credited. A picture's credit is found
 * anywhere in the text (captions end with one); the other kinds start the
 * text.
 */
GALLEY_EXPORT galley_credit galley_recognise_credit(const char *text,
                                                    size_t len,
                                                    galley_span *value);

/**
 * True when `title` (`len` bytes) ends with its site's name, set apart by
 * a separator ("Title | Site", "Title – My website", "Title - Wikipedia",
 * "Title · V8", "Title [Archive of Our Own]");
 * `*kept` gets the title without it. `sites` (NULL-terminated) are the names
 * the page gives itself: og:site_name, a publisher, a host name or URL
 * ("https://en.wikipedia.org/wiki/Mozilla" names "Wikipedia"). A part names
 * the site when its letters and digits, ignoring case, are the site's or
 * those of one label of its host name ("LWN.net" and "lwn.net",
 * "Factorio" and "Factorio.com"). A title that merely holds a dash
 * ("Just-released exploit - what to do") is never cut: a hyphen, slash or
 * underscore separates only with a space before it, and only a part that
 * names a site goes. Runs of white space count as one.
 */
GALLEY_EXPORT bool galley_recognise_title_site(const char *title, size_t len,
                                               const char *const *sites,
                                               galley_span *kept);

/**
 * The first place in s[0, n) where `needle` (ASCII, NUL-terminated)
 * stands, its letters in any case; NULL when it does not. An empty needle
 * stands at s. Unlike the recognisers, it looks at every byte; bytes
 * outside ASCII match only themselves, and no locale is consulted. Only
 * the places where needle's first byte stands are compared further, so a
 * long text (a data: URL, a page's paragraph) is searched at about the
 * speed of memchr.
 */
GALLEY_EXPORT const char *galley_find_ci(const char *s, size_t n,
                                         const char *needle);

#ifdef __cplusplus
}
#endif
#endif
