/* Output sinks: memory, stdio stream, and files written atomically. */
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"

/* SINK_DEVICE: an existing target that is not a regular file (a character
 * or block device, a FIFO, a socket), held in memory until committed. */
typedef enum { SINK_MEMORY, SINK_STREAM, SINK_FILE, SINK_DEVICE } sink_type;

struct galley_sink {
  sink_type type;
  int failed;
  size_t size;
  /* memory and device: the bytes held */
  galley_buf mem;
  /* stream and file */
  FILE *fp;
  char *path, *tmp;
  int committed;
  int nosync; /* file: commit renames without fsync (the host syncs) */
};

GALLEY_API galley_sink *galley_sink_new_memory(void) {
  galley_sink *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->type = SINK_MEMORY;
  if (galley_buf_reserve(&s->mem, 255) != GALLEY_OK) {
    free(s);
    return NULL;
  }
  return s;
}

GALLEY_API galley_sink *galley_sink_new_stream(void *file) {
  if (!file)
    return NULL;
  galley_sink *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->type = SINK_STREAM;
  s->fp = file;
  return s;
}

/* Where writing `path` really lands: a symlink (or a chain of them) is
 * followed to its target, which need not exist yet, as a shell's `>` does.
 * malloc'd; NULL with errno set. */
static char *resolve_target(const char *path) {
  char *cur = strdup(path);
  for (int hops = 0; cur; hops++) {
    struct stat st;
    if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
      return cur;
    if (hops == 40) {
      free(cur);
      errno = ELOOP;
      return NULL;
    }
    char target[4096];
    ssize_t n = readlink(cur, target, sizeof target - 1);
    if (n < 0) {
      int err = errno;
      free(cur);
      errno = err;
      return NULL;
    }
    target[n] = '\0';
    char *next;
    const char *slash = strrchr(cur, '/');
    if (target[0] == '/' || !slash) {
      next = strdup(target);
    } else {
      size_t dirlen = (size_t)(slash - cur + 1);
      next = malloc(dirlen + (size_t)n + 1);
      if (next) {
        memcpy(next, cur, dirlen);
        memcpy(next + dirlen, target, (size_t)n + 1);
      }
    }
    free(cur);
    cur = next;
  }
  return NULL;
}

/* The temporary files of file sinks not committed nor freed yet, for
 * galley_sinks_abandon in a fatal-signal handler: slots taken and given
 * back with atomics, never a lock. Past the slots a sink is not listed
 * (its file is left only if the process then dies). */
#define PENDING_SLOTS 256
static _Atomic(const char *) pending[PENDING_SLOTS];

static void pending_add(const char *tmp) {
  for (size_t i = 0; i < PENDING_SLOTS; i++) {
    const char *empty = NULL;
    if (atomic_compare_exchange_strong(&pending[i], &empty, tmp))
      return;
  }
}

static void pending_drop(const char *tmp) {
  for (size_t i = 0; i < PENDING_SLOTS; i++) {
    const char *mine = tmp;
    if (atomic_compare_exchange_strong(&pending[i], &mine, NULL))
      return;
  }
}

GALLEY_API void galley_sinks_abandon(void) {
  for (size_t i = 0; i < PENDING_SLOTS; i++) {
    const char *tmp = atomic_exchange(&pending[i], NULL);
    if (tmp)
      unlink(tmp);
  }
}

GALLEY_API galley_sink *galley_sink_new_file(const char *path) {
  if (!path || !*path) {
    errno = EINVAL;
    return NULL;
  }
  galley_sink *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->type = SINK_FILE;
  s->path = resolve_target(path);
  if (!s->path)
    goto fail;
  struct stat st;
  int exists = stat(s->path, &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    goto fail;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    /* A device, FIFO or socket is written to, never replaced: renaming a
     * file over /dev/null would break it for the whole machine. The bytes
     * are held until the conversion succeeds, then written in one go. */
    s->type = SINK_DEVICE;
    if (galley_buf_reserve(&s->mem, 255) != GALLEY_OK)
      goto fail;
    return s;
  }
  /* The temporary file sits beside the target so rename() stays on one
   * file system and is atomic; its name starts with a dot to stay out of
   * sight, and mkstemp makes it unique. */
  const char *slash = strrchr(s->path, '/');
  size_t dirlen = slash ? (size_t)(slash - s->path + 1) : 0;
  size_t len = strlen(s->path) + 32;
  s->tmp = malloc(len);
  if (!s->tmp)
    goto fail;
  snprintf(s->tmp, len, "%.*s.%s.XXXXXX", (int)dirlen, s->path,
           s->path + dirlen);
  int fd = mkstemp(s->tmp);
  if (fd < 0)
    goto fail;
  /* mkstemp makes the file 0600: a file that is replaced keeps its
   * permissions, a new one gets those a new file would get. */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
  s->fp = fdopen(fd, "wb");
  if (!s->fp) {
    int err = errno;
    close(fd);
    unlink(s->tmp);
    errno = err;
    goto fail;
  }
  pending_add(s->tmp);
  return s;
fail : {
  int err = errno;
  free(s->path);
  free(s->tmp);
  galley_buf_free(&s->mem);
  free(s);
  errno = err;
  return NULL;
}
}

/* Writes the held bytes to the device or FIFO at s->path. */
static int write_device(galley_sink *s) {
  int fd = open(s->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t done = 0;
  while (done < s->size) {
    ssize_t n = write(fd, s->mem.data + done, s->size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      close(fd);
      errno = err;
      return -1;
    }
    done += (size_t)n;
  }
  return close(fd);
}

GALLEY_API int galley_sink_write(galley_sink *s, const void *data, size_t len) {
  if (!s)
    return GALLEY_EINVALID;
  if (s->failed)
    return GALLEY_EIO;
  if (len == 0)
    return GALLEY_OK;
  if (s->type == SINK_MEMORY || s->type == SINK_DEVICE) {
    if (galley_buf_add(&s->mem, data, len) != GALLEY_OK) {
      s->failed = 1;
      return GALLEY_ENOMEM;
    }
    s->size += len;
    return GALLEY_OK;
  }
  if (fwrite(data, 1, len, s->fp) != len) {
    s->failed = 1;
    return GALLEY_EIO;
  }
  s->size += len;
  return GALLEY_OK;
}

GALLEY_API int galley_sink_puts(galley_sink *sink, const char *s) {
  return galley_sink_write(sink, s, strlen(s));
}

GALLEY_API int galley_sink_printf(galley_sink *s, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return GALLEY_EINVALID;
  if ((size_t)n < sizeof small)
    return galley_sink_write(s, small, (size_t)n);
  char *big = malloc((size_t)n + 1);
  if (!big)
    return GALLEY_ENOMEM;
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  int rc = galley_sink_write(s, big, (size_t)n);
  free(big);
  return rc;
}

GALLEY_API size_t galley_sink_size(const galley_sink *s) {
  return s ? s->size : 0;
}

GALLEY_API const char *galley_sink_data(const galley_sink *s, size_t *len) {
  if (!s || s->type != SINK_MEMORY) {
    if (len)
      *len = 0;
    return NULL;
  }
  if (len)
    *len = s->size;
  return s->mem.data;
}

GALLEY_API int galley_sink_commit(galley_sink *s) {
  if (!s)
    return GALLEY_EINVALID;
  if (s->failed)
    return GALLEY_EIO;
  switch (s->type) {
  case SINK_MEMORY: return GALLEY_OK;
  case SINK_DEVICE:
    if (s->committed)
      return GALLEY_OK;
    if (write_device(s) != 0) {
      s->failed = 1;
      return GALLEY_EIO;
    }
    s->committed = 1;
    return GALLEY_OK;
  case SINK_STREAM:
    if (fflush(s->fp) != 0) {
      s->failed = 1;
      return GALLEY_EIO;
    }
    return GALLEY_OK;
  case SINK_FILE:
    if (s->committed)
      return GALLEY_OK;
    if (fflush(s->fp) != 0 || (!s->nosync && fsync(fileno(s->fp)) != 0)) {
      s->failed = 1;
      return GALLEY_EIO;
    }
    if (fclose(s->fp) != 0) {
      s->fp = NULL;
      s->failed = 1;
      return GALLEY_EIO;
    }
    s->fp = NULL;
    if (rename(s->tmp, s->path) != 0) {
      s->failed = 1;
      return GALLEY_EIO;
    }
    pending_drop(s->tmp);
    s->committed = 1;
    return GALLEY_OK;
  }
  return GALLEY_EINVALID;
}

GALLEY_API void galley_sink_set_sync(galley_sink *s, bool sync) {
  if (s)
    s->nosync = !sync;
}

GALLEY_API void galley_sink_free(galley_sink *s) {
  if (!s)
    return;
  if (s->type == SINK_FILE) {
    if (s->fp)
      fclose(s->fp);
    if (!s->committed) {
      pending_drop(s->tmp);
      unlink(s->tmp);
    }
    free(s->tmp);
  }
  free(s->path);
  galley_buf_free(&s->mem);
  free(s);
}
