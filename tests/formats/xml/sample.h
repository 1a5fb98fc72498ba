/* Helpers shared by the xml tests: a document that uses every kind and
 * field, in-process reading and writing, and a deep tree comparison. */
#ifndef GALLEY_TEST_XML_SAMPLE_H
#define GALLEY_TEST_XML_SAMPLE_H

#include <galley/galley.h>
#include <stddef.h>

/* The xml plugin from the build's registry (fails the test when missing). */
const galley_plugin *xml_plugin(void);

/* A document built through the API with every node kind, every field,
 * generic attributes, repeated metadata keys and binary resources. */
galley_doc *sample_every_kind(void);

/* Writes `doc` with the xml plugin and options `opts` ("key=value",
 * NULL-terminated, may be NULL). Returns a malloc'd string; fails the test
 * on error. When `job_out` is not NULL the job is handed over (free it). */
char *xml_write(const galley_doc *doc, const char *const *opts,
                galley_job **job_out);

/* Reads `len` bytes of XML into a new document (*out, caller frees) with
 * `limits` (NULL: the defaults). Returns the status; on failure *err gets a
 * malloc'd copy of the job's message. */
int xml_read(const char *xml, size_t len, const galley_limits *limits,
             galley_doc **out, char **err);

/* Fails the test unless `a` and `b` hold the same tree, metadata,
 * resources and base, field by field. */
void assert_same_doc(const galley_doc *a, const galley_doc *b);

#endif
