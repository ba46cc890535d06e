/* The agent's trace function: installed on every thread while the
 * debugger's request holds a breakpoint or a step, removed otherwise. */
#ifndef CPYDBG_AGENT_TRACER_H
#define CPYDBG_AGENT_TRACER_H

/* At a safe point (GIL held): install or remove the trace function as the
 * request says. 1 tracing, 0 nothing to trace, -1 not possible here. */
int tracer_activate(void);

#endif
