/* Metadata as readers see it: a date written out in the article's
 * language, and whether a byline wants a "By" before it. Every writer that
 * shows a title block (html, markdown, text, epub) asks here, so they all
 * write the same date the same way. */
#ifndef GALLEY_PRESENT_H
#define GALLEY_PRESENT_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"
#include "tree.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A buffer of this many bytes holds any date galley_date_format writes. */
#define GALLEY_DATE_FORMAT_MAX 64

/**
 * Writes the ISO 8601 date `iso` ("2026-12-05", "2026-12", "2026", or any
 * of these followed by a time: "2019-11-18T18:54:53.000Z", "2017-11-03
 * 03:01:00") as a reader would write it in the language `lang` (a BCP 47
 * tag; only its primary subtag counts, "pt-BR" is "pt"):
 *
 *   en  5 December 2026     December 2026
 *   fr  5 décembre 2026     décembre 2026    (the first: 1er décembre 2026)
 *   de  5. Dezember 2026    Dezember 2026
 *   es  5 de diciembre de 2026               diciembre de 2026
 *   it  5 dicembre 2026     dicembre 2026    (the first: 1º dicembre 2026)
 *   pt  5 de dezembro de 2026                dezembro de 2026
 *   nl  5 december 2026     december 2026
 *
 * A year alone is the year. Any other language, and no language (NULL, ""
 * or "und"), gives the ISO date without its time ("2026-12-05"): galley
 * does not guess a language's date format. The time and its zone are left
 * out; the calendar date is the one written, not converted to another zone.
 *
 * Writes at most `size` bytes, NUL included, to `buf` (GALLEY_DATE_FORMAT_MAX
 * is always enough) and returns the length written. Returns 0 (and `buf`
 * empty when `size` > 0) when `iso` is NULL or not such a date (a month 13,
 * 31 April, 29 February of a common year, text), or `buf` is too small;
 * the caller then shows the value as it is.
 */
GALLEY_EXPORT size_t galley_date_format(const char *iso, const char *lang,
                                        char *buf, size_t size);

/**
 * True when a title block in language `lang` should write "By " before the
 * byline `byline`: the language is English ("en", "en-GB"…) and the byline
 * does not already start with a byline word ("By", "Written by", "Words
 * by", "Reporting by", "Text by", "Story by", in any case). Any other
 * language, and no language, is false: "By" is English, and other
 * languages' bylines read right without a word before them. NULL or an
 * empty byline is false.
 */
GALLEY_EXPORT bool galley_byline_wants_by(const char *byline, const char *lang);

/**
 * True when the body of `doc` already shows its title, so that a title
 * block would repeat it: the document's first heading (at any depth, in
 * document order) has the text of the metadata title, white space
 * collapsed, or the title is that text followed by a site's name after
 * " | ", " - ", " – ", " — ", " :: " or " · " ("Canal locks | The
 * Gazette" over a heading "Canal locks"). False without a title or a
 * heading.
 */
GALLEY_EXPORT bool galley_doc_shows_title(const galley_doc *doc);

/**
 * The site a title block names: the publisher, else the credited source,
 * else the host of the document's http(s) URL without "www." Writes it,
 * NUL-terminated and cut to fit, to `buf` (`size` bytes) and returns
 * `buf`, or returns NULL (and `buf` empty when `size` > 0) when the
 * document names none.
 */
GALLEY_EXPORT const char *galley_doc_site(const galley_doc *doc, char *buf,
                                          size_t size);

/**
 * The credits line of a title block, plain text: the authors (", "
 * between them, "By " first when galley_byline_wants_by says so), the
 * date as galley_date_format writes it in the document's language (a
 * value that is not ISO 8601 as it is), and, when `with_site`, the site
 * (galley_doc_site) — else only a credited source that is not the site —
 * joined by " · " ("By Jane Doe · 5 December 2026 · The Gazette").
 * Returns a malloc'd string the caller frees with free(), or NULL when
 * there is nothing to credit or memory ran out.
 */
GALLEY_EXPORT char *galley_doc_credits(const galley_doc *doc, bool with_site);

#ifdef __cplusplus
}
#endif

#endif
