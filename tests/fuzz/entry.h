/* The one function every fuzz target and the regression replay call. */
#ifndef GALLEY_FUZZ_ENTRY_H
#define GALLEY_FUZZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/**
 * Runs `size` bytes through target `target`: a reader name ("html",
 * "markdown", "text", "epub", "xml") reads them into a tree (for "epub",
 * bytes that are not a zip are a book's parts separated by NULs: the
 * package document, then chapters, zipped here); "pipeline"
 * picks the reader by probe (text when nothing bids), may strip boilerplate,
 * and writes the tree with every writer that is loaded. Failures of the
 * input are fine (they are errors on the job); only crashes, sanitizer
 * reports and hangs are findings. Returns 0, or -1 when the target is
 * unknown or its plugin is not loaded.
 */
int fuzz_entry(const char *target, const uint8_t *data, size_t size);

/** The targets, NULL-terminated. */
extern const char *const fuzz_targets[];

#endif
