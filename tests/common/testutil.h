/* Helpers shared by the test executables: a registry of the build's plugins
 * and one-call conversions to a string. */
#ifndef GALLEY_TESTUTIL_H
#define GALLEY_TESTUTIL_H

#include <galley/galley.h>
#include <stddef.h>

/** The registry of this build's plugins (loaded once, freed at exit). */
galley_registry *tu_registry(void);

/**
 * Converts `len` bytes of `input` from format `from` to format `to` with the
 * options `opts` ("key=value" strings, NULL-terminated; may be NULL).
 * Returns the output as a malloc'd NUL-terminated string, or NULL on failure
 * with the job's error copied into `*err` (malloc'd) when err is not NULL.
 */
char *tu_convert(const char *from, const char *to, const char *input,
                 size_t len, const char *const *opts, char **err);

/** tu_convert for output that may hold NUL bytes (an EPUB): its length in
 *  `*out_len`. */
char *tu_convert_n(const char *from, const char *to, const char *input,
                   size_t len, const char *const *opts, char **err,
                   size_t *out_len);

/** Reads a whole file into a malloc'd NUL-terminated buffer; NULL on failure.
 */
char *tu_read_file(const char *path, size_t *len);

/** Path of a fixture: $GALLEY_FIXTURES/rel, in a static buffer. */
const char *tu_fixture(const char *rel);

/** $GALLEY_CORPORA/rel if that exists, else NULL (the caller skips). */
const char *tu_corpus(const char *rel);

/**
 * Compares `actual` with the golden file `fixtures/<rel>`. When the
 * environment variable GALLEY_UPDATE_GOLDEN is set, rewrites the file
 * instead (review the diff before committing). Fails the test on mismatch,
 * printing the first differing line.
 */
void tu_assert_golden(const char *actual, const char *rel);

#endif
