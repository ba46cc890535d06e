#include "threads.h"

#include "python_errors.h"

/* Two ways a new thread gets the trace function, because neither is enough:
 *  - threading.settrace: every thread the threading module starts calls the
 *    hook at its first call, before its run() (2.7 and 3.6 create a thread's
 *    state in the thread itself; 3.7+ in the parent, which may lose the GIL
 *    to the new thread before it next sees the list);
 *  - a new head of the interpreter's thread list: for threads started
 *    otherwise. */
static Py_tracefunc installed;   /* the trace function on the threads, or NULL */
static PyThreadState *known_head;
static PyObject *hook;           /* our function given to threading.settrace */
static PyObject *program_hook;   /* threading's hook before ours (a reference), or NULL */
static int hooked;

static PyObject *on_thread_start(PyObject *self, PyObject *args) {
  (void)self;
  (void)args;
  if (installed) py.PyEval_SetTrace(installed, NULL);  /* in place of the trace trampoline */
  py.Py_IncRef(py._Py_NoneStruct);
  return py._Py_NoneStruct;  /* no Python-level trace function for the frame */
}

static struct PyMethodDef hook_def = {"cpydbg_thread_start", on_thread_start, METH_VARARGS,
                                      "cpydbg's agent: trace the thread that starts"};

/* threading.settrace(hook_to_set); 0 when threading has no settrace (not
 * imported, or its import has not got that far: the module is in
 * sys.modules from the start). */
static int set_threading_hook(PyObject *hook_to_set) {
  PyObject *threading = py.PyDict_GetItemString(py.PyImport_GetModuleDict(), "threading");  /* borrowed */
  PyObject *settrace = threading ? python_attr(threading, "settrace") : NULL;
  if (!settrace) return 0;
  PyObject *result = py.PyObject_CallFunctionObjArgs(settrace, hook_to_set, NULL);
  if (result) py.Py_DecRef(result);
  else py.PyErr_Clear();
  py.Py_DecRef(settrace);
  return result != NULL;
}

static void hook_threads(void) {
  if (hooked) return;
  PyObject *threading = py.PyDict_GetItemString(py.PyImport_GetModuleDict(), "threading");
  if (!threading) return;
  if (!hook) hook = py.PyCFunction_NewEx(&hook_def, NULL, NULL);
  if (!hook) {
    py.PyErr_Clear();
    return;
  }
  PyObject *before = python_attr(threading, "_trace_hook");
  if (set_threading_hook(hook)) {
    program_hook = before;
    hooked = 1;
  } else if (before) {
    py.Py_DecRef(before);
  }
}

static void unhook_threads(void) {
  if (!hooked) return;
  PyObject *threading = py.PyDict_GetItemString(py.PyImport_GetModuleDict(), "threading");
  PyObject *current = threading ? python_attr(threading, "_trace_hook") : NULL;
  if (current == hook) set_threading_hook(program_hook ? program_hook : py._Py_NoneStruct);
  if (current) py.Py_DecRef(current);
  if (program_hook) py.Py_DecRef(program_hook);
  program_hook = NULL;
  hooked = 0;
}

void threads_set_trace(Py_tracefunc trace) {
  struct python_errors saved;
  python_errors_save(&saved);  /* a refusing audit hook raises */
  installed = trace;
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
  if (trace) hook_threads();
  else unhook_threads();
  python_errors_restore(&saved);
}

void threads_catch_up(int new_code) {
  if (py.PyInterpreterState_ThreadHead(py.PyInterpreterState_Head()) != known_head) {
    threads_set_trace(installed);
  } else if (new_code && !hooked) {
    struct python_errors saved;
    python_errors_save(&saved);
    hook_threads();
    python_errors_restore(&saved);
  }
}
