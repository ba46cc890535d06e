/* Putting a trace function on every thread of the interpreter, and on the
 * threads that appear later. */
#ifndef CPYDBG_AGENT_THREADS_H
#define CPYDBG_AGENT_THREADS_H

#include "python_api.h"

/* Install `trace` (NULL: remove it) on every thread. GIL held. */
void threads_set_trace(Py_tracefunc trace);

/* Called from call events: a thread state created since the last install
 * (threads start with no trace function) gets `trace` too. */
void threads_catch_up(Py_tracefunc trace);

#endif
