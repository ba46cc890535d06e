/* For bench/breakpoints.py: a C trace function that does nothing, so that
 * the interpreter's own cost of tracing (every version sends each line, and
 * 3.10-3.11 each instruction, through its tracing path once any trace
 * function is set) is measured beside the agent's. Loaded with ctypes. */
#include <dlfcn.h>
#include <stddef.h>

typedef int (*tracefunc)(void *, void *, int, void *);

static int ignore(void *obj, void *frame, int what, void *arg) {
  (void)obj, (void)frame, (void)what, (void)arg;
  return 0;
}

__attribute__((visibility("default"))) int empty_trace_install(void) {
  void (*set_trace)(tracefunc, void *) = (void (*)(tracefunc, void *))dlsym(RTLD_DEFAULT, "PyEval_SetTrace");
  if (!set_trace) return -1;
  set_trace(ignore, NULL);
  return 0;
}
