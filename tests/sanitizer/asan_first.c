/* Preloaded after the ASan runtime into gdb and lldb in the sanitizer mode
 * (tests/integration/sanitizer_env.py), so that ASan initialises before any
 * library constructor takes glibc's locale lock.
 *
 * Why: a preloaded runtime initialises lazily, on its first intercepted call.
 * Library constructors run before the preloaded ones, and libp11-kit's (gdb
 * and lldb 19 reach it through libcurl and gnutls) calls newlocale(), which
 * write-locks __libc_setlocale_lock and then calls malloc(). ASan's
 * initialisation inside that malloc() calls dlerror(), which gettext()s its
 * message under a read lock of the same lock: the lock's state is corrupted
 * and the debugger's own setlocale() later waits on it forever.
 *
 * Preloaded, this newlocale() is the one every library binds to. It has ASan
 * initialise (idempotent; here no lock is held) and hands over to glibc's.
 * Not instrumented: it runs before ASan's shadow memory exists. */
#include <locale.h>

extern void __asan_init(void);
extern locale_t __newlocale(int category_mask, const char *name, locale_t base);

locale_t newlocale(int category_mask, const char *name, locale_t base) {
  __asan_init();
  return __newlocale(category_mask, name, base);
}
