/* The html format module: its descriptor, options and content probe. */
#include <string.h>
#include <strings.h>

#include "html.h"

static const char *const extensions[] = {"html", "htm", "xhtml", NULL};

static const galley_option options[] = {
    {"encoding", GALLEY_OPT_STRING, NULL, NULL,
     "read the input in this encoding, whatever the page declares"},
    {"charset", GALLEY_OPT_STRING, NULL, NULL,
     "the charset the input was sent with (a URL's Content-Type, which "
     "galley sets); a byte-order mark and encoding win over it, it wins "
     "over the page's <meta>"},
    {"fragment", GALLEY_OPT_BOOL, "false", NULL,
     "write only the body's content, no document around it"},
    {"xhtml", GALLEY_OPT_BOOL, "false", NULL,
     "write polyglot XHTML that also parses as XML (for EPUB)"},
    {"title-block", GALLEY_OPT_BOOL, "true", NULL,
     "open a standalone document with the title, byline, date and site "
     "(not when the body's first heading is the title)"},
    {"css", GALLEY_OPT_PATH, NULL, NULL,
     "stylesheet file embedded instead of the default one"},
    {"unsafe", GALLEY_OPT_BOOL, "false", NULL,
     "write raw HTML, event handlers and javascript: links as they are "
     "(by default script and GFM's disallowed tags are defused; never in "
     "XHTML/EPUB)"},
    {"self-contained", GALLEY_OPT_BOOL, "false", NULL,
     "images as data: URIs from the document's resources (remote ones "
     "fetched)"},
    {NULL, 0, NULL, NULL, NULL},
};

/* Whether `s` occurs in the first n bytes of p, in any case. */
static bool has_ci(const unsigned char *p, size_t n, const char *s) {
  size_t k = strlen(s);
  for (size_t i = 0; i + k <= n; i++)
    if (strncasecmp((const char *)p + i, s, k) == 0)
      return true;
  return false;
}

static int html_probe(const unsigned char *head, size_t len) {
  size_t i = 0;
  if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < len && html_is_space(head[i]))
    i++;
  const unsigned char *p = head + i;
  size_t n = len - i;
  if (n >= 14 && strncasecmp((const char *)p, "<!DOCTYPE html", 14) == 0)
    return 100;
  if (n >= 5 && strncasecmp((const char *)p, "<html", 5) == 0)
    return 95;
  if (has_ci(p, n, "<html"))
    return 90;
  if (has_ci(p, n, "<head") || has_ci(p, n, "<body"))
    return 80;
  if (n >= 1 && p[0] == '<' &&
      (has_ci(p, n, "<p>") || has_ci(p, n, "<div") || has_ci(p, n, "<p ")))
    return 60;
  if (has_ci(p, n, "<p>") || has_ci(p, n, "<div"))
    return 30;
  return 0;
}

/* With self-contained=true the page holds its images as data: URIs, in
 * the types browsers show (TIFF and HEIC are not among them). */
static bool html_embeds(galley_job *job, const char *media_type) {
  if (!galley_job_option_bool(job, "self-contained", false))
    return false;
  if (!media_type)
    return true;
  return !strncasecmp(media_type, "image/", 6) &&
         strcasecmp(media_type, "image/tiff") != 0 &&
         strcasecmp(media_type, "image/heic") != 0;
}

GALLEY_PLUGIN_DEFINE(
    html_plugin, .name = "html",
    .summary = "HTML pages (libxml2's parser) and HTML5 or XHTML output",
    .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE, .extensions = extensions,
    .media_type = "text/html", .options = options, .probe = html_probe,
    .read = html_read_lazily, .write = html_write,
    .embeds = html_embeds);
