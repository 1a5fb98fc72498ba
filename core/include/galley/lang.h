/* Languages of documents: BCP 47 tags made regular, the language of a text
 * guessed from its letters, and the direction a language is written in. */
#ifndef GALLEY_LANG_H
#define GALLEY_LANG_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The metadata key for the direction of a document's text: "rtl" or
 * "ltr" (the html element's dir attribute, or from its language). */
#define GALLEY_META_DIRECTION "direction"

/**
 * Writes `tag` as a BCP 47 tag into `out` (`size` bytes, 64 are always
 * enough): '_' becomes '-', the language subtag lower case, a script
 * subtag title case, a region upper case ("pt_BR" -> "pt-BR", "EN-us" ->
 * "en-US", "zh-hant-tw" -> "zh-Hant-TW"); a locale's ".UTF-8" or "@euro"
 * and anything after a first comma, semicolon or space are dropped
 * ("en-US,en;q=0.9" -> "en-US"); the deprecated codes iw, in, ji become he,
 * id, yi. GALLEY_EINVALID (and `out` empty) when what is left is not a
 * well-formed tag with a language of 2 or 3 letters ("", "English",
 * "{{lang}}"); GALLEY_ELIMIT when it does
 * not fit.
 */
GALLEY_EXPORT int galley_lang_normalize(const char *tag, char *out,
                                        size_t size);

/**
 * Guesses the language of `text` (UTF-8, `len` bytes; only the first 4 KB
 * are looked at) into `out` as a BCP 47 tag. Letters of a script that one
 * language writes (Hangul, kana, Greek, Thai...) decide alone; otherwise
 * libexttextcat's n-gram models do, when galley was built with it and its
 * data is found (the GALLEY_TEXTCAT_DIR environment variable names the
 * folder of fpdb.conf; set and empty, the models are not used), loaded
 * once per process on first need; without them a script's main language
 * stands in (Cyrillic: ru, Arabic script: ar) and Latin text is not
 * guessed. GALLEY_ENOTFOUND (and `out` empty) when the text says too
 * little. Safe on many threads at once.
 */
GALLEY_EXPORT int galley_lang_detect(const char *text, size_t len, char *out,
                                     size_t size);

/** True when `tag` (BCP 47) is a language or script written right to left
 * (ar, he, fa, ur, yi, ps, sd, ug, dv, ckb, syr..., or an Arab, Hebr, Thaa,
 * Syrc, Nkoo or Adlm script subtag). */
GALLEY_EXPORT bool galley_lang_is_rtl(const char *tag);

/** True when galley_lang_detect can use libexttextcat's models in this
 * process (built with it, and its data found and loaded). */
GALLEY_EXPORT bool galley_lang_models_available(void);

#ifdef __cplusplus
}
#endif

#endif
