/* The html reader's choice of image (<picture>, srcset, lazy loading,
 * <noscript>, placeholders, tracking pixels) and the addresses links and
 * images resolve against (<base href>, the fetch address, canonical and
 * og:url, local files beside the page). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "htmltest.h"
#include "testutil.h"

/* Reads `src` as a runner would give it: `base` in the input's folder and
 * the document's base (a folder, or the address a page was fetched from),
 * `url` (may be NULL) as the document's url metadata before reading. A
 * folder becomes the job's resource root, as galley_job_build makes it. */
static galley_doc *read_as(const char *src, const char *base, const char *url) {
  galley_registry *reg = tu_registry();
  const galley_plugin *html = galley_registry_find(reg, "html");
  assert_non_null(html);
  galley_job *job = galley_job_new(reg);
  galley_doc *doc = galley_doc_new();
  assert_non_null(job);
  assert_non_null(doc);
  if (url)
    assert_int_equal(galley_doc_set_meta(doc, "url", url), GALLEY_OK);
  galley_input in = {(const unsigned char *)src, strlen(src), "input", base};
  int rc = galley_job_build(job, &in, html, NULL, 0, doc);
  if (rc != GALLEY_OK)
    fail_msg("read failed: %s", galley_job_errmsg(job));
  galley_job_free(job);
  return doc;
}

static galley_doc *rd(const char *src) {
  char *err = NULL;
  galley_doc *d = ht_read(src, strlen(src), NULL, &err);
  if (!d)
    fail_msg("read failed: %s", err);
  return d;
}

/* The `i`th IMAGE or LINK of the document, in document order. */
static galley_node *nth(const galley_doc *d, galley_kind kind, size_t i) {
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(d));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_ENTER && galley_node_kind(n) == kind && i-- == 0)
      return n;
  }
  return NULL;
}

static size_t count(const galley_doc *d, galley_kind kind) {
  size_t k = 0;
  while (nth(d, kind, k))
    k++;
  return k;
}

static const char *img_url(const galley_doc *d, size_t i) {
  galley_node *n = nth(d, GALLEY_NODE_IMAGE, i);
  if (!n)
    fail_msg("no image %zu", i);
  return galley_node_get_url(n);
}

static const char *link_url(const galley_doc *d, size_t i) {
  galley_node *n = nth(d, GALLEY_NODE_LINK, i);
  if (!n)
    fail_msg("no link %zu", i);
  return galley_node_get_url(n);
}

/* ---- <picture> ------------------------------------------------------- */

static void a_picture_keeps_its_img(void **state) {
  (void)state;
  galley_doc *d = rd("<p>a</p><picture><source srcset='x.avif' "
                     "type='image/avif'><img src='x.jpg' alt='X'></picture>"
                     "<p>b</p>");
  assert_int_equal(count(d, GALLEY_NODE_IMAGE), 1);
  /* AVIF is not a type every output carries: the <img>'s JPEG wins. */
  assert_string_equal(img_url(d, 0), "x.jpg");
  galley_doc_free(d);
}

static void a_picture_prefers_a_core_type_source(void **state) {
  (void)state;
  galley_doc *d = rd(
      "<picture><source type='image/avif' srcset='a.avif 800w, b.avif 1600w'>"
      "<source type='image/webp' srcset='a.webp 800w, b.webp 1600w'>"
      "<img src='small.jpg' alt='A'></picture>"
      /* Without type attributes, the extension tells. */
      "<picture><source srcset='c.jxl'><source srcset='c.png'>"
      "<img src='c-small.jpg' alt='C'></picture>"
      /* Only AVIF and a placeholder <img>: the AVIF, better than nothing. */
      "<picture><source type='image/avif' srcset='d.avif'>"
      "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' alt='D'>"
      "</picture>");
  assert_string_equal(img_url(d, 0), "b.webp");
  assert_string_equal(img_url(d, 1), "c.png");
  assert_string_equal(img_url(d, 2), "d.avif");
  galley_doc_free(d);
}

static void a_source_for_narrow_screens_gives_way_to_the_img(void **state) {
  (void)state;
  galley_doc *d =
      rd("<picture><source media='(max-width: 600px)' srcset='narrow.jpg'>"
         "<source media='(prefers-color-scheme: dark)' srcset='dark.jpg'>"
         "<img src='wide.jpg' alt='W'></picture>"
         "<picture><source media='(min-width: 1000px)' srcset='big.jpg'>"
         "<img src='fallback.jpg' alt='B'></picture>");
  assert_string_equal(img_url(d, 0), "wide.jpg");
  assert_string_equal(img_url(d, 1), "big.jpg");
  galley_doc_free(d);
}

/* ---- srcset -------------------------------------------------------------- */

static void srcset_gives_the_widest_candidate_up_to_1600_px(void **state) {
  (void)state;
  galley_doc *d =
      rd("<p><img src='s.jpg' srcset='s.jpg 400w, m.jpg 1200w, l.jpg 2400w, "
         "n.jpg 1600w' sizes='50vw' alt='a'>"
         "<img srcset='x2000.jpg 2000w, x4000.jpg 4000w' alt='b'>"
         "<img srcset='one.jpg, three.jpg 3x, two.jpg 2x' alt='c'>"
         /* Commas inside a URL belong to it (image CDNs write them). */
         "<img srcset='https://i.example/c_fill,w_320/p.jpg 320w, "
         "https://i.example/c_fill,w_960/p.jpg 960w' alt='d'>"
         /* A candidate list cut short by a trailing comma. */
         "<img srcset='only.jpg,' alt='e'></p>");
  assert_string_equal(img_url(d, 0), "n.jpg");
  assert_string_equal(img_url(d, 1), "x2000.jpg");
  assert_string_equal(img_url(d, 2), "three.jpg");
  assert_string_equal(img_url(d, 3), "https://i.example/c_fill,w_960/p.jpg");
  assert_string_equal(img_url(d, 4), "only.jpg");
  galley_doc_free(d);
}

/* ---- Lazy loading and placeholders --------------------------------------- */

static void lazy_attributes_name_the_real_image(void **state) {
  (void)state;
  galley_doc *d =
      rd("<p><img src='data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACwAAAAAAQ"
         "ABAAACAkQBADs=' data-src='a.jpg' alt='a'>"
         "<img src='/static/blank.gif' data-lazy-src='b.jpg' alt='b'>"
         "<img src='grey.gif' data-original='c.jpg' alt='c'>"
         "<img src='spacer.gif' data-srcset='d-320.jpg 320w, d-960.jpg 960w' "
         "alt='d'>"
         "<img src='e-small.jpg' data-lazy-srcset='e-1x.jpg 1x, e-2x.jpg 2x' "
         "alt='e'></p>");
  assert_string_equal(img_url(d, 0), "a.jpg");
  assert_string_equal(img_url(d, 1), "b.jpg");
  assert_string_equal(img_url(d, 2), "c.jpg");
  assert_string_equal(img_url(d, 3), "d-960.jpg");
  assert_string_equal(img_url(d, 4), "e-2x.jpg");
  galley_doc_free(d);
}

static void a_placeholder_alone_keeps_only_its_alt_text(void **state) {
  (void)state;
  /* A data: GIF of one pixel is no picture; a real data: image is. */
  char big[1200];
  strcpy(big, "<p><img src='data:image/png;base64,");
  size_t k = strlen(big);
  memset(big + k, 'A', 800);
  strcpy(big + k + 800, "' alt='big'>");
  char src[2000];
  snprintf(src, sizeof src,
           "<p><img src='data:image/gif;base64,R0lGODlhAQABAIAAAP///"
           "wAAACwAAAAAAQABAAACAkQBADs=' alt='Placeholder'>"
           "<img src='data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACw='>"
           "</p>%s",
           big);
  galley_doc *d = rd(src);
  assert_int_equal(count(d, GALLEY_NODE_IMAGE), 2);
  assert_string_equal(img_url(d, 0), "");
  assert_non_null(strstr(img_url(d, 1), "data:image/png;base64,AAAA"));
  galley_doc_free(d);
}

/* ---- <noscript> ---------------------------------------------------------- */

static void noscript_gives_the_image_a_placeholder_hides(void **state) {
  (void)state;
  galley_doc *d = rd(
      "<p><img src='data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACw=' "
      "alt='heron'><noscript><img src='heron.jpg' alt='heron'></noscript></p>"
      "<p><span><img alt='next' data-nimg='fill' src='data:image/gif;base64,"
      "R0lGODlhAQABAIAAAP///wAAACw='><noscript><img alt='next' sizes='100vw' "
      "srcset='n-640.jpg 640w, n-1080.jpg 1080w, n-3840.jpg 3840w'>"
      "</noscript></span></p>");
  assert_int_equal(count(d, GALLEY_NODE_IMAGE), 2);
  assert_string_equal(img_url(d, 0), "heron.jpg");
  assert_string_equal(img_url(d, 1), "n-1080.jpg");
  galley_doc_free(d);
}

static void noscript_beside_a_shown_image_adds_no_copy(void **state) {
  (void)state;
  galley_doc *d =
      rd("<p><img data-src='gull.jpg' class='lazyload' alt='gull'>"
         "<noscript><img src='gull.jpg' alt='gull'></noscript></p>"
         "<p><noscript><img src='tern.jpg' alt='tern'></noscript>"
         "<img data-src='tern.jpg' alt='tern'></p>"
         "<p>Alone:</p><noscript><img src='alone.jpg' alt='alone'></noscript>"
         "<noscript><p>Enable scripts</p></noscript>");
  assert_int_equal(count(d, GALLEY_NODE_IMAGE), 3);
  assert_string_equal(img_url(d, 0), "gull.jpg");
  assert_string_equal(img_url(d, 1), "tern.jpg");
  assert_string_equal(img_url(d, 2), "alone.jpg");
  galley_doc_free(d);
}

/* ---- Tracking pixels ----------------------------------------------------- */

static void tracking_pixels_are_dropped(void **state) {
  (void)state;
  galley_doc *d = rd(
      "<p>one<img src='t.gif' width='1' height='1'>two"
      "<img src='u.gif' height=0>"
      "<img src='https://www.facebook.com/tr?id=1&amp;ev=PageView'>"
      "<img src='https://sb.scorecardresearch.com/p?c1=2'>"
      "<img src='https://example.org/b/ss/acct/1/JS-2.0/s1'>"
      "<img src='https://stats.example.net/pixel.gif?u=1' alt='x'>"
      "<img src='hidden.jpg' style='display: none'>"
      /* A lazy image's size attributes may be its placeholder's. */
      "<img src='blank.gif' width='1' height='1' data-src='real.jpg' alt='r'>"
      "<img src='real2.jpg' width='640' height='1px' alt='r2'></p>");
  assert_int_equal(count(d, GALLEY_NODE_IMAGE), 1);
  assert_string_equal(img_url(d, 0), "real.jpg");
  /* The words on either side stay apart. */
  char *t = galley_node_text(d, galley_doc_root(d));
  assert_non_null(strstr(t, "one two"));
  galley_doc_free(d);
}

/* ---- Links ------------------------------------------------------------------
 */

static void a_fetched_page_resolves_against_its_address(void **state) {
  (void)state;
  const char *page = "<head><link rel=canonical href='https://else.example/'>"
                     "</head><p><a href='/wiki/Tide'>t</a>"
                     "<a href='../up'>u</a><a href='//upload.example/i.png'>"
                     "i</a><a href='?q=1'>q</a><a href='#n1'>n</a>"
                     "<a href='page#s2'>s</a><img src='img/x.png' alt='x'>";
  /* The runner gives the address as the document's base... */
  galley_doc *d = read_as(page, "https://example.org/a/page", NULL);
  assert_string_equal(link_url(d, 0), "https://example.org/wiki/Tide");
  assert_string_equal(link_url(d, 1), "https://example.org/up");
  assert_string_equal(link_url(d, 2), "https://upload.example/i.png");
  assert_string_equal(link_url(d, 3), "https://example.org/a/page?q=1");
  assert_string_equal(link_url(d, 4), "#n1");
  /* A link to a part of this same page stays in the document. */
  assert_string_equal(link_url(d, 5), "#s2");
  assert_string_equal(img_url(d, 0), "https://example.org/a/img/x.png");
  galley_doc_free(d);
  /* ...or as its url metadata; a canonical never overrides it. */
  d = read_as(page, NULL, "https://example.org/a/page");
  assert_string_equal(link_url(d, 0), "https://example.org/wiki/Tide");
  assert_string_equal(img_url(d, 0), "https://example.org/a/img/x.png");
  galley_doc_free(d);
}

static void base_href_comes_first_and_may_be_relative(void **state) {
  (void)state;
  galley_doc *d = read_as("<p><a href='x'>before the base</a></p>"
                          "<base href='/docs/v2/'><p><a href='y'>after</a></p>",
                          "https://example.org/a/page", NULL);
  assert_string_equal(link_url(d, 0), "https://example.org/docs/v2/x");
  assert_string_equal(link_url(d, 1), "https://example.org/docs/v2/y");
  assert_string_equal(galley_doc_get_base(d), "https://example.org/docs/v2/");
  galley_doc_free(d);
  /* Only a web address is a base: javascript: and the like are not. */
  d = rd("<base href='javascript:alert(1)'><p><a href='x'>x</a></p>");
  assert_string_equal(link_url(d, 0), "x");
  galley_doc_free(d);
}

static void a_local_file_resolves_against_canonical_then_og_url(void **state) {
  (void)state;
  const char *dir = tu_fixture("images");
  galley_doc *d = read_as(
      "<head><meta property='og:url' content='https://og.example/p'>"
      "<link rel='canonical' href='https://site.example/a/b'></head>"
      "<p><a href='c'>c</a><img src='img/photo.png' alt='here'>"
      "<img src='img/missing.png' alt='not here'>"
      "<img src='img/../img/photo.png?v=2' alt='here too'>"
      "<img src='../links/pictures/harbour.png' alt='outside the folder'>"
      "</p>",
      dir, NULL);
  assert_string_equal(link_url(d, 0), "https://site.example/a/c");
  /* Images saved beside the page stay local; the others are on the web. */
  assert_string_equal(img_url(d, 0), "img/photo.png");
  assert_string_equal(img_url(d, 1), "https://site.example/a/img/missing.png");
  assert_string_equal(img_url(d, 2), "img/../img/photo.png?v=2");
  assert_string_equal(img_url(d, 3),
                      "https://site.example/links/pictures/harbour.png");
  /* The document's base stays the folder, where the local images are. */
  assert_string_equal(galley_doc_get_base(d), dir);
  galley_doc_free(d);
  d = read_as("<head><meta property='og:url' content='https://og.example/p/q'>"
              "</head><p><a href='r'>r</a></p>",
              dir, NULL);
  assert_string_equal(link_url(d, 0), "https://og.example/p/r");
  galley_doc_free(d);
  /* A page that says nowhere where it lives keeps its links as written. */
  d = read_as("<p><a href='/root'>r</a><a href='../x'>x</a></p>", dir, NULL);
  assert_string_equal(link_url(d, 0), "/root");
  assert_string_equal(link_url(d, 1), "../x");
  galley_doc_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_picture_keeps_its_img),
      cmocka_unit_test(a_picture_prefers_a_core_type_source),
      cmocka_unit_test(a_source_for_narrow_screens_gives_way_to_the_img),
      cmocka_unit_test(srcset_gives_the_widest_candidate_up_to_1600_px),
      cmocka_unit_test(lazy_attributes_name_the_real_image),
      cmocka_unit_test(a_placeholder_alone_keeps_only_its_alt_text),
      cmocka_unit_test(noscript_gives_the_image_a_placeholder_hides),
      cmocka_unit_test(noscript_beside_a_shown_image_adds_no_copy),
      cmocka_unit_test(tracking_pixels_are_dropped),
      cmocka_unit_test(a_fetched_page_resolves_against_its_address),
      cmocka_unit_test(base_href_comes_first_and_may_be_relative),
      cmocka_unit_test(a_local_file_resolves_against_canonical_then_og_url),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
