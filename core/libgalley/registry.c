/* The plugin loader and registry: search order, refusals, lookups.
 *
 * Loading is lazy. A folder's plugin files are matched against the
 * descriptor cache (plugin_cache.c) by path and stat: a file the cache
 * describes becomes an entry that is only described (its name, caps,
 * extensions, options...), and is dlopened the first time a lookup
 * returns it (galley_registry_find, _find_ext, _find_path, _detect,
 * _probe, _at). A file the cache does not describe (new, changed, or no
 * usable cache) is loaded as it always was, and the cache rewritten.
 * Files that are refused are never cached: they are loaded, and refused
 * with their message, on every run. Probing needs the probe functions:
 * only the plugins that have one and the capabilities asked for are
 * loaded, in search order, and a score of 100 ends the search. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_cache.h"
#include "private.h"

#ifndef GALLEY_PLUGIN_DIR
#define GALLEY_PLUGIN_DIR "/usr/local/lib/galley/plugins"
#endif

typedef struct entry {
  const galley_plugin *plugin; /* NULL while only described */
  const galley_plugin *desc;   /* the cache's description, or NULL */
  unsigned flags;              /* PCACHE_* of desc */
  void *handle;                /* NULL for a built-in descriptor */
  char *path;
  galley_origin origin;
  bool failed; /* described, then refused when loaded */
} entry;

struct galley_registry {
  entry *entries;
  size_t n, cap;
  char **messages;
  size_t n_messages, cap_messages;
  /* Lookups load plugins, and plugins look others up from any thread. */
  pthread_mutex_t lock;
  pcache *cache; /* opened by the first folder scan */
  bool cache_opened;
};

/* What entry `e` says it is, loaded or not. */
static const galley_plugin *described(const entry *e) {
  return e->plugin ? e->plugin : e->desc;
}

/* Every descriptor has the members up to `transform`; a plugin that says
 * its struct is smaller was built against something we do not know. */
#define BASE_SIZE                                                              \
  (offsetof(galley_plugin, transform) + sizeof(((galley_plugin *)0)->transform))

/* Whether descriptor `p` has `member`: its struct_size covers it. Members
 * after `transform` are growth and read only through this. */
#define HAS_MEMBER(p, member)                                                  \
  ((p)->struct_size >=                                                         \
   offsetof(galley_plugin, member) + sizeof(((galley_plugin *)0)->member))

/* The init callbacks that ran, and what they returned. Process-wide like
 * the modules themselves (they stay mapped until the process ends, and a
 * second registry that loads a module gets the same mapping): each init
 * runs once, whichever registry or thread loads its module first, and the
 * lock makes every other loader wait for that first run to finish. */
typedef struct init_record {
  int (*init)(void);
  int status;
} init_record;

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static init_record *inits;
static size_t n_inits, cap_inits;

/* Runs `p`'s init the first time it is seen; afterwards returns what that
 * first run returned. */
static int run_init(const galley_plugin *p) {
  if (!HAS_MEMBER(p, init) || !p->init)
    return GALLEY_OK;
  pthread_mutex_lock(&init_lock);
  int status = GALLEY_ENOMEM;
  for (size_t i = 0; i < n_inits; i++) {
    if (inits[i].init == p->init) {
      status = inits[i].status;
      goto done;
    }
  }
  /* Room for the record first, so that an init never runs twice for want
   * of memory to remember it. */
  if (galley_array_grow((void **)&inits, &cap_inits, n_inits + 1,
                        sizeof *inits))
    goto done;
  status = p->init();
  inits[n_inits++] = (init_record){p->init, status};
done:
  pthread_mutex_unlock(&init_lock);
  return status;
}

GALLEY_API const char *galley_plugin_dir(void) { return GALLEY_PLUGIN_DIR; }

GALLEY_API galley_registry *galley_registry_new(void) {
  galley_registry *reg = calloc(1, sizeof(galley_registry));
  if (reg && pthread_mutex_init(&reg->lock, NULL) != 0) {
    free(reg);
    return NULL;
  }
  return reg;
}

GALLEY_API void galley_registry_free(galley_registry *reg) {
  if (!reg)
    return;
  /* Loaded modules stay mapped until the process ends, as GStreamer's do:
   * a plugin's libraries may keep process-wide state (libxml2's parser
   * set-up, cmark-gfm's extension registry) that other registries and
   * threads still use, and unmapping it would turn that state into
   * dangling pointers. dlopen of the same file again reuses the mapping. */
  for (size_t i = 0; i < reg->n; i++)
    free(reg->entries[i].path);
  free(reg->entries);
  for (size_t i = 0; i < reg->n_messages; i++)
    free(reg->messages[i]);
  free(reg->messages);
  pcache_free(reg->cache);
  pthread_mutex_destroy(&reg->lock);
  free(reg);
}

static void message(galley_registry *reg, const char *fmt, ...)
    GALLEY_PRINTF(2, 3);
static void message(galley_registry *reg, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  for (char *p = buf; *p; p++)
    if (*p == '\n')
      *p = ' ';
  if (galley_array_grow((void **)&reg->messages, &reg->cap_messages,
                        reg->n_messages + 1, sizeof *reg->messages))
    return;
  char *copy = strdup(buf);
  if (copy)
    reg->messages[reg->n_messages++] = copy;
}

static bool valid_name(const char *name) {
  if (!name || !*name || strlen(name) > 64)
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
          *p == '_'))
      return false;
  return true;
}

/* Checks a descriptor; returns NULL when acceptable, else why not. `buf`
 * holds a message that needs formatting. */
static const char *check_descriptor(const galley_plugin *p, char *buf,
                                    size_t len) {
  if (!p)
    return "galley_plugin_init returned no descriptor";
  if (p->abi_version != GALLEY_ABI_VERSION) {
    snprintf(buf, len, "built for plugin ABI %u, this galley uses ABI %d",
             p->abi_version, GALLEY_ABI_VERSION);
    return buf;
  }
  if (p->struct_size < BASE_SIZE) {
    snprintf(buf, len, "descriptor size %u is smaller than ABI %d's %zu",
             p->struct_size, GALLEY_ABI_VERSION, (size_t)BASE_SIZE);
    return buf;
  }
  if (!valid_name(p->name))
    return "missing or invalid name (use lower-case letters, digits, - and _)";
  unsigned known = GALLEY_CAN_READ | GALLEY_CAN_WRITE | GALLEY_CAN_TRANSFORM;
  if (p->caps == 0 || (p->caps & ~known)) {
    snprintf(buf, len, "'%s' declares no known capability", p->name);
    return buf;
  }
  struct {
    unsigned cap;
    bool has;
    const char *what;
  } checks[] = {
      {GALLEY_CAN_READ, p->read != NULL, "read"},
      {GALLEY_CAN_WRITE, p->write != NULL, "write"},
      {GALLEY_CAN_TRANSFORM, p->transform != NULL, "transform"},
  };
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
    bool declared = (p->caps & checks[i].cap) != 0;
    if (declared != checks[i].has) {
      snprintf(buf, len, "'%s' %s %s but %s %s callback", p->name,
               declared ? "declares" : "does not declare", checks[i].what,
               checks[i].has ? "has a" : "has no", checks[i].what);
      return buf;
    }
  }
  /* Batch hooks (after ABI 1's end): a transform has all three or none. */
  int hooks = PLUGIN_HAS(p, batch_end)
                  ? (p->batch_begin != NULL) + (p->batch_learn != NULL) +
                        (p->batch_end != NULL)
                  : 0;
  if (hooks != 0 && hooks != 3) {
    snprintf(buf, len,
             "'%s' has only some of batch_begin, batch_learn and batch_end",
             p->name);
    return buf;
  }
  if (hooks && !(p->caps & GALLEY_CAN_TRANSFORM)) {
    snprintf(buf, len, "'%s' has batch hooks but is not a transform", p->name);
    return buf;
  }
  for (const galley_option *o = p->options; o && o->name; o++) {
    if (o->type < GALLEY_OPT_BOOL || o->type > GALLEY_OPT_PATH) {
      snprintf(buf, len, "'%s' option '%s' has an unknown type", p->name,
               o->name);
      return buf;
    }
    if (o->type == GALLEY_OPT_ENUM && !o->choices) {
      snprintf(buf, len, "'%s' option '%s' is an enum without choices", p->name,
               o->name);
      return buf;
    }
  }
  return NULL;
}

/* The entry named `name`, or NULL. */
static entry *entry_named(const galley_registry *reg, const char *name) {
  for (size_t i = 0; i < reg->n; i++)
    if (strcmp(described(&reg->entries[i])->name, name) == 0)
      return &reg->entries[i];
  return NULL;
}

/* Checks and adds `p`. `*inited` tells whether its init ran (and so its
 * module must stay mapped, whatever the outcome). */
static int add_entry(galley_registry *reg, const galley_plugin *p, void *handle,
                     const char *path, galley_origin origin, bool *inited) {
  *inited = false;
  char buf[256];
  const char *why = check_descriptor(p, buf, sizeof buf);
  if (why) {
    message(reg, "plugin %s: %s; skipped", path, why);
    return GALLEY_EABI;
  }
  const entry *dup = entry_named(reg, p->name);
  if (dup) {
    message(reg,
            "plugin %s: duplicate name '%s' (already loaded from %s); skipped",
            path, p->name, dup->path);
    return GALLEY_EINVALID;
  }
  if (galley_array_grow((void **)&reg->entries, &reg->cap, reg->n + 1,
                        sizeof *reg->entries))
    return GALLEY_ENOMEM;
  char *copy = strdup(path);
  if (!copy)
    return GALLEY_ENOMEM;
  /* Only a plugin that will be used is set up: not a refused one, not a
   * shadowed duplicate. A module whose init ran stays mapped even when
   * refused: unloaded, another module could reuse its address and so its
   * record in `inits`. */
  *inited = HAS_MEMBER(p, init) && p->init;
  int rc = run_init(p);
  if (rc != GALLEY_OK) {
    message(reg, "plugin %s: init of '%s' failed (%s); skipped", path, p->name,
            galley_strerror(rc));
    free(copy);
    return rc < 0 ? rc : GALLEY_EINVALID;
  }
  reg->entries[reg->n++] =
      (entry){.plugin = p, .handle = handle, .path = copy, .origin = origin};
  return GALLEY_OK;
}

GALLEY_API int galley_registry_add(galley_registry *reg,
                                   const galley_plugin *plugin,
                                   const char *where) {
  if (!reg)
    return GALLEY_EINVALID;
  bool inited;
  pthread_mutex_lock(&reg->lock);
  int rc = add_entry(reg, plugin, NULL, where ? where : "(built in)",
                     GALLEY_ORIGIN_BUILTIN, &inited);
  pthread_mutex_unlock(&reg->lock);
  return rc;
}

/* dlopens `path` and calls its galley_plugin_init: GALLEY_OK with the
 * handle and the descriptor (not checked yet), or a status with a message
 * recorded. */
static int open_module(galley_registry *reg, const char *path, void **handle,
                       const galley_plugin **plugin) {
  dlerror();
  /* RTLD_LOCAL: plugins never see each other's symbols, only libgalley's. */
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *err = dlerror();
    /* dlerror starts with the path; keep only the reason after it. */
    const char *reason = err ? err : "unknown error";
    size_t plen = strlen(path);
    if (strncmp(reason, path, plen) == 0 && reason[plen] == ':')
      reason += plen + 1;
    while (*reason == ' ')
      reason++;
    message(reg, "plugin %s: cannot load: %s; skipped", path, reason);
    return GALLEY_EABI;
  }
  dlerror();
  void *sym = dlsym(h, GALLEY_PLUGIN_INIT_SYMBOL);
  if (!sym) {
    message(reg, "plugin %s: no %s entry point, not a galley plugin; skipped",
            path, GALLEY_PLUGIN_INIT_SYMBOL);
    dlclose(h);
    return GALLEY_EABI;
  }
  galley_plugin_init_fn init;
  /* POSIX guarantees a data pointer from dlsym converts to a function pointer.
   */
  memcpy(&init, &sym, sizeof init);
  *handle = h;
  *plugin = init();
  return GALLEY_OK;
}

static int load_file(galley_registry *reg, const char *path,
                     galley_origin origin) {
  void *handle;
  const galley_plugin *p;
  int rc = open_module(reg, path, &handle, &p);
  if (rc != GALLEY_OK)
    return rc;
  bool inited;
  rc = add_entry(reg, p, handle, path, origin, &inited);
  if (rc != GALLEY_OK && !inited)
    dlclose(handle);
  return rc;
}

GALLEY_API int galley_registry_load_file(galley_registry *reg, const char *path,
                                         galley_origin origin) {
  if (!reg || !path)
    return GALLEY_EINVALID;
  pthread_mutex_lock(&reg->lock);
  int rc = load_file(reg, path, origin);
  pthread_mutex_unlock(&reg->lock);
  return rc;
}

/* Adds file `path` (as `st` describes it) of a folder scan: from its cached
 * description when the cache has one for the file as it is now, else
 * loaded, and then described in the cache unless it was refused. */
static int scan_file(galley_registry *reg, const char *path,
                     const struct stat *st, galley_origin origin) {
  pcache_entry *ce = pcache_find(reg->cache, path, st);
  if (ce) {
    const entry *dup = entry_named(reg, ce->desc.name);
    if (dup) {
      message(
          reg,
          "plugin %s: duplicate name '%s' (already loaded from %s); skipped",
          path, ce->desc.name, dup->path);
      return GALLEY_EINVALID;
    }
    char *copy = strdup(path);
    if (!copy || galley_array_grow((void **)&reg->entries, &reg->cap,
                                   reg->n + 1, sizeof *reg->entries)) {
      free(copy);
      return GALLEY_ENOMEM;
    }
    reg->entries[reg->n++] = (entry){
        .desc = &ce->desc, .flags = ce->flags, .path = copy, .origin = origin};
    return GALLEY_OK;
  }
  void *handle;
  const galley_plugin *p;
  int rc = open_module(reg, path, &handle, &p);
  if (rc != GALLEY_OK)
    return rc;
  char buf[256];
  /* A shadowed duplicate is described too: it is a good plugin, and wins
   * once the one before it goes. */
  const char *why = check_descriptor(p, buf, sizeof buf);
  bool dup = !why && entry_named(reg, p->name) != NULL;
  pcache_entry *added = why ? NULL : pcache_add(reg->cache, path, st, p);
  bool inited;
  rc = add_entry(reg, p, handle, path, origin, &inited);
  if (rc != GALLEY_OK && !dup)
    pcache_drop(reg->cache, added); /* refused: loaded again next time */
  if (rc != GALLEY_OK && !inited)
    dlclose(handle);
  return rc;
}

static int has_so_suffix(const struct dirent *d) {
  size_t len = strlen(d->d_name);
  return d->d_name[0] != '.' && len > 3 &&
         strcmp(d->d_name + len - 3, ".so") == 0;
}

static int load_dir(galley_registry *reg, const char *dir,
                    galley_origin origin) {
  if (!dir || !*dir)
    return 0;
  struct dirent **names = NULL;
  int n = scandir(dir, &names, has_so_suffix, alphasort);
  if (n < 0) {
    /* A folder in the search path that does not exist is normal. */
    if (errno != ENOENT && errno != ENOTDIR)
      message(reg, "plugin folder %s: %s; skipped", dir, strerror(errno));
    return 0;
  }
  if (!reg->cache_opened) {
    reg->cache_opened = true;
    reg->cache = pcache_open(); /* NULL (no memory): every file is loaded */
  }
  pcache_scanned(reg->cache, dir);
  int added = 0;
  for (int i = 0; i < n; i++) {
    char path[PATH_MAX];
    int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
    struct stat st;
    if (len > 0 && (size_t)len < sizeof path && stat(path, &st) == 0 &&
        S_ISREG(st.st_mode) && scan_file(reg, path, &st, origin) == GALLEY_OK)
      added++;
    free(names[i]);
  }
  free(names);
  return added;
}

GALLEY_API int galley_registry_load_dir(galley_registry *reg, const char *dir,
                                        galley_origin origin) {
  if (!reg)
    return 0;
  pthread_mutex_lock(&reg->lock);
  int added = load_dir(reg, dir, origin);
  pcache_save(reg->cache);
  pthread_mutex_unlock(&reg->lock);
  return added;
}

/* Loads each folder of the colon-separated `path`; empty parts are
 * skipped. */
static int load_path(galley_registry *reg, const char *path,
                     galley_origin origin) {
  int added = 0;
  char *copy = strdup(path);
  char *save = NULL;
  for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
       d = strtok_r(NULL, ":", &save))
    added += load_dir(reg, d, origin);
  free(copy);
  return added;
}

GALLEY_API int galley_registry_load_default(galley_registry *reg,
                                            const char *const *dirs,
                                            size_t n_dirs) {
  if (!reg)
    return 0;
  pthread_mutex_lock(&reg->lock);
  int added = 0;
  for (size_t i = 0; dirs && i < n_dirs; i++)
    added += load_dir(reg, dirs[i], GALLEY_ORIGIN_OPTION);

  const char *env = getenv("GALLEY_PLUGIN_PATH");
  if (env && *env)
    added += load_path(reg, env, GALLEY_ORIGIN_ENV);

  char user[PATH_MAX];
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  user[0] = '\0';
  if (xdg && *xdg)
    snprintf(user, sizeof user, "%s/galley/plugins", xdg);
  else if (home && *home)
    snprintf(user, sizeof user, "%s/.local/share/galley/plugins", home);
  if (*user)
    added += load_dir(reg, user, GALLEY_ORIGIN_USER);

  /* GALLEY_PLUGIN_SYSTEM_PATH, when set (even empty), takes the installed
   * folder's place: it is how an uninstalled build runs its own plugins
   * (meson devenv, the tests, build/galley), with no older installed copy
   * shadowing or duplicating what was just built, and with no build path
   * compiled into the library. */
  const char *system = getenv("GALLEY_PLUGIN_SYSTEM_PATH");
  if (system)
    added += load_path(reg, system, GALLEY_ORIGIN_BUILD);
  else
    added += load_dir(reg, GALLEY_PLUGIN_DIR, GALLEY_ORIGIN_SYSTEM);
  pcache_save(reg->cache);
  pthread_mutex_unlock(&reg->lock);
  return added;
}

/* The plugin of entry `e`, dlopened now if it was only described; NULL
 * when loading refuses it (with one message, as at start). Under the
 * lock. */
static const galley_plugin *load_entry(galley_registry *reg, entry *e) {
  if (e->plugin || e->failed)
    return e->plugin;
  e->failed = true;
  void *handle;
  const galley_plugin *p;
  if (open_module(reg, e->path, &handle, &p) != GALLEY_OK)
    return NULL;
  char buf[256];
  const char *why = check_descriptor(p, buf, sizeof buf);
  /* The file changed between the folder scan and now: what was looked up
   * by its description is not what it is. */
  if (!why && (strcmp(p->name, e->desc->name) != 0 || p->caps != e->desc->caps))
    why = "changed while galley ran";
  if (why) {
    message(reg, "plugin %s: %s; skipped", e->path, why);
    dlclose(handle);
    return NULL;
  }
  int rc = run_init(p);
  if (rc != GALLEY_OK) {
    message(reg, "plugin %s: init of '%s' failed (%s); skipped", e->path,
            p->name, galley_strerror(rc));
    if (!(HAS_MEMBER(p, init) && p->init))
      dlclose(handle);
    return NULL;
  }
  e->plugin = p;
  e->handle = handle;
  e->failed = false;
  return p;
}

static galley_registry *mut(const galley_registry *reg) {
  /* Every registry is made by galley_registry_new, never const itself:
   * lookups load what they return. */
  return (galley_registry *)reg;
}

GALLEY_API size_t galley_registry_count(const galley_registry *reg) {
  if (!reg)
    return 0;
  pthread_mutex_lock(&mut(reg)->lock);
  size_t n = reg->n;
  pthread_mutex_unlock(&mut(reg)->lock);
  return n;
}

GALLEY_API const galley_plugin *galley_registry_at(const galley_registry *reg,
                                                   size_t i) {
  if (!reg)
    return NULL;
  pthread_mutex_lock(&mut(reg)->lock);
  const galley_plugin *p =
      i < reg->n ? load_entry(mut(reg), &mut(reg)->entries[i]) : NULL;
  pthread_mutex_unlock(&mut(reg)->lock);
  return p;
}

GALLEY_API const galley_plugin *
galley_registry_describe_at(const galley_registry *reg, size_t i) {
  if (!reg)
    return NULL;
  pthread_mutex_lock(&mut(reg)->lock);
  const galley_plugin *p = i < reg->n ? described(&reg->entries[i]) : NULL;
  pthread_mutex_unlock(&mut(reg)->lock);
  return p;
}

GALLEY_API const galley_plugin *
galley_registry_describe(const galley_registry *reg, const char *name) {
  if (!reg || !name)
    return NULL;
  pthread_mutex_lock(&mut(reg)->lock);
  const entry *e = entry_named(reg, name);
  const galley_plugin *p = e ? described(e) : NULL;
  pthread_mutex_unlock(&mut(reg)->lock);
  return p;
}

GALLEY_API bool galley_registry_is_loaded(const galley_registry *reg,
                                          size_t i) {
  if (!reg)
    return false;
  pthread_mutex_lock(&mut(reg)->lock);
  bool loaded = i < reg->n && reg->entries[i].plugin != NULL;
  pthread_mutex_unlock(&mut(reg)->lock);
  return loaded;
}

GALLEY_API const char *galley_registry_path(const galley_registry *reg,
                                            size_t i) {
  return reg && i < reg->n ? reg->entries[i].path : NULL;
}

GALLEY_API galley_origin galley_registry_origin(const galley_registry *reg,
                                                size_t i) {
  return reg && i < reg->n ? reg->entries[i].origin : GALLEY_ORIGIN_BUILTIN;
}

GALLEY_API const galley_plugin *galley_registry_find(const galley_registry *reg,
                                                     const char *name) {
  if (!reg || !name)
    return NULL;
  pthread_mutex_lock(&mut(reg)->lock);
  entry *e = entry_named(reg, name);
  const galley_plugin *p = e ? load_entry(mut(reg), e) : NULL;
  pthread_mutex_unlock(&mut(reg)->lock);
  return p;
}

GALLEY_API const galley_plugin *
galley_registry_find_ext(const galley_registry *reg, const char *ext,
                         unsigned caps) {
  if (!reg || !ext)
    return NULL;
  if (*ext == '.')
    ext++;
  const galley_plugin *found = NULL;
  pthread_mutex_lock(&mut(reg)->lock);
  for (size_t i = 0; i < reg->n && !found; i++) {
    const galley_plugin *d = described(&reg->entries[i]);
    if ((d->caps & caps) != caps || !d->extensions)
      continue;
    for (const char *const *e = d->extensions; *e; e++)
      if (strcasecmp(*e, ext) == 0) {
        /* One that fails to load is passed over, as if refused at start. */
        found = load_entry(mut(reg), &mut(reg)->entries[i]);
        break;
      }
  }
  pthread_mutex_unlock(&mut(reg)->lock);
  return found;
}

GALLEY_API const galley_plugin *
galley_registry_probe(const galley_registry *reg, const unsigned char *head,
                      size_t len, unsigned caps) {
  const galley_plugin *best = NULL;
  int best_score = 0;
  /* Ties go to the plugin found first, so the search order decides. Each
   * candidate is loaded under the lock and probed outside it (a probe is
   * a pure function, and batches detect on many threads). */
  for (size_t i = 0; reg && i < galley_registry_count(reg); i++) {
    pthread_mutex_lock(&mut(reg)->lock);
    entry *e = &mut(reg)->entries[i];
    const galley_plugin *d = described(e);
    bool bids =
        (d->caps & caps) == caps &&
        (e->plugin ? e->plugin->probe != NULL : (e->flags & PCACHE_PROBE) != 0);
    const galley_plugin *p = bids ? load_entry(mut(reg), e) : NULL;
    pthread_mutex_unlock(&mut(reg)->lock);
    if (!p || !p->probe)
      continue;
    int score = p->probe(head, len);
    if (score > best_score) {
      best_score = score;
      best = p;
      /* Nothing beats certainty, and the rest need not be loaded. */
      if (score >= 100)
        break;
    }
  }
  return best;
}

GALLEY_API const galley_plugin *
galley_registry_find_path(const galley_registry *reg, const char *path,
                          unsigned caps) {
  if (!reg || !path || strcmp(path, "-") == 0)
    return NULL;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  /* "a.tar.gz" tries "tar.gz" before "gz": a compound extension wins over
   * its last part. A leading dot (".profile") starts no extension. */
  for (const char *dot = strchr(base + (*base == '.'), '.'); dot;
       dot = strchr(dot + 1, '.')) {
    const galley_plugin *p = galley_registry_find_ext(reg, dot + 1, caps);
    if (p)
      return p;
  }
  return NULL;
}

/* How much of an input the probes see when detecting its format. */
#define DETECT_HEAD ((size_t)64 << 10)

GALLEY_API const galley_plugin *
galley_registry_detect(const galley_registry *reg, const char *name,
                       const unsigned char *head, size_t len, unsigned caps) {
  const galley_plugin *p = galley_registry_find_path(reg, name, caps);
  if (!p && head)
    p = galley_registry_probe(reg, head, len < DETECT_HEAD ? len : DETECT_HEAD,
                              caps);
  return p;
}

bool plugin_has_batch(const galley_plugin *p) {
  return p && PLUGIN_HAS(p, batch_end) && p->batch_begin && p->batch_learn &&
         p->batch_end;
}

GALLEY_API size_t galley_registry_message_count(const galley_registry *reg) {
  if (!reg)
    return 0;
  pthread_mutex_lock(&mut(reg)->lock);
  size_t n = reg->n_messages;
  pthread_mutex_unlock(&mut(reg)->lock);
  return n;
}

GALLEY_API const char *galley_registry_message(const galley_registry *reg,
                                               size_t i) {
  if (!reg)
    return NULL;
  pthread_mutex_lock(&mut(reg)->lock);
  const char *m = i < reg->n_messages ? reg->messages[i] : NULL;
  pthread_mutex_unlock(&mut(reg)->lock);
  return m;
}

GALLEY_API const galley_option *
galley_plugin_option(const galley_plugin *plugin, const char *name) {
  for (const galley_option *o = plugin && name ? plugin->options : NULL;
       o && o->name; o++)
    if (strcmp(o->name, name) == 0)
      return o;
  return NULL;
}
