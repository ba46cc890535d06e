/* The contract between the cpydbg agent (this folder, loaded into the Python
 * process) and the debugger side (the cpydbg core): one struct the agent
 * exports as `cpydbg_agent_state`, and three functions.
 *
 * The debugger writes the request half while every thread of the process is
 * stopped, and bumps `generation` last; the agent reads it from its trace
 * function (GIL held) when it sees the generation change. The agent writes
 * the report half; the debugger reads it when the process stops in
 * cpydbg_agent_hit. Fixed-width fields only: the core (C++) includes this
 * header too, and reads and writes the struct as bytes.
 */
#ifndef CPYDBG_AGENT_H
#define CPYDBG_AGENT_H

#include <stdint.h>

#define CPYDBG_AGENT_MAGIC "cpydbgA"   /* 8 bytes with the NUL */
#define CPYDBG_AGENT_ABI 1u
#define CPYDBG_AGENT_MAX_BREAKPOINTS 64 /* one bit each in the agent's masks */
#define CPYDBG_AGENT_FILE_MAX 256
#define CPYDBG_AGENT_FUNCTION_MAX 128
#define CPYDBG_AGENT_CONDITION_MAX 256
#define CPYDBG_AGENT_MESSAGE_MAX 256

enum cpydbg_breakpoint_kind {
  CPYDBG_BP_FREE = 0,
  CPYDBG_BP_LINE = 1,      /* file:line */
  CPYDBG_BP_FUNCTION = 2,  /* the first line of a call of a function (co_name or co_qualname) */
  CPYDBG_BP_MAIN = 3       /* the first line of the __main__ module, once */
};

enum cpydbg_step_kind {
  CPYDBG_STEP_NONE = 0,
  CPYDBG_STEP_INTO = 1,  /* the next line this thread runs, in any frame */
  CPYDBG_STEP_OVER = 2,  /* the next line of step_frame (or of its caller once it returns) */
  CPYDBG_STEP_OUT = 3    /* the return of step_frame */
};

enum cpydbg_stop_reason {
  CPYDBG_STOP_NONE = 0,
  CPYDBG_STOP_BREAKPOINT = 1,  /* stop_breakpoint says which */
  CPYDBG_STOP_STEP = 2,        /* a pystep / pynext ended */
  CPYDBG_STOP_RETURN = 3       /* step_frame is returning stop_value (0: by an exception) */
};

struct cpydbg_agent_breakpoint {
  uint32_t number;  /* the user's breakpoint number; 0 = unused slot */
  uint32_t kind;    /* enum cpydbg_breakpoint_kind */
  int32_t line;     /* CPYDBG_BP_LINE */
  uint32_t reserved;
  char file[CPYDBG_AGENT_FILE_MAX];           /* CPYDBG_BP_LINE: as typed */
  char function[CPYDBG_AGENT_FUNCTION_MAX];   /* CPYDBG_BP_FUNCTION */
  char condition[CPYDBG_AGENT_CONDITION_MAX]; /* "" or a Python expression */
};

/* What the debugger asks for. */
struct cpydbg_agent_request {
  uint64_t generation;         /* bumped after every change of the request */
  uint64_t frame_code_offset;  /* offsetof(PyFrameObject, f_code), for Pythons without PyFrame_GetCode */
  uint64_t frame_lineno_offset;  /* offsetof(PyFrameObject, f_lineno): set during a line event */
  uint32_t step_kind;          /* enum cpydbg_step_kind; the agent sets it back to
                                  CPYDBG_STEP_NONE at any stop: a step ends there */
  uint32_t reserved;
  uint64_t step_thread;        /* PyThreadState* the step belongs to */
  uint64_t step_frame;         /* PyFrameObject* of CPYDBG_STEP_OVER / _OUT */
  struct cpydbg_agent_breakpoint breakpoints[CPYDBG_AGENT_MAX_BREAKPOINTS];
};

/* What the agent reports. */
struct cpydbg_agent_report {
  uint32_t tracing;          /* 1 while its trace function is installed */
  uint32_t stop_reason;      /* enum cpydbg_stop_reason; NONE outside cpydbg_agent_hit */
  uint32_t stop_breakpoint;  /* the breakpoint's number, for CPYDBG_STOP_BREAKPOINT */
  int32_t stop_line;         /* the line being run */
  uint64_t stop_thread;      /* PyThreadState* of the stopped thread */
  uint64_t stop_frame;       /* PyFrameObject* of the event */
  uint64_t stop_value;       /* CPYDBG_STOP_RETURN: the PyObject* returned */
  char stop_message[CPYDBG_AGENT_MESSAGE_MAX]; /* a condition's error, else "" */
  uint32_t hit_number[CPYDBG_AGENT_MAX_BREAKPOINTS]; /* per slot: the number counted... */
  uint32_t hit_count[CPYDBG_AGENT_MAX_BREAKPOINTS];  /* ...and its hits in this process */
};

struct cpydbg_agent_state {
  char magic[8];  /* CPYDBG_AGENT_MAGIC */
  uint32_t abi;   /* CPYDBG_AGENT_ABI */
  uint32_t size;  /* sizeof(struct cpydbg_agent_state) */
  struct cpydbg_agent_request request;
  struct cpydbg_agent_report report;
};

/* Exported by the agent:
 *   struct cpydbg_agent_state cpydbg_agent_state;
 *   void cpydbg_agent_hit(void);     empty: the debugger's breakpoint on it is the stop
 *   void cpydbg_agent_loaded(void);  empty: called once when the library is loaded
 *   int cpydbg_agent_activate(void); call with the GIL held (a safe point): installs or
 *                                    removes the trace function as the request says;
 *                                    1 tracing, 0 nothing to trace, -1 not possible here */

#endif
