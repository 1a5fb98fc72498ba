/* Unit tests of media type sniffing: each format recognised by its first
 * bytes, look-alikes refused, and the EPUB 3.3 core image types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <galley/fetch.h>

static const char *sniff(const void *data, size_t len) {
  return galley_media_type_sniff(data, len);
}

#define SNIFF(lit) sniff(lit, sizeof lit - 1)

static void check(const char *expected, const char *got) {
  if (!expected && !got)
    return;
  if (!expected || !got || strcmp(expected, got) != 0)
    fail_msg("expected %s, got %s", expected ? expected : "NULL",
             got ? got : "NULL");
}

static void raster_formats_are_recognised_by_magic(void **state) {
  (void)state;
  check("image/png", SNIFF("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
  check("image/jpeg", SNIFF("\xff\xd8\xff\xe0\0\x10JFIF"));
  check("image/gif", SNIFF("GIF89a\1\0\1\0"));
  check("image/gif", SNIFF("GIF87a\1\0\1\0"));
  check("image/webp", SNIFF("RIFF\x24\0\0\0WEBPVP8L"));
  check("image/tiff", SNIFF("II*\0\x08\0\0\0"));
  check("image/tiff", SNIFF("MM\0*\0\0\0\x08"));
  check("image/bmp", SNIFF("BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0"));
  check("image/vnd.microsoft.icon", SNIFF("\0\0\1\0\1\0\x10\x10"));
}

static void heif_family_is_told_apart_by_brand(void **state) {
  (void)state;
  check("image/avif", SNIFF("\0\0\0\x1c"
                            "ftypavif\0\0\0\0avifmif1miaf"));
  /* AVIF that names the generic HEIF brand first */
  check("image/avif", SNIFF("\0\0\0\x1c"
                            "ftypmif1\0\0\0\0mif1avifmiaf"));
  check("image/heic", SNIFF("\0\0\0\x18"
                            "ftypheic\0\0\0\0mif1heic"));
  check("image/heic", SNIFF("\0\0\0\x14"
                            "ftypmif1\0\0\0\0mif1"));
  /* an MP4 video is an ftyp box too, but not an image */
  check(NULL, SNIFF("\0\0\0\x18"
                    "ftypisom\0\0\2\0isomiso2"));
}

static void svg_is_xml_with_an_svg_root(void **state) {
  (void)state;
  check("image/svg+xml", SNIFF("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
  check("image/svg+xml",
        SNIFF("\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- drawn by hand -->\n"
              "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
              "\"x.dtd\" [ <!ENTITY a \"<b>\"> ]>\n<svg width=\"1\">"));
  check("image/svg+xml", SNIFF("<svg:svg xmlns:svg=\"x\">"));
  check("image/svg+xml", SNIFF("  \n<svg>"));
  check(NULL, SNIFF("<html><svg></svg></html>"));
  check(NULL, SNIFF("<svgx/>"));
  check(NULL, SNIFF("<svg"));
  check(NULL, SNIFF("<!-- never closed <svg>"));
  check(NULL, SNIFF("svg"));
}

static void look_alikes_and_short_inputs_are_unknown(void **state) {
  (void)state;
  check(NULL, SNIFF("\x89PNG\r\n"));
  check(NULL, SNIFF("\xff\xd8"));
  check(NULL, SNIFF("GIF90a"));
  check(NULL, SNIFF("RIFF\x24\0\0\0WAVEfmt "));
  check(NULL, SNIFF("BMW is a car, not a bitmap"));
  check(NULL, SNIFF("\0\0\1\0\0\0"));
  check(NULL, SNIFF("<!DOCTYPE html><p>text</p>"));
  check(NULL, SNIFF(""));
  check(NULL, sniff(NULL, 10));
}

static void epub_core_types_are_the_five_images(void **state) {
  (void)state;
  assert_true(galley_media_type_epub_core("image/png"));
  assert_true(galley_media_type_epub_core("image/jpeg"));
  assert_true(galley_media_type_epub_core("image/gif"));
  assert_true(galley_media_type_epub_core("image/svg+xml"));
  assert_true(galley_media_type_epub_core("IMAGE/WEBP"));
  assert_false(galley_media_type_epub_core("image/avif"));
  assert_false(galley_media_type_epub_core("image/heic"));
  assert_false(galley_media_type_epub_core("image/bmp"));
  assert_false(galley_media_type_epub_core("image/tiff"));
  assert_false(galley_media_type_epub_core("image/vnd.microsoft.icon"));
  assert_false(galley_media_type_epub_core("text/html"));
  assert_false(galley_media_type_epub_core(NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(raster_formats_are_recognised_by_magic),
      cmocka_unit_test(heif_family_is_told_apart_by_brand),
      cmocka_unit_test(svg_is_xml_with_an_svg_root),
      cmocka_unit_test(look_alikes_and_short_inputs_are_unknown),
      cmocka_unit_test(epub_core_types_are_the_five_images),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
