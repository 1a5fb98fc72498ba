/*
 * Numbered notes in plain text: "… the town slept.[2]" in the body and,
 * at the end, the notes themselves as "[1] …" lines (which the reader
 * has read as an ordered list in brackets), under a "Notes" heading or
 * not. They become footnotes: a reference where each "[n]" stands, the
 * note's text as the footnote. Only when the shape is clear: the list is
 * the document's last block, its numbers run from 1, and, without a
 * heading that says notes, every one of them is referred to in the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

static const char *const note_headings[] = {
    "notes",      "footnotes", "endnotes", "note",     "notas",
    "notes de bas de page",    "anmerkungen", "fußnoten", "fussnoten",
    "note",       "noten",     "voetnoten", "opmerkingen", NULL};

static bool names_notes(galley_doc *doc, const galley_node *h) {
  char *t = galley_node_text(doc, h);
  bool yes = false;
  if (t) {
    size_t n = strlen(t);
    while (n && (t[n - 1] == ':' || t[n - 1] == ' '))
      t[--n] = 0;
    for (size_t i = 0; note_headings[i] && !yes; i++)
      yes = strcasecmp(t, note_headings[i]) == 0;
  }
  return yes;
}

/* The number of a "[n]" at s (s[0] == '['), 0 when none; its length in
 * *len. */
static int marker(const char *s, size_t *len) {
  int v = 0;
  size_t i = 1;
  while (s[i] >= '0' && s[i] <= '9' && i < 5)
    v = v * 10 + (s[i++] - '0');
  if (i == 1 || s[i] != ']')
    return 0;
  *len = i + 1;
  return v;
}

/* Calls back (or only counts, with `apply` false) each "[n]", 1 <= n <= max,
 * in the TEXT nodes of the blocks before `stop`. */
static int refer(galley_doc *doc, galley_node *stop, int max, bool apply,
                 unsigned char *seen) {
  galley_node *root = galley_doc_root(doc);
  for (galley_node *b = galley_node_first_child(root); b && b != stop;
       b = galley_node_next(b)) {
    galley_iter it;
    galley_event ev;
    galley_iter_init(&it, b);
    while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
      galley_node *t = galley_iter_node(&it);
      galley_kind k = galley_node_kind(t);
      if (ev == GALLEY_EVENT_ENTER &&
          (k == GALLEY_NODE_CODE_BLOCK || k == GALLEY_NODE_CODE ||
           k == GALLEY_NODE_LINK)) {
        galley_iter_reset(&it, t, GALLEY_EVENT_EXIT);
        continue;
      }
      if (ev != GALLEY_EVENT_ENTER || k != GALLEY_NODE_TEXT)
        continue;
      const char *s = galley_node_get_literal(t);
      const char *p = s ? strchr(s, '[') : NULL;
      galley_node *last = NULL;
      while (p) {
        size_t len;
        int v = marker(p, &len);
        if (v < 1 || v > max) {
          p = strchr(p + 1, '[');
          continue;
        }
        seen[v] = 1;
        if (!apply) {
          p = strchr(p + len, '[');
          continue;
        }
        /* TEXT before | REF | TEXT after, and on in the rest; no empty
         * TEXT on either side. */
        galley_node *ref = galley_doc_new_node(doc, GALLEY_NODE_FOOTNOTE_REF);
        char label[16];
        snprintf(label, sizeof label, "%d", v);
        if (!ref || galley_node_set_label(ref, label) ||
            galley_node_insert_after(t, ref))
          return GALLEY_ENOMEM;
        galley_node *rest = NULL;
        if (p[len] &&
            (!(rest = galley_doc_new_text(doc, p + len, (size_t)-1)) ||
             galley_node_insert_after(ref, rest)))
          return GALLEY_ENOMEM;
        if (p == s)
          galley_node_unlink(t);
        else if (galley_node_set_literal_n(t, s, (size_t)(p - s)))
          return GALLEY_ENOMEM;
        last = rest ? rest : ref;
        if (!rest)
          break;
        t = rest;
        s = galley_node_get_literal(t);
        p = strchr(s, '[');
      }
      if (last)
        galley_iter_reset(&it, last, GALLEY_EVENT_ENTER);
    }
  }
  return GALLEY_OK;
}

int txt_numbered_notes(galley_doc *doc) {
  galley_node *root = galley_doc_root(doc);
  galley_node *list = galley_node_last_child(root);
  if (!list || galley_node_kind(list) != GALLEY_NODE_LIST ||
      !galley_node_get_list_ordered(list) ||
      galley_node_get_list_start(list) != 1)
    return GALLEY_OK;
  const char *delim = galley_node_get_attr(list, "delim");
  if (!delim || strcmp(delim, "bracket"))
    return GALLEY_OK;
  int max = (int)galley_node_child_count(list);
  if (max < 1 || max > 9999)
    return GALLEY_OK;
  galley_node *head = galley_node_prev(list);
  bool heading = head && galley_node_kind(head) == GALLEY_NODE_HEADING &&
                 names_notes(doc, head);
  galley_node *body_end = heading ? head : list;
  unsigned char *seen = calloc((size_t)max + 1, 1);
  if (!seen)
    return GALLEY_ENOMEM;
  int rc = refer(doc, body_end, max, false, seen);
  size_t referred = 0;
  for (int i = 1; i <= max; i++)
    referred += seen[i];
  if (!rc && referred && (heading || referred == (size_t)max)) {
    rc = refer(doc, body_end, max, true, seen);
    int number = 1;
    galley_node *item = galley_node_first_child(list), *next;
    for (; !rc && item; item = next, number++) {
      next = galley_node_next(item);
      galley_node *note = galley_doc_new_node(doc, GALLEY_NODE_FOOTNOTE);
      char label[16];
      snprintf(label, sizeof label, "%d", number);
      if (!note || galley_node_set_label(note, label) ||
          galley_node_append_child(root, note)) {
        rc = GALLEY_ENOMEM;
        break;
      }
      galley_node *c;
      while (!rc && (c = galley_node_first_child(item)) != NULL)
        rc = galley_node_append_child(note, c);
    }
    if (!rc) {
      galley_node_unlink(list);
      if (heading)
        galley_node_unlink(head);
    }
  }
  free(seen);
  return rc;
}
