/* One conversion: detect, read, transform, apply overrides, write; and
 * the calls that hand work from one plugin to another. */
#include <stdlib.h>
#include <string.h>

#include "private.h"

/*
 * Every reader's tables leave in the order formats want: header rows
 * first, footer rows last (HTML allows <tfoot> before <tbody>, XHTML and
 * EPUB do not, and Markdown and text would show a footer first). Rows
 * keep their order within their part. Linear in the tree.
 */
static int order_table_rows(galley_doc *doc) {
  galley_node **tables = NULL;
  size_t n = 0, cap = 0;
  galley_iter it;
  galley_event ev;
  galley_iter_init(&it, galley_doc_root(doc));
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *t = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER || galley_node_kind(t) != GALLEY_NODE_TABLE)
      continue;
    bool body_seen = false, foot_seen = false, out_of_order = false;
    for (galley_node *r = galley_node_first_child(t); r && !out_of_order;
         r = galley_node_next(r)) {
      if (galley_node_kind(r) != GALLEY_NODE_TABLE_ROW)
        continue;
      galley_row_part part = galley_node_get_row_part(r);
      out_of_order = (part == GALLEY_ROW_HEAD && (body_seen || foot_seen)) ||
                     (part != GALLEY_ROW_FOOT && foot_seen);
      body_seen = body_seen || part == GALLEY_ROW_BODY;
      foot_seen = foot_seen || part == GALLEY_ROW_FOOT;
    }
    if (out_of_order) {
      if (galley_array_grow((void **)&tables, &cap, n + 1, sizeof *tables) !=
          GALLEY_OK) {
        free(tables);
        return GALLEY_ENOMEM;
      }
      tables[n++] = t;
    }
  }
  for (size_t i = 0; i < n; i++) {
    galley_node *t = tables[i], *first_other = NULL, *next;
    /* Header rows move up before the first other row… */
    for (galley_node *r = galley_node_first_child(t); r; r = next) {
      next = galley_node_next(r);
      if (galley_node_kind(r) != GALLEY_NODE_TABLE_ROW)
        continue;
      if (galley_node_get_row_part(r) != GALLEY_ROW_HEAD) {
        if (!first_other)
          first_other = r;
      } else if (first_other) {
        galley_node_unlink(r);
        galley_node_insert_before(first_other, r);
      }
    }
    /* …and footer rows down to the end, in their order. */
    galley_node *stop = galley_node_last_child(t);
    for (galley_node *r = galley_node_first_child(t); r; r = next) {
      next = r == stop ? NULL : galley_node_next(r);
      if (galley_node_kind(r) == GALLEY_NODE_TABLE_ROW &&
          galley_node_get_row_part(r) == GALLEY_ROW_FOOT) {
        galley_node_unlink(r);
        galley_node_append_child(t, r);
      }
    }
  }
  free(tables);
  return GALLEY_OK;
}

/* Runs a callback with `plugin` as the job's current plugin, so option
 * defaults come from its declaration and `values` come first; the caller's
 * frame is back afterwards. */
GALLEY_API int galley_plugin_read_with(galley_job *job,
                                       const galley_plugin *plugin,
                                       const galley_input *in, galley_doc *doc,
                                       const galley_option_value *values,
                                       size_t n) {
  if (!job || !plugin || !in || !doc || (n && !values))
    return GALLEY_EINVALID;
  if (!(plugin->caps & GALLEY_CAN_READ) || !plugin->read)
    return galley_job_error(job, GALLEY_EUNSUPPORTED,
                            "format %s cannot be read", plugin->name);
  if (job->limits.max_input_size && in->size > job->limits.max_input_size)
    return galley_job_error(
        job, GALLEY_ELIMIT,
        "input is %zu bytes, over the input size limit of %zu", in->size,
        job->limits.max_input_size);
  size_t diags_before = job->n_diags;
  size_t limit_before = doc->node_limit;
  if (job->limits.max_nodes)
    doc->node_limit = job->limits.max_nodes;
  call_frame frame;
  frame_enter(job, &frame, plugin, values, n, "reading");
  int rc = plugin->read(job, in, doc);
  frame_leave(job, &frame);
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
  if (order_table_rows(doc) != GALLEY_OK)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  if (galley_job_cancelled(job))
    return galley_job_error(job, GALLEY_ECANCELLED, "cancelled");
  return GALLEY_OK;
}

GALLEY_API int galley_plugin_read(galley_job *job, const galley_plugin *plugin,
                                  const galley_input *in, galley_doc *doc) {
  return galley_plugin_read_with(job, plugin, in, doc, NULL, 0);
}

GALLEY_API int galley_plugin_write_with(galley_job *job,
                                        const galley_plugin *plugin,
                                        const galley_doc *doc, galley_sink *out,
                                        const galley_option_value *values,
                                        size_t n) {
  if (!job || !plugin || !doc || !out || (n && !values))
    return GALLEY_EINVALID;
  if (!(plugin->caps & GALLEY_CAN_WRITE) || !plugin->write)
    return galley_job_error(job, GALLEY_EUNSUPPORTED,
                            "format %s cannot be written", plugin->name);
  call_frame frame;
  frame_enter(job, &frame, plugin, values, n, "writing");
  int rc = plugin->write(job, doc, out);
  frame_leave(job, &frame);
  if (rc != GALLEY_OK && job->status == GALLEY_OK)
    galley_job_error(job, rc, "%s writer failed: %s", plugin->name,
                     galley_strerror(rc));
  return rc;
}

GALLEY_API int galley_plugin_write(galley_job *job, const galley_plugin *plugin,
                                   const galley_doc *doc, galley_sink *out) {
  return galley_plugin_write_with(job, plugin, doc, out, NULL, 0);
}

GALLEY_API int galley_plugin_transform_with(galley_job *job,
                                            const galley_plugin *plugin,
                                            galley_doc *doc,
                                            const galley_option_value *values,
                                            size_t n) {
  if (!job || !plugin || !doc || (n && !values))
    return GALLEY_EINVALID;
  if (!(plugin->caps & GALLEY_CAN_TRANSFORM) || !plugin->transform)
    return galley_job_error(job, GALLEY_EUNSUPPORTED, "%s is not a transform",
                            plugin->name);
  call_frame frame;
  frame_enter(job, &frame, plugin, values, n, "transforming");
  int rc = plugin->transform(job, doc);
  frame_leave(job, &frame);
  if (rc != GALLEY_OK && job->status == GALLEY_OK)
    galley_job_error(job, rc, "transform %s failed: %s", plugin->name,
                     galley_strerror(rc));
  return rc;
}

GALLEY_API int galley_plugin_transform(galley_job *job,
                                       const galley_plugin *plugin,
                                       galley_doc *doc) {
  return galley_plugin_transform_with(job, plugin, doc, NULL, 0);
}

/* ---- The job's conversion ---- */

GALLEY_API int galley_job_set_reader(galley_job *job,
                                     const galley_plugin *reader) {
  if (!job)
    return GALLEY_EINVALID;
  if (reader && (!(reader->caps & GALLEY_CAN_READ) || !reader->read))
    return galley_job_error(job, GALLEY_EINVALID, "format '%s' cannot be read",
                            reader->name);
  job->reader = reader;
  return GALLEY_OK;
}

GALLEY_API int galley_job_set_writer(galley_job *job,
                                     const galley_plugin *writer) {
  if (!job)
    return GALLEY_EINVALID;
  if (writer && (!(writer->caps & GALLEY_CAN_WRITE) || !writer->write))
    return galley_job_error(job, GALLEY_EINVALID,
                            "format '%s' cannot be written", writer->name);
  job->writer = writer;
  return GALLEY_OK;
}

GALLEY_API int galley_job_add_transform(galley_job *job,
                                        const galley_plugin *transform) {
  if (!job || !transform)
    return GALLEY_EINVALID;
  if (!(transform->caps & GALLEY_CAN_TRANSFORM) || !transform->transform)
    return galley_job_error(job, GALLEY_EINVALID,
                            "'%s' is a format, not a transform",
                            transform->name);
  if (galley_array_grow((void **)&job->transforms, &job->cap_transforms,
                 job->n_transforms + 1, sizeof *job->transforms))
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  job->transforms[job->n_transforms++] = transform;
  return GALLEY_OK;
}

GALLEY_API const galley_plugin *galley_job_reader(const galley_job *job) {
  return job ? job->reader : NULL;
}

GALLEY_API const galley_plugin *galley_job_writer(const galley_job *job) {
  return job ? job->writer : NULL;
}

GALLEY_API size_t galley_job_transform_count(const galley_job *job) {
  return job ? job->n_transforms : 0;
}

GALLEY_API const galley_plugin *galley_job_transform_at(const galley_job *job,
                                                        size_t i) {
  return job && i < job->n_transforms ? job->transforms[i] : NULL;
}

GALLEY_API void galley_job_set_input_release(galley_job *job,
                                             void (*release)(void *ctx),
                                             void *ctx) {
  if (!job)
    return;
  job->release = release;
  job->release_ctx = ctx;
}

/* Calls the host's release callback once, if there is one. */
static void release_input(galley_job *job) {
  void (*release)(void *) = job->release;
  job->release = NULL;
  if (release)
    release(job->release_ctx);
  remote_release(job->remote);
}

GALLEY_API const galley_plugin *galley_job_detect(galley_job *job,
                                                  const galley_input *in) {
  if (!job || !in)
    return NULL;
  if (job->reader)
    return job->reader;
  if (job->remote) /* a fetched input: its Content-Type first */
    return remote_detect(job, in);
  const galley_plugin *r = galley_registry_detect(
      job->registry, in->name, in->data, in->size, GALLEY_CAN_READ);
  if (!r)
    galley_job_error(job, GALLEY_EUNSUPPORTED,
                     "cannot tell the input format (use -f FORMAT; see "
                     "--list-formats)");
  return r;
}

/* Read and -M: the first half of build(). */
static int build_read(galley_job *job, const galley_input *in,
                      const galley_plugin *reader, galley_doc *doc) {
  int rc;
  if (job->remote) { /* a fetched input (remote.c) */
    rc = remote_read(job, reader, in, doc);
  } else {
    if (in->base_dir && (galley_doc_set_base(doc, in->base_dir) != GALLEY_OK ||
                         galley_job_add_resource_root(job, in->base_dir)))
      return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    rc = galley_plugin_read(job, reader, in, doc);
  }
  release_input(job);
  if (rc == GALLEY_OK)
    rc = galley_job_apply_meta(job, doc);
  return rc;
}

/* Each transform and -M again, then the remote resources that `writer`
 * (may be NULL) will embed: the second half of build(). */
static int build_rest(galley_job *job, const galley_plugin *const *transforms,
                      size_t n_transforms, const galley_plugin *writer,
                      galley_doc *doc) {
  int rc = GALLEY_OK;
  for (size_t i = 0; rc == GALLEY_OK && i < n_transforms; i++) {
    rc = galley_plugin_transform(job, transforms[i], doc);
    /* -M wins over whatever a transform found. */
    if (rc == GALLEY_OK)
      rc = galley_job_apply_meta(job, doc);
  }
  /* The article's language, from what is left of it (-M language wins). */
  if (rc == GALLEY_OK)
    rc = lang_step(job, doc);
  /* Only what survived the transforms is fetched (never what --strip
   * removed). */
  if (rc == GALLEY_OK && writer)
    rc = resources_fetch(job, writer, doc);
  if (rc == GALLEY_OK && galley_job_cancelled(job))
    rc = galley_job_error(job, GALLEY_ECANCELLED, "cancelled");
  return rc;
}

/* Read, -M, each transform and -M again, then the remote resources that
 * `writer` (may be NULL) will embed: what galley_job_build,
 * galley_job_build_doc and galley_job_convert share. */
static int build(galley_job *job, const galley_input *in,
                 const galley_plugin *reader,
                 const galley_plugin *const *transforms, size_t n_transforms,
                 const galley_plugin *writer, galley_doc *doc) {
  int rc = build_read(job, in, reader, doc);
  if (rc == GALLEY_OK)
    rc = build_rest(job, transforms, n_transforms, writer, doc);
  return rc;
}

GALLEY_API int galley_job_read_doc(galley_job *job, const galley_input *in,
                                   galley_doc *doc) {
  if (!job || !in || !doc) {
    if (job)
      release_input(job);
    return GALLEY_EINVALID;
  }
  const galley_plugin *reader = galley_job_detect(job, in);
  int rc = reader ? GALLEY_OK : job->status;
  if (rc == GALLEY_OK && !job->options_checked)
    rc = galley_job_check_options(job, reader);
  if (rc == GALLEY_OK)
    rc = build_read(job, in, reader, doc);
  release_input(job);
  return rc;
}

GALLEY_API int galley_job_finish_doc(galley_job *job, galley_doc *doc) {
  if (!job || !doc)
    return GALLEY_EINVALID;
  return build_rest(job, job->transforms, job->n_transforms, job->writer, doc);
}

GALLEY_API int galley_job_build_doc(galley_job *job, const galley_input *in,
                                    galley_doc *doc) {
  int rc = galley_job_read_doc(job, in, doc);
  if (rc == GALLEY_OK)
    rc = galley_job_finish_doc(job, doc);
  return rc;
}

GALLEY_API int galley_job_write_doc(galley_job *job, const galley_doc *doc,
                                    galley_sink *out) {
  if (!job || !doc || !out)
    return GALLEY_EINVALID;
  if (!job->writer)
    return galley_job_error(job, GALLEY_EINVALID, "no output format is set");
  int rc = GALLEY_OK;
  if (!job->options_checked)
    rc = galley_job_check_options(job, job->reader);
  if (rc == GALLEY_OK)
    rc = galley_plugin_write(job, job->writer, doc, out);
  return rc;
}

GALLEY_API int galley_job_run(galley_job *job, const galley_input *in,
                              galley_sink *out) {
  if (!job || !in || !out) {
    if (job)
      release_input(job);
    return GALLEY_EINVALID;
  }
  if (!job->writer) {
    release_input(job);
    return galley_job_error(job, GALLEY_EINVALID, "no output format is set");
  }
  galley_doc *doc = galley_doc_new();
  if (!doc) {
    release_input(job);
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  }
  int rc = galley_job_build_doc(job, in, doc);
  if (rc == GALLEY_OK)
    rc = galley_plugin_write(job, job->writer, doc, out);
  galley_doc_free(doc);
  return rc;
}

GALLEY_API int galley_job_build(galley_job *job, const galley_input *in,
                                const galley_plugin *reader,
                                const galley_plugin *const *transforms,
                                size_t n_transforms, galley_doc *doc) {
  if (!job || !in || !reader || !doc || (n_transforms && !transforms))
    return GALLEY_EINVALID;
  return build(job, in, reader, transforms, n_transforms, job->writer, doc);
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
  int rc = n_transforms && !transforms
               ? GALLEY_EINVALID
               : build(job, in, reader, transforms, n_transforms, writer, doc);
  if (rc == GALLEY_OK)
    rc = galley_plugin_write(job, writer, doc, out);
  galley_doc_free(doc);
  return rc;
}
