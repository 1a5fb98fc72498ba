/* One conversion: read, transform, apply overrides, write. */
#include <string.h>

#include "private.h"

/* Runs a callback with `plugin` as the job's current plugin, so option
 * defaults come from its declaration; restores the caller's afterwards. */
GALLEY_API int galley_plugin_read(galley_job *job, const galley_plugin *plugin,
                                  const galley_input *in, galley_doc *doc) {
  if (!job || !plugin || !in || !doc)
    return GALLEY_EINVALID;
  if (!(plugin->caps & GALLEY_CAN_READ) || !plugin->read)
    return galley_job_error(job, GALLEY_EUNSUPPORTED,
                            "format %s cannot be read", plugin->name);
  if (job->limits.max_input_size && in->size > job->limits.max_input_size)
    return galley_job_error(
        job, GALLEY_ELIMIT,
        "input is %zu bytes, over the input size limit of %zu", in->size,
        job->limits.max_input_size);
  const galley_plugin *saved = job->current;
  size_t diags_before = job->n_diags;
  size_t limit_before = doc->node_limit;
  if (job->limits.max_nodes)
    doc->node_limit = job->limits.max_nodes;
  job->current = plugin;
  int rc = plugin->read(job, in, doc);
  job->current = saved;
  if (doc->over_node_limit) {
    /* Whatever the reader made of the refused node ("out of memory") is
     * replaced by the limit's own message. */
    job_drop_errors_since(job, diags_before);
    doc->node_limit = limit_before;
    return galley_job_error(job, GALLEY_ELIMIT,
                            "the document has more than %zu nodes, over the "
                            "node limit (-O max-nodes)",
                            job->limits.max_nodes);
  }
  if (rc != GALLEY_OK) {
    if (job->status == GALLEY_OK)
      galley_job_error(job, rc, "%s reader failed: %s", plugin->name,
                       galley_strerror(rc));
    return rc;
  }
  if (job->limits.max_depth &&
      galley_node_max_depth(galley_doc_root(doc)) > job->limits.max_depth)
    return galley_job_error(job, GALLEY_ELIMIT,
                            "document nests deeper than the depth limit of %zu",
                            job->limits.max_depth);
  if (galley_job_cancelled(job))
    return galley_job_error(job, GALLEY_ECANCELLED, "cancelled");
  return GALLEY_OK;
}

GALLEY_API int galley_plugin_write(galley_job *job, const galley_plugin *plugin,
                                   const galley_doc *doc, galley_sink *out) {
  if (!job || !plugin || !doc || !out)
    return GALLEY_EINVALID;
  if (!(plugin->caps & GALLEY_CAN_WRITE) || !plugin->write)
    return galley_job_error(job, GALLEY_EUNSUPPORTED,
                            "format %s cannot be written", plugin->name);
  const galley_plugin *saved = job->current;
  job->current = plugin;
  int rc = plugin->write(job, doc, out);
  job->current = saved;
  if (rc != GALLEY_OK && job->status == GALLEY_OK)
    galley_job_error(job, rc, "%s writer failed: %s", plugin->name,
                     galley_strerror(rc));
  return rc;
}

GALLEY_API int galley_plugin_transform(galley_job *job,
                                       const galley_plugin *plugin,
                                       galley_doc *doc) {
  if (!job || !plugin || !doc)
    return GALLEY_EINVALID;
  if (!(plugin->caps & GALLEY_CAN_TRANSFORM) || !plugin->transform)
    return galley_job_error(job, GALLEY_EUNSUPPORTED, "%s is not a transform",
                            plugin->name);
  const galley_plugin *saved = job->current;
  job->current = plugin;
  int rc = plugin->transform(job, doc);
  job->current = saved;
  if (rc != GALLEY_OK && job->status == GALLEY_OK)
    galley_job_error(job, rc, "transform %s failed: %s", plugin->name,
                     galley_strerror(rc));
  return rc;
}

GALLEY_API int galley_job_build(galley_job *job, const galley_input *in,
                                const galley_plugin *reader,
                                const galley_plugin *const *transforms,
                                size_t n_transforms, galley_doc *doc) {
  if (!job || !in || !reader || !doc || (n_transforms && !transforms))
    return GALLEY_EINVALID;
  if (in->base_dir && (galley_doc_set_base(doc, in->base_dir) != GALLEY_OK ||
                       galley_job_add_resource_root(job, in->base_dir)))
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  int rc = galley_plugin_read(job, reader, in, doc);
  if (rc == GALLEY_OK)
    rc = galley_job_apply_meta(job, doc);
  for (size_t i = 0; rc == GALLEY_OK && i < n_transforms; i++) {
    rc = galley_plugin_transform(job, transforms[i], doc);
    /* -M wins over whatever a transform found. */
    if (rc == GALLEY_OK)
      rc = galley_job_apply_meta(job, doc);
  }
  if (rc == GALLEY_OK && galley_job_cancelled(job))
    rc = galley_job_error(job, GALLEY_ECANCELLED, "cancelled");
  return rc;
}

GALLEY_API int galley_job_convert(galley_job *job, const galley_input *in,
                                  const galley_plugin *reader,
                                  const galley_plugin *const *transforms,
                                  size_t n_transforms,
                                  const galley_plugin *writer,
                                  galley_sink *out) {
  if (!job || !in || !reader || !writer || !out)
    return GALLEY_EINVALID;
  galley_doc *doc = galley_doc_new();
  if (!doc)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  int rc = galley_job_build(job, in, reader, transforms, n_transforms, doc);
  if (rc == GALLEY_OK)
    rc = galley_plugin_write(job, writer, doc, out);
  galley_doc_free(doc);
  return rc;
}
