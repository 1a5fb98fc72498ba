/* A digest: several articles read into one document, one part each.
 *
 * The merged tree is the contract with writers: each article becomes a
 * top-level DIV (tag "article") with the attribute galley-article="1" and
 * its own metadata as attributes (title, author, date, source, url,
 * publisher, language, direction, base: the folder its resources resolve
 * under). The article's body follows a level-1 heading with its title
 * (unless it already starts with a heading). The book's metadata comes from
 * -M, then from the articles (authors, first language, latest date). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Appends `s`; running out of memory ends the program, as everywhere in
 * the CLI. */
static void sb_add(galley_buf *b, const char *s) {
  if (galley_buf_puts(b, s) != GALLEY_OK)
    cli_die_oom();
}

static int set_attr_joined(galley_node *div, const galley_doc *doc,
                           const char *key) {
  size_t n = galley_doc_meta_count(doc, key);
  if (n == 0)
    return GALLEY_OK;
  galley_buf b = GALLEY_BUF_INIT;
  for (size_t i = 0; i < n; i++) {
    if (i)
      sb_add(&b, "; ");
    sb_add(&b, galley_doc_meta_value(doc, key, i));
  }
  int rc = galley_node_set_attr(div, key, b.data);
  galley_buf_free(&b);
  return rc;
}

static int has_value(const galley_doc *doc, const char *key,
                     const char *value) {
  size_t n = galley_doc_meta_count(doc, key);
  for (size_t i = 0; i < n; i++)
    if (strcmp(galley_doc_meta_value(doc, key, i), value) == 0)
      return 1;
  return 0;
}

/* Rewrites links and images in `root` that point at resource `from`. */
static void rename_refs(galley_node *root, const char *from, const char *to) {
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    if (ev != GALLEY_EVENT_ENTER ||
        (k != GALLEY_NODE_IMAGE && k != GALLEY_NODE_LINK))
      continue;
    const char *url = galley_node_get_url(n);
    if (url && strcmp(url, from) == 0)
      galley_node_set_url(n, to);
  }
}

/* Adds article `a` (number `index`, from 1) to `book` as one part. */
static int merge_article(galley_doc *book, const galley_doc *a, size_t index,
                         const char *input, const char *base) {
  galley_node *div = galley_doc_new_node(book, GALLEY_NODE_DIV);
  if (!div)
    return GALLEY_ENOMEM;
  char id[32];
  snprintf(id, sizeof id, "article-%zu", index);
  int rc = galley_node_set_tag(div, "article");
  rc = rc ? rc : galley_node_set_id(div, id);
  rc = rc ? rc : galley_node_set_attr(div, "galley-article", "1");
  const char *keys[] = {GALLEY_META_TITLE,   GALLEY_META_AUTHOR,
                        GALLEY_META_DATE,    GALLEY_META_SOURCE,
                        GALLEY_META_URL,     GALLEY_META_PUBLISHER,
                        GALLEY_META_LANGUAGE, GALLEY_META_DIRECTION};
  for (size_t i = 0; rc == GALLEY_OK && i < sizeof keys / sizeof keys[0]; i++)
    rc = set_attr_joined(div, a, keys[i]);
  if (rc == GALLEY_OK && base)
    rc = galley_node_set_attr(div, "base", base);
  if (rc == GALLEY_OK && !galley_doc_get_meta(a, GALLEY_META_TITLE)) {
    /* An article without a title is named after its file. */
    const char *slash = strrchr(input, '/');
    rc =
        galley_node_set_attr(div, GALLEY_META_TITLE, slash ? slash + 1 : input);
  }
  if (rc != GALLEY_OK)
    return rc;

  galley_node *first = galley_node_first_child(galley_doc_root(a));
  if (galley_node_kind(first) != GALLEY_NODE_HEADING) {
    galley_node *h = galley_doc_new_node(book, GALLEY_NODE_HEADING);
    galley_node *t = galley_doc_new_text(
        book, galley_node_get_attr(div, GALLEY_META_TITLE), (size_t)-1);
    if (!h || !t || galley_node_append_child(h, t) ||
        galley_node_append_child(div, h))
      return GALLEY_ENOMEM;
  }
  for (galley_node *c = first; c; c = galley_node_next(c)) {
    galley_node *copy = galley_node_copy(book, c);
    if (!copy)
      return GALLEY_ENOMEM;
    rc = galley_node_append_child(div, copy);
    if (rc != GALLEY_OK)
      return rc;
  }

  /* Resources keep their names unless another article already used the
   * name for other bytes; then this article's copy is renamed. */
  for (size_t i = 0; i < galley_doc_resource_count(a); i++) {
    const galley_resource *r = galley_doc_resource_at(a, i);
    const galley_resource *same = galley_doc_find_resource(book, r->name);
    if (same && same->size == r->size &&
        memcmp(same->data, r->data, r->size) == 0)
      continue;
    char name[4096];
    if (same) {
      snprintf(name, sizeof name, "a%zu-%s", index, r->name);
      rename_refs(div, r->name, name);
    } else {
      snprintf(name, sizeof name, "%s", r->name);
    }
    rc = galley_doc_add_resource(book, name, r->media_type, r->data, r->size);
    if (rc != GALLEY_OK)
      return rc;
  }

  /* The book's own metadata gathers the articles'. */
  size_t n_auth = galley_doc_meta_count(a, GALLEY_META_AUTHOR);
  for (size_t i = 0; rc == GALLEY_OK && i < n_auth; i++) {
    const char *who = galley_doc_meta_value(a, GALLEY_META_AUTHOR, i);
    if (!has_value(book, GALLEY_META_AUTHOR, who))
      rc = galley_doc_add_meta(book, GALLEY_META_AUTHOR, who);
  }
  const char *lang = galley_doc_get_meta(a, GALLEY_META_LANGUAGE);
  if (rc == GALLEY_OK && lang &&
      !galley_doc_get_meta(book, GALLEY_META_LANGUAGE))
    rc = galley_doc_set_meta(book, GALLEY_META_LANGUAGE, lang);
  const char *date = galley_doc_get_meta(a, GALLEY_META_DATE);
  const char *latest = galley_doc_get_meta(book, GALLEY_META_DATE);
  /* ISO 8601 dates compare as strings. */
  if (rc == GALLEY_OK && date && (!latest || strcmp(date, latest) > 0))
    rc = galley_doc_set_meta(book, GALLEY_META_DATE, date);
  if (rc == GALLEY_OK)
    rc = galley_node_append_child(galley_doc_root(book), div);
  return rc;
}

int run_digest(const plan *p) {
  const cli *c = p->c;
  const char *output =
      c->output && strcmp(c->output, "-") != 0 ? c->output : NULL;
  for (size_t i = 0; i < c->inputs.n; i++)
    if (!is_url_input(c->inputs.items[i]))
      refuse_output_over_input(c->inputs.items[i], output);
  galley_doc *book = galley_doc_new();
  if (!book)
    cli_die_oom();
  int status = EXIT_OK;
  galley_buf titles = GALLEY_BUF_INIT;
  size_t n_titles = 0;

  for (size_t i = 0; i < c->inputs.n && status == EXIT_OK; i++) {
    const char *input = c->inputs.items[i];
    int url = is_url_input(input);
    loaded ld = {0};
    char why[256];
    /* Articles are read without -M: the overrides are the book's. */
    galley_job *job = plan_new_job(p, input);
    galley_job_clear_meta(job);
    galley_input in;
    int lrc = url ? fetch_input(job, input, &in)
                  : load_input(p, input, NULL, &ld, why, sizeof why);
    if (lrc == GALLEY_ECANCELLED) {
      fputs("galley: interrupted\n", stderr);
      galley_job_free(job);
      status = EXIT_INTERRUPTED;
      break;
    }
    if (lrc != GALLEY_OK) {
      if (url)
        print_diags(job, c->verbosity);
      else
        fprintf(stderr, "galley: %s: %s\n", input, why);
      galley_job_free(job);
      status = exit_code_for(lrc);
      break;
    }
    /* A fetched article's relative names resolve against its URL, which
     * becomes its base (the job holds its bytes). */
    char *base = url                       ? NULL
                 : strcmp(input, "-") == 0 ? strdup(".")
                                           : dir_of(input);
    galley_doc *article = galley_doc_new();
    if ((!url && !base) || !article)
      cli_die_oom();
    if (!url)
      in = (galley_input){ld.data, ld.size, input, base};
    if (!galley_job_detect(job, &in)) {
      print_diags(job, c->verbosity);
      galley_doc_free(article);
      galley_job_free(job);
      free(base);
      free(ld.data);
      /* A page whose type nothing reads is a bad input, not a bad
       * command line. */
      status = url ? EXIT_FAILED : EXIT_USAGE;
      break;
    }
    signals_track_job(job);
    if (ld.data)
      galley_job_set_input_release(job, free_input, ld.data);
    int rc = galley_job_build_doc(job, &in, article);
    signals_untrack_job(job);
    if (rc != GALLEY_ECANCELLED) {
      int report_rc = deliver_reports(job);
      if (rc == GALLEY_OK)
        rc = report_rc;
    }
    if (rc == GALLEY_OK) {
      rc = merge_article(book, article, i + 1, input,
                         url ? galley_doc_get_base(article) : base);
      if (rc != GALLEY_OK)
        galley_job_error(job, rc, "cannot add to the digest: %s",
                         galley_strerror(rc));
    }
    if (rc == GALLEY_OK) {
      const char *t = galley_node_get_attr(
          galley_node_last_child(galley_doc_root(book)), GALLEY_META_TITLE);
      if (t && n_titles < 3) {
        sb_add(&titles, n_titles ? "; " : "");
        sb_add(&titles, t);
      }
      n_titles++;
    }
    print_diags(job, c->verbosity);
    galley_doc_free(article);
    galley_job_free(job);
    free(base);
    if (rc != GALLEY_OK)
      status = exit_code_for(rc);
    if (cli_interrupted)
      status = EXIT_INTERRUPTED;
  }

  if (status == EXIT_OK) {
    galley_job *job = plan_new_job(p, output ? output : "-");
    /* Each article's images may come from its own folder, and only from
     * there (or --resource-path). */
    for (size_t i = 0; i < c->inputs.n; i++) {
      const char *input = c->inputs.items[i];
      if (is_url_input(input))
        continue; /* no folder of this machine */
      char *dir = strcmp(input, "-") == 0 ? strdup(".") : dir_of(input);
      if (!dir || galley_job_add_resource_root(job, dir) != GALLEY_OK)
        cli_die_oom();
      free(dir);
    }
    if (!galley_doc_get_meta(book, GALLEY_META_TITLE)) {
      galley_buf t = GALLEY_BUF_INIT;
      sb_add(&t, "Digest: ");
      sb_add(&t, titles.data ? titles.data : "");
      if (n_titles > 3)
        sb_add(&t, "; …");
      if (galley_doc_set_meta(book, GALLEY_META_TITLE, t.data))
        cli_die_oom();
      galley_buf_free(&t);
    }
    galley_sink *sink =
        output ? galley_sink_new_file(output) : galley_sink_new_memory();
    int rc = sink ? galley_job_apply_meta(job, book)
                  : galley_job_error(job, GALLEY_EIO, "cannot write %s: %s",
                                     output, strerror(errno));
    if (rc == GALLEY_OK)
      rc = galley_job_write_doc(job, book, sink);
    if (rc == GALLEY_OK && cli_interrupted)
      rc = GALLEY_ECANCELLED;
    if (rc == GALLEY_OK)
      rc = deliver_output(job, sink, output);
    galley_sink_free(sink);
    print_diags(job, c->verbosity);
    galley_job_free(job);
    status = exit_code_for(rc);
  }
  galley_buf_free(&titles);
  galley_doc_free(book);
  return status;
}
