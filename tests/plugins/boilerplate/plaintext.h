/* Article text for scoring, shared by the benchmark and the corpus test. */
#ifndef BP_PLAINTEXT_H
#define BP_PLAINTEXT_H

#include <galley/galley.h>
#include <stdio.h>

/**
 * Writes the document's text to `f`: each paragraph, heading, code block or
 * cell on its own, blank lines between, image alt text included, no link
 * references and no title from the metadata (what the scorers' ground truth
 * is like). BP_NOCAP=1 in the environment leaves out captions and alt text.
 */
void plaintext_write(galley_doc *doc, FILE *f);

#endif
