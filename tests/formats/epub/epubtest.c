/* Helpers for the epub tests. */
#include <galley/fetch.h>

#include "epubtest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "testutil.h"

static void add_diags(et_result *r, const galley_job *job) {
  size_t total = 1;
  for (size_t i = 0; i < galley_job_diag_count(job); i++)
    total += strlen(galley_job_diag_at(job, i)->message) + 12;
  r->diags = malloc(total);
  if (!r->diags)
    return;
  r->diags[0] = '\0';
  for (size_t i = 0; i < galley_job_diag_count(job); i++) {
    const galley_diag *d = galley_job_diag_at(job, i);
    strcat(r->diags, d->level == GALLEY_LEVEL_ERROR     ? "error: "
                     : d->level == GALLEY_LEVEL_WARNING ? "warning: "
                                                        : "info: ");
    strcat(r->diags, d->message);
    strcat(r->diags, "\n");
  }
}

static void set_list(galley_job *job, const char *const *kvs, bool meta) {
  for (size_t i = 0; kvs && kvs[i]; i++) {
    const char *eq = strchr(kvs[i], '=');
    char key[128];
    size_t klen = eq ? (size_t)(eq - kvs[i]) : strlen(kvs[i]);
    if (klen >= sizeof key)
      klen = sizeof key - 1;
    memcpy(key, kvs[i], klen);
    key[klen] = '\0';
    if (meta)
      galley_job_set_meta(job, key, eq ? eq + 1 : "");
    else
      galley_job_set_option(job, key, eq ? eq + 1 : "true");
  }
}

static void take_output(et_result *r, galley_sink *sink) {
  size_t n;
  const char *data = galley_sink_data(sink, &n);
  r->data = malloc(n + 1);
  if (r->data) {
    memcpy(r->data, data, n);
    r->data[n] = '\0';
    r->len = n;
  }
}

et_result et_convert(const char *from, const char *to, const void *input,
                     size_t len, const char *base, const char *const *opts,
                     const char *const *meta) {
  et_result r = {0};
  galley_registry *reg = tu_registry();
  const galley_plugin *reader = galley_registry_find(reg, from);
  const galley_plugin *writer = galley_registry_find(reg, to);
  if (!reader || !writer) {
    r.rc = GALLEY_ENOTFOUND;
    r.diags = strdup("error: no such format\n");
    return r;
  }
  galley_job *job = galley_job_new(reg);
  /* A unit test fetches nothing: remote images stay their alt text. */
  galley_job_set_network(job, GALLEY_NETWORK_OFFLINE);
  galley_sink *sink = galley_sink_new_memory();
  set_list(job, opts, false);
  set_list(job, meta, true);
  galley_input in = {input, len, "input", base};
  r.rc = galley_job_convert(job, &in, reader, NULL, 0, writer, sink);
  if (r.rc == GALLEY_OK)
    take_output(&r, sink);
  add_diags(&r, job);
  galley_sink_free(sink);
  galley_job_free(job);
  return r;
}

et_result et_write_doc(const galley_doc *doc, const char *to,
                       const char *const *opts) {
  return et_write_doc_from(doc, to, opts, NULL);
}

et_result et_write_doc_from(const galley_doc *doc, const char *to,
                            const char *const *opts, const char *root) {
  et_result r = {0};
  galley_registry *reg = tu_registry();
  const galley_plugin *writer = galley_registry_find(reg, to);
  galley_job *job = galley_job_new(reg);
  galley_sink *sink = galley_sink_new_memory();
  set_list(job, opts, false);
  if (root)
    galley_job_add_resource_root(job, root);
  r.rc =
      writer ? galley_plugin_write(job, writer, doc, sink) : GALLEY_ENOTFOUND;
  if (r.rc == GALLEY_OK)
    take_output(&r, sink);
  add_diags(&r, job);
  galley_sink_free(sink);
  galley_job_free(job);
  return r;
}

galley_doc *et_read_doc(const char *from, const void *input, size_t len,
                        const char *base, char **err) {
  galley_registry *reg = tu_registry();
  const galley_plugin *reader = galley_registry_find(reg, from);
  galley_job *job = galley_job_new(reg);
  galley_doc *doc = galley_doc_new();
  /* As galley_job_build does: the input's folder is where its local
   * resources may be read from. */
  if (base) {
    galley_doc_set_base(doc, base);
    galley_job_add_resource_root(job, base);
  }
  galley_input in = {input, len, "input", base};
  int rc =
      reader ? galley_plugin_read(job, reader, &in, doc) : GALLEY_ENOTFOUND;
  if (err)
    *err = NULL;
  if (rc != GALLEY_OK) {
    if (err) {
      const char *m = galley_job_errmsg(job);
      *err = strdup(m ? m : galley_strerror(rc));
    }
    galley_doc_free(doc);
    doc = NULL;
  }
  galley_job_free(job);
  return doc;
}

void et_free(et_result *r) {
  free(r->data);
  free(r->diags);
  memset(r, 0, sizeof *r);
}

static zip_t *open_zip(const unsigned char *zip, size_t len) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(zip, len, 0, &ze);
  zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
  if (!za && src)
    zip_source_free(src);
  zip_error_fini(&ze);
  return za;
}

char *et_zip_entry(const unsigned char *zip, size_t len, const char *name,
                   size_t *n) {
  zip_t *za = open_zip(zip, len);
  if (!za)
    return NULL;
  zip_stat_t st;
  char *out = NULL;
  if (zip_stat(za, name, 0, &st) == 0) {
    zip_file_t *f = zip_fopen(za, name, 0);
    out = malloc(st.size + 1);
    if (f && out) {
      zip_int64_t got = zip_fread(f, out, st.size);
      out[got > 0 ? got : 0] = '\0';
      if (n)
        *n = got > 0 ? (size_t)got : 0;
    }
    if (f)
      zip_fclose(f);
  }
  zip_discard(za);
  return out;
}

size_t et_zip_count(const unsigned char *zip, size_t len, const char *prefix) {
  zip_t *za = open_zip(zip, len);
  if (!za)
    return 0;
  size_t count = 0;
  zip_int64_t n = zip_get_num_entries(za, 0);
  for (zip_int64_t i = 0; i < n; i++) {
    const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
    if (name && strncmp(name, prefix, strlen(prefix)) == 0)
      count++;
  }
  zip_discard(za);
  return count;
}

static int copy_node(galley_node *d, const galley_node *s) {
  int rc = 0;
  galley_kind k = galley_node_kind(s);
  if (galley_node_get_literal(s))
    rc |= galley_node_set_literal(d, galley_node_get_literal(s));
  switch (k) {
  case GALLEY_NODE_HEADING:
    rc |= galley_node_set_level(d, galley_node_get_level(s));
    break;
  case GALLEY_NODE_LIST:
    rc |= galley_node_set_list_ordered(d, galley_node_get_list_ordered(s));
    rc |= galley_node_set_list_start(d, galley_node_get_list_start(s));
    break;
  case GALLEY_NODE_CODE_BLOCK:
    if (galley_node_get_info(s))
      rc |= galley_node_set_info(d, galley_node_get_info(s));
    break;
  case GALLEY_NODE_LINK:
  case GALLEY_NODE_IMAGE:
    if (galley_node_get_url(s))
      rc |= galley_node_set_url(d, galley_node_get_url(s));
    break;
  case GALLEY_NODE_FOOTNOTE:
  case GALLEY_NODE_FOOTNOTE_REF:
    if (galley_node_get_label(s))
      rc |= galley_node_set_label(d, galley_node_get_label(s));
    break;
  case GALLEY_NODE_TABLE_ROW:
    rc |= galley_node_set_row_part(d, galley_node_get_row_part(s));
    break;
  case GALLEY_NODE_TABLE_CELL:
    rc |= galley_node_set_cell_header(d, galley_node_get_cell_header(s));
    break;
  default: break;
  }
  if (galley_node_get_id(s))
    rc |= galley_node_set_id(d, galley_node_get_id(s));
  if (galley_node_get_tag(s))
    rc |= galley_node_set_tag(d, galley_node_get_tag(s));
  return rc ? GALLEY_ENOMEM : GALLEY_OK;
}

int et_copy_tree(galley_node *parent, const galley_node *src) {
  galley_doc *doc = galley_node_doc(parent);
  galley_node *stack[512];
  size_t depth = 0;
  galley_iter it;
  galley_iter_init(&it, (galley_node *)src);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *s = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_EXIT) {
      depth--;
      continue;
    }
    galley_node *n = galley_doc_new_node(doc, galley_node_kind(s));
    if (!n || copy_node(n, s) ||
        galley_node_append_child(depth ? stack[depth - 1] : parent, n))
      return GALLEY_EINVALID;
    if (!galley_kind_is_leaf(galley_node_kind(s))) {
      if (depth == 512)
        return GALLEY_ELIMIT;
      stack[depth++] = n;
    }
  }
  return GALLEY_OK;
}

typedef struct sb {
  char *s;
  size_t len, cap;
} sb;

static void sb_add(sb *b, const char *s) {
  size_t n = strlen(s);
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->s = realloc(b->s, b->cap);
  }
  memcpy(b->s + b->len, s, n + 1);
  b->len += n;
}

/* Folds runs of white space into one space and drops space next to the
 * structural marks, so that line breaks in sources do not matter. */
static char *fold(const char *s) {
  char *out = malloc(strlen(s) + 1);
  size_t o = 0;
  bool space = false;
  for (const char *p = s; *p; p++) {
    if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
      space = true;
      continue;
    }
    if (space && o > 0 && out[o - 1] != '{' && *p != '}')
      out[o++] = ' ';
    space = false;
    out[o++] = *p;
  }
  out[o] = '\0';
  return out;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char *et_flatten(const galley_doc *doc, bool remote_as_text) {
  sb main = {0}, note = {0};
  char *notes[256];
  size_t n_notes = 0;
  sb *cur = &main;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  char tmp[64];
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    bool enter = ev == GALLEY_EVENT_ENTER;
    const char *url = galley_node_get_url(n);
    bool remote = k == GALLEY_NODE_IMAGE && remote_as_text && url &&
                  (!strncmp(url, "http:", 5) || !strncmp(url, "https:", 6));
    switch (k) {
    case GALLEY_NODE_TEXT:
    case GALLEY_NODE_CODE: sb_add(cur, galley_node_get_literal(n)); break;
    case GALLEY_NODE_SOFT_BREAK:
    case GALLEY_NODE_LINE_BREAK: sb_add(cur, " "); break;
    case GALLEY_NODE_CODE_BLOCK:
      sb_add(cur, "{CODE ");
      sb_add(cur, galley_node_get_literal(n));
      sb_add(cur, "}");
      break;
    case GALLEY_NODE_FOOTNOTE_REF: sb_add(cur, "{REF}"); break;
    case GALLEY_NODE_THEMATIC_BREAK: sb_add(cur, "{HR}"); break;
    case GALLEY_NODE_FOOTNOTE:
      if (enter) {
        memset(&note, 0, sizeof note);
        sb_add(&note, "{NOTE ");
        cur = &note;
      } else {
        sb_add(&note, "}");
        if (n_notes < 256)
          notes[n_notes++] = note.s;
        else
          free(note.s);
        cur = &main;
      }
      break;
    case GALLEY_NODE_HEADING:
      snprintf(tmp, sizeof tmp, "{H%d ", galley_node_get_level(n));
      sb_add(cur, enter ? tmp : "}");
      break;
    case GALLEY_NODE_IMAGE:
      if (!remote)
        sb_add(cur, enter ? "{IMG " : "}");
      break;
    case GALLEY_NODE_PARAGRAPH: sb_add(cur, enter ? "{P " : "}"); break;
    case GALLEY_NODE_BLOCK_QUOTE: sb_add(cur, enter ? "{QUOTE " : "}"); break;
    case GALLEY_NODE_LIST:
      sb_add(cur,
             enter ? (galley_node_get_list_ordered(n) ? "{OL " : "{UL ") : "}");
      break;
    case GALLEY_NODE_ITEM: sb_add(cur, enter ? "{LI " : "}"); break;
    case GALLEY_NODE_TABLE: sb_add(cur, enter ? "{TABLE " : "}"); break;
    case GALLEY_NODE_TABLE_ROW: sb_add(cur, enter ? "{TR " : "}"); break;
    case GALLEY_NODE_TABLE_CELL: sb_add(cur, enter ? "{TD " : "}"); break;
    case GALLEY_NODE_CAPTION: sb_add(cur, enter ? "{CAPTION " : "}"); break;
    case GALLEY_NODE_FIGURE: sb_add(cur, enter ? "{FIGURE " : "}"); break;
    case GALLEY_NODE_TERM: sb_add(cur, enter ? "{DT " : "}"); break;
    case GALLEY_NODE_DEFINITION: sb_add(cur, enter ? "{DD " : "}"); break;
    case GALLEY_NODE_EMPH: sb_add(cur, enter ? "{EM " : "}"); break;
    case GALLEY_NODE_STRONG: sb_add(cur, enter ? "{STRONG " : "}"); break;
    default: break;
    }
  }
  qsort(notes, n_notes, sizeof notes[0], cmp_str);
  for (size_t i = 0; i < n_notes; i++) {
    sb_add(&main, notes[i]);
    free(notes[i]);
  }
  if (!main.s)
    sb_add(&main, "");
  char *out = fold(main.s);
  free(main.s);
  return out;
}

char *et_temp_file(const void *data, size_t len, const char *suffix) {
  const char *dir = getenv("TMPDIR");
  char *path = malloc(4096);
  snprintf(path, 4096, "%s/galley-epub-XXXXXX%s", dir ? dir : "/tmp", suffix);
  int fd = mkstemps(path, (int)strlen(suffix));
  if (fd < 0) {
    free(path);
    return NULL;
  }
  if (write(fd, data, len) != (ssize_t)len) {
    close(fd);
    free(path);
    return NULL;
  }
  close(fd);
  return path;
}

int et_epubcheck(const unsigned char *data, size_t len) {
  if (getenv("GALLEY_SKIP_EPUBCHECK")) {
    printf("# epubcheck not run: GALLEY_SKIP_EPUBCHECK is set\n");
    return -1;
  }
  /* Debian's epubcheck package puts its jar here (see NOTES.md). */
  const char *jar = getenv("EPUBCHECK_JAR");
  if (!jar)
    jar = "/usr/share/java/epubcheck.jar";
  if (access(jar, R_OK) != 0 || system("java -version >/dev/null 2>&1") != 0) {
    printf("# epubcheck not run: not installed\n");
    return -1;
  }
  char *path = et_temp_file(data, len, ".epub");
  if (!path)
    return 1;
  char cmd[8400];
  snprintf(cmd, sizeof cmd, "java -jar '%s' '%s' >'%s.log' 2>&1", jar, path,
           path);
  int rc = system(cmd);
  snprintf(cmd, sizeof cmd, "%s.log", path);
  char *log = tu_read_file(cmd, NULL);
  unlink(cmd);
  unlink(path);
  free(path);
  bool ok = rc == 0 && log &&
            strstr(log, "Messages: 0 fatals / 0 errors / 0 warnings");
  if (!ok)
    printf("# epubcheck:\n%s\n", log ? log : "(no output)");
  free(log);
  return ok ? 0 : 1;
}

char *et_entry(const et_result *r, const char *name) {
  char *e = et_zip_entry(r->data, r->len, name, NULL);
  if (!e)
    fail_msg("no %s in the EPUB", name);
  return e;
}
