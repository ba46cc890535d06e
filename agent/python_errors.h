/* A trace function may run while an exception is being raised (the return
 * event of a frame it unwinds), and the API it calls must not see that
 * exception nor leave one behind: everything that calls Python sits between
 * a save and a restore. */
#ifndef CPYDBG_AGENT_PYTHON_ERRORS_H
#define CPYDBG_AGENT_PYTHON_ERRORS_H

#include "python_api.h"

struct python_errors {
  PyObject *type, *value, *traceback;
};

static inline void python_errors_save(struct python_errors *e) {
  py.PyErr_Fetch(&e->type, &e->value, &e->traceback);
}

/* Drops whatever was raised since the save and puts the saved one back. */
static inline void python_errors_restore(struct python_errors *e) {
  py.PyErr_Clear();
  py.PyErr_Restore(e->type, e->value, e->traceback);
}

#endif
