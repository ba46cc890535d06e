#define _GNU_SOURCE
#include "python_api.h"

#include <dlfcn.h>

struct python_api py;

/* Functions and data alike: the address the symbol names. */
#define REQUIRED(name) ok &= (*(void **)&py.name = dlsym(RTLD_DEFAULT, #name)) != NULL
#define OPTIONAL(name) (*(void **)&py.name = dlsym(RTLD_DEFAULT, #name))

int python_api_resolve(void) {
  if (py.resolved) return 1;
  int ok = 1;
  REQUIRED(PyEval_SetTrace);
  REQUIRED(PyThreadState_Get);
  REQUIRED(PyThreadState_Swap);
  REQUIRED(PyInterpreterState_Head);
  REQUIRED(PyInterpreterState_ThreadHead);
  REQUIRED(PyThreadState_Next);
  REQUIRED(PyFrame_GetLineNumber);
  REQUIRED(PyObject_GetAttrString);
  REQUIRED(PyObject_IsTrue);
  REQUIRED(PyObject_Str);
  REQUIRED(PyDict_GetItemString);
  REQUIRED(PyImport_GetModuleDict);
  REQUIRED(PyCFunction_NewEx);
  REQUIRED(PyObject_CallFunctionObjArgs);
  REQUIRED(_Py_NoneStruct);
  REQUIRED(Py_CompileString);
  REQUIRED(PyEval_EvalCode);
  REQUIRED(PyErr_Fetch);
  REQUIRED(PyErr_Restore);
  REQUIRED(PyErr_Clear);
  REQUIRED(PyErr_NormalizeException);
  REQUIRED(Py_IncRef);
  REQUIRED(Py_DecRef);
  OPTIONAL(PyEval_SetTraceAllThreads);
  OPTIONAL(_PyEval_SetTrace);
  OPTIONAL(PyFrame_GetCode);
  OPTIONAL(PyGILState_Check);
  OPTIONAL(PyUnicode_AsUTF8);
  OPTIONAL(PyString_AsString);
  /* A str is one or the other. */
  ok &= py.PyUnicode_AsUTF8 != NULL || py.PyString_AsString != NULL;
  py.resolved = ok;
  return ok;
}

const char *python_text(PyObject *text) {
  if (!text) return NULL;
  const char *s = py.PyUnicode_AsUTF8 ? py.PyUnicode_AsUTF8(text) : py.PyString_AsString(text);
  if (!s) py.PyErr_Clear();
  return s;
}

PyObject *python_attr(PyObject *obj, const char *name) {
  PyObject *value = py.PyObject_GetAttrString(obj, name);
  if (!value) py.PyErr_Clear();
  return value;
}
