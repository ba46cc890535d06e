/* Putting a trace function on every thread of the interpreter, and on the
 * threads that start later. */
#ifndef CPYDBG_AGENT_THREADS_H
#define CPYDBG_AGENT_THREADS_H

#include "python_api.h"

/* Install `trace` on every thread (NULL: remove it, and give threading its
 * own hook back). GIL held. */
void threads_set_trace(Py_tracefunc trace);

/* From call events: a thread state created since the last install gets the
 * trace function too (threads start without one). `new_code`: the event's
 * code object is one not seen before, as a module's import makes them: the
 * time to look whether the program has imported threading since. */
void threads_catch_up(int new_code);

#endif
