/* What the trace function remembers between events, so that a line event of
 * code without breakpoints costs one lookup:
 *  - per code object (held by a reference while cached): which breakpoint
 *    slots can match it (a bit per slot of the request's table);
 *  - per running frame (refreshed by its call event): its code's entry and
 *    the function breakpoints waiting for its first line.
 * Both are dropped whenever the request changes. */
#ifndef CPYDBG_AGENT_CACHES_H
#define CPYDBG_AGENT_CACHES_H

#include <stdint.h>

#include "cpydbg_agent.h"
#include "python_api.h"

struct code_info {
  PyObject *code;          /* a reference of ours; NULL = empty slot */
  uint64_t line_mask;      /* CPYDBG_BP_LINE slots whose file is this code's */
  uint64_t line_bloom;     /* bit (line % 64) of each of their lines: most line events stop here */
  uint64_t function_mask;  /* CPYDBG_BP_FUNCTION slots naming this code's function */
  int is_module;           /* co_name == "<module>" */
  int fresh;               /* just described; its first call event clears it */
};

struct frame_info {
  PyFrameObject *frame;    /* NULL = empty slot */
  struct code_info *code;
  uint64_t waiting;        /* function/main breakpoint slots to test at its first line */
};

/* The entry of a frame's code, computed from `request` on a miss; NULL when
 * the code cannot be read (the event is ignored). */
struct code_info *code_info_of(PyFrameObject *frame, const struct cpydbg_agent_request *request);

/* The cached entry of a frame, or NULL. */
struct frame_info *frame_info_find(PyFrameObject *frame);
/* A fresh entry for a frame (its call event, or its first event seen). */
struct frame_info *frame_info_start(PyFrameObject *frame, struct code_info *code);
void frame_info_forget(PyFrameObject *frame);

/* Drop everything (and the references to code objects). */
void caches_clear(void);

#endif
