/* The epub plugin's descriptor: EPUB 3.3 (with an EPUB 2 NCX) written, EPUB 2
 * and 3 read. */
#include <string.h>

#include <libxml/parser.h>

#include <galley/fetch.h>

#include "epub.h"

static const char *const extensions[] = {"epub", NULL};

static const galley_option options[] = {
    {"toc-depth", GALLEY_OPT_INT, "3", NULL,
     "heading levels listed in the table of contents (0: chapters only)"},
    {"chapter-level", GALLEY_OPT_INT, "1", NULL,
     "start a new chapter file at headings of this level or above (0: one "
     "file)"},
    {"title-page", GALLEY_OPT_BOOL, "true", NULL,
     "add a title page made from the metadata"},
    {"cover", GALLEY_OPT_PATH, NULL, NULL,
     "cover image file, or 'auto' for the first image of 400x300 or more, or "
     "'none'"},
    {"css", GALLEY_OPT_PATH, NULL, NULL,
     "stylesheet that replaces the default one (--css)"},
    {"a11y-summary", GALLEY_OPT_STRING, NULL, NULL,
     "accessibility summary for the package metadata, replacing the one "
     "galley writes (-M accessibilitySummary=… wins)"},
    {NULL, 0, NULL, NULL, NULL},
};

/* A zip whose first entry is an uncompressed "mimetype" holding
 * application/epub+zip, as the OCF spec requires, is certainly EPUB; any
 * other zip might be one written carelessly. */
static int probe(const unsigned char *head, size_t len) {
  static const char sig[] = "mimetypeapplication/epub+zip";
  if (len < 4 || memcmp(head, "PK\3\4", 4) != 0)
    return 0;
  if (len >= 30 + sizeof sig - 1 && memcmp(head + 30, sig, sizeof sig - 1) == 0)
    return 100;
  return 10;
}

/* The package documents, NCX and chapters go through libxml2, whose global
 * set-up is not safe to race: the registry runs init once, before any
 * conversion. */
static int epub_init(void) {
  xmlInitParser();
  return GALLEY_OK;
}

/* The book holds the images it shows, in the types every reading system
 * supports (EPUB 3.3 core media types); core fetches remote ones for it. */
static bool embeds(galley_job *job, const char *media_type) {
  (void)job;
  return !media_type || galley_media_type_epub_core(media_type);
}

GALLEY_PLUGIN_DEFINE(
    epub_plugin, .name = "epub",
    .summary = "EPUB 3.3 books with an EPUB 2 NCX (libzip, libxml2); reads "
               "EPUB 2 and 3",
    .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE, .extensions = extensions,
    .media_type = "application/epub+zip", .options = options, .probe = probe,
    .read = epub_read, .write = epub_write, .init = epub_init,
    .embeds = embeds);
