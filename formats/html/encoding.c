/* Finding out what encoding an HTML page is in, and making it clean UTF-8. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "html.h"

/* ---- UTF-8 ---------------------------------------------------------- */

/* C0 controls that neither HTML text nor XML may carry. */
static bool bad_control(unsigned char c) {
  return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

typedef struct scan {
  size_t invalid;   /* bytes that start no valid sequence */
  size_t multibyte; /* valid sequences of 2-4 bytes */
  size_t controls;  /* bytes to drop or change */
} scan;

static scan utf8_scan(const unsigned char *p, size_t n) {
  scan s = {0, 0, 0};
  size_t i = 0;
  while (i < n) {
    /* Printable ASCII, which most of a page is, eight bytes at a time: no
     * byte of the word has its top bit set, and each is 0x20 or more (its
     * low seven bits plus 0x60 reach bit 7, without a carry into the next
     * byte). Anything else goes through the loop below, a byte at a time. */
    const uint64_t top = 0x8080808080808080ULL;
#ifdef __SSE2__
    /* Sixteen at a time, line ends and tabs included: no byte with its top
     * bit set, and every one below 0x20 a tab, a CR or an LF. */
    const __m128i space = _mm_set1_epi8(0x20), tab = _mm_set1_epi8('\t'),
                  lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    while (n - i >= 16) {
      __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
      if (_mm_movemask_epi8(v))
        break;
      int low = _mm_movemask_epi8(_mm_cmplt_epi8(v, space));
      if (low) {
        int ok = _mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, lf)),
            _mm_cmpeq_epi8(v, cr)));
        if (low & ~ok)
          break;
      }
      i += 16;
    }
#endif
    while (n - i >= 8) {
      uint64_t v;
      memcpy(&v, p + i, sizeof v);
      uint64_t printable =
          ((v & 0x7F7F7F7F7F7F7F7FULL) + 0x6060606060606060ULL) & top;
      if ((v & top) || printable != top)
        break;
      i += 8;
    }
    if (i == n)
      break;
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x80) {
      i++;
      continue;
    }
    if (c < 0x80) {
      s.controls += bad_control(c);
      i++;
      continue;
    }
    size_t k = galley_utf8_decode((const char *)p + i, n - i, NULL);
    if (k == 0) {
      s.invalid++;
      i++;
    } else {
      s.multibyte++;
      i += k;
    }
  }
  return s;
}

/* Copies UTF-8 with each invalid byte as U+FFFD, form feeds as spaces and
 * other C0 controls dropped. The result is at most 3 times as long. */
static unsigned char *utf8_clean(const unsigned char *p, size_t n,
                                 size_t *out_len) {
  if (n > SIZE_MAX / 3 - 1)
    return NULL;
  unsigned char *o = malloc(n * 3 + 1), *w = o;
  if (!o)
    return NULL;
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c == '\f')
        *w++ = ' ';
      else if (!bad_control(c))
        *w++ = c;
      i++;
      continue;
    }
    size_t k = galley_utf8_decode((const char *)p + i, n - i, NULL);
    if (k == 0) {
      memcpy(w, "\xEF\xBF\xBD", 3);
      w += 3;
      i++;
    } else {
      memcpy(w, p + i, k);
      w += k;
      i += k;
    }
  }
  *w = 0;
  *out_len = (size_t)(w - o);
  return o;
}

/* ---- Declarations in the page ------------------------------------------ */

static bool starts_ci(const unsigned char *p, const unsigned char *end,
                      const char *s) {
  size_t n = strlen(s);
  return (size_t)(end - p) >= n && strncasecmp((const char *)p, s, n) == 0;
}

/* Reads one attribute of a tag at *pp; false at the tag's end. */
static bool next_attr(const unsigned char **pp, const unsigned char *end,
                      const unsigned char **name, size_t *nlen,
                      const unsigned char **val, size_t *vlen) {
  const unsigned char *p = *pp;
  while (p < end && (html_is_space(*p) || *p == '/'))
    p++;
  if (p >= end || *p == '>')
    return false;
  *name = p;
  while (p < end && !html_is_space(*p) && *p != '=' && *p != '>' && *p != '/')
    p++;
  *nlen = (size_t)(p - *name);
  while (p < end && html_is_space(*p))
    p++;
  *val = p;
  *vlen = 0;
  if (p < end && *p == '=') {
    p++;
    while (p < end && html_is_space(*p))
      p++;
    if (p < end && (*p == '"' || *p == '\'')) {
      unsigned char q = *p++;
      *val = p;
      while (p < end && *p != q)
        p++;
      *vlen = (size_t)(p - *val);
      if (p < end)
        p++;
    } else {
      *val = p;
      while (p < end && !html_is_space(*p) && *p != '>')
        p++;
      *vlen = (size_t)(p - *val);
    }
  }
  if (*nlen == 0 && p < end)
    p++; /* a stray character: step over it */
  *pp = p;
  return true;
}

/* The value after "charset=" in a content-type string. */
static bool charset_in(const unsigned char *v, size_t n, char *out,
                       size_t cap) {
  for (size_t i = 0; i + 7 < n; i++) {
    if (strncasecmp((const char *)v + i, "charset", 7) != 0)
      continue;
    size_t j = i + 7;
    while (j < n && html_is_space(v[j]))
      j++;
    if (j >= n || v[j] != '=')
      continue;
    j++;
    while (j < n && (html_is_space(v[j]) || v[j] == '"' || v[j] == '\''))
      j++;
    size_t k = 0;
    while (j < n && k + 1 < cap && !html_is_space(v[j]) && v[j] != ';' &&
           v[j] != '"' && v[j] != '\'')
      out[k++] = (char)v[j++];
    out[k] = 0;
    return k > 0;
  }
  return false;
}

/* Looks through the page's start, as a browser's prescan does (but further
 * than its 1024 bytes: many pages put the meta tag after long scripts), for
 * <meta charset>, <meta http-equiv=content-type> or an XML declaration. */
static bool declared_charset(const unsigned char *p, size_t n, char *out,
                             size_t cap) {
  const unsigned char *end = p + (n < 65536 ? n : 65536);
  if (starts_ci(p, end, "<?xml")) {
    const unsigned char *q = p;
    while (q < end && *q != '>')
      q++;
    for (const unsigned char *s = p; s + 8 < q; s++) {
      if (strncmp((const char *)s, "encoding", 8) == 0) {
        s += 8;
        while (s < q &&
               (html_is_space(*s) || *s == '=' || *s == '"' || *s == '\''))
          s++;
        size_t k = 0;
        while (s < q && k + 1 < cap && *s != '"' && *s != '\'' &&
               !html_is_space(*s) && *s != '?')
          out[k++] = (char)*s++;
        out[k] = 0;
        if (k)
          return true;
        break;
      }
    }
  }
  while (p < end) {
    const unsigned char *lt = memchr(p, '<', (size_t)(end - p));
    if (!lt)
      break;
    p = lt + 1;
    if (starts_ci(p, end, "!--")) {
      const unsigned char *q = p + 3;
      while (q + 2 < end && !(q[0] == '-' && q[1] == '-' && q[2] == '>'))
        q++;
      p = q;
      continue;
    }
    if (starts_ci(p, end, "body"))
      break;
    if (!starts_ci(p, end, "meta") || p + 4 >= end ||
        !(html_is_space(p[4]) || p[4] == '/'))
      continue;
    p += 4;
    const unsigned char *name, *val;
    size_t nlen, vlen;
    bool http_ct = false;
    char content[128] = "";
    bool have_content = false;
    while (next_attr(&p, end, &name, &nlen, &val, &vlen)) {
      if (nlen == 7 && strncasecmp((const char *)name, "charset", 7) == 0 &&
          vlen > 0) {
        size_t k = 0;
        while (k < vlen && k + 1 < cap && !html_is_space(val[k]))
          k++;
        memcpy(out, val, k);
        out[k] = 0;
        return k > 0;
      }
      if (nlen == 10 &&
          strncasecmp((const char *)name, "http-equiv", 10) == 0 &&
          vlen == 12 && strncasecmp((const char *)val, "content-type", 12) == 0)
        http_ct = true;
      if (nlen == 7 && strncasecmp((const char *)name, "content", 7) == 0)
        have_content = charset_in(val, vlen, content, sizeof content);
    }
    if (http_ct && have_content) {
      size_t k = strlen(content);
      if (k + 1 > cap)
        k = cap - 1;
      memcpy(out, content, k);
      out[k] = 0;
      return true;
    }
  }
  return false;
}

/* ---- Labels ------------------------------------------------------------ */

/* What iconv should be asked for, for the labels pages use. Browsers treat
 * several labels as wider encodings (latin1 is windows-1252, gb2312 is
 * GB18030), and pages rely on that. */
static const struct {
  const char *label, *name;
} labels[] = {
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"ascii", "WINDOWS-1252"},
    {"us-ascii", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"},
    {"cp1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"cp819", "WINDOWS-1252"},
    {"iso-8859-9", "WINDOWS-1254"},
    {"latin5", "WINDOWS-1254"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"x-gbk", "GB18030"},
    {"chinese", "GB18030"},
    {"csgb2312", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"gb18030", "GB18030"},
    {"shift_jis", "CP932"},
    {"shift-jis", "CP932"},
    {"sjis", "CP932"},
    {"x-sjis", "CP932"},
    {"ms_kanji", "CP932"},
    {"windows-31j", "CP932"},
    {"csshiftjis", "CP932"},
    {"ms932", "CP932"},
    {"euc-kr", "CP949"},
    {"ks_c_5601-1987", "CP949"},
    {"korean", "CP949"},
    {"windows-949", "CP949"},
    {"big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"x-x-big5", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"tis-620", "WINDOWS-874"},
    {"iso-8859-11", "WINDOWS-874"},
};

static const char *iconv_name(const char *label) {
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
    if (strcasecmp(label, labels[i].label) == 0)
      return labels[i].name;
  return label;
}

static bool is_utf8_name(const char *name) {
  return strcasecmp(name, "UTF-8") == 0;
}

/* ---- Conversion ------------------------------------------------------- */

static int convert(galley_job *job, const char *from, const unsigned char *p,
                   size_t n, unsigned char **out, size_t *out_len) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == (iconv_t)-1)
    return galley_job_error(job, GALLEY_EUNSUPPORTED,
                            "unknown character encoding \"%s\"", from);
  galley_buf buf = GALLEY_BUF_INIT;
  if (n > SIZE_MAX / 2 - 16 || galley_buf_reserve(&buf, n * 2 + 16))
    goto nomem;
  char *inp = (char *)p;
  size_t inleft = n;
  size_t bad = 0;
  while (inleft > 0) {
    /* Room for iconv's next piece, or a replacement character. */
    if (buf.cap - buf.len - 1 < 16 && galley_buf_reserve(&buf, buf.cap))
      goto nomem;
    char *outp = buf.data + buf.len;
    size_t outleft = buf.cap - buf.len - 1;
    size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
    galley_buf_set_len(&buf, (size_t)(outp - buf.data));
    if (r != (size_t)-1)
      break;
    if (errno == E2BIG)
      continue;
    /* EILSEQ or a sequence cut off at the end: one replacement character,
     * then go on after the bad byte, as browsers do. */
    if (buf.cap - buf.len - 1 < 16)
      continue;
    galley_buf_add(&buf, "\xEF\xBF\xBD", 3);
    bad++;
    inp++;
    inleft--;
  }
  iconv_close(cd);
  if (bad)
    galley_job_warn(job, "%zu bytes are not valid %s; replaced with U+FFFD",
                    bad, from);
  /* Converted text is valid UTF-8 but may carry controls. */
  *out = utf8_clean((unsigned char *)buf.data, buf.len, out_len);
  galley_buf_free(&buf);
  if (!*out)
    return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
  return GALLEY_OK;
nomem:
  galley_buf_free(&buf);
  iconv_close(cd);
  return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
}

int html_decode(galley_job *job, const unsigned char *data, size_t len,
                unsigned char **out, size_t *out_len, bool *copied) {
  const char *enc = NULL;
  bool trust = false;
  *copied = false;

  /* The order is the HTML standard's: a byte-order mark beats everything,
   * the user's word beats the page's, and the page's own declaration is
   * checked against the bytes, because pages that say gb2312 or latin1 and
   * are really UTF-8 are common. */
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
    data += 3;
    len -= 3;
    enc = "UTF-8";
    trust = true;
  } else if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
    data += 2;
    len -= 2;
    enc = "UTF-16BE";
    trust = true;
  } else if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
    data += 2;
    len -= 2;
    enc = "UTF-16LE";
    trust = true;
  } else {
    const char *opt = galley_job_option(job, "encoding");
    if (opt && *opt) {
      enc = iconv_name(opt);
      trust = true;
    }
  }

  /* The transport's charset (an HTTP Content-Type, which galley hands
   * over as the option charset) comes after the user's word and before
   * the page's own; like the page's, it is checked against the bytes. */
  char declared[64];
  const char *transport = enc ? NULL : galley_job_option(job, "charset");
  if (transport && *transport) {
    snprintf(declared, sizeof declared, "%s", transport);
    enc = iconv_name(declared);
  }
  if (!enc && declared_charset(data, len, declared, sizeof declared)) {
    enc = iconv_name(declared);
    /* A page served as bytes cannot really be UTF-16 when its tags are
     * readable ASCII: the standard reads such a label as UTF-8. */
    if (strncasecmp(enc, "utf-16", 6) == 0)
      enc = "UTF-8";
  }

  /* One scan serves both the guess below and the check of UTF-8 after. */
  scan s = {0, 0, 0};
  bool scanned = false;
  if (!trust) {
    s = utf8_scan(data, len);
    scanned = true;
    if (!enc) {
      enc =
          s.invalid == 0 || s.multibyte > s.invalid ? "UTF-8" : "WINDOWS-1252";
      if (!is_utf8_name(enc))
        galley_job_info(job, "no encoding declared and not UTF-8: read as "
                             "windows-1252");
    } else if (is_utf8_name(enc)) {
      if (s.invalid > 0 && s.multibyte == 0) {
        galley_job_warn(job, "declared UTF-8 but is not; read as "
                             "windows-1252");
        enc = "WINDOWS-1252";
      }
    } else if (s.invalid == 0 && s.multibyte > 0) {
      galley_job_info(job, "declared %s but is valid UTF-8; read as UTF-8",
                      declared);
      enc = "UTF-8";
    }
  }

  if (!is_utf8_name(enc) && !trust) {
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1) {
      galley_job_warn(job,
                      "unknown character encoding \"%s\"; read as "
                      "UTF-8",
                      enc);
      enc = "UTF-8";
    } else {
      iconv_close(cd);
    }
  }

  if (is_utf8_name(enc)) {
    if (!scanned)
      s = utf8_scan(data, len);
    if (s.invalid == 0 && s.controls == 0) {
      *out = (unsigned char *)data;
      *out_len = len;
      return GALLEY_OK;
    }
    if (s.invalid)
      galley_job_warn(job,
                      "%zu bytes are not valid UTF-8; replaced with "
                      "U+FFFD",
                      s.invalid);
    *out = utf8_clean(data, len, out_len);
    if (!*out)
      return galley_job_error(job, GALLEY_ENOMEM, "out of memory");
    *copied = true;
    return GALLEY_OK;
  }
  int rc = convert(job, enc, data, len, out, out_len);
  if (rc == GALLEY_OK)
    *copied = true;
  return rc;
}

/* A copy of `s` with white space runs made single spaces, ends trimmed. */
char *html_collapse(const char *s) {
  size_t n = strlen(s);
  char *o = malloc(n + 1), *w = o;
  if (!o)
    return NULL;
  bool sp = false;
  for (const char *p = s; *p; p++) {
    if (html_is_space((unsigned char)*p)) {
      sp = w != o;
      continue;
    }
    if (sp)
      *w++ = ' ';
    sp = false;
    *w++ = *p;
  }
  *w = 0;
  return o;
}
