/* galley — the layout layer for line-oriented writers.
 *
 * What a writer of Markdown, plain text, gemtext or AsciiDoc otherwise
 * builds by hand: lines that start with the prefixes of the containers
 * they are in (quote markers, list indents), a list marker on an item's
 * first line and its width in spaces on the lines after, blank lines
 * between blocks that never pile up, text wrapped at a width without ever
 * breaking a word or a URL and measured in display columns (an East Asian
 * wide character counts two), and a hook that escapes text as the format
 * needs. The idea is cmark's render.c and pandoc's doclayout, in C.
 *
 *   galley_layout *l = galley_layout_new(out, 72);
 *   galley_layout_push(l, "> ");          // entering a quote
 *   galley_layout_marker(l, "- ");        // an item: "- " then "  "
 *   galley_layout_text(l, words, len);    // wrapped, escaped
 *   galley_layout_pop(l);                 // leaving the item
 *   galley_layout_blank(l);               // a blank line before the next
 *   ...
 *   int rc = galley_layout_finish(l);     // ends the last line
 *   galley_layout_free(l);
 *
 * Ended lines go to the sink in pieces of about 64 KiB, and all of them
 * by galley_layout_finish: a writer that writes to the sink itself does
 * it before its first layout call or after finish. Every call returns
 * GALLEY_OK or GALLEY_ENOMEM (or GALLEY_EINVALID for a NULL layout); a
 * failure is sticky and galley_layout_finish reports it.
 */
#ifndef GALLEY_LAYOUT_H
#define GALLEY_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "job.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct galley_layout galley_layout;

/**
 * Escapes `len` bytes of text at `s` for the format, appending the result
 * to `out`. `line_start` says whether the text begins a line (after its
 * prefix), where more characters may need escaping (Markdown's "#", "-",
 * "1."). Returns GALLEY_OK or GALLEY_ENOMEM.
 */
typedef int (*galley_layout_escape_fn)(galley_buf *out, const char *s,
                                       size_t len, bool line_start,
                                       void *data);

/**
 * Says whether the word `s` (`len` bytes, up to the next space; markup
 * written with galley_layout_raw included) may begin a line when a wrap
 * would put it there: a text writer refuses "-" or "1.", which the reader
 * would take for a list. Asked once per word, when the word is complete.
 */
typedef bool (*galley_layout_break_fn)(const char *s, size_t len, void *data);

/** A layout writing to `out` (borrowed), wrapping text at `width` display
 *  columns, prefixes included (0: never wrap). NULL when out of memory. */
GALLEY_EXPORT galley_layout *galley_layout_new(galley_sink *out, size_t width);
/** Ends the last line and says whether everything went well: GALLEY_OK,
 *  or the first failure. The layout stays usable for galley_layout_free. */
GALLEY_EXPORT int galley_layout_finish(galley_layout *l);
GALLEY_EXPORT void galley_layout_free(galley_layout *l);

/** The escaping hook for galley_layout_text (NULL: none). */
GALLEY_EXPORT void galley_layout_set_escape(galley_layout *l,
                                            galley_layout_escape_fn fn,
                                            void *data);
/** The check asked before a wrap puts a word first on a line (NULL: any
 *  word may). A refused word stays on its line: the break moves back to
 *  an earlier space, and with none the line stays longer than the width
 *  until a later break may be taken. */
GALLEY_EXPORT void galley_layout_set_break_check(galley_layout *l,
                                                 galley_layout_break_fn fn,
                                                 void *data);
/** Changes the wrapping width (0: never wrap) from the next text on. */
GALLEY_EXPORT void galley_layout_set_width(galley_layout *l, size_t width);
/**
 * Text always gets at least `columns` columns on a line after its
 * prefixes, however deep they are (0, the default: the width counts the
 * prefixes in and a deep line holds one word). Under twenty levels of
 * quotes a text writer still sets its words twenty to a line, not one.
 */
GALLEY_EXPORT void galley_layout_set_min_width(galley_layout *l,
                                               size_t columns);
/**
 * Trimming (off by default): trailing spaces are taken off every line (an
 * indented code block's empty line is empty, not four spaces), and empty
 * lines at the very end of the output are not written, so that it ends
 * with exactly one newline (an empty output has none).
 */
GALLEY_EXPORT void galley_layout_set_trim(galley_layout *l, bool trim);
/**
 * The columns text may take on the next line after its prefixes: the
 * width less the prefixes' width, or the minimum text width when that is
 * more; 0 when the layout does not wrap. A table writer fits its columns
 * in it.
 */
GALLEY_EXPORT size_t galley_layout_text_width(const galley_layout *l);

/**
 * Enters a container whose every line starts with `prefix` ("> " for a
 * quote, "    " for an indented block), after the prefixes of the
 * containers around it. A blank line inside it is the prefixes with their
 * trailing spaces taken off (">"), once the container has started a line:
 * a blank line asked for before its first line is not part of it.
 */
GALLEY_EXPORT int galley_layout_push(galley_layout *l, const char *prefix);
/**
 * Enters a list item: `marker` ("- ", "12. ") starts the item's first
 * line, after the prefixes (two items that open at once share it: "- - a";
 * called inside a line, the marker goes on that line), and the item's
 * other lines start with as many spaces as the marker is wide. The marker
 * waits for the item's first line: a blank line asked for before it does
 * not carry it.
 */
GALLEY_EXPORT int galley_layout_marker(galley_layout *l, const char *marker);
/**
 * galley_layout_marker whose item's other lines start with `rest` instead
 * (a task item: "- [ ] " then "  "; NULL: the marker's width in spaces).
 */
GALLEY_EXPORT int galley_layout_marker_rest(galley_layout *l,
                                            const char *marker,
                                            const char *rest);
/**
 * Whether the innermost container (push or marker) has not started a line
 * yet: an empty list item, whose marker a writer may still want alone on
 * a line (galley_layout_raw(l, "\n", 1)). False outside any container.
 */
GALLEY_EXPORT bool galley_layout_fresh(const galley_layout *l);
/**
 * Starts a line now if none is open: the blank line asked for, the
 * prefixes and the markers of the items waiting for their first line.
 * What comes next goes on it; a galley_layout_cr right after leaves the
 * marker alone on its line (a CommonMark renderer's "-" over an item
 * whose first block is indented code or HTML).
 */
GALLEY_EXPORT int galley_layout_open(galley_layout *l);
/** Leaves the innermost container entered by push or marker. */
GALLEY_EXPORT void galley_layout_pop(galley_layout *l);

/** Ends the current line, if anything is on it. */
GALLEY_EXPORT int galley_layout_cr(galley_layout *l);
/**
 * Asks for a blank line before whatever is written next: several asks in
 * a row give one, and none is written before the first line nor at the
 * end.
 */
GALLEY_EXPORT int galley_layout_blank(galley_layout *l);

/** Text that may be wrapped at its spaces and goes through the escaping
 *  hook. A newline in it is a space. */
GALLEY_EXPORT int galley_layout_text(galley_layout *l, const char *s,
                                     size_t len);
/**
 * Text as it is: not wrapped, not escaped (markup, a code span, a URL). A
 * newline in it ends the line and the next one starts with the prefixes
 * (a code block's lines).
 */
GALLEY_EXPORT int galley_layout_raw(galley_layout *l, const char *s,
                                    size_t len);
/** galley_layout_raw of a C string. */
GALLEY_EXPORT int galley_layout_puts(galley_layout *l, const char *s);

/** The display column the next character would go to (0 at a line's
 *  start, before any prefix). */
GALLEY_EXPORT size_t galley_layout_column(const galley_layout *l);

/**
 * The width in display columns of `len` bytes of UTF-8 at `s`: an East
 * Asian wide or fullwidth character (CJK, Hangul, kana, fullwidth forms,
 * most emoji) counts 2, a combining mark or zero-width character 0, any
 * other character 1 (an ASCII control character and a tab too, as
 * galley_utf8_count counts them); an invalid byte counts 1.
 */
GALLEY_EXPORT size_t galley_display_width(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
