/* The epub reader (in progress). */
#include "epub.h"

int epub_read(galley_job *job, const galley_input *in, galley_doc *doc) {
  (void)in;
  (void)doc;
  return galley_job_error(job, GALLEY_EUNSUPPORTED, "not yet");
}
