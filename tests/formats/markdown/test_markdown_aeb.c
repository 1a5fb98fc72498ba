/*
 * HTML -> Markdown on every page of the article corpus: no words lost
 * (every word of `-t text` is in the Markdown rendered back to text), and
 * the literal characters * _ [ # < of the text come back as text.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* A multiset of words: open addressing on FNV-1a. */
typedef struct bag {
  char **keys;
  size_t *counts;
  size_t cap, used;
} bag;

static uint64_t hash(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static size_t *slot(bag *b, const char *s, size_t n, bool add) {
  if (add && (b->used + 1) * 2 > b->cap) {
    bag big = {calloc(b->cap ? b->cap * 2 : 1024, sizeof(char *)),
               calloc(b->cap ? b->cap * 2 : 1024, sizeof(size_t)),
               b->cap ? b->cap * 2 : 1024, 0};
    for (size_t i = 0; i < b->cap; i++)
      if (b->keys[i]) {
        size_t j = hash(b->keys[i], strlen(b->keys[i])) & (big.cap - 1);
        while (big.keys[j])
          j = (j + 1) & (big.cap - 1);
        big.keys[j] = b->keys[i];
        big.counts[j] = b->counts[i];
        big.used++;
      }
    free(b->keys);
    free(b->counts);
    *b = big;
  }
  if (!b->cap)
    return NULL;
  size_t j = hash(s, n) & (b->cap - 1);
  while (b->keys[j]) {
    if (strlen(b->keys[j]) == n && memcmp(b->keys[j], s, n) == 0)
      return &b->counts[j];
    j = (j + 1) & (b->cap - 1);
  }
  if (!add)
    return NULL;
  b->keys[j] = strndup(s, n);
  b->used++;
  return &b->counts[j];
}

/* The code point at s (UTF-8), its length in *n; bad bytes read as U+FFFD. */
static unsigned decode(const unsigned char *s, size_t *n) {
  if (s[0] < 0x80) {
    *n = 1;
    return s[0];
  }
  size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
  unsigned cp = len == 4   ? s[0] & 0x07u
                : len == 3 ? s[0] & 0x0Fu
                           : s[0] & 0x1Fu;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *n = i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (s[i] & 0x3Fu);
  }
  *n = len;
  return len == 1 ? 0xFFFD : cp;
}

/* Roughly \w: letters and digits, not spaces, punctuation or symbols. */
static bool word_char(unsigned cp) {
  if (cp < 0x80)
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 'A' && cp <= 'Z') || cp == '_';
  if (cp <= 0xBF)
    return cp == 0xAA || cp == 0xB5 || cp == 0xBA || cp == 0xB2 || cp == 0xB3 ||
           cp == 0xB9;
  if (cp == 0xD7 || cp == 0xF7 || cp == 0xFEFF || cp == 0xFFFD)
    return false;
  if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
      (cp >= 0x1F000 && cp <= 0x1FAFF))
    return false;
  return true;
}

static void fill(bag *b, const char *text) {
  const unsigned char *p = (const unsigned char *)text;
  while (*p) {
    size_t n;
    while (*p && !word_char(decode(p, &n)))
      p += n;
    const unsigned char *s = p;
    while (*p && word_char(decode(p, &n)))
      p += n;
    if (p > s)
      (*slot(b, (const char *)s, (size_t)(p - s), true))++;
  }
}

static void bag_free(bag *b) {
  for (size_t i = 0; i < b->cap; i++)
    free(b->keys[i]);
  free(b->keys);
  free(b->counts);
}

static size_t count_char(const char *s, char c) {
  size_t n = 0;
  for (; *s; s++)
    n += *s == c;
  return n;
}

/*
 * The text writer numbers links ("word[3]") and lists their URLs at the end
 * under "References". Those numbers and URLs are the writer's, not the
 * article's, so they are taken out of both texts before comparing.
 */
static void strip_references(char *text) {
  char *refs = NULL, *p = text;
  while ((p = strstr(p, "\nReferences\n----------\n")) != NULL)
    refs = p++;
  if (refs)
    refs[1] = '\0';
  char *w = text;
  for (char *r = text; *r;) {
    if (*r == '[' && r[1] >= '0' && r[1] <= '9') {
      char *q = r + 1;
      while (*q >= '0' && *q <= '9')
        q++;
      if (*q == ']') {
        r = q + 1;
        continue;
      }
    }
    *w++ = *r++;
  }
  *w = '\0';
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

int main(void) {
  const char *dir = tu_corpus("aeb/html");
  if (!dir) {
    printf("SKIP: aeb/html is not in the corpora\n");
    return 77;
  }
  char dirpath[4096];
  snprintf(dirpath, sizeof dirpath, "%s", dir);
  galley_registry *reg = tu_registry();
  const char *need[] = {"html", "text", "markdown"};
  for (size_t i = 0; i < 3; i++) {
    const galley_plugin *p = galley_registry_find(reg, need[i]);
    if (!p || !(p->caps & GALLEY_CAN_READ) || !(p->caps & GALLEY_CAN_WRITE)) {
      if (strcmp(need[i], "text") == 0 && p && (p->caps & GALLEY_CAN_WRITE))
        continue; /* the text format only has to write */
      printf("SKIP: this test needs the %s plugin (read and write), which is "
             "not loaded\n",
             need[i]);
      return 77;
    }
  }
  struct dirent **names;
  int n = scandir(dirpath, &names, NULL, by_name);
  if (n < 0) {
    printf("FAIL: cannot list %s\n", dirpath);
    return 1;
  }
  const char *to_md[] = {"standalone=true", NULL};
  const char *from_md[] = {"raw-html=parse", NULL};
  int pages = 0, failed = 0;
  for (int i = 0; i < n; i++) {
    const char *name = names[i]->d_name;
    size_t nl = strlen(name);
    if (nl < 5 || strcmp(name + nl - 5, ".html") != 0) {
      free(names[i]);
      continue;
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dirpath, name);
    size_t len;
    char *html = tu_read_file(path, &len);
    char *err = NULL;
    char *text =
        html ? tu_convert("html", "text", html, len, NULL, &err) : NULL;
    char *md =
        text ? tu_convert("html", "markdown", html, len, to_md, &err) : NULL;
    char *back =
        md ? tu_convert("markdown", "text", md, strlen(md), from_md, &err)
           : NULL;
    pages++;
    if (!back) {
      printf("%s: conversion failed: %s\n", name, err ? err : "?");
      failed++;
    } else {
      strip_references(text);
      strip_references(back);
      bag want = {0}, got = {0};
      fill(&want, text);
      fill(&got, back);
      size_t lost = 0;
      for (size_t k = 0; k < want.cap; k++) {
        if (!want.keys[k])
          continue;
        size_t *have = slot(&got, want.keys[k], strlen(want.keys[k]), false);
        size_t h = have ? *have : 0;
        if (h < want.counts[k]) {
          if (lost < 5)
            printf("%s: word \"%s\" %zu times in text, %zu after markdown\n",
                   name, want.keys[k], want.counts[k], h);
          lost++;
        }
      }
      const char *marks = "*_[#<";
      bool marks_ok = true;
      for (const char *m = marks; *m; m++) {
        size_t a = count_char(text, *m), b = count_char(back, *m);
        if (b < a) {
          printf("%s: '%c' %zu times in text, %zu after markdown (read as "
                 "markup)\n",
                 name, *m, a, b);
          marks_ok = false;
        }
      }
      if (lost || !marks_ok) {
        failed++;
        if (lost)
          printf("%s: %zu words lost\n", name, lost);
      }
      bag_free(&want);
      bag_free(&got);
    }
    free(err);
    free(html);
    free(text);
    free(md);
    free(back);
    free(names[i]);
  }
  free(names);
  printf("\nHTML -> Markdown: %d pages, %d lose words or read literal "
         "characters as markup\n",
         pages, failed);
  return failed ? 1 : 0;
}
