/* Batches: state that transforms with batch hooks learn across the inputs
 * of one batch (the pages of one site), handed back during transform. */
#include <stdlib.h>

#include "private.h"

typedef struct batch_slot {
  const galley_plugin *transform;
  void *state;
} batch_slot;

struct galley_batch {
  batch_slot *slots;
  size_t n;
};

GALLEY_API galley_batch *galley_batch_new(galley_job *job) {
  if (!job)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < job->n_transforms; i++)
    n += plugin_has_batch(job->transforms[i]);
  if (!n)
    return NULL;
  galley_batch *b = calloc(1, sizeof *b);
  if (b)
    b->slots = calloc(n, sizeof *b->slots);
  if (!b || !b->slots) {
    free(b);
    galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < job->n_transforms; i++) {
    const galley_plugin *t = job->transforms[i];
    if (!plugin_has_batch(t))
      continue;
    /* One state per transform, even when it is applied twice. */
    bool seen = false;
    for (size_t k = 0; k < b->n; k++)
      seen = seen || b->slots[k].transform == t;
    if (seen)
      continue;
    call_frame frame;
    frame_enter(job, &frame, t, NULL, 0, "transforming");
    void *state = t->batch_begin(job);
    frame_leave(job, &frame);
    if (!state && galley_job_status(job) == GALLEY_OK)
      continue; /* this transform learns nothing in this batch */
    if (!state) {
      galley_batch_free(b);
      return NULL;
    }
    b->slots[b->n++] = (batch_slot){t, state};
  }
  if (b->n == 0) { /* no transform learns: no batch */
    galley_batch_free(b);
    return NULL;
  }
  return b;
}

GALLEY_API int galley_batch_learn_doc(galley_batch *batch, galley_job *job,
                                      const galley_doc *doc) {
  if (!batch || !job || !doc)
    return GALLEY_EINVALID;
  int rc = GALLEY_OK;
  for (size_t i = 0; rc == GALLEY_OK && i < batch->n; i++) {
    const galley_plugin *t = batch->slots[i].transform;
    call_frame frame;
    frame_enter(job, &frame, t, NULL, 0, "transforming");
    rc = t->batch_learn(batch->slots[i].state, job, doc);
    frame_leave(job, &frame);
    if (rc != GALLEY_OK && galley_job_status(job) == GALLEY_OK)
      galley_job_error(job, rc, "%s: cannot learn from this input: %s", t->name,
                       galley_strerror(rc));
  }
  return rc;
}

GALLEY_API int galley_batch_learn(galley_batch *batch, galley_job *job,
                                  const galley_input *in) {
  if (!batch || !job || !in)
    return GALLEY_EINVALID;
  const galley_plugin *reader = galley_job_detect(job, in);
  if (!reader)
    return galley_job_status(job);
  galley_doc *doc = galley_doc_new();
  if (!doc)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  int rc = galley_plugin_read(job, reader, in, doc);
  if (rc == GALLEY_OK)
    rc = galley_batch_learn_doc(batch, job, doc);
  galley_doc_free(doc);
  return rc;
}

GALLEY_API size_t galley_doc_footprint(const galley_doc *doc) {
  if (!doc)
    return 0;
  return sizeof *doc + arena_size(&doc->arena) +
         doc->cap_meta * sizeof *doc->meta + doc->cap_res * sizeof *doc->res;
}

GALLEY_API void galley_batch_free(galley_batch *batch) {
  if (!batch)
    return;
  for (size_t i = 0; i < batch->n; i++)
    batch->slots[i].transform->batch_end(batch->slots[i].state);
  free(batch->slots);
  free(batch);
}

GALLEY_API void *galley_job_batch_state(const galley_job *job) {
  const galley_plugin *t = job_current(job);
  if (!t || !job->batch)
    return NULL;
  for (size_t i = 0; i < job->batch->n; i++)
    if (job->batch->slots[i].transform == t)
      return job->batch->slots[i].state;
  return NULL;
}
