/* A tiny library for the ABI check's self-test (tests/abi/selftest.sh):
 * the same source built as a release and as changed versions of it, each
 * change chosen by a macro. Its structs follow galley's rule: st_limits is
 * versioned and may grow at its end, st_iter is frozen. */
#ifndef ST_H
#define ST_H

#include <stddef.h>

typedef struct st_limits {
#ifdef ST_INSERT
  unsigned flags; /* a member before the others: incompatible */
#endif
  unsigned version;
  size_t max_depth;
#ifdef ST_GROW
  size_t max_nodes; /* growth at the end: allowed */
#endif
} st_limits;

typedef struct st_iter {
  void *node;
  int event;
#ifdef ST_FREEZE_BROKEN
  int depth; /* a frozen struct that grew: incompatible */
#endif
} st_iter;

int st_limits_init(st_limits *limits, unsigned version);
void st_iter_init(st_iter *it, void *root);
#ifndef ST_REMOVE
int st_old_function(void); /* removed: incompatible */
#endif
#ifdef ST_GROW
int st_new_function(void); /* added: compatible */
#endif

#endif
