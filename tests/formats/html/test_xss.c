/*
 * Active content never passes by default (issue 17). The vectors of
 * fixtures/xss (Markdown with raw HTML and script links, an HTML page,
 * galley's xml tree with raw nodes and handler attributes) go through every
 * writer that writes HTML or what becomes HTML: html (document, fragment,
 * XHTML), markdown (rendered as GitHub would render it without its tag
 * filter: cmark-gfm, raw HTML on), and epub (each XHTML file). Each output
 * is parsed with libxml2's HTML parser, as a browser would read it, and
 * every element and attribute is checked: no script-bearing element, no
 * event handler, no srcdoc, no URL attribute that runs script, no style
 * with script in it. The check is the test's own, not galley's. With
 * -O unsafe=true the same check must find the vectors (the test can fail).
 */
#define _GNU_SOURCE /* strcasestr */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <cmark-gfm.h>
#include <libxml/HTMLparser.h>
#include <zip.h>

#include "testutil.h"

static const char *const bad_elements[] = {
    "script", "iframe", "object", "embed", "applet", "frame", "frameset",
    "base",   "meta",   "link",   "style", "title",  "textarea", "xmp",
    "noembed", "noframes", "plaintext", NULL};

static const char *const url_attrs[] = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster",
    "background", "srcset", "lowsrc", "dynsrc", "codebase", "cite", NULL};

static bool listed(const char *s, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (!strcasecmp(s, list[i]))
      return true;
  return false;
}

/* The URL's start as a browser reads it: blanks and controls gone, lower
 * case (libxml2 has decoded the references). */
static bool runs_script(const char *attr, const char *v) {
  char s[40];
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)v; *p && o + 1 < sizeof s;
       p++)
    if (*p > 0x20 && *p != 0x7f)
      s[o++] = (char)tolower(*p);
  s[o] = 0;
  if (!strncmp(s, "javascript:", 11) || !strncmp(s, "vbscript:", 9))
    return true;
  if (!strncmp(s, "data:", 5))
    return !(strncmp(s, "data:image/", 11) == 0 &&
             (!strcasecmp(attr, "src") || !strcasecmp(attr, "srcset") ||
              !strcasecmp(attr, "poster")));
  return false;
}

/* Counts what could run in the parsed document's body (or whole document
 * when `whole`), printing each finding when `say`. */
static int findings(xmlNode *n, bool in_body, bool say, const char *where) {
  int found = 0;
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    const char *name = (const char *)n->name;
    bool body = in_body || !strcasecmp(name, "body");
    if (body && listed(name, bad_elements)) {
      found++;
      if (say)
        print_message("%s: element <%s>\n", where, name);
    }
    for (xmlAttr *a = body ? n->properties : NULL; a; a = a->next) {
      char full[64];
      if (a->ns && a->ns->prefix)
        snprintf(full, sizeof full, "%s:%s", a->ns->prefix, a->name);
      else
        snprintf(full, sizeof full, "%s", a->name);
      xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
      const char *val = v ? (const char *)v : "";
      bool bad = !strncasecmp((const char *)a->name, "on", 2) ||
                 !strcasecmp((const char *)a->name, "srcdoc") ||
                 ((listed(full, url_attrs) ||
                   listed((const char *)a->name, url_attrs)) &&
                  runs_script((const char *)a->name, val)) ||
                 (!strcasecmp((const char *)a->name, "style") &&
                  (strcasestr(val, "javascript") ||
                   strcasestr(val, "expression(")));
      if (bad) {
        found++;
        if (say)
          print_message("%s: <%s %s=\"%s\">\n", where, name, full, val);
      }
      xmlFree(v);
    }
    found += findings(n->children, body, say, where);
  }
  return found;
}

static int check_html(const char *html, size_t len, bool say,
                      const char *where) {
  /* The raw bytes first: no script start tag at all. */
  int found = 0;
  for (const char *p = html; p && (p = strcasestr(p, "<script")); p++) {
    found++;
    if (say)
      print_message("%s: \"<script\" in the bytes\n", where);
  }
  htmlDocPtr d = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                                HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                    HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  assert_non_null(d);
  found += findings(xmlDocGetRootElement(d), false, say, where);
  xmlFreeDoc(d);
  return found;
}

typedef struct input {
  const char *fixture, *format;
} input;

static const input inputs[] = {
    {"xss/vectors.md", "markdown"},
    {"xss/vectors.html", "html"},
    {"xss/vectors.xml", "xml"},
};

static char *read_fixture(const input *in, size_t *len) {
  char *s = tu_read_file(tu_fixture(in->fixture), len);
  assert_non_null(s);
  return s;
}

static int html_findings(const input *in, const char *const *opts, bool say) {
  size_t len, n = 0;
  char *src = read_fixture(in, &len);
  char *err = NULL;
  char *out = tu_convert_n(in->format, "html", src, len, opts, &err, &n);
  if (!out)
    fail_msg("%s: %s", in->fixture, err ? err : "?");
  char where[128];
  snprintf(where, sizeof where, "%s -> html %s", in->fixture,
           opts && opts[0] ? opts[0] : "");
  int f = check_html(out, n, say, where);
  free(out);
  free(src);
  return f;
}

static void html_output_runs_nothing(void **state) {
  (void)state;
  const char *const fragment[] = {"fragment=true", NULL};
  const char *const xhtml[] = {"xhtml=true", NULL};
  const char *const xhtml_unsafe[] = {"xhtml=true", "unsafe=true", NULL};
  for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
    assert_int_equal(html_findings(&inputs[i], NULL, true), 0);
    assert_int_equal(html_findings(&inputs[i], fragment, true), 0);
    assert_int_equal(html_findings(&inputs[i], xhtml, true), 0);
    /* XHTML is what EPUB chapters are: never unsafe. */
    assert_int_equal(html_findings(&inputs[i], xhtml_unsafe, true), 0);
  }
  /* Markdown's raw HTML parsed by the html reader instead of kept raw. */
  const char *const parse[] = {"raw-html=parse", NULL};
  assert_int_equal(html_findings(&inputs[0], parse, true), 0);
}

static void unsafe_keeps_them_so_the_check_can_fail(void **state) {
  (void)state;
  const char *const unsafe[] = {"unsafe=true", NULL};
  /* The Markdown and xml vectors are raw HTML and links the readers keep
   * as they are; unsafe output must show the check finding them. */
  assert_true(html_findings(&inputs[0], unsafe, false) >= 20);
  assert_true(html_findings(&inputs[2], unsafe, false) >= 5);
}

/* The Markdown galley writes, rendered as a GFM site would without its tag
 * filter (raw HTML on): what a reader of the README on a forge would get. */
static int markdown_findings(const input *in, const char *const *opts,
                             bool say) {
  size_t len;
  char *src = read_fixture(in, &len);
  char *err = NULL;
  char *md = tu_convert(in->format, "markdown", src, len, opts, &err);
  if (!md)
    fail_msg("%s: %s", in->fixture, err ? err : "?");
  char *html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_UNSAFE);
  assert_non_null(html);
  char where[128];
  snprintf(where, sizeof where, "%s -> markdown", in->fixture);
  int f = check_html(html, strlen(html), say, where);
  free(html);
  free(md);
  free(src);
  return f;
}

static void markdown_output_runs_nothing(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++)
    assert_int_equal(markdown_findings(&inputs[i], NULL, true), 0);
  const char *const unsafe[] = {"unsafe=true", NULL};
  assert_true(markdown_findings(&inputs[0], unsafe, false) >= 20);
}

static void epub_output_runs_nothing_even_when_asked(void **state) {
  (void)state;
  const char *const asked[] = {"unsafe=true", NULL};
  for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
    for (int k = 0; k < 2; k++) {
      size_t len, n = 0;
      char *src = read_fixture(&inputs[i], &len);
      char *err = NULL;
      char *epub = tu_convert_n(inputs[i].format, "epub", src, len,
                                k ? asked : NULL, &err, &n);
      if (!epub)
        fail_msg("%s: %s", inputs[i].fixture, err ? err : "?");
      zip_error_t ze;
      zip_source_t *zs = zip_source_buffer_create(epub, n, 0, &ze);
      zip_t *z = zs ? zip_open_from_source(zs, ZIP_RDONLY, &ze) : NULL;
      assert_non_null(z);
      int xhtml_files = 0;
      for (zip_int64_t e = 0; e < zip_get_num_entries(z, 0); e++) {
        const char *name = zip_get_name(z, (zip_uint64_t)e, 0);
        size_t nl = strlen(name);
        if (nl < 6 || strcmp(name + nl - 6, ".xhtml"))
          continue;
        zip_stat_t st;
        assert_int_equal(zip_stat_index(z, (zip_uint64_t)e, 0, &st), 0);
        char *buf = malloc(st.size + 1);
        zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)e, 0);
        assert_non_null(f);
        assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
        zip_fclose(f);
        buf[st.size] = 0;
        char where[160];
        snprintf(where, sizeof where, "%s -> epub %s%s", inputs[i].fixture,
                 name, k ? " (unsafe=true)" : "");
        assert_int_equal(check_html(buf, st.size, true, where), 0);
        free(buf);
        xhtml_files++;
      }
      assert_true(xhtml_files >= 2);
      zip_close(z);
      free(epub);
      free(src);
    }
  }
}

/* The text of the vectors stays readable: defusing is not deleting. */
static void the_words_stay(void **state) {
  (void)state;
  size_t len;
  char *src = read_fixture(&inputs[0], &len);
  char *out = tu_convert("markdown", "html", src, len, NULL, NULL);
  assert_non_null(out);
  assert_non_null(strstr(out, "&lt;script>alert(1)&lt;/script>"));
  assert_non_null(strstr(out, ">plain</a>"));
  assert_non_null(strstr(out, "src=\"data:image/png;base64,iVBOR"));
  free(out);
  free(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(html_output_runs_nothing),
      cmocka_unit_test(unsafe_keeps_them_so_the_check_can_fail),
      cmocka_unit_test(markdown_output_runs_nothing),
      cmocka_unit_test(epub_output_runs_nothing_even_when_asked),
      cmocka_unit_test(the_words_stay),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
