/* Output names for URL inputs (names.h). */
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t name_hash(uint64_t h, const char *s) {
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* Appends to out[*len] the characters of [s, end) that are safe in a file
 * name, each other run of characters as one '-', to under `max` bytes. */
static void put_safe(char *out, size_t *len, size_t max, const char *s,
                     const char *end) {
  int dash = 0;
  for (; s < end && *len + 1 < max; s++) {
    unsigned char ch = (unsigned char)*s;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
        (ch >= '0' && ch <= '9') || ch == '_' ||
        ((ch == '-' || ch == '.') && *len)) {
      if (dash && *len)
        out[(*len)++] = '-';
      dash = 0;
      out[(*len)++] = (char)ch;
    } else {
      dash = 1;
    }
  }
  out[*len] = '\0';
}

char *url_stem(const char *url, size_t max) {
  char name[128];
  if (max > 120)
    max = 120;
  const char *host = strstr(url, "://");
  host = host ? host + 3 : url;
  const char *host_end = host + strcspn(host, "/?#");
  const char *path_end = host_end + strcspn(host_end, "?#");
  /* The last segment that is not empty, without its extension. */
  const char *seg_end = path_end;
  while (seg_end > host_end && seg_end[-1] == '/')
    seg_end--;
  const char *seg = seg_end;
  while (seg > host_end && seg[-1] != '/')
    seg--;
  const char *dot = NULL;
  for (const char *q = seg; q < seg_end; q++)
    if (*q == '.')
      dot = q;
  if (dot && dot > seg)
    seg_end = dot;
  size_t len = 0;
  put_safe(name, &len, max + 1, seg, seg_end);
  if (!len) {
    const char *at = memchr(host, '@', (size_t)(host_end - host));
    put_safe(name, &len, max + 1, at ? at + 1 : host, host_end);
  }
  if (!len)
    snprintf(name, sizeof name, "page");
  return strdup(name);
}

char *hashed_stem(const char *stem, uint64_t h) {
  size_t n = strlen(stem) + 10;
  char *out = malloc(n);
  if (out)
    snprintf(out, n, "%s-%08llx", stem, (unsigned long long)(h & 0xffffffffu));
  return out;
}

char *warc_stem(const char *uri) {
  char *stem = url_stem(uri, 48);
  char *out = stem ? hashed_stem(stem, name_hash(NAME_HASH_START, uri)) : NULL;
  free(stem);
  return out;
}
