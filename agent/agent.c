/* The agent's exported face (cpydbg_agent.h): the state the debugger reads
 * and writes, the function it stops in, and what happens when the library is
 * loaded. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cpydbg_agent.h"
#include "tracer.h"

#define EXPORT __attribute__((visibility("default")))
/* An empty function the compiler must neither inline nor reason about: the
 * debugger's breakpoint on it is the whole point of calling it. */
#if defined(__clang__)
#define OPAQUE __attribute__((noinline, optnone, used))
#else
#define OPAQUE __attribute__((noipa, used))
#endif

EXPORT struct cpydbg_agent_state cpydbg_agent_state = {
    .magic = CPYDBG_AGENT_MAGIC,
    .abi = CPYDBG_AGENT_ABI,
    .size = sizeof(struct cpydbg_agent_state),
};

EXPORT OPAQUE void cpydbg_agent_hit(void) { __asm__ volatile("" ::: "memory"); }

EXPORT OPAQUE void cpydbg_agent_loaded(void) { __asm__ volatile("" ::: "memory"); }

EXPORT int cpydbg_agent_activate(void) { return tracer_activate(); }

/* Started through LD_PRELOAD, the agent takes itself out of the variable in
 * a Python process, so that the program's os.environ and its child processes
 * see the environment it was given. A process that is not Python (the shell
 * gdb starts the program with) keeps it for the program it execs. */
static void leave_preload(void) {
  const char *preload = getenv("LD_PRELOAD");
  Dl_info self;
  if (!preload || !dlsym(RTLD_DEFAULT, "Py_IsInitialized") ||
      !dladdr((void *)&cpydbg_agent_state, &self) || !self.dli_fname)
    return;
  char self_path[PATH_MAX];
  if (!realpath(self.dli_fname, self_path)) return;
  size_t n = strlen(preload);
  char *rest = malloc(n + 1), *copy = strdup(preload);
  if (!rest || !copy) {
    free(rest);
    free(copy);
    return;
  }
  rest[0] = '\0';
  /* ld.so separates entries with spaces or colons. */
  for (char *save = NULL, *entry = strtok_r(copy, " :", &save); entry;
       entry = strtok_r(NULL, " :", &save)) {
    char entry_path[PATH_MAX];
    if (realpath(entry, entry_path) && strcmp(entry_path, self_path) == 0) continue;
    if (rest[0]) strcat(rest, ":");
    strcat(rest, entry);
  }
  if (rest[0]) setenv("LD_PRELOAD", rest, 1);
  else unsetenv("LD_PRELOAD");
  free(rest);
  free(copy);
}

__attribute__((constructor)) static void agent_loaded(void) {
  leave_preload();
  cpydbg_agent_loaded();  /* the debugger arms its safe points here */
}
