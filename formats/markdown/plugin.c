/* The markdown plugin's descriptor: CommonMark with GitHub's extensions. */
#include <string.h>

#include "markdown.h"

static const char *const extensions[] = {"md", "markdown", "mkd", NULL};

static const galley_option options[] = {
    {"gfm", GALLEY_OPT_BOOL, "true", NULL,
     "GitHub extensions (tables, strikethrough, autolinks, task lists, "
     "footnotes); "
     "false: strict CommonMark"},
    {"raw-html", GALLEY_OPT_ENUM, "keep", "keep|parse",
     "raw HTML in the input: keep it as raw HTML, or parse it with the html "
     "reader"},
    {"unsafe", GALLEY_OPT_BOOL, "false", NULL,
     "write: keep raw HTML, event handlers and javascript: links as they "
     "are (by default script and GFM's disallowed tags are defused)"},
    {"wrap", GALLEY_OPT_INT, "0", NULL,
     "wrap output lines at this width (0: no hard wrap)"},
    {"standalone", GALLEY_OPT_BOOL, "false", NULL,
     "write the metadata as a YAML front matter block"},
    {"max-parse-memory", GALLEY_OPT_INT, NULL, NULL,
     "refuse input whose parse would need more than this many MiB "
     "(estimated from its lines and marks; default: 8 times the input "
     "plus 128 MiB, 0: no limit)"},
    {NULL, 0, NULL, NULL, NULL},
};

static bool starts_line(const unsigned char *head, size_t len, size_t i) {
  return i == 0 || (i < len && head[i - 1] == '\n');
}

/*
 * Markdown has no signature, so the score stays modest: enough to win over
 * plain text, never over a format that has one (HTML's tags, EPUB's zip).
 */
static int probe(const unsigned char *head, size_t len) {
  int score = 0;
  bool heading = false, fence = false, list = false, link = false, emph = false;
  size_t i = 0;
  while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' ||
                     head[i] == '\n'))
    i++;
  if (i < len && head[i] == '<')
    return 0; /* markup first: HTML or XML */
  if (len >= 4 && memcmp(head, "---\n", 4) == 0)
    score += 15;
  for (i = 0; i < len; i++) {
    unsigned char c = head[i];
    if (c == 0)
      return 0; /* binary */
    if (starts_line(head, len, i)) {
      size_t j = i;
      while (j < len && head[j] == '#' && j - i < 6)
        j++;
      if (j > i && j < len && head[j] == ' ')
        heading = true;
      if (len - i >= 3 &&
          (memcmp(head + i, "```", 3) == 0 || memcmp(head + i, "~~~", 3) == 0))
        fence = true;
      if (len - i >= 2 && (c == '-' || c == '*' || c == '+') &&
          head[i + 1] == ' ')
        list = true;
      if (c >= '0' && c <= '9') {
        j = i;
        while (j < len && head[j] >= '0' && head[j] <= '9')
          j++;
        if (j + 1 < len && (head[j] == '.' || head[j] == ')') &&
            head[j + 1] == ' ')
          list = true;
      }
    }
    if (c == ']' && i + 1 < len && head[i + 1] == '(')
      link = true;
    if ((c == '*' || c == '_') && i + 1 < len && head[i + 1] == c)
      emph = true;
  }
  score += heading ? 15 : 0;
  score += fence ? 15 : 0;
  score += list ? 8 : 0;
  score += link ? 12 : 0;
  score += emph ? 5 : 0;
  return score > 60 ? 60 : score;
}

GALLEY_PLUGIN_DEFINE(
    markdown_plugin, .name = "markdown",
    .summary =
        "CommonMark with GitHub's tables, strikethrough, autolinks, task lists "
        "and footnotes (cmark-gfm)",
    .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE, .extensions = extensions,
    .media_type = "text/markdown", .options = options, .probe = probe,
    .read = md_read, .write = md_write, .init = md_init);
