/* The C ABI of the cpydbg core, for front ends that cannot link C++ (the gdb
 * shim calls it through ctypes). One session per debugger inferior. */
#ifndef CPYDBG_C_H
#define CPYDBG_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cpydbg_callbacks {
  void *ctx;
  /* Read `size` bytes at `addr` into `buf`; return 1 on success, 0 if any
   * byte is unreadable. */
  int (*read_memory)(void *ctx, uint64_t addr, void *buf, uint64_t size);
  /* Address of a (minimal) symbol; return 1 and set *addr, or 0. */
  int (*lookup_symbol)(void *ctx, const char *name, uint64_t *addr);
  /* Selected thread: kernel tid and pthread_t; return 1, or 0 if none. */
  int (*selected_thread)(void *ctx, uint64_t *lwp, uint64_t *pthread);
  /* Evaluate a debugger expression to an integer; on failure return 0 and
   * write a message of at most `error_size` bytes into `error`. */
  int (*evaluate)(void *ctx, const char *expr, uint64_t *value, char *error, uint64_t error_size);
  /* Stop id: changes whenever the process may have run. */
  uint64_t (*generation)(void *ctx);
  /* Loaded executable and libraries, '\n'-separated, into buf; return 1, or 0. */
  int (*module_paths)(void *ctx, char *buf, uint64_t size);
  /* File-backed mappings of a core file (its NT_FILE note), one
   * "start end offset path" line each (hex numbers), into buf; return 1, or 0.
   * The core reads the mapped files' ELF symbol tables itself: one gdb symbol
   * lookup costs milliseconds once libpython's DWARF is loaded. */
  int (*core_mappings)(void *ctx, char *buf, uint64_t size);
  /* Kernel ids of the process's threads, at most `max` into lwps; sets *n;
   * return 1, or 0. */
  int (*thread_lwps)(void *ctx, uint64_t *lwps, uint64_t max, uint64_t *n);
  /* Thread `lwp`'s native frames, innermost first, at most `max`: pcs[i], and
   * one '\n'-terminated line each into `names` (at most names_size bytes):
   * '1' when the frame is an inlined call, else '0', then the function's name
   * (nothing where the debugger has none). Sets *n; return 1, or 0. */
  int (*native_frames)(void *ctx, uint64_t lwp, uint64_t *pcs, char *names, uint64_t names_size,
                       uint64_t max, uint64_t *n);
  /* For frames `levels[0 .. n_levels)` of thread `lwp`: the integer values of
   * the '\n'-separated `names`, frame by frame into values[i * n_names + k],
   * valid[same] = 1 where the debugger could evaluate it; return 1, or 0. */
  int (*frame_values)(void *ctx, uint64_t lwp, const uint64_t *levels, uint64_t n_levels,
                      const char *names, uint64_t *values, uint8_t *valid);
  /* Select native frame `level` of the selected thread; return 1, or 0. */
  int (*select_frame)(void *ctx, uint64_t level);
  /* The level of the selected thread's selected frame (0: innermost) into
   * *level; return 1, or 0 when there is none. */
  int (*selected_frame_level)(void *ctx, uint64_t *level);
  /* Write `size` bytes at `addr` (a process /proc/<pid>/mem cannot reach);
   * return 1 on success, 0 if refused. */
  int (*write_memory)(void *ctx, uint64_t addr, const void *buf, uint64_t size);
  /* What is open when there is no live pid: 2 a core file, 0 nothing. */
  int (*process_kind)(void *ctx);
  /* The path of the core file open, NUL-terminated into buf; return 1, or 0
   * (none, or longer than size). The core reads each thread's registers
   * from its notes: gdb switches threads slowly. */
  int (*core_file)(void *ctx, char *buf, uint64_t size);
  /* gdb's `debug-file-directory` (directories separated by ':'),
   * NUL-terminated into buf; return 1, or 0. Where the core's own native
   * walk looks for separate debug files, as gdb does. */
  int (*debug_file_directory)(void *ctx, char *buf, uint64_t size);
  /* The pc and stack pointer of the selected thread's selected frame;
   * return 1, or 0 when there is none. Unlike its level, gdb has them
   * without computing frame 0's identity. */
  int (*selected_frame_registers)(void *ctx, uint64_t *pc, uint64_t *sp);
} cpydbg_callbacks;

typedef struct cpydbg_session cpydbg_session;

/* The callbacks struct is copied. `pid` > 0 lets the core read a live
 * process's memory from /proc/<pid>/mem directly (0 for core files). */
__attribute__((visibility("default"))) cpydbg_session *cpydbg_open(const cpydbg_callbacks *cb,
                                                                   int64_t pid);
__attribute__((visibility("default"))) void cpydbg_close(cpydbg_session *s);
/* As cpydbg_open, with the Python breakpoints of `previous` (an earlier
 * session of the same program: a relaunch keeps them); NULL: none yet. */
__attribute__((visibility("default"))) cpydbg_session *cpydbg_open_after(const cpydbg_callbacks *cb,
                                                                        int64_t pid,
                                                                        cpydbg_session *previous);

/* Run a command; returns a malloc'd NUL-terminated string the caller frees
 * with cpydbg_free. *ok is set to 1 on success, 0 when the text is an error. */
__attribute__((visibility("default"))) char *cpydbg_execute(cpydbg_session *s, const char *name,
                                                            const char *args, int *ok);
/* The Python frames native frame `level` of the selected thread runs, as
 * JSON: [{"index", "function", "filename", "line", "args": [[name, repr]],
 * "locals": [[name, repr]]}], innermost first; "[]" for any other frame. */
__attribute__((visibility("default"))) char *cpydbg_python_frames_at(cpydbg_session *s,
                                                                     uint64_t level);
/* What the debugger's views (pretty-printers) show for a pointer to C type
 * `type_name` (one of cpydbg_summarized_types_json) at `addr`, in libpython's
 * style: a malloc'd string to free with cpydbg_free, or NULL when cpydbg has
 * nothing to say (no readable Python yet, another type): the debugger then
 * prints the pointer as usual. */
__attribute__((visibility("default"))) char *cpydbg_summary(cpydbg_session *s, uint64_t addr,
                                                            const char *type_name);
/* Those C type names (typedef names and struct tags, without "struct "), as
 * a JSON array of strings. */
__attribute__((visibility("default"))) char *cpydbg_summarized_types_json(void);

/* Python breakpoints (cpydbg::AgentNeeds, cpydbg::AgentCall): after a
 * command, what the front end must do for the agent, as bits; at a safe
 * point, the call to make (0 none, 1 load the agent library, 2 call
 * *function); the safe points' entry addresses (returns how many). */
#define CPYDBG_AGENT_WATCH 1u
#define CPYDBG_AGENT_PRELOAD 2u
#define CPYDBG_AGENT_ARM 4u
#define CPYDBG_AGENT_RESUME 8u
__attribute__((visibility("default"))) uint32_t cpydbg_agent_needs(cpydbg_session *s);
/* Before detach or quit: an empty request, the agent removes its trace function. */
__attribute__((visibility("default"))) void cpydbg_agent_release(cpydbg_session *s);
__attribute__((visibility("default"))) int cpydbg_agent_next_call(cpydbg_session *s, uint64_t *function);
__attribute__((visibility("default"))) uint64_t cpydbg_agent_safe_points(cpydbg_session *s, uint64_t *addrs,
                                                                         uint64_t max);

/* The command list as JSON: [{"name", "alias_of", "summary", "help"}]. */
__attribute__((visibility("default"))) char *cpydbg_commands_json(void);
__attribute__((visibility("default"))) void cpydbg_free(char *p);

#ifdef __cplusplus
}
#endif
#endif
