/* The seam for batch template learning: a per-batch model of what repeats
 * across the pages of one site. Single documents have no model and every
 * question answers "no"; the batch issue fills the model in (README). */
#include "boilerplate.h"

/* Nothing builds a model yet; the struct is complete only so that the
 * transform's call sites compile and can be tested with NULL. */
struct bp_batch_model {
  size_t pages;
};

bool bp_batch_template(const bp_batch_model *m, const char *signature,
                       const char *text) {
  (void)m;
  (void)signature;
  (void)text;
  return false;
}
