/* The part of the Python C API the agent uses, resolved at run time with
 * dlsym so one build of the agent serves every CPython from 2.7 to 3.13: no
 * Python header is included and nothing is linked. Only functions (never
 * macros or struct fields) of the public API, plus two private helpers that
 * exist exactly where the public API lacks a way to reach another thread.
 */
#ifndef CPYDBG_AGENT_PYTHON_API_H
#define CPYDBG_AGENT_PYTHON_API_H

#include <stddef.h>

typedef struct cpydbg_pyobject PyObject;  /* opaque: never dereferenced */
typedef struct cpydbg_pyframe PyFrameObject;
typedef struct cpydbg_pytstate PyThreadState;
typedef struct cpydbg_pyinterp PyInterpreterState;
typedef int (*Py_tracefunc)(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg);
typedef PyObject *(*PyCFunction)(PyObject *self, PyObject *args);

/* Its layout has not changed since 2.x. */
struct PyMethodDef {
  const char *ml_name;
  PyCFunction ml_meth;
  int ml_flags;
  const char *ml_doc;
};
enum { METH_VARARGS = 1 };

/* Stable across every version. */
enum { PyTrace_CALL = 0, PyTrace_EXCEPTION = 1, PyTrace_LINE = 2, PyTrace_RETURN = 3 };
enum { Py_eval_input = 258 };

struct python_api {
  int resolved;  /* 1: every required function below was found */

  /* required */
  void (*PyEval_SetTrace)(Py_tracefunc, PyObject *);
  PyThreadState *(*PyThreadState_Get)(void);
  PyThreadState *(*PyThreadState_Swap)(PyThreadState *);
  PyInterpreterState *(*PyInterpreterState_Head)(void);
  PyThreadState *(*PyInterpreterState_ThreadHead)(PyInterpreterState *);
  PyThreadState *(*PyThreadState_Next)(PyThreadState *);
  int (*PyFrame_GetLineNumber)(PyFrameObject *);
  PyObject *(*PyObject_GetAttrString)(PyObject *, const char *);
  int (*PyObject_IsTrue)(PyObject *);
  PyObject *(*PyObject_Str)(PyObject *);
  PyObject *(*PyDict_GetItemString)(PyObject *, const char *);
  PyObject *(*PyImport_GetModuleDict)(void);
  PyObject *(*PyCFunction_NewEx)(struct PyMethodDef *, PyObject *, PyObject *);
  PyObject *(*PyObject_CallFunctionObjArgs)(PyObject *, ...);
  PyObject *_Py_NoneStruct;  /* data: Py_None */
  PyObject *(*Py_CompileString)(const char *, const char *, int);
  PyObject *(*PyEval_EvalCode)(PyObject *, PyObject *, PyObject *);
  void (*PyErr_Fetch)(PyObject **, PyObject **, PyObject **);
  void (*PyErr_Restore)(PyObject *, PyObject *, PyObject *);
  void (*PyErr_Clear)(void);
  void (*PyErr_NormalizeException)(PyObject **, PyObject **, PyObject **);
  void (*Py_IncRef)(PyObject *);
  void (*Py_DecRef)(PyObject *);

  /* where present */
  void (*PyEval_SetTraceAllThreads)(Py_tracefunc, PyObject *);          /* 3.12+ */
  int (*_PyEval_SetTrace)(PyThreadState *, Py_tracefunc, PyObject *);   /* 3.9-3.12 */
  PyObject *(*PyFrame_GetCode)(PyFrameObject *);                        /* 3.9+ */
  int (*PyGILState_Check)(void);                                        /* 3.4+ */
  const char *(*PyUnicode_AsUTF8)(PyObject *);                          /* 3.3+ */
  char *(*PyString_AsString)(PyObject *);                               /* 2.x */
};

extern struct python_api py;

/* Resolve the API (once); 1 when every required function is there. */
int python_api_resolve(void);

/* The UTF-8 text of a str object (bytes str on 2.7), or NULL. Borrowed: valid
 * while `text` lives. */
const char *python_text(PyObject *text);

/* A new reference to an attribute, or NULL (the error is cleared). */
PyObject *python_attr(PyObject *obj, const char *name);

#endif
