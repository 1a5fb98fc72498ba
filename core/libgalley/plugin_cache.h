/* The plugin descriptor cache (plugin_cache.c): what each plugin file said
 * of itself the last time it was loaded, keyed by the file's path and
 * stat, so that a run loads only the plugins it uses (registry.c). */
#ifndef GALLEY_PLUGIN_CACHE_H
#define GALLEY_PLUGIN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <galley/plugin.h>

/* What a description says about callbacks it cannot hold. */
enum {
  PCACHE_PROBE = 1u << 0,
  PCACHE_INIT = 1u << 1,
  PCACHE_BATCH = 1u << 2,
  PCACHE_EMBEDS = 1u << 3,
};

/* One file's description. `desc` has the descriptive members (name,
 * version, summary, caps, extensions, media_type, options); its callbacks
 * are NULL. Everything it points to lives until pcache_free. */
typedef struct pcache_entry {
  const char *path;
  int64_t key[7]; /* dev, ino, size, mtime s/ns, ctime s/ns */
  unsigned flags; /* PCACHE_* */
  galley_plugin desc;
  const char *blob; /* this entry serialised, as the file holds it */
  size_t blob_len;
  bool seen; /* matched a file scanned in this process */
  bool dead; /* stale or withdrawn: not written back */
  bool from_file;
  /* Owned: the arrays desc points at, and the blob of a new entry. */
  const char **exts;
  galley_option *opts;
  char *own;
} pcache_entry;

typedef struct pcache pcache;

/* The cache of this user ($XDG_CACHE_HOME/galley, else ~/.cache/galley),
 * read and checked; an unreadable, foreign or corrupt file reads as an
 * empty cache. NULL only when out of memory. */
pcache *pcache_open(void);
/* The description of `path` when the cache holds one for the file as
 * `st` describes it now (marked seen), else NULL (an entry for the same
 * path with another stat is dropped). */
pcache_entry *pcache_find(pcache *c, const char *path, const struct stat *st);
/* Records `p`, just loaded from `path`, and returns its entry (NULL when
 * out of memory: the cache then simply lacks it). */
pcache_entry *pcache_add(pcache *c, const char *path, const struct stat *st,
                         const galley_plugin *p);
/* Withdraws an entry that pcache_add made (its plugin was then refused). */
void pcache_drop(pcache *c, pcache_entry *e);
/* Notes that folder `dir` was scanned: an entry of it that was not seen is
 * a removed file. */
void pcache_scanned(pcache *c, const char *dir);
/* Writes the cache back (temporary file, then rename) when it changed;
 * failure is silent: the next run rebuilds. */
void pcache_save(pcache *c);
void pcache_free(pcache *c);

#endif
