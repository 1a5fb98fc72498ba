/* Small text helpers of the boilerplate transform. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boilerplate.h"

unsigned bp_utf8_len(const char *s) {
  return s ? (unsigned)galley_utf8_count(s, strlen(s)) : 0;
}

/* What a signature is made of, in its order; [2] is the tag. */
static void signature_parts(const galley_node *node, const char *parts[5]) {
  parts[0] = galley_node_get_id(node);
  parts[1] = galley_node_get_classes(node);
  parts[2] = galley_node_get_tag(node);
  parts[3] = galley_node_get_attr(node, "role");
  parts[4] = galley_node_get_attr(node, "itemprop");
}

const char *bp_node_signature(galley_doc *doc, const galley_node *node) {
  const char *parts[5];
  signature_parts(node, parts);
  size_t len = 0;
  for (size_t i = 0; i < 5; i++)
    if (parts[i])
      len += strlen(parts[i]) + 1;
  if (len == 0)
    return "";
  char *s = galley_doc_alloc(doc, len + 1);
  if (!s)
    return "";
  size_t o = 0;
  for (size_t i = 0; i < 5; i++) {
    if (!parts[i])
      continue;
    for (const char *p = parts[i]; *p; p++)
      s[o++] = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
    s[o++] = ' ';
  }
  s[o] = '\0';
  return s;
}

const char *bp_bare_tag(const galley_node *node) {
  const char *parts[5];
  signature_parts(node, parts);
  if (parts[0] || parts[1] || parts[3] || parts[4])
    return NULL;
  if (!parts[2])
    return "";
  for (const char *p = parts[2]; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      return NULL;
  return parts[2];
}

/* The slot of table `t` (`cap` slots, a power of two) that holds `node`,
 * or the empty one where it goes. */
static size_t sig_slot(const struct bp_sig_slot *t, size_t cap,
                       const galley_node *node) {
  size_t j = ((uintptr_t)node >> 4) * 0x9E3779B97F4A7C15u & (cap - 1);
  while (t[j].node && t[j].node != node)
    j = (j + 1) & (cap - 1);
  return j;
}

/* The table is open addressing on the node's address, at most half full;
 * without memory for it a signature is made each time, as before. */
const char *bp_sig(bp_ctx *c, const galley_node *node) {
  if ((c->n_sigs + 1) * 2 > c->cap_sigs) {
    size_t cap = c->cap_sigs ? c->cap_sigs * 2 : 1024;
    struct bp_sig_slot *t = calloc(cap, sizeof *t);
    if (!t)
      return bp_node_signature(c->doc, node);
    for (size_t i = 0; i < c->cap_sigs; i++)
      if (c->sigs[i].node)
        t[sig_slot(t, cap, c->sigs[i].node)] = c->sigs[i];
    free(c->sigs);
    c->sigs = t;
    c->cap_sigs = cap;
  }
  size_t j = sig_slot(c->sigs, c->cap_sigs, node);
  if (c->sigs[j].node)
    return c->sigs[j].sig;
  const char *sig = bp_node_signature(c->doc, node);
  c->sigs[j] = (struct bp_sig_slot){node, sig};
  c->n_sigs++;
  return sig;
}

char *bp_node_text(galley_doc *doc, const galley_node *node) {
  char *t = galley_node_text(doc, node);
  if (!t)
    return NULL;
  /* Collapse white space in place; the text is ours (a fresh arena copy). */
  size_t o = 0;
  bool sp = false;
  for (size_t i = 0; t[i]; i++) {
    unsigned char ch = (unsigned char)t[i];
    if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\f') {
      sp = o > 0;
      continue;
    }
    if (sp)
      t[o++] = ' ';
    sp = false;
    t[o++] = (char)ch;
  }
  t[o] = '\0';
  return t;
}

/* Case-insensitive equality ignoring white space and punctuation. */
/* Bytes of punctuation or space at s, 0 at a letter or digit: ASCII's, and
 * the typographic quotes, dashes, ellipsis and no-break space a page may
 * write where its metadata has plain ones. */
static size_t punct_at(const char *s) {
  const unsigned char *u = (const unsigned char *)s;
  if (!*u)
    return 0;
  if (*u < 0x80)
    return isalnum(*u) ? 0 : 1;
  if (u[0] == 0xC2 && u[1] == 0xA0)
    return 2;
  if (u[0] == 0xE2 && u[1] == 0x80 &&
      ((u[2] >= 0x93 && u[2] <= 0x94) || (u[2] >= 0x98 && u[2] <= 0x9F) ||
       u[2] == 0xA6))
    return 3;
  return 0;
}

bool bp_same_text(const char *a, const char *b) {
  if (!a || !b)
    return false;
  size_t na = 0;
  for (;;) {
    for (size_t k; (k = punct_at(a));)
      a += k;
    for (size_t k; (k = punct_at(b));)
      b += k;
    if (!*a || !*b)
      return !*a && !*b && na > 0;
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
      return false;
    a++;
    b++;
    na++;
  }
}

bool bp_ends_sentence(const char *s) {
  size_t n = s ? strlen(s) : 0;
  while (n > 0 && isspace((unsigned char)s[n - 1]))
    n--;
  if (n == 0)
    return false;
  unsigned char c = (unsigned char)s[n - 1];
  if (strchr(".!?:;\"')", c))
    return true;
  /* Multi-byte endings: … ” ’ 。 ！ ？ */
  static const char *const ends[] = {"\xe2\x80\xa6", "\xe2\x80\x9d",
                                     "\xe2\x80\x99", "\xe3\x80\x82",
                                     "\xef\xbc\x81", "\xef\xbc\x9f"};
  for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
    size_t l = strlen(ends[i]);
    if (n >= l && memcmp(s + n - l, ends[i], l) == 0)
      return true;
  }
  return false;
}
