/* Test-only module: a shared object that exports no galley_plugin_init. */
#include <galley/galley.h>

GALLEY_EXPORT int not_the_entry_point(void);
GALLEY_EXPORT int not_the_entry_point(void) { return 42; }
