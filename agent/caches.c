#include "caches.h"

#include <string.h>

#include "python_errors.h"

enum { kCodeSlots = 1024, kCodeLimit = kCodeSlots * 3 / 4, kFrameSlots = 4096 };

static struct code_info codes[kCodeSlots];
static int codes_used;
static struct frame_info frames[kFrameSlots];

static size_t slot_of(const void *p, size_t slots) {
  uintptr_t v = (uintptr_t)p;
  return (size_t)((v >> 4) ^ (v >> 16)) & (slots - 1);
}

void caches_clear(void) {
  for (int i = 0; i < kCodeSlots; ++i)
    if (codes[i].code) py.Py_DecRef(codes[i].code);
  memset(codes, 0, sizeof codes);
  memset(frames, 0, sizeof frames);
  codes_used = 0;
}

/* A user's path names a code object's file when one ends with the other at a
 * path boundary: "app.py" and "/srv/app.py", "/srv/app.py" and "app.py"
 * (a script run by a relative name), or the same path. */
static int same_file(const char *typed, const char *code_file) {
  size_t a = strlen(typed), b = strlen(code_file);
  if (a == b) return strcmp(typed, code_file) == 0;
  const char *longer = a > b ? typed : code_file, *shorter = a > b ? code_file : typed;
  size_t cut = (a > b ? a : b) - (a > b ? b : a);
  return longer[cut - 1] == '/' && strcmp(longer + cut, shorter) == 0;
}

static PyObject *frame_code(PyFrameObject *frame, const struct cpydbg_agent_request *request) {
  if (py.PyFrame_GetCode) {
    PyObject *code = py.PyFrame_GetCode(frame);
    py.Py_DecRef(code);  /* the running frame keeps it alive */
    return code;
  }
  if (request->frame_code_offset)
    return *(PyObject **)((char *)frame + request->frame_code_offset);
  /* No offset (the debugger could not read the interpreter's layout yet):
   * the attribute, slower but on every version. */
  struct python_errors saved;
  python_errors_save(&saved);
  PyObject *code = python_attr((PyObject *)frame, "f_code");
  python_errors_restore(&saved);
  if (code) py.Py_DecRef(code);  /* the running frame keeps it alive */
  return code;
}

static void describe(struct code_info *info, const struct cpydbg_agent_request *request) {
  struct python_errors saved;
  python_errors_save(&saved);
  PyObject *filename = python_attr(info->code, "co_filename");
  PyObject *name = python_attr(info->code, "co_name");
  PyObject *qualname = python_attr(info->code, "co_qualname");  /* 3.11+ */
  const char *file = python_text(filename), *fn = python_text(name), *qual = python_text(qualname);
  for (int i = 0; i < CPYDBG_AGENT_MAX_BREAKPOINTS; ++i) {
    const struct cpydbg_agent_breakpoint *bp = &request->breakpoints[i];
    if (!bp->number) continue;
    if (bp->kind == CPYDBG_BP_LINE && file && same_file(bp->file, file)) {
      info->line_mask |= UINT64_C(1) << i;
      info->line_bloom |= UINT64_C(1) << ((uint32_t)bp->line % 64);
    }
    if (bp->kind == CPYDBG_BP_FUNCTION &&
        ((fn && strcmp(bp->function, fn) == 0) || (qual && strcmp(bp->function, qual) == 0)))
      info->function_mask |= UINT64_C(1) << i;
  }
  info->is_module = fn && strcmp(fn, "<module>") == 0;
  if (filename) py.Py_DecRef(filename);
  if (name) py.Py_DecRef(name);
  if (qualname) py.Py_DecRef(qualname);
  python_errors_restore(&saved);
}

struct code_info *code_info_of(PyFrameObject *frame, const struct cpydbg_agent_request *request) {
  PyObject *code = frame_code(frame, request);
  if (!code) return NULL;
  size_t i = slot_of(code, kCodeSlots);
  while (codes[i].code && codes[i].code != code) i = (i + 1) & (kCodeSlots - 1);
  if (codes[i].code) return &codes[i];
  if (codes_used >= kCodeLimit) {  /* full: start over rather than probe forever */
    caches_clear();
    i = slot_of(code, kCodeSlots);
  }
  struct code_info *info = &codes[i];
  py.Py_IncRef(code);  /* so that no other code object can take its address while cached */
  info->code = code;
  info->fresh = 1;
  ++codes_used;
  describe(info, request);
  return info;
}

struct frame_info *frame_info_find(PyFrameObject *frame) {
  struct frame_info *f = &frames[slot_of(frame, kFrameSlots)];
  return f->frame == frame ? f : NULL;
}

struct frame_info *frame_info_start(PyFrameObject *frame, struct code_info *code) {
  struct frame_info *f = &frames[slot_of(frame, kFrameSlots)];
  f->frame = frame;
  f->code = code;
  f->waiting = 0;
  return f;
}

void frame_info_forget(PyFrameObject *frame) {
  struct frame_info *f = frame_info_find(frame);
  if (f) f->frame = NULL;
}
