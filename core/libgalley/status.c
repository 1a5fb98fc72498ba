/* Status code names and the library version. */
#include "private.h"

GALLEY_API const char *galley_strerror(int status) {
  switch (status) {
  case GALLEY_OK: return "success";
  case GALLEY_ENOMEM: return "out of memory";
  case GALLEY_EIO: return "input/output error";
  case GALLEY_EPARSE: return "parse error";
  case GALLEY_EUNSUPPORTED: return "not supported";
  case GALLEY_ENOTFOUND: return "not found";
  case GALLEY_EABI: return "incompatible plugin ABI";
  case GALLEY_EINVALID: return "invalid argument";
  case GALLEY_ELIMIT: return "limit exceeded";
  case GALLEY_ECANCELLED: return "cancelled";
  default: return "unknown error";
  }
}

GALLEY_API const char *galley_version(void) { return GALLEY_VERSION_STRING; }
