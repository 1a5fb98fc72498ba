/* The text format's descriptor: options, probe, and the two callbacks. */
#include <string.h>

#include "text.h"

static const char *const extensions[] = {"txt", "text", NULL};

static const galley_option options[] = {
    {"encoding", GALLEY_OPT_STRING, "utf-8", NULL,
     "read: the input's encoding (any iconv name, e.g. latin1); output is "
     "always UTF-8"},
    {"wrap", GALLEY_OPT_INT, "72", NULL,
     "write: wrap paragraphs at this many columns; 0: do not wrap"},
    {"references", GALLEY_OPT_BOOL, "true", NULL,
     "write: links as text[n] with a References list at the end; false: "
     "the link text only"},
    {"standalone", GALLEY_OPT_BOOL, "true", NULL,
     "write: start with the metadata title (unless the first heading is "
     "it); false: the body only, as pandoc writes without -s, and by "
     "default without pictures (figures)"},
    {"figures", GALLEY_OPT_BOOL, NULL, NULL,
     "write: pictures' captions and image alt text; default: as "
     "standalone (false: the running text only)"},
    {"structure", GALLEY_OPT_BOOL, "true", NULL,
     "read: recover a scraped article's title, byline, date, source and "
     "subheadings"},
    {0},
};

/* Text is the fallback: a low score for anything that is text at all, so
 * that every format with a real signature wins over it. */
static int probe(const unsigned char *head, size_t len) {
  if (len == 0)
    return 1;
  size_t controls = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = head[i];
    if (c == 0)
      return 0;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
      controls++;
  }
  if (controls * 10 > len)
    return 0;
  /* The head may end inside a character: judge only what is complete. */
  size_t bad;
  galley_utf8_valid((const char *)head, len, &bad);
  if (bad < len && len - bad >= 4)
    return 1; /* maybe text in another encoding: -O encoding=... */
  size_t i = 0;
  while (i < len && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' ||
                     head[i] == '\t'))
    i++;
  if (i < len && (head[i] == '<' || head[i] == '{'))
    return 5; /* markup: the format that knows it scores higher */
  return 10;
}

GALLEY_PLUGIN_DEFINE(
    text_plugin, .name = "text",
    .summary = "plain UTF-8 text: scraped-article structure recovery on read, "
               "wrapped lynx-style text on write",
    .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE, .extensions = extensions,
    .media_type = "text/plain", .options = options, .probe = probe,
    .read = txt_read, .write = txt_write);
