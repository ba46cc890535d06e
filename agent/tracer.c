/* The trace function: follows the debugger's request (cpydbg_agent.h),
 * matches call/line/return events against its breakpoints and step, and
 * stops by calling cpydbg_agent_hit with the report filled in. It runs with
 * the GIL held, so its statics need no lock; the debugger changes the
 * request only while the whole process is stopped. */
#include "tracer.h"

#include <string.h>

#include "caches.h"
#include "cpydbg_agent.h"
#include "debugger.h"
#include "python_api.h"
#include "python_errors.h"
#include "threads.h"

extern struct cpydbg_agent_state cpydbg_agent_state;
void cpydbg_agent_hit(void);

#define REQUEST (&cpydbg_agent_state.request)
#define REPORT (&cpydbg_agent_state.report)
#define BIT(i) (UINT64_C(1) << (i))

/* Every this many events the trace function checks that a debugger is
 * still attached (about a second's worth of a tight loop's events). */
enum { kPresenceInterval = 1 << 22 };

static uint64_t seen_generation;
static int request_seen;  /* seen_generation holds a generation */
static int active;        /* the request has a breakpoint or a step */
static int installed;     /* our trace function is on the threads */
static uint64_t main_waiting;  /* CPYDBG_BP_MAIN slots not hit yet */
static uint64_t events;
static struct {
  uint32_t kind;
  PyThreadState *thread;
  PyFrameObject *frame;
} step;

/* Per slot of the request's table. */
static struct {
  uint32_t number;      /* the breakpoint these belong to */
  PyObject *condition;  /* compiled, a reference of ours */
  int first_line;       /* CPYDBG_BP_FUNCTION: the line its calls start at (pdb's rule:
                           a call event starting elsewhere resumes a generator) */
} slots[CPYDBG_AGENT_MAX_BREAKPOINTS];

static uint64_t request_generation(void) {
  return *(volatile uint64_t *)&REQUEST->generation;
}

static uint32_t hits_of(int slot) {
  const struct cpydbg_agent_report *r = REPORT;
  return r->hit_number[slot] == REQUEST->breakpoints[slot].number ? r->hit_count[slot] : 0;
}

static void count_hit(int slot) {
  struct cpydbg_agent_report *r = REPORT;
  uint32_t number = REQUEST->breakpoints[slot].number;
  if (r->hit_number[slot] != number) {
    r->hit_number[slot] = number;
    r->hit_count[slot] = 0;
  }
  ++r->hit_count[slot];
}

static void drop_conditions(void) {
  for (int i = 0; i < CPYDBG_AGENT_MAX_BREAKPOINTS; ++i)
    if (slots[i].condition) {
      py.Py_DecRef(slots[i].condition);
      slots[i].condition = NULL;
    }
}

/* Take the request as it is now. */
static void reload(void) {
  const struct cpydbg_agent_request *rq = REQUEST;
  seen_generation = request_generation();
  request_seen = 1;
  caches_clear();
  drop_conditions();  /* recompiled on use: the text may have changed */
  active = 0;
  main_waiting = 0;
  for (int i = 0; i < CPYDBG_AGENT_MAX_BREAKPOINTS; ++i) {
    const struct cpydbg_agent_breakpoint *bp = &rq->breakpoints[i];
    if (slots[i].number != bp->number) {
      slots[i].number = bp->number;
      slots[i].first_line = 0;
    }
    if (!bp->number || bp->kind == CPYDBG_BP_FREE) continue;
    if (bp->kind == CPYDBG_BP_MAIN) {
      if (hits_of(i)) continue;  /* once */
      main_waiting |= BIT(i);
    }
    active = 1;
  }
  step.kind = rq->step_kind;
  step.thread = (PyThreadState *)(uintptr_t)rq->step_thread;
  step.frame = (PyFrameObject *)(uintptr_t)rq->step_frame;
  if (step.kind != CPYDBG_STEP_NONE) active = 1;
}

static void deactivate(void) {
  threads_set_trace(NULL);
  installed = 0;
  REPORT->tracing = 0;
  caches_clear();
  drop_conditions();
}

/* The debugger went away without clearing its request: forget it. */
static void forget_debugger(void) {
  memset(REQUEST->breakpoints, 0, sizeof REQUEST->breakpoints);
  REQUEST->step_kind = CPYDBG_STEP_NONE;
  reload();
  deactivate();
}

static void copy_text(char *dst, size_t size, const char *a, const char *b) {
  size_t n = 0;
  for (const char *s = a; s && *s && n + 1 < size; ++s) dst[n++] = *s;
  for (const char *s = b; s && *s && n + 1 < size; ++s) dst[n++] = *s;
  dst[n] = '\0';
}

/* "NameError: name 'n' is not defined", from the exception being raised. */
static void describe_exception(char *message, size_t size) {
  PyObject *type = NULL, *value = NULL, *traceback = NULL;
  py.PyErr_Fetch(&type, &value, &traceback);
  py.PyErr_NormalizeException(&type, &value, &traceback);
  PyObject *name = type ? python_attr(type, "__name__") : NULL;
  PyObject *text = value ? py.PyObject_Str(value) : NULL;
  if (!text) py.PyErr_Clear();
  copy_text(message, size, name ? python_text(name) : "exception", "");
  size_t n = strlen(message);
  copy_text(message + n, size - n, ": ", text ? python_text(text) : "");
  if (name) py.Py_DecRef(name);
  if (text) py.Py_DecRef(text);
  if (type) py.Py_DecRef(type);
  if (value) py.Py_DecRef(value);
  if (traceback) py.Py_DecRef(traceback);
}

/* Whether a breakpoint's condition holds in `frame`. One that cannot be
 * evaluated counts as holding, with the error in `message` (as in gdb). */
static int condition_holds(int slot, PyFrameObject *frame, char *message, size_t size) {
  const char *text = REQUEST->breakpoints[slot].condition;
  if (!text[0]) return 1;
  struct python_errors saved;
  python_errors_save(&saved);
  int holds = 1;
  if (!slots[slot].condition)
    slots[slot].condition = py.Py_CompileString(text, "<cpydbg condition>", Py_eval_input);
  if (!slots[slot].condition) {
    describe_exception(message, size);
  } else {
    PyObject *globals = python_attr((PyObject *)frame, "f_globals");
    PyObject *locals = python_attr((PyObject *)frame, "f_locals");
    PyObject *result = globals && locals ? py.PyEval_EvalCode(slots[slot].condition, globals, locals) : NULL;
    int truth = result ? py.PyObject_IsTrue(result) : -1;
    if (truth < 0) describe_exception(message, size);
    else holds = truth;
    if (result) py.Py_DecRef(result);
    if (globals) py.Py_DecRef(globals);
    if (locals) py.Py_DecRef(locals);
  }
  python_errors_restore(&saved);
  return holds;
}

static int runs_main(PyFrameObject *frame) {
  struct python_errors saved;
  python_errors_save(&saved);
  PyObject *globals = python_attr((PyObject *)frame, "f_globals");
  PyObject *name = globals ? py.PyDict_GetItemString(globals, "__name__") : NULL;  /* borrowed */
  const char *text = python_text(name);
  int is_main = text && strcmp(text, "__main__") == 0;
  if (globals) py.Py_DecRef(globals);
  python_errors_restore(&saved);
  return is_main;
}

/* Stop in the debugger. Afterwards the request may be another one, and
 * every cache entry the caller held is gone. */
static void stop(uint32_t reason, int slot, PyFrameObject *frame, int line, PyObject *value) {
  if (!debugger_attached()) {
    forget_debugger();
    return;
  }
  struct cpydbg_agent_report *r = REPORT;
  r->stop_reason = reason;
  r->stop_breakpoint = slot >= 0 ? REQUEST->breakpoints[slot].number : 0;
  r->stop_line = line;
  r->stop_thread = (uint64_t)(uintptr_t)py.PyThreadState_Get();
  r->stop_frame = (uint64_t)(uintptr_t)frame;
  r->stop_value = (uint64_t)(uintptr_t)value;
  if (slot >= 0) {
    count_hit(slot);
    main_waiting &= ~BIT(slot);
  }
  /* Any stop ends a step (the debugger sees it consumed). */
  step.kind = CPYDBG_STEP_NONE;
  REQUEST->step_kind = CPYDBG_STEP_NONE;
  cpydbg_agent_hit();
  r->stop_reason = CPYDBG_STOP_NONE;
  r->stop_value = 0;
  r->stop_message[0] = '\0';
  if (request_generation() != seen_generation) reload();
  if (!active) deactivate();
}

static int in_step_thread(void) { return py.PyThreadState_Get() == step.thread; }

/* The line a line event is for. The interpreter has just stored it in the
 * frame (every version sets f_lineno around a line event); where the
 * debugger gave no offset, ask the API (on some versions a line-table walk). */
static int event_line(PyFrameObject *frame) {
  uint64_t offset = REQUEST->frame_lineno_offset;
  int line = offset ? *(const int *)((const char *)frame + offset) : 0;
  return line > 0 ? line : py.PyFrame_GetLineNumber(frame);
}

/* 1 when a breakpoint stopped the program at this line event. */
static int check_breakpoints(struct frame_info *f, PyFrameObject *frame) {
  uint64_t waiting = f->waiting;
  f->waiting = 0;
  int line = event_line(frame);
  uint64_t candidates = waiting;
  if (f->code->line_bloom & BIT((uint32_t)line % 64)) candidates |= f->code->line_mask;
  for (; candidates; candidates &= candidates - 1) {
    int i = __builtin_ctzll(candidates);
    const struct cpydbg_agent_breakpoint *bp = &REQUEST->breakpoints[i];
    if (waiting & BIT(i)) {
      if (bp->kind == CPYDBG_BP_FUNCTION) {
        if (!slots[i].first_line) slots[i].first_line = line;
        if (line != slots[i].first_line) continue;
      } else if (!(main_waiting & BIT(i))) {
        continue;
      }
    } else if (bp->line != line) {
      continue;
    }
    char *message = REPORT->stop_message;
    message[0] = '\0';
    if (!condition_holds(i, frame, message, sizeof REPORT->stop_message)) continue;
    stop(CPYDBG_STOP_BREAKPOINT, i, frame, line, NULL);
    return 1;
  }
  return 0;
}

static void on_call(PyFrameObject *frame) {
  struct code_info *code = code_info_of(frame, REQUEST);
  threads_catch_up(code && code->fresh);
  if (!code) return;
  code->fresh = 0;
  struct frame_info *f = frame_info_start(frame, code);
  f->waiting = code->function_mask;
  if (main_waiting && code->is_module && runs_main(frame)) f->waiting |= main_waiting;
}

static void on_line(PyFrameObject *frame) {
  struct frame_info *f = frame_info_find(frame);
  if (!f) {  /* a frame that began before we were tracing it */
    struct code_info *code = code_info_of(frame, REQUEST);
    if (!code) return;
    f = frame_info_start(frame, code);
  }
  if ((f->waiting || f->code->line_mask) && check_breakpoints(f, frame)) return;
  if ((step.kind == CPYDBG_STEP_INTO || (step.kind == CPYDBG_STEP_OVER && frame == step.frame)) &&
      in_step_thread())
    stop(CPYDBG_STOP_STEP, -1, frame, event_line(frame), NULL);
}

static void on_return(PyFrameObject *frame, PyObject *value) {
  frame_info_forget(frame);  /* its memory may hold another frame next */
  if (frame != step.frame || !in_step_thread()) return;
  if (step.kind == CPYDBG_STEP_OUT)
    stop(CPYDBG_STOP_RETURN, -1, frame, py.PyFrame_GetLineNumber(frame), value);
  else if (step.kind == CPYDBG_STEP_OVER)
    step.kind = CPYDBG_STEP_INTO;  /* on to the caller's next line */
}

static int trace(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg) {
  (void)obj;
  if (!request_seen || request_generation() != seen_generation) reload();
  if (!active) {
    deactivate();
    return 0;
  }
  if (++events % kPresenceInterval == 0 && !debugger_attached()) {
    forget_debugger();
    return 0;
  }
  switch (what) {
    case PyTrace_CALL: on_call(frame); break;
    case PyTrace_LINE: on_line(frame); break;
    case PyTrace_RETURN: on_return(frame, arg); break;
    default: break;
  }
  return 0;
}

int tracer_activate(void) {
  if (!python_api_resolve()) return -1;
  if (py.PyGILState_Check && !py.PyGILState_Check()) return -1;
  reload();
  if (!active) {
    if (installed) deactivate();
    return 0;
  }
  threads_set_trace(trace);
  installed = 1;
  REPORT->tracing = 1;
  return 1;
}
