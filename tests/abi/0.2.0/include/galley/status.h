/* Status codes, export macros and the library version. */
#ifndef GALLEY_STATUS_H
#define GALLEY_STATUS_H

#include <galley/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define GALLEY_EXPORT __attribute__((visibility("default")))
#define GALLEY_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GALLEY_EXPORT
#define GALLEY_PRINTF(f, a)
#endif

/**
 * Every fallible call returns GALLEY_OK (0) or one of these negative codes.
 * The message that explains a failure lives on the job (galley_job_error).
 */
enum {
  GALLEY_OK = 0,
  GALLEY_ENOMEM = -1,       /* out of memory */
  GALLEY_EIO = -2,          /* reading or writing a file failed */
  GALLEY_EPARSE = -3,       /* the input is not valid for its format */
  GALLEY_EUNSUPPORTED = -4, /* the format or feature is not available */
  GALLEY_ENOTFOUND = -5,    /* no such format, file, option or node */
  GALLEY_EABI = -6,         /* a plugin built for another ABI */
  GALLEY_EINVALID = -7,     /* a bad argument or an edit that breaks the tree */
  GALLEY_ELIMIT = -8,       /* a limit (size, depth, count) was crossed */
  GALLEY_ECANCELLED = -9,   /* the job was cancelled */
};

/** A short constant name for a status code ("parse error"); never NULL. */
GALLEY_EXPORT const char *galley_strerror(int status);

/** The running library's version string, e.g. "0.2.0" (GALLEY_VERSION_STRING
 * is the version of the headers a program was built with). */
GALLEY_EXPORT const char *galley_version(void);

#ifdef __cplusplus
}
#endif
#endif
