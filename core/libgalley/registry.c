/* The plugin loader and registry: search order, refusals, lookups. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"

#ifndef GALLEY_PLUGIN_DIR
#define GALLEY_PLUGIN_DIR "/usr/local/lib/galley/plugins"
#endif

typedef struct entry {
  const galley_plugin *plugin;
  void *handle; /* NULL for a built-in descriptor */
  char *path;
  galley_origin origin;
} entry;

struct galley_registry {
  entry *entries;
  size_t n, cap;
  char **messages;
  size_t n_messages, cap_messages;
};

/* The descriptor of ABI 1 ends with `transform`; a plugin that says its
 * struct is smaller was built against something we do not know. */
#define ABI1_SIZE                                                              \
  (offsetof(galley_plugin, transform) + sizeof(((galley_plugin *)0)->transform))

GALLEY_API const char *galley_plugin_dir(void) { return GALLEY_PLUGIN_DIR; }

GALLEY_API galley_registry *galley_registry_new(void) {
  return calloc(1, sizeof(galley_registry));
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
  if (p->struct_size < ABI1_SIZE) {
    snprintf(buf, len, "descriptor size %u is smaller than ABI %d's %zu",
             p->struct_size, GALLEY_ABI_VERSION, (size_t)ABI1_SIZE);
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

static int add_entry(galley_registry *reg, const galley_plugin *p, void *handle,
                     const char *path, galley_origin origin) {
  char buf[256];
  const char *why = check_descriptor(p, buf, sizeof buf);
  if (why) {
    message(reg, "plugin %s: %s; skipped", path, why);
    return GALLEY_EABI;
  }
  for (size_t i = 0; i < reg->n; i++) {
    if (strcmp(reg->entries[i].plugin->name, p->name) == 0) {
      message(
          reg,
          "plugin %s: duplicate name '%s' (already loaded from %s); skipped",
          path, p->name, reg->entries[i].path);
      return GALLEY_EINVALID;
    }
  }
  if (galley_array_grow((void **)&reg->entries, &reg->cap, reg->n + 1,
                        sizeof *reg->entries))
    return GALLEY_ENOMEM;
  char *copy = strdup(path);
  if (!copy)
    return GALLEY_ENOMEM;
  reg->entries[reg->n++] = (entry){p, handle, copy, origin};
  return GALLEY_OK;
}

GALLEY_API int galley_registry_add(galley_registry *reg,
                                   const galley_plugin *plugin,
                                   const char *where) {
  if (!reg)
    return GALLEY_EINVALID;
  return add_entry(reg, plugin, NULL, where ? where : "(built in)",
                   GALLEY_ORIGIN_BUILTIN);
}

GALLEY_API int galley_registry_load_file(galley_registry *reg, const char *path,
                                         galley_origin origin) {
  if (!reg || !path)
    return GALLEY_EINVALID;
  dlerror();
  /* RTLD_LOCAL: plugins never see each other's symbols, only libgalley's. */
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
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
  void *sym = dlsym(handle, GALLEY_PLUGIN_INIT_SYMBOL);
  if (!sym) {
    message(reg, "plugin %s: no %s entry point, not a galley plugin; skipped",
            path, GALLEY_PLUGIN_INIT_SYMBOL);
    dlclose(handle);
    return GALLEY_EABI;
  }
  galley_plugin_init_fn init;
  /* POSIX guarantees a data pointer from dlsym converts to a function pointer.
   */
  memcpy(&init, &sym, sizeof init);
  int rc = add_entry(reg, init(), handle, path, origin);
  if (rc != GALLEY_OK)
    dlclose(handle);
  return rc;
}

static int has_so_suffix(const struct dirent *d) {
  size_t len = strlen(d->d_name);
  return d->d_name[0] != '.' && len > 3 &&
         strcmp(d->d_name + len - 3, ".so") == 0;
}

GALLEY_API int galley_registry_load_dir(galley_registry *reg, const char *dir,
                                        galley_origin origin) {
  if (!reg || !dir || !*dir)
    return 0;
  struct dirent **names = NULL;
  int n = scandir(dir, &names, has_so_suffix, alphasort);
  if (n < 0) {
    /* A folder in the search path that does not exist is normal. */
    if (errno != ENOENT && errno != ENOTDIR)
      message(reg, "plugin folder %s: %s; skipped", dir, strerror(errno));
    return 0;
  }
  int added = 0;
  for (int i = 0; i < n; i++) {
    char path[PATH_MAX];
    int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
    struct stat st;
    if (len > 0 && (size_t)len < sizeof path && stat(path, &st) == 0 &&
        S_ISREG(st.st_mode) &&
        galley_registry_load_file(reg, path, origin) == GALLEY_OK)
      added++;
    free(names[i]);
  }
  free(names);
  return added;
}

/* Loads the plugins of galley's own build tree when the running program is
 * part of it, so `build/galley` and the tests work with nothing installed
 * and no environment set. Returns true when it did. */
static bool load_build_tree(galley_registry *reg, int *added) {
#ifdef GALLEY_BUILD_ROOT
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0)
    return false;
  exe[len] = '\0';
  const char *root = GALLEY_BUILD_ROOT;
  size_t rlen = strlen(root);
  if (strncmp(exe, root, rlen) != 0 || exe[rlen] != '/')
    return false;
  const char *groups[] = {"formats", "plugins"};
  for (size_t g = 0; g < 2; g++) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", root, groups[g]);
    struct dirent **subs = NULL;
    int n = scandir(dir, &subs, NULL, alphasort);
    for (int i = 0; i < n; i++) {
      if (subs[i]->d_name[0] != '.') {
        char sub[PATH_MAX];
        int n_sub = snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]->d_name);
        if (n_sub > 0 && (size_t)n_sub < sizeof sub)
          *added += galley_registry_load_dir(reg, sub, GALLEY_ORIGIN_BUILD);
      }
      free(subs[i]);
    }
    free(subs);
  }
  return true;
#else
  (void)reg;
  (void)added;
  return false;
#endif
}

GALLEY_API int galley_registry_load_default(galley_registry *reg,
                                            const char *const *dirs,
                                            size_t n_dirs) {
  if (!reg)
    return 0;
  int added = 0;
  for (size_t i = 0; dirs && i < n_dirs; i++)
    added += galley_registry_load_dir(reg, dirs[i], GALLEY_ORIGIN_OPTION);

  const char *env = getenv("GALLEY_PLUGIN_PATH");
  if (env && *env) {
    char *copy = strdup(env);
    char *save = NULL;
    for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
         d = strtok_r(NULL, ":", &save))
      added += galley_registry_load_dir(reg, d, GALLEY_ORIGIN_ENV);
    free(copy);
  }

  char user[PATH_MAX];
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  user[0] = '\0';
  if (xdg && *xdg)
    snprintf(user, sizeof user, "%s/galley/plugins", xdg);
  else if (home && *home)
    snprintf(user, sizeof user, "%s/.local/share/galley/plugins", home);
  if (*user)
    added += galley_registry_load_dir(reg, user, GALLEY_ORIGIN_USER);

  /* An uninstalled build uses its own plugins instead of installed ones, so
   * an older installed copy never shadows what was just built. */
  if (!load_build_tree(reg, &added))
    added +=
        galley_registry_load_dir(reg, GALLEY_PLUGIN_DIR, GALLEY_ORIGIN_SYSTEM);
  return added;
}

GALLEY_API size_t galley_registry_count(const galley_registry *reg) {
  return reg ? reg->n : 0;
}

GALLEY_API const galley_plugin *galley_registry_at(const galley_registry *reg,
                                                   size_t i) {
  return reg && i < reg->n ? reg->entries[i].plugin : NULL;
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
  for (size_t i = 0; reg && name && i < reg->n; i++)
    if (strcmp(reg->entries[i].plugin->name, name) == 0)
      return reg->entries[i].plugin;
  return NULL;
}

GALLEY_API const galley_plugin *
galley_registry_find_ext(const galley_registry *reg, const char *ext,
                         unsigned caps) {
  if (!reg || !ext)
    return NULL;
  if (*ext == '.')
    ext++;
  for (size_t i = 0; i < reg->n; i++) {
    const galley_plugin *p = reg->entries[i].plugin;
    if ((p->caps & caps) != caps || !p->extensions)
      continue;
    for (const char *const *e = p->extensions; *e; e++)
      if (strcasecmp(*e, ext) == 0)
        return p;
  }
  return NULL;
}

GALLEY_API const galley_plugin *
galley_registry_probe(const galley_registry *reg, const unsigned char *head,
                      size_t len, unsigned caps) {
  const galley_plugin *best = NULL;
  int best_score = 0;
  /* Ties go to the plugin found first, so the search order decides. */
  for (size_t i = 0; reg && i < reg->n; i++) {
    const galley_plugin *p = reg->entries[i].plugin;
    if ((p->caps & caps) != caps || !p->probe)
      continue;
    int score = p->probe(head, len);
    if (score > best_score) {
      best_score = score;
      best = p;
    }
  }
  return best;
}

GALLEY_API size_t galley_registry_message_count(const galley_registry *reg) {
  return reg ? reg->n_messages : 0;
}

GALLEY_API const char *galley_registry_message(const galley_registry *reg,
                                               size_t i) {
  return reg && i < reg->n_messages ? reg->messages[i] : NULL;
}

GALLEY_API const galley_option *
galley_plugin_option(const galley_plugin *plugin, const char *name) {
  for (const galley_option *o = plugin && name ? plugin->options : NULL;
       o && o->name; o++)
    if (strcmp(o->name, name) == 0)
      return o;
  return NULL;
}
