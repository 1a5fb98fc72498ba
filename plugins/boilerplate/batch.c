/* Batch template learning: blocks and lines that repeat across most pages
 * of one site are the site's template (rule `template`). The batch runner
 * reads a site's pages once, counts their block texts in a galley_template,
 * and gives the model to each job; single documents have none. */
#include "boilerplate.h"

bool bp_batch_template(const bp_batch_model *m, const char *signature,
                       const char *text) {
  (void)signature;
  return m && m->tpl && galley_template_is_common(m->tpl, text);
}
