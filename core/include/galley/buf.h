/* Helpers for plugins: a growable byte buffer, growable arrays, UTF-8. */
#ifndef GALLEY_BUF_H
#define GALLEY_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Byte buffer -----------------------------------------------------------
 * A plugin's scratch memory for text it builds (a writer's line, a
 * reader's joined text run), in the spirit of cmark's cmark_strbuf:
 *
 *     galley_buf b = GALLEY_BUF_INIT;
 *     galley_buf_puts(&b, "<p>");
 *     galley_buf_printf(&b, "%d items", n);
 *     if (b.failed) ... ;            // or check each call's status
 *     galley_sink_write(out, b.data, b.len);
 *     galley_buf_free(&b);
 *
 * The members may be read directly. `data` is NULL until the first call
 * that adds or reserves; from then on it is malloc'd and data[len] is
 * always '\0', so `data` is a C string whenever it is not NULL (the bytes
 * may hold NULs of their own). Appends double the capacity (from 64 bytes)
 * until the bytes fit, so appending is linear overall.
 *
 * Two ways to handle failure, both supported: check the status of each
 * call, or make the calls and check `failed` once at the end. A call that
 * cannot allocate (or whose size would overflow) returns GALLEY_ENOMEM,
 * leaves the contents as they were (valid and NUL-terminated) and sets
 * `failed`; `failed` stays set until galley_buf_free, and while it is set
 * every call that would add bytes fails too, so the contents are always a
 * prefix of what was asked for, never text with a hole in it. A caller may
 * set `failed` itself to spoil the result for a failure of its own.
 *
 * A buffer belongs to one thread at a time; the functions keep no state of
 * their own. */

typedef struct galley_buf {
  char *data;  /* NULL, or malloc'd with data[len] == '\0' */
  size_t len;  /* bytes held, the terminating NUL not counted */
  size_t cap;  /* bytes allocated at data (at least len + 1 once allocated) */
  bool failed; /* an allocation failed; see above */
} galley_buf;

/** An empty buffer, for initialising a declaration. */
#define GALLEY_BUF_INIT                                                        \
  { NULL, 0, 0, false }

/** Makes `buf` empty without freeing anything (for memory that holds no
 *  buffer yet; use galley_buf_free on one that may). */
GALLEY_EXPORT void galley_buf_init(galley_buf *buf);

/**
 * Makes room for `n` more bytes (and the NUL after them), so that the next
 * `n` bytes added do not allocate. When it must grow, the buffer grows to
 * what is needed or to twice its capacity, whichever is more: one large
 * reserve on an empty buffer (a file of known size) allocates just that.
 * After success `data` is not NULL. GALLEY_OK, or GALLEY_ENOMEM as
 * described above.
 */
GALLEY_EXPORT int galley_buf_reserve(galley_buf *buf, size_t n);

/** Appends `len` bytes from `data` (which may be NULL when len is 0).
 *  GALLEY_OK or GALLEY_ENOMEM. */
GALLEY_EXPORT int galley_buf_add(galley_buf *buf, const void *data, size_t len);
/** Appends the C string `s`. GALLEY_OK or GALLEY_ENOMEM. */
GALLEY_EXPORT int galley_buf_puts(galley_buf *buf, const char *s);
/** Appends one byte. GALLEY_OK or GALLEY_ENOMEM. */
GALLEY_EXPORT int galley_buf_putc(galley_buf *buf, char c);
/** Appends `n` copies of the byte `c` (padding, indentation).
 *  GALLEY_OK or GALLEY_ENOMEM. */
GALLEY_EXPORT int galley_buf_repeat(galley_buf *buf, char c, size_t n);
/**
 * Appends printf-style formatted text. GALLEY_OK, GALLEY_ENOMEM, or
 * GALLEY_EINVALID when the format cannot be expanded (vsnprintf fails);
 * either failure sets `failed`.
 */
GALLEY_EXPORT int galley_buf_printf(galley_buf *buf, const char *fmt, ...)
    GALLEY_PRINTF(2, 3);
/** galley_buf_printf with a va_list (left unusable, as with vsnprintf). */
GALLEY_EXPORT int galley_buf_vprintf(galley_buf *buf, const char *fmt,
                                     va_list ap) GALLEY_PRINTF(2, 0);

/**
 * Sets the length to `len` bytes and writes the NUL after them, for a
 * caller that filled the room galley_buf_reserve made (with fread, iconv,
 * read) or that cuts the buffer short. `len` must be less than `cap`:
 * GALLEY_EINVALID otherwise, and the buffer is unchanged.
 */
GALLEY_EXPORT int galley_buf_set_len(galley_buf *buf, size_t len);
/** Cuts the contents to their first `len` bytes; nothing when `len` is not
 *  shorter. Keeps the memory. */
GALLEY_EXPORT void galley_buf_truncate(galley_buf *buf, size_t len);
/** Empties the buffer and keeps its memory for reuse. `failed` is kept. */
GALLEY_EXPORT void galley_buf_clear(galley_buf *buf);

/**
 * Hands the contents over: returns the malloc'd, NUL-terminated bytes
 * (the caller frees them with free()) and their length in `*len` (may be
 * NULL). An empty buffer gives a malloc'd "". Returns NULL when `failed`
 * is set (the contents are incomplete and are freed) or when memory runs
 * out. In every case the buffer is empty and reusable afterwards, with
 * `failed` cleared.
 */
GALLEY_EXPORT char *galley_buf_detach(galley_buf *buf, size_t *len);

/** Frees the memory and makes the buffer empty again, `failed` cleared.
 *  NULL is allowed. */
GALLEY_EXPORT void galley_buf_free(galley_buf *buf);

/* ---- Growable arrays -------------------------------------------------------
 * For a malloc'd array of records with a count and a capacity:
 *
 *     if (galley_array_grow((void **)&w->items, &w->cap, w->n + 1,
 *                           sizeof *w->items) != GALLEY_OK)
 *       return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
 *     w->items[w->n++] = item;
 *     ...
 *     free(w->items);
 */

/**
 * Grows the malloc'd array `*items` (NULL when there is none yet) of
 * `elem_size`-byte items, whose capacity is `*cap` items, so that it holds
 * at least `need` items; the capacity at least doubles (from 8). Items
 * already there are kept; new slots are uninitialised. GALLEY_OK (also
 * when it is big enough already), GALLEY_ENOMEM when memory runs out or
 * the size would overflow (then `*items` and `*cap` are unchanged), or
 * GALLEY_EINVALID for a zero `elem_size`. The caller frees `*items`.
 */
GALLEY_EXPORT int galley_array_grow(void **items, size_t *cap, size_t need,
                                    size_t elem_size);

/* ---- UTF-8 -----------------------------------------------------------------
 * Strict UTF-8 as RFC 3629 and Unicode (table 3-7) define it: no overlong
 * forms, no surrogates (U+D800..U+DFFF), nothing past U+10FFFF. U+0000 (a
 * NUL byte) is valid UTF-8: a format that refuses NUL bytes looks for them
 * itself (memchr). Noncharacters (U+FFFE, U+FFFF, ...) are valid UTF-8 too;
 * XML and HTML exclude them separately. None of these allocate. */

/**
 * True when the `len` bytes at `s` are all valid UTF-8. `*bad_offset` (may
 * be NULL) gets the offset of the first byte that does not start a valid,
 * complete sequence (a sequence cut off by the end counts as invalid), or
 * `len` when there is none: the length of the valid prefix.
 */
GALLEY_EXPORT bool galley_utf8_valid(const char *s, size_t len,
                                     size_t *bad_offset);

/**
 * Decodes the character at the start of the `len` bytes at `s` into `*cp`
 * (may be NULL). Returns its length in bytes (1 to 4), or 0 when `s` does
 * not start with a valid, complete sequence or `len` is 0; then `*cp` is
 * unchanged. A caller that replaces bad bytes with U+FFFD replaces one byte
 * and goes on with the next.
 */
GALLEY_EXPORT size_t galley_utf8_decode(const char *s, size_t len,
                                        uint32_t *cp);

/**
 * Encodes the code point `cp` into `out` and returns the number of bytes
 * written (1 to 4). A surrogate or a value past U+10FFFF, which UTF-8
 * cannot carry, is written as U+FFFD (3 bytes). No NUL is added.
 */
GALLEY_EXPORT size_t galley_utf8_encode(uint32_t cp, char out[4]);

/**
 * The number of characters (code points) in the `len` bytes of valid UTF-8
 * at `s`: every byte that is not a continuation byte counts once (the
 * width of a plain-text column). On invalid input each stray byte counts.
 */
GALLEY_EXPORT size_t galley_utf8_count(const char *s, size_t len);

/**
 * The longest prefix of the `len` bytes at `s` that is at most `max` bytes
 * long and does not end inside a character: `max` (or `len` when shorter)
 * moved back to the start of the character it falls in. For cutting text
 * to a size without splitting a character.
 */
GALLEY_EXPORT size_t galley_utf8_truncate(const char *s, size_t len,
                                          size_t max);

#ifdef __cplusplus
}
#endif
#endif
