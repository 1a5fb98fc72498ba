/* The tiny library of the ABI check's self-test; see st.h. */
#include "st.h"

int st_limits_init(st_limits *limits, unsigned version) {
  limits->version = version;
  limits->max_depth = 512;
  return 0;
}

void st_iter_init(st_iter *it, void *root) {
  it->node = root;
  it->event = 0;
}

#ifndef ST_REMOVE
int st_old_function(void) { return 1; }
#endif
#ifdef ST_GROW
int st_new_function(void) { return 2; }
#endif
