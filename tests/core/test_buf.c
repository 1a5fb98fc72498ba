/* Unit tests of the helpers for plugins: byte buffers, growable arrays and
 * UTF-8 (validating, decoding, encoding, counting, cutting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include <galley/galley.h>

/* The out-of-memory tests ask for more than any machine has; under
 * AddressSanitizer that must be a NULL from realloc, not a report. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
  return "allocator_may_return_null=1";
}

/* More than the address space: realloc fails without overflowing size_t. */
#define HUGE_SIZE (SIZE_MAX / 4)

/* ---- Byte buffer ---- */

static void a_new_buffer_is_empty_and_holds_no_memory(void **state) {
  (void)state;
  galley_buf a = GALLEY_BUF_INIT, b;
  galley_buf_init(&b);
  assert_null(a.data);
  assert_int_equal(a.len, 0);
  assert_int_equal(a.cap, 0);
  assert_false(a.failed);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.cap, 0);
  assert_false(b.failed);
  galley_buf_free(&a); /* freeing an unused buffer is fine */
  galley_buf_free(NULL);
}

static void add_appends_bytes_and_keeps_a_nul_after_them(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_add(&b, "abc", 3), GALLEY_OK);
  assert_int_equal(galley_buf_add(&b, "de\0f", 4), GALLEY_OK);
  assert_int_equal(b.len, 7);
  assert_memory_equal(b.data, "abcde\0f", 8); /* NUL inside, NUL after */
  assert_true(b.cap >= b.len + 1);
  galley_buf_free(&b);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
}

static void adding_nothing_still_makes_a_c_string(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_add(&b, NULL, 0), GALLEY_OK);
  assert_non_null(b.data);
  assert_string_equal(b.data, "");
  galley_buf_free(&b);
}

static void puts_putc_and_repeat_append_what_they_say(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_puts(&b, "key"), GALLEY_OK);
  assert_int_equal(galley_buf_putc(&b, ':'), GALLEY_OK);
  assert_int_equal(galley_buf_repeat(&b, ' ', 3), GALLEY_OK);
  assert_int_equal(galley_buf_repeat(&b, '-', 0), GALLEY_OK);
  assert_int_equal(galley_buf_puts(&b, ""), GALLEY_OK);
  assert_string_equal(b.data, "key:   ");
  assert_int_equal(b.len, 7);
  galley_buf_free(&b);
}

static void
many_small_appends_keep_every_byte_and_grow_by_doubling(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  size_t reallocs = 0, last_cap = 0;
  for (size_t i = 0; i < 1000000; i++) {
    assert_int_equal(galley_buf_putc(&b, (char)('a' + i % 26)), GALLEY_OK);
    if (b.cap != last_cap) {
      reallocs++;
      last_cap = b.cap;
    }
  }
  assert_int_equal(b.len, 1000000);
  for (size_t i = 0; i < b.len; i++)
    if (b.data[i] != (char)('a' + i % 26))
      fail_msg("byte %zu is %c", i, b.data[i]);
  assert_int_equal(b.data[b.len], '\0');
  /* Doubling from 64: few reallocations, a power of two at the end, and
   * never more than twice the need. */
  assert_true(reallocs <= 16);
  assert_int_equal(b.cap, (size_t)1 << 20);
  assert_true(b.cap <= 2 * (b.len + 1));
  galley_buf_free(&b);
}

static void reserve_makes_room_that_later_appends_use(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_add(&b, "xy", 2), GALLEY_OK);
  assert_int_equal(galley_buf_reserve(&b, 1000), GALLEY_OK);
  assert_true(b.cap >= 2 + 1000 + 1);
  assert_string_equal(b.data, "xy");
  char *at = b.data;
  size_t cap = b.cap;
  assert_int_equal(galley_buf_repeat(&b, 'z', 1000), GALLEY_OK);
  assert_ptr_equal(b.data, at);
  assert_int_equal(b.cap, cap);
  assert_int_equal(b.len, 1002);
  galley_buf_free(&b);
}

static void one_large_reserve_allocates_what_it_asks_for(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_reserve(&b, 100000), GALLEY_OK);
  assert_int_equal(b.cap, 100001);
  assert_int_equal(b.len, 0);
  assert_string_equal(b.data, "");
  /* Past it, a reserve at least doubles: linear when called in a loop. */
  assert_int_equal(galley_buf_set_len(&b, 100000), GALLEY_OK);
  assert_int_equal(galley_buf_reserve(&b, 10), GALLEY_OK);
  assert_int_equal(b.cap, 200002);
  assert_int_equal(galley_buf_reserve(&b, 500000), GALLEY_OK);
  assert_int_equal(b.cap, 600001);
  galley_buf_free(&b);
}

static void set_len_takes_bytes_written_into_reserved_room(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_puts(&b, "head:"), GALLEY_OK);
  assert_int_equal(galley_buf_reserve(&b, 10), GALLEY_OK);
  memcpy(b.data + b.len, "0123456789", 10); /* as fread would */
  assert_int_equal(galley_buf_set_len(&b, b.len + 10), GALLEY_OK);
  assert_string_equal(b.data, "head:0123456789");
  /* Past the reserved room is refused and changes nothing. */
  assert_int_equal(galley_buf_set_len(&b, b.cap), GALLEY_EINVALID);
  assert_int_equal(b.len, 15);
  assert_int_equal(galley_buf_set_len(&b, 4), GALLEY_OK);
  assert_string_equal(b.data, "head");
  galley_buf_free(&b);
  assert_int_equal(galley_buf_set_len(&b, 0), GALLEY_EINVALID);
}

static void
truncate_and_clear_cut_the_contents_and_keep_the_memory(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_puts(&b, "hello world"), GALLEY_OK);
  char *at = b.data;
  galley_buf_truncate(&b, 5);
  assert_string_equal(b.data, "hello");
  galley_buf_truncate(&b, 50); /* not shorter: nothing */
  assert_string_equal(b.data, "hello");
  assert_int_equal(b.len, 5);
  galley_buf_clear(&b);
  assert_int_equal(b.len, 0);
  assert_string_equal(b.data, "");
  assert_ptr_equal(b.data, at);
  galley_buf empty = GALLEY_BUF_INIT;
  galley_buf_clear(&empty); /* no memory yet: still fine */
  galley_buf_truncate(&empty, 0);
  assert_null(empty.data);
  galley_buf_free(&b);
}

static void printf_appends_formatted_text(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_printf(&b, "%d-%s", 42, "x"), GALLEY_OK);
  assert_int_equal(galley_buf_printf(&b, "|%zu|", (size_t)7), GALLEY_OK);
  assert_string_equal(b.data, "42-x|7|");
  assert_int_equal(b.len, 7);
  /* Longer than the room left: the buffer grows and nothing is cut. */
  char big[5000];
  memset(big, 'q', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  assert_int_equal(galley_buf_printf(&b, "<%s>", big), GALLEY_OK);
  assert_int_equal(b.len, 7 + 2 + 4999);
  assert_memory_equal(b.data, "42-x|7|<qqq", 11);
  assert_string_equal(b.data + b.len - 2, "q>");
  assert_int_equal(galley_buf_printf(&b, "%s", ""), GALLEY_OK);
  assert_int_equal(b.len, 7 + 2 + 4999);
  galley_buf_free(&b);
}

static void
printf_that_cannot_expand_fails_and_keeps_the_contents(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_puts(&b, "kept"), GALLEY_OK);
  /* In the C locale a wide character past ASCII has no multibyte form,
   * so vsnprintf fails. */
  char probe[8];
  if (snprintf(probe, sizeof probe, "%ls", L"\x100") >= 0)
    skip();
  assert_int_equal(galley_buf_printf(&b, "%ls", L"\x100"), GALLEY_EINVALID);
  assert_true(b.failed);
  assert_string_equal(b.data, "kept");
  galley_buf_free(&b);
}

static void detach_hands_over_the_bytes_and_empties_the_buffer(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_puts(&b, "mine now"), GALLEY_OK);
  size_t len = 0;
  char *s = galley_buf_detach(&b, &len);
  assert_string_equal(s, "mine now");
  assert_int_equal(len, 8);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_int_equal(b.cap, 0);
  free(s);
  /* Reusable after. */
  assert_int_equal(galley_buf_puts(&b, "again"), GALLEY_OK);
  s = galley_buf_detach(&b, NULL);
  assert_string_equal(s, "again");
  free(s);
}

static void detach_of_an_empty_buffer_gives_an_empty_string(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  size_t len = 99;
  char *s = galley_buf_detach(&b, &len);
  assert_non_null(s);
  assert_string_equal(s, "");
  assert_int_equal(len, 0);
  free(s);
}

static void
a_size_that_would_overflow_fails_and_leaves_the_buffer_usable(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_puts(&b, "safe"), GALLEY_OK);
  assert_int_equal(galley_buf_reserve(&b, SIZE_MAX), GALLEY_ENOMEM);
  assert_int_equal(galley_buf_reserve(&b, SIZE_MAX - 4), GALLEY_ENOMEM);
  assert_true(b.failed);
  assert_string_equal(b.data, "safe");
  assert_int_equal(b.len, 4);
  galley_buf_free(&b);
  assert_false(b.failed);
  galley_buf c = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_repeat(&c, 'x', SIZE_MAX), GALLEY_ENOMEM);
  assert_null(c.data);
  assert_true(c.failed);
  galley_buf_free(&c);
}

static void out_of_memory_is_sticky_and_keeps_what_was_added(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_puts(&b, "before"), GALLEY_OK);
  /* A real allocation failure: more than the address space. */
  assert_int_equal(galley_buf_reserve(&b, HUGE_SIZE), GALLEY_ENOMEM);
  assert_true(b.failed);
  assert_string_equal(b.data, "before");
  /* Every later append fails too: the contents are a prefix of what was
   * asked for, never text with a hole. */
  assert_int_equal(galley_buf_puts(&b, "x"), GALLEY_ENOMEM);
  assert_int_equal(galley_buf_putc(&b, 'x'), GALLEY_ENOMEM);
  assert_int_equal(galley_buf_add(&b, "", 0), GALLEY_ENOMEM);
  assert_int_equal(galley_buf_repeat(&b, 'x', 1), GALLEY_ENOMEM);
  assert_int_equal(galley_buf_printf(&b, "%d", 1), GALLEY_ENOMEM);
  assert_string_equal(b.data, "before");
  /* Clearing keeps the failure: a caller that checks once at the end
   * still sees it. */
  galley_buf_clear(&b);
  assert_true(b.failed);
  /* Detaching a failed buffer gives nothing and frees the bytes. */
  size_t len = 5;
  assert_null(galley_buf_detach(&b, &len));
  assert_int_equal(len, 0);
  assert_false(b.failed);
  assert_null(b.data);
  assert_int_equal(galley_buf_puts(&b, "after"), GALLEY_OK);
  assert_string_equal(b.data, "after");
  galley_buf_free(&b);
}

static void a_caller_may_mark_a_buffer_failed(void **state) {
  (void)state;
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_buf_puts(&b, "half"), GALLEY_OK);
  b.failed = true; /* a failure of the caller's own spoils the result */
  assert_int_equal(galley_buf_puts(&b, "more"), GALLEY_ENOMEM);
  assert_null(galley_buf_detach(&b, NULL));
}

/* ---- Growable arrays ---- */

typedef struct rec {
  int a;
  double b;
} rec;

static void an_array_grows_from_nothing_and_keeps_its_items(void **state) {
  (void)state;
  rec *items = NULL;
  size_t n = 0, cap = 0;
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(
        galley_array_grow((void **)&items, &cap, n + 1, sizeof *items),
        GALLEY_OK);
    assert_true(cap >= n + 1);
    items[n++] = (rec){i, i * 0.5};
  }
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(items[i].a, i);
    assert_true(items[i].b == i * 0.5);
  }
  assert_int_equal(cap, 1024); /* 8, doubled */
  free(items);
}

static void an_array_big_enough_is_left_alone(void **state) {
  (void)state;
  int *items = NULL;
  size_t cap = 0;
  assert_int_equal(galley_array_grow((void **)&items, &cap, 20, sizeof *items),
                   GALLEY_OK);
  assert_int_equal(cap, 32);
  int *at = items;
  assert_int_equal(galley_array_grow((void **)&items, &cap, 32, sizeof *items),
                   GALLEY_OK);
  assert_int_equal(galley_array_grow((void **)&items, &cap, 0, sizeof *items),
                   GALLEY_OK);
  assert_ptr_equal(items, at);
  assert_int_equal(cap, 32);
  free(items);
}

static void
an_array_size_that_would_overflow_fails_and_changes_nothing(void **state) {
  (void)state;
  rec *items = NULL;
  size_t cap = 0;
  assert_int_equal(galley_array_grow((void **)&items, &cap, 4, sizeof *items),
                   GALLEY_OK);
  rec *at = items;
  assert_int_equal(galley_array_grow((void **)&items, &cap,
                                     SIZE_MAX / sizeof *items + 1,
                                     sizeof *items),
                   GALLEY_ENOMEM);
  assert_int_equal(
      galley_array_grow((void **)&items, &cap, SIZE_MAX, sizeof *items),
      GALLEY_ENOMEM);
  assert_int_equal(galley_array_grow((void **)&items, &cap,
                                     HUGE_SIZE / sizeof *items, sizeof *items),
                   GALLEY_ENOMEM);
  assert_ptr_equal(items, at);
  assert_int_equal(cap, 8);
  char *bytes = NULL;
  size_t bcap = 0;
  assert_int_equal(galley_array_grow((void **)&bytes, &bcap, 1, 0),
                   GALLEY_EINVALID);
  assert_null(bytes);
  free(items);
}

/* ---- UTF-8 ---- */

/* galley_utf8_valid on a string literal of `n` bytes; the bad offset. */
static size_t bad_at(const char *s, size_t n) {
  size_t bad = 12345;
  bool ok = galley_utf8_valid(s, n, &bad);
  assert_true(ok == (bad == n));
  return bad;
}
#define BAD(lit) bad_at(lit, sizeof lit - 1)

static void valid_utf8_passes_up_to_every_boundary(void **state) {
  (void)state;
  assert_int_equal(BAD(""), 0);
  assert_int_equal(BAD("plain ASCII"), 11);
  assert_int_equal(BAD("\xC2\x80"), 2);                 /* U+0080 */
  assert_int_equal(BAD("\xDF\xBF"), 2);                 /* U+07FF */
  assert_int_equal(BAD("\xE0\xA0\x80"), 3);             /* U+0800 */
  assert_int_equal(BAD("\xED\x9F\xBF"), 3);             /* U+D7FF */
  assert_int_equal(BAD("\xEE\x80\x80"), 3);             /* U+E000 */
  assert_int_equal(BAD("\xEF\xBF\xBF"), 3);             /* U+FFFF */
  assert_int_equal(BAD("\xF0\x90\x80\x80"), 4);         /* U+10000 */
  assert_int_equal(BAD("\xF4\x8F\xBF\xBF"), 4);         /* U+10FFFF */
  assert_int_equal(BAD("caf\xC3\xA9 \xE2\x82\xAC"), 9); /* café € */
  assert_true(galley_utf8_valid("abc", 3, NULL));
}

static void a_nul_byte_is_valid_utf8(void **state) {
  (void)state;
  assert_int_equal(BAD("a\0b"), 3);
  assert_int_equal(BAD("\0"), 1);
}

static void overlong_forms_are_invalid(void **state) {
  (void)state;
  assert_int_equal(BAD("\xC0\x80"), 0); /* NUL in two bytes */
  assert_int_equal(BAD("\xC1\xBF"), 0);
  assert_int_equal(BAD("ab\xE0\x80\x80"), 2);
  assert_int_equal(BAD("\xE0\x9F\xBF"), 0);
  assert_int_equal(BAD("\xF0\x80\x80\x80"), 0);
  assert_int_equal(BAD("\xF0\x8F\xBF\xBF"), 0);
}

static void surrogates_are_invalid(void **state) {
  (void)state;
  assert_int_equal(BAD("\xED\xA0\x80"), 0);  /* U+D800 */
  assert_int_equal(BAD("x\xED\xBF\xBF"), 1); /* U+DFFF */
  /* A surrogate pair written as two sequences (CESU-8) too. */
  assert_int_equal(BAD("\xED\xA0\xBD\xED\xB8\x80"), 0);
}

static void code_points_past_u10ffff_are_invalid(void **state) {
  (void)state;
  assert_int_equal(BAD("\xF4\x90\x80\x80"), 0); /* U+110000 */
  assert_int_equal(BAD("\xF5\x80\x80\x80"), 0);
  assert_int_equal(BAD("\xF7\xBF\xBF\xBF"), 0);
  assert_int_equal(BAD("\xF8\x88\x80\x80\x80"), 0);
  assert_int_equal(BAD("ok\xFE"), 2);
  assert_int_equal(BAD("ok\xFF"), 2);
}

static void
truncated_and_broken_sequences_are_invalid_at_their_first_byte(void **state) {
  (void)state;
  assert_int_equal(BAD("ab\xE2\x82"), 2);   /* € cut short */
  assert_int_equal(BAD("\xF0\x9F\x98"), 0); /* emoji cut short */
  assert_int_equal(BAD("\xC3"), 0);
  assert_int_equal(BAD("\xC3"
                       "A"),
                   0);                          /* lead, then ASCII */
  assert_int_equal(BAD("\xE2\x28\xA1"), 0);     /* bad second byte */
  assert_int_equal(BAD("\xE2\x82\x28"), 0);     /* bad third byte */
  assert_int_equal(BAD("\xF0\x9F\x98\x28"), 0); /* bad fourth byte */
  assert_int_equal(BAD("abc\x80"), 3);          /* lone continuation */
  assert_int_equal(BAD("\xC3\xA9\xA9"), 2);     /* one continuation too many */
  /* Cut by the length given, not by the bytes that follow in memory. */
  assert_int_equal(bad_at("\xE2\x82\xAC", 2), 0);
}

static void the_bad_offset_is_exact_anywhere_in_a_long_ascii_run(void **state) {
  (void)state;
  /* The validator reads ASCII eight bytes at a time: a bad byte at every
   * position within and across those words is still found exactly. */
  char s[80];
  for (size_t len = 1; len < sizeof s; len++) {
    for (size_t at = 0; at < len; at++) {
      memset(s, 'a', len);
      s[at] = (char)0xFF;
      assert_int_equal(bad_at(s, len), at);
      /* A valid two-byte character there instead, then a bad byte. */
      if (at + 2 < len) {
        s[at] = (char)0xC3;
        s[at + 1] = (char)0xA9;
        s[len - 1] = (char)0x80;
        assert_int_equal(bad_at(s, len), len - 1);
      }
    }
  }
}

static void decode_gives_the_code_point_and_its_length(void **state) {
  (void)state;
  uint32_t cp = 0;
  assert_int_equal(galley_utf8_decode("A", 1, &cp), 1);
  assert_int_equal(cp, 'A');
  assert_int_equal(galley_utf8_decode("\0", 1, &cp), 1);
  assert_int_equal(cp, 0);
  assert_int_equal(galley_utf8_decode("\xC3\xA9xyz", 5, &cp), 2);
  assert_int_equal(cp, 0xE9);
  assert_int_equal(galley_utf8_decode("\xE2\x82\xAC", 3, &cp), 3);
  assert_int_equal(cp, 0x20AC);
  assert_int_equal(galley_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
  assert_int_equal(cp, 0x1F600);
  assert_int_equal(galley_utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
  assert_int_equal(cp, 0x10FFFF);
  assert_int_equal(galley_utf8_decode("\xE2\x82\xAC", 3, NULL), 3);
}

static void decode_refuses_what_is_not_one_valid_character(void **state) {
  (void)state;
  uint32_t cp = 7;
  assert_int_equal(galley_utf8_decode("", 0, &cp), 0);
  assert_int_equal(galley_utf8_decode("\x80", 1, &cp), 0);
  assert_int_equal(galley_utf8_decode("\xC0\x80", 2, &cp), 0);
  assert_int_equal(galley_utf8_decode("\xE0\x9F\xBF", 3, &cp), 0);
  assert_int_equal(galley_utf8_decode("\xED\xA0\x80", 3, &cp), 0);
  assert_int_equal(galley_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0);
  assert_int_equal(galley_utf8_decode("\xF5\x80\x80\x80", 4, &cp), 0);
  assert_int_equal(galley_utf8_decode("\xE2\x82\xAC", 2, &cp), 0);
  assert_int_equal(galley_utf8_decode("\xC3", 1, &cp), 0);
  assert_int_equal(cp, 7); /* untouched */
}

/* What a three-byte sequence means by the arithmetic of the standard,
 * independently of the decoder: its code point, or -1 when invalid. */
static long reference3(unsigned a, unsigned b, unsigned c) {
  if ((a & 0xF0) != 0xE0 || (b & 0xC0) != 0x80 || (c & 0xC0) != 0x80)
    return -1;
  long cp = (long)(a & 0x0F) << 12 | (long)(b & 0x3F) << 6 | (c & 0x3F);
  if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
    return -1;
  return cp;
}

static void
decode_agrees_with_the_standard_on_every_three_byte_sequence(void **state) {
  (void)state;
  for (unsigned a = 0xE0; a <= 0xEF; a++)
    for (unsigned b = 0; b < 256; b++)
      for (unsigned c = 0; c < 256; c++) {
        char s[3] = {(char)a, (char)b, (char)c};
        uint32_t cp = 0;
        size_t k = galley_utf8_decode(s, 3, &cp);
        long want = reference3(a, b, c);
        if ((want < 0 && k != 0) || (want >= 0 && (k != 3 || cp != want)))
          fail_msg("%02X %02X %02X: length %zu, U+%04X", a, b, c, k,
                   (unsigned)cp);
        if (galley_utf8_valid(s, 3, NULL) != (want >= 0))
          fail_msg("%02X %02X %02X: valid disagrees", a, b, c);
      }
}

static void encode_writes_the_shortest_form_of_every_code_point(void **state) {
  (void)state;
  char out[4];
  assert_int_equal(galley_utf8_encode(0, out), 1);
  assert_int_equal(out[0], 0);
  assert_int_equal(galley_utf8_encode(0x7F, out), 1);
  assert_int_equal(galley_utf8_encode(0x80, out), 2);
  assert_memory_equal(out, "\xC2\x80", 2);
  assert_int_equal(galley_utf8_encode(0x7FF, out), 2);
  assert_memory_equal(out, "\xDF\xBF", 2);
  assert_int_equal(galley_utf8_encode(0x800, out), 3);
  assert_memory_equal(out, "\xE0\xA0\x80", 3);
  assert_int_equal(galley_utf8_encode(0xFFFF, out), 3);
  assert_memory_equal(out, "\xEF\xBF\xBF", 3);
  assert_int_equal(galley_utf8_encode(0x10000, out), 4);
  assert_memory_equal(out, "\xF0\x90\x80\x80", 4);
  assert_int_equal(galley_utf8_encode(0x10FFFF, out), 4);
  assert_memory_equal(out, "\xF4\x8F\xBF\xBF", 4);
  /* Every scalar value round-trips through decode. */
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp == 0xD800)
      cp = 0xE000;
    size_t k = galley_utf8_encode(cp, out);
    uint32_t back = 0;
    if (galley_utf8_decode(out, k, &back) != k || back != cp)
      fail_msg("U+%04X does not round-trip", (unsigned)cp);
  }
}

static void
encode_writes_a_replacement_for_what_utf8_cannot_carry(void **state) {
  (void)state;
  const uint32_t bad[] = {0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x110000, 0xFFFFFFFF};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char out[4];
    assert_int_equal(galley_utf8_encode(bad[i], out), 3);
    assert_memory_equal(out, "\xEF\xBF\xBD", 3);
  }
}

static void count_gives_characters_not_bytes(void **state) {
  (void)state;
  assert_int_equal(galley_utf8_count("", 0), 0);
  assert_int_equal(galley_utf8_count("abc", 3), 3);
  assert_int_equal(galley_utf8_count("h\xC3\xA9llo", 6), 5);
  assert_int_equal(galley_utf8_count("\xE2\x82\xAC\xF0\x9F\x98\x80", 7), 2);
  assert_int_equal(galley_utf8_count("a\0b", 3), 3);
}

static void truncate_never_cuts_inside_a_character(void **state) {
  (void)state;
  const char *s = "h\xC3\xA9\xE2\x82\xAC!"; /* h é € ! */
  size_t len = strlen(s);
  assert_int_equal(galley_utf8_truncate(s, len, 0), 0);
  assert_int_equal(galley_utf8_truncate(s, len, 1), 1);
  assert_int_equal(galley_utf8_truncate(s, len, 2), 1); /* inside é */
  assert_int_equal(galley_utf8_truncate(s, len, 3), 3);
  assert_int_equal(galley_utf8_truncate(s, len, 4), 3); /* inside € */
  assert_int_equal(galley_utf8_truncate(s, len, 5), 3);
  assert_int_equal(galley_utf8_truncate(s, len, 6), 6);
  assert_int_equal(galley_utf8_truncate(s, len, 7), 7);
  assert_int_equal(galley_utf8_truncate(s, len, 100), 7);
  /* Only continuation bytes: nothing is left, never an underflow. */
  assert_int_equal(galley_utf8_truncate("\x80\x80\x80", 3, 2), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_new_buffer_is_empty_and_holds_no_memory),
      cmocka_unit_test(add_appends_bytes_and_keeps_a_nul_after_them),
      cmocka_unit_test(adding_nothing_still_makes_a_c_string),
      cmocka_unit_test(puts_putc_and_repeat_append_what_they_say),
      cmocka_unit_test(many_small_appends_keep_every_byte_and_grow_by_doubling),
      cmocka_unit_test(reserve_makes_room_that_later_appends_use),
      cmocka_unit_test(one_large_reserve_allocates_what_it_asks_for),
      cmocka_unit_test(set_len_takes_bytes_written_into_reserved_room),
      cmocka_unit_test(truncate_and_clear_cut_the_contents_and_keep_the_memory),
      cmocka_unit_test(printf_appends_formatted_text),
      cmocka_unit_test(printf_that_cannot_expand_fails_and_keeps_the_contents),
      cmocka_unit_test(detach_hands_over_the_bytes_and_empties_the_buffer),
      cmocka_unit_test(detach_of_an_empty_buffer_gives_an_empty_string),
      cmocka_unit_test(
          a_size_that_would_overflow_fails_and_leaves_the_buffer_usable),
      cmocka_unit_test(out_of_memory_is_sticky_and_keeps_what_was_added),
      cmocka_unit_test(a_caller_may_mark_a_buffer_failed),
      cmocka_unit_test(an_array_grows_from_nothing_and_keeps_its_items),
      cmocka_unit_test(an_array_big_enough_is_left_alone),
      cmocka_unit_test(
          an_array_size_that_would_overflow_fails_and_changes_nothing),
      cmocka_unit_test(valid_utf8_passes_up_to_every_boundary),
      cmocka_unit_test(a_nul_byte_is_valid_utf8),
      cmocka_unit_test(overlong_forms_are_invalid),
      cmocka_unit_test(surrogates_are_invalid),
      cmocka_unit_test(code_points_past_u10ffff_are_invalid),
      cmocka_unit_test(
          truncated_and_broken_sequences_are_invalid_at_their_first_byte),
      cmocka_unit_test(the_bad_offset_is_exact_anywhere_in_a_long_ascii_run),
      cmocka_unit_test(decode_gives_the_code_point_and_its_length),
      cmocka_unit_test(decode_refuses_what_is_not_one_valid_character),
      cmocka_unit_test(
          decode_agrees_with_the_standard_on_every_three_byte_sequence),
      cmocka_unit_test(encode_writes_the_shortest_form_of_every_code_point),
      cmocka_unit_test(encode_writes_a_replacement_for_what_utf8_cannot_carry),
      cmocka_unit_test(count_gives_characters_not_bytes),
      cmocka_unit_test(truncate_never_cuts_inside_a_character),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
