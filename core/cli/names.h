/* galley CLI: the names of outputs whose input is a URL (a URL on the
 * command line, a web archive's record). Self-contained: the WARC unit
 * tests link it alone. */
#ifndef GALLEY_CLI_NAMES_H
#define GALLEY_CLI_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* The start of a name hash (FNV-1a's offset basis). */
#define NAME_HASH_START 1469598103934665603ull

/* FNV-1a over the bytes of `s`, continuing from `h`. */
uint64_t name_hash(uint64_t h, const char *s);

/* A URL's output name, without extension, at most `max` bytes (at most
 * 120): its last path segment without its extension
 * ("https://example.org/2024/05/story.html" -> "story"), else its host
 * ("https://example.org/" -> "example.org"), else "page". Only letters,
 * digits, '_', and '-' or '.' after the first character: never a hidden
 * file, never "." or "..". malloc'd; NULL when out of memory. */
char *url_stem(const char *url, size_t max);

/* "STEM-HASH": `stem` and the first 8 hex digits of `h`. malloc'd; NULL
 * when out of memory. */
char *hashed_stem(const char *stem, uint64_t h);

/* A web archive record's output name, without extension: its URI's stem
 * (at most 48 bytes) and the URI's hash, so two URIs never share a name
 * and one URI always gets the same ("story-1a2b3c4d"). malloc'd; NULL
 * when out of memory. */
char *warc_stem(const char *uri);

#endif
