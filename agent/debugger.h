/* Whether a debugger still traces this process. The agent asks before every
 * stop (a breakpoint instruction nobody catches would kill the process) and
 * every so many events, so that a debugger that detached or died without
 * clearing the request leaves no trace function behind. */
#ifndef CPYDBG_AGENT_DEBUGGER_H
#define CPYDBG_AGENT_DEBUGGER_H

/* 1 when /proc/self/status names a tracer (or cannot be read). */
int debugger_attached(void);

#endif
