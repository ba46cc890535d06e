#include "threads.h"

#include "python_errors.h"

/* New thread states go to the head of the list, so a new head means a new
 * thread (3.7+ create the state in the parent, before the thread runs). */
static PyThreadState *known_head;

void threads_set_trace(Py_tracefunc trace) {
  struct python_errors saved;
  python_errors_save(&saved);  /* a refusing audit hook raises */
  PyInterpreterState *interp = py.PyInterpreterState_Head();
  if (py.PyEval_SetTraceAllThreads) {  /* 3.12+: walks the list under its lock */
    py.PyEval_SetTraceAllThreads(trace, NULL);
  } else if (py._PyEval_SetTrace) {  /* 3.9-3.11 */
    for (PyThreadState *ts = py.PyInterpreterState_ThreadHead(interp); ts; ts = py.PyThreadState_Next(ts))
      py._PyEval_SetTrace(ts, trace, NULL);
  } else {  /* 2.7-3.8: PyEval_SetTrace applies to the current thread state */
    PyThreadState *self = py.PyThreadState_Get();
    for (PyThreadState *ts = py.PyInterpreterState_ThreadHead(interp); ts; ts = py.PyThreadState_Next(ts)) {
      if (ts != self) py.PyThreadState_Swap(ts);
      py.PyEval_SetTrace(trace, NULL);
      if (ts != self) py.PyThreadState_Swap(self);
    }
  }
  known_head = py.PyInterpreterState_ThreadHead(interp);
  python_errors_restore(&saved);
}

void threads_catch_up(Py_tracefunc trace) {
  if (py.PyInterpreterState_ThreadHead(py.PyInterpreterState_Head()) != known_head)
    threads_set_trace(trace);
}
