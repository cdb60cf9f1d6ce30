/* running_mean.RunningMean in C, and SimpleMovingAverage's two per-bar reads.
 *
 * An SMA is updated and read on every bar. In CPython 3.11 the Python version of these
 * few lines costs about 0.7 us per average per bar, nearly all of it call overhead,
 * attribute traffic and the tuples it keeps. Here the inputs and outputs live in C
 * arrays; the interface, the order of the floating-point operations and every state
 * change are the Python class's (running_mean.py is the reference, and the tests run
 * both against the generic indicator protocol).
 *
 * The reads (``current``, ``is_ready``) are data descriptors installed on the class by
 * moving_averages.py, so reading them runs no Python frame. They repeat the Python
 * properties line for line, on the same attributes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#define OUTPUTS 3 /* the output window (2) plus the one it dropped */

static PyObject *s_current, *s_fire, *s_process_value, *s_add_older_points, *s_appendleft;

/* Where the attributes this module touches live. SimpleMovingAverage, RollingWindow,
 * EventHook and the data point declare them as __slots__, which reads() looks up once:
 * a slot is read in a few instructions, a generic attribute lookup in about 200, and
 * those lookups made a first version of this module no faster than the Python. */
typedef struct {
    Py_ssize_t offset;
    const char *name;
} Slot;

static Slot sma_raw = {0, "_raw"}, sma_samples = {0, "samples"}, sma_updated = {0, "updated"},
            sma_mean = {0, "_mean"}, sma_current = {0, "_current"}, sma_window = {0, "_window"},
            sma_period = {0, "_period"}, sma_inputs = {0, "_inputs"},
            window_items = {0, "_items"}, window_samples = {0, "_samples"},
            window_size = {0, "_size"}, window_removed = {0, "_most_recently_removed"},
            hook_handlers = {0, "_handlers"}, point_symbol = {0, "symbol"},
            point_time = {0, "time"}, point_end_time = {0, "end_time"},
            point_value = {0, "value"}, point_is_fill_forward = {0, "is_fill_forward"};
static PyTypeObject *sma_type, *point_type, *hook_type, *window_type;
static PyObject *no_arguments;

/* the slot's value (borrowed), or NULL with AttributeError when it was never set */
static PyObject *slot_get(PyObject *obj, const Slot *slot) {
    PyObject *value = *(PyObject **)((char *)obj + slot->offset);
    if (value == NULL)
        PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%s'",
                     Py_TYPE(obj)->tp_name, slot->name);
    return value;
}

static void slot_set(PyObject *obj, const Slot *slot, PyObject *value) {
    PyObject **place = (PyObject **)((char *)obj + slot->offset);
    Py_XSETREF(*place, Py_NewRef(value));
}

/* obj.<slot> += 1 for an int */
static int slot_increment(PyObject *obj, const Slot *slot) {
    PyObject *count = slot_get(obj, slot);
    if (count == NULL) return -1;
    PyObject *next;
    if (PyLong_CheckExact(count)) {
        Py_ssize_t n = PyLong_AsSsize_t(count);
        if (n == -1 && PyErr_Occurred()) return -1;
        next = PyLong_FromSsize_t(n + 1);
    } else {
        PyObject *one = PyLong_FromLong(1);
        next = one == NULL ? NULL : PyNumber_Add(count, one);
        Py_XDECREF(one);
    }
    if (next == NULL) return -1;
    slot_set(obj, slot, next);
    Py_DECREF(next);
    return 0;
}

/* ---------------------------------------------------------------- RunningMean */

typedef struct {
    PyObject_HEAD
    PyObject *owner; /* the SimpleMovingAverage: its samples, updated, raw flag */
    Py_ssize_t period;
    double total;
    /* the last `period` inputs in a ring; `next` is where the next one goes */
    Py_ssize_t count, next;
    double *values;
    PyObject **ends;
    PyObject *removed_end; /* the input that last fell off (NULL: none yet) */
    double removed_value;
    PyObject *last_end;   /* end time of the newest input (forward only) */
    PyObject *last_point; /* the newest input, when the caller passed a point */
    /* the newest outputs, newest first */
    Py_ssize_t out_len;
    PyObject *out_end[OUTPUTS];
    double out_total[OUTPUTS];
    Py_ssize_t out_count[OUTPUTS];
    Py_ssize_t unread; /* newest outputs not yet made points */
} RunningMean;

static PyTypeObject RunningMeanType;

static void mean_clear_state(RunningMean *self) {
    self->total = 0.0;
    for (Py_ssize_t i = 0; i < self->period; i++) Py_CLEAR(self->ends[i]);
    self->count = self->next = 0;
    Py_CLEAR(self->removed_end);
    self->removed_value = 0.0;
    Py_CLEAR(self->last_end);
    Py_CLEAR(self->last_point);
    for (Py_ssize_t i = 0; i < OUTPUTS; i++) Py_CLEAR(self->out_end[i]);
    self->out_len = 0;
    self->unread = 0;
}

static int mean_init(RunningMean *self, PyObject *args, PyObject *kwds) {
    PyObject *owner;
    Py_ssize_t period;
    if (!PyArg_ParseTuple(args, "On:RunningMean", &owner, &period)) return -1;
    if (sma_type == NULL || !PyObject_TypeCheck(owner, sma_type)) {
        PyErr_SetString(PyExc_TypeError, "RunningMean(owner, period): the owner must be a "
                                         "SimpleMovingAverage (after _fastsma.reads)");
        return -1;
    }
    if (period < 0) {
        PyErr_SetString(PyExc_ValueError, "RunningMean: a negative period");
        return -1;
    }
    if (self->ends != NULL) mean_clear_state(self);
    PyMem_Free(self->values);
    PyMem_Free(self->ends);
    /* (a zero period keeps nothing; one slot keeps the ring arithmetic simple) */
    self->values = PyMem_Calloc(period + 1, sizeof(double));
    self->ends = PyMem_Calloc(period + 1, sizeof(PyObject *));
    if (self->values == NULL || self->ends == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->period = period;
    Py_XSETREF(self->owner, Py_NewRef(owner));
    mean_clear_state(self);
    return 0;
}

static int mean_traverse(RunningMean *self, visitproc visit, void *arg) {
    Py_VISIT(self->owner);
    Py_VISIT(self->removed_end);
    Py_VISIT(self->last_end);
    Py_VISIT(self->last_point);
    if (self->ends != NULL)
        for (Py_ssize_t i = 0; i < self->period; i++) Py_VISIT(self->ends[i]);
    for (Py_ssize_t i = 0; i < OUTPUTS; i++) Py_VISIT(self->out_end[i]);
    return 0;
}

static int mean_tp_clear(RunningMean *self) {
    Py_CLEAR(self->owner);
    if (self->ends != NULL) mean_clear_state(self);
    return 0;
}

static void mean_dealloc(RunningMean *self) {
    PyObject_GC_UnTrack(self);
    mean_tp_clear(self);
    PyMem_Free(self->values);
    PyMem_Free(self->ends);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* updated = owner.updated; if updated._handlers: updated.fire(owner, owner.current) */
static int fire_updated(PyObject *owner) {
    PyObject *updated = slot_get(owner, &sma_updated);
    if (updated == NULL) return -1;
    int truth;
    if (Py_IS_TYPE(updated, hook_type)) {
        PyObject *handlers = slot_get(updated, &hook_handlers);
        truth = handlers == NULL ? -1 : PyObject_IsTrue(handlers);
    } else { /* something else took its place: ask it as Python would */
        PyObject *handlers = PyObject_GetAttrString(updated, "_handlers");
        truth = handlers == NULL ? -1 : PyObject_IsTrue(handlers);
        Py_XDECREF(handlers);
    }
    if (truth <= 0) return truth;
    Py_INCREF(updated);
    PyObject *current = PyObject_GetAttr(owner, s_current);
    PyObject *done =
        current == NULL ? NULL : PyObject_CallMethodObjArgs(updated, s_fire, owner, current, NULL);
    Py_XDECREF(current);
    Py_DECREF(updated);
    if (done == NULL) return -1;
    Py_DECREF(done);
    return 0;
}

/* push(end_time, value, point=None) */
static PyObject *mean_push(RunningMean *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs < 2 || nargs > 3) {
        PyErr_SetString(PyExc_TypeError, "push(end_time, value, point=None)");
        return NULL;
    }
    PyObject *end_time = args[0], *value = args[1], *point = nargs == 3 ? args[2] : Py_None;
    PyObject *owner = self->owner;
    if (owner == NULL || self->ends == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "RunningMean without its average");
        return NULL;
    }
    PyObject *raw = slot_get(owner, &sma_raw);
    if (raw == NULL) return NULL;
    int is_raw = PyObject_IsTrue(raw);
    if (is_raw < 0) return NULL;
    if (!is_raw)
        return PyObject_CallMethodObjArgs(owner, s_process_value, end_time, value, point, NULL);

    if (self->last_end != NULL && self->last_end != Py_None) {
        if (point != Py_None && point == self->last_point) Py_RETURN_NONE;
        if (end_time != Py_None) {
            int earlier = PyObject_RichCompareBool(end_time, self->last_end, Py_LT);
            if (earlier < 0) return NULL;
            if (earlier) Py_RETURN_NONE;
        }
    }
    double x = PyFloat_AsDouble(value);
    if (x == -1.0 && PyErr_Occurred()) return NULL;
    Py_XSETREF(self->last_end, Py_NewRef(end_time));
    Py_XSETREF(self->last_point, point == Py_None ? NULL : Py_NewRef(point));
    if (slot_increment(owner, &sma_samples) < 0) return NULL;

    Py_ssize_t period = self->period;
    double total = self->total + x;
    if (period == 0) {
        /* deque(maxlen=0) keeps nothing: len(inputs) == 0 == period, inputs[-1] fails */
        PyErr_SetString(PyExc_IndexError, "pop from an empty deque");
        return NULL;
    }
    if (self->count == period) {
        Py_ssize_t oldest = self->next; /* the slot about to be overwritten */
        Py_XSETREF(self->removed_end, self->ends[oldest]);
        self->ends[oldest] = NULL;
        self->removed_value = self->values[oldest];
        total -= self->removed_value;
    } else {
        self->count++;
    }
    self->values[self->next] = x;
    self->ends[self->next] = Py_NewRef(end_time);
    self->next = (self->next + 1) % period;
    self->total = total;

    Py_XDECREF(self->out_end[OUTPUTS - 1]);
    memmove(&self->out_end[1], &self->out_end[0], (OUTPUTS - 1) * sizeof(PyObject *));
    memmove(&self->out_total[1], &self->out_total[0], (OUTPUTS - 1) * sizeof(double));
    memmove(&self->out_count[1], &self->out_count[0], (OUTPUTS - 1) * sizeof(Py_ssize_t));
    self->out_end[0] = Py_NewRef(end_time);
    self->out_total[0] = total;
    self->out_count[0] = self->count;
    if (self->out_len < OUTPUTS) self->out_len++;
    self->unread++;
    if (fire_updated(owner) < 0) return NULL;
    Py_RETURN_NONE;
}

/* inputs() -> [(end time, value)], newest first */
static PyObject *mean_inputs(RunningMean *self, PyObject *unused) {
    PyObject *list = PyList_New(self->count);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < self->count; i++) {
        Py_ssize_t slot = (self->next - 1 - i + 2 * self->period) % self->period;
        PyObject *value = PyFloat_FromDouble(self->values[slot]);
        PyObject *pair = value == NULL ? NULL : PyTuple_Pack(2, self->ends[slot], value);
        Py_XDECREF(value);
        if (pair == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, pair);
    }
    return list;
}

static PyObject *output_tuple(RunningMean *self, Py_ssize_t i) {
    PyObject *total = PyFloat_FromDouble(self->out_total[i]);
    PyObject *count = PyLong_FromSsize_t(self->out_count[i]);
    PyObject *triple =
        (total && count) ? PyTuple_Pack(3, self->out_end[i], total, count) : NULL;
    Py_XDECREF(total);
    Py_XDECREF(count);
    return triple;
}

/* outputs() -> [(end time, sum, count)], newest first */
static PyObject *mean_outputs(RunningMean *self, PyObject *unused) {
    PyObject *list = PyList_New(self->out_len);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < self->out_len; i++) {
        PyObject *triple = output_tuple(self, i);
        if (triple == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, triple);
    }
    return list;
}

static PyObject *mean_newest(RunningMean *self, PyObject *unused) {
    if (self->out_len == 0) {
        PyErr_SetString(PyExc_IndexError, "deque index out of range");
        return NULL;
    }
    return output_tuple(self, 0);
}

/* removed() -> (end time, value) or None */
static PyObject *mean_removed(RunningMean *self, PyObject *unused) {
    if (self->removed_end == NULL) Py_RETURN_NONE;
    PyObject *value = PyFloat_FromDouble(self->removed_value);
    PyObject *pair = value == NULL ? NULL : PyTuple_Pack(2, self->removed_end, value);
    Py_XDECREF(value);
    return pair;
}

static PyObject *mean_clear(RunningMean *self, PyObject *unused) {
    mean_clear_state(self);
    Py_RETURN_NONE;
}

static PyObject *mean_get_total(RunningMean *self, void *closure) {
    return PyFloat_FromDouble(self->total);
}

static PyObject *mean_get_last_point(RunningMean *self, void *closure) {
    return Py_NewRef(self->last_point != NULL ? self->last_point : Py_None);
}

static PyObject *mean_get_unread(RunningMean *self, void *closure) {
    return PyLong_FromSsize_t(self->unread);
}

static int mean_set_unread(RunningMean *self, PyObject *value, void *closure) {
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "unread cannot be deleted");
        return -1;
    }
    Py_ssize_t unread = PyLong_AsSsize_t(value);
    if (unread == -1 && PyErr_Occurred()) return -1;
    self->unread = unread;
    return 0;
}

/* pickling and copy.deepcopy, as the Python class allows: the state as Python values */
static PyObject *mean_reduce(RunningMean *self, PyObject *unused) {
    PyObject *inputs = mean_inputs(self, NULL);
    PyObject *outputs = inputs == NULL ? NULL : mean_outputs(self, NULL);
    PyObject *removed = outputs == NULL ? NULL : mean_removed(self, NULL);
    PyObject *state = removed == NULL
                          ? NULL
                          : Py_BuildValue("(dOOOOOn)", self->total, inputs, removed,
                                          self->last_end ? self->last_end : Py_None,
                                          self->last_point ? self->last_point : Py_None,
                                          outputs, self->unread);
    Py_XDECREF(inputs);
    Py_XDECREF(outputs);
    Py_XDECREF(removed);
    if (state == NULL) return NULL;
    PyObject *owner = self->owner != NULL ? self->owner : Py_None;
    return Py_BuildValue("(O(On)N)", (PyObject *)Py_TYPE(self), owner, self->period, state);
}

static PyObject *mean_setstate(RunningMean *self, PyObject *state) {
    double total;
    PyObject *inputs, *removed, *last_end, *last_point, *outputs;
    Py_ssize_t unread;
    if (!PyArg_ParseTuple(state, "dO!OOOO!n:__setstate__", &total, &PyList_Type, &inputs,
                          &removed, &last_end, &last_point, &PyList_Type, &outputs, &unread))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(inputs), out_len = PyList_GET_SIZE(outputs);
    if (self->ends == NULL || count > self->period || out_len > OUTPUTS) {
        PyErr_SetString(PyExc_ValueError, "RunningMean state does not fit its period");
        return NULL;
    }
    mean_clear_state(self);
    for (Py_ssize_t i = count - 1; i >= 0; i--) { /* oldest first into the ring */
        PyObject *end_time, *value;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(inputs, i), "OO", &end_time, &value)) return NULL;
        double x = PyFloat_AsDouble(value);
        if (x == -1.0 && PyErr_Occurred()) return NULL;
        self->values[self->next] = x;
        self->ends[self->next] = Py_NewRef(end_time);
        self->next = (self->next + 1) % self->period;
        self->count++;
    }
    for (Py_ssize_t i = 0; i < out_len; i++) {
        PyObject *end_time;
        double sum;
        Py_ssize_t n;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(outputs, i), "Odn", &end_time, &sum, &n))
            return NULL;
        self->out_end[i] = Py_NewRef(end_time);
        self->out_total[i] = sum;
        self->out_count[i] = n;
        self->out_len++;
    }
    if (removed != Py_None) {
        PyObject *end_time;
        if (!PyArg_ParseTuple(removed, "Od", &end_time, &self->removed_value)) return NULL;
        self->removed_end = Py_NewRef(end_time);
    }
    self->total = total;
    self->last_end = Py_NewRef(last_end);
    self->last_point = last_point == Py_None ? NULL : Py_NewRef(last_point);
    self->unread = unread;
    Py_RETURN_NONE;
}

static PyMethodDef mean_methods[] = {
    {"push", (PyCFunction)(void (*)(void))mean_push, METH_FASTCALL,
     "push(end_time, value, point=None): one input without a symbol."},
    {"inputs", (PyCFunction)mean_inputs, METH_NOARGS, "The kept inputs, newest first."},
    {"outputs", (PyCFunction)mean_outputs, METH_NOARGS, "The newest outputs, newest first."},
    {"newest", (PyCFunction)mean_newest, METH_NOARGS, "The newest output."},
    {"removed", (PyCFunction)mean_removed, METH_NOARGS, "The input that last fell off."},
    {"clear", (PyCFunction)mean_clear, METH_NOARGS, "Back to the state of a new average."},
    {"__reduce__", (PyCFunction)mean_reduce, METH_NOARGS, "For pickle and copy."},
    {"__setstate__", (PyCFunction)mean_setstate, METH_O, "For pickle and copy."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef mean_getset[] = {
    {"total", (getter)mean_get_total, NULL, "The running sum.", NULL},
    {"last_point", (getter)mean_get_last_point, NULL, "The newest input's point, or None.", NULL},
    {"unread", (getter)mean_get_unread, (setter)mean_set_unread, "Outputs not yet read.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject RunningMeanType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "backtesting.engine.indicators._fastsma.RunningMean",
    .tp_doc = "running_mean.RunningMean in C.",
    .tp_basicsize = sizeof(RunningMean),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)mean_init,
    .tp_dealloc = (destructor)mean_dealloc,
    .tp_traverse = (traverseproc)mean_traverse,
    .tp_clear = (inquiry)mean_tp_clear,
    .tp_methods = mean_methods,
    .tp_getset = mean_getset,
};

/* ------------------------------------------------- SimpleMovingAverage's reads */

/* RollingWindow.add(point), as the Python property inlines it */
static int window_add(PyObject *window, PyObject *point) {
    if (slot_increment(window, &window_samples) < 0) return -1;
    PyObject *items = slot_get(window, &window_items);
    PyObject *size = items == NULL ? NULL : slot_get(window, &window_size);
    if (size == NULL) return -1;
    Py_ssize_t held = PySequence_Size(items);
    if (held < 0) return -1;
    Py_ssize_t limit = PyLong_AsSsize_t(size);
    if (limit == -1 && PyErr_Occurred()) return -1;
    Py_INCREF(items);
    int rc = -1;
    if (held == limit) {
        PyObject *oldest = PySequence_GetItem(items, -1);
        if (oldest == NULL) goto done;
        slot_set(window, &window_removed, oldest);
        Py_DECREF(oldest);
    }
    PyObject *appended = PyObject_CallMethodOneArg(items, s_appendleft, point);
    if (appended == NULL) goto done;
    Py_DECREF(appended);
    rc = 0;
done:
    Py_DECREF(items);
    return rc;
}

/* SimpleMovingAverage.current */
static PyObject *sma_current_get(PyObject *sma) {
    PyObject *mean_obj = slot_get(sma, &sma_mean);
    if (mean_obj == NULL) return NULL;
    if (!Py_IS_TYPE(mean_obj, &RunningMeanType) || ((RunningMean *)mean_obj)->unread == 0) {
        PyObject *current = slot_get(sma, &sma_current);
        return current == NULL ? NULL : Py_NewRef(current);
    }
    RunningMean *mean = (RunningMean *)Py_NewRef(mean_obj);
    Py_ssize_t unread = mean->unread;
    mean->unread = 0;
    PyObject *point = NULL, *value = NULL;
    PyObject *window = slot_get(sma, &sma_window);
    if (window == NULL) goto fail;
    if (!PyObject_TypeCheck(window, window_type)) {
        PyErr_SetString(PyExc_TypeError, "an SMA's window must be a RollingWindow");
        window = NULL;
        goto fail;
    }
    Py_INCREF(window);
    if (unread > 1) {
        PyObject *older = PyLong_FromSsize_t(unread - 1);
        PyObject *done = older == NULL ? NULL
                                       : PyObject_CallMethodObjArgs(sma, s_add_older_points,
                                                                    window, older, NULL);
        Py_XDECREF(older);
        if (done == NULL) goto fail;
        Py_DECREF(done);
    }
    if (mean->out_len == 0) {
        PyErr_SetString(PyExc_IndexError, "deque index out of range");
        goto fail;
    }
    /* total / count: Python's float / int divides the two as doubles */
    value = PyFloat_FromDouble(mean->out_total[0] / (double)mean->out_count[0]);
    if (value == NULL) goto fail;
    point = PyBaseObject_Type.tp_new(point_type, no_arguments, NULL);
    if (point == NULL) goto fail;
    slot_set(point, &point_symbol, Py_None);
    slot_set(point, &point_time, mean->out_end[0]);
    slot_set(point, &point_end_time, mean->out_end[0]);
    slot_set(point, &point_value, value);
    slot_set(point, &point_is_fill_forward, Py_False);
    Py_CLEAR(value);
    slot_set(sma, &sma_current, point);
    if (window_add(window, point) < 0) goto fail;
    Py_DECREF(window);
    Py_DECREF(mean);
    return point;
fail:
    Py_XDECREF(value);
    Py_XDECREF(point);
    Py_XDECREF(window);
    Py_DECREF(mean);
    return NULL;
}

/* SimpleMovingAverage.is_ready */
static PyObject *sma_is_ready_get(PyObject *sma) {
    PyObject *raw = slot_get(sma, &sma_raw);
    if (raw == NULL) return NULL;
    int is_raw = PyObject_IsTrue(raw);
    if (is_raw < 0) return NULL;
    PyObject *have, *need;
    if (is_raw) { /* every accepted input is in the window */
        have = slot_get(sma, &sma_samples);
        need = have == NULL ? NULL : slot_get(sma, &sma_period);
    } else { /* the input window's own count */
        PyObject *inputs = slot_get(sma, &sma_inputs);
        if (inputs == NULL) return NULL;
        if (!PyObject_TypeCheck(inputs, window_type)) {
            PyErr_SetString(PyExc_TypeError, "an SMA's inputs must be a RollingWindow");
            return NULL;
        }
        have = slot_get(inputs, &window_samples);
        need = have == NULL ? NULL : slot_get(inputs, &window_size);
    }
    return need == NULL ? NULL : PyObject_RichCompare(have, need, Py_GE);
}

/* a property without a setter, whose getter is one of the above */
typedef struct {
    PyObject_HEAD
    PyObject *(*get)(PyObject *);
    const char *name;
} Read;

static PyObject *read_get(PyObject *self, PyObject *instance, PyObject *owner) {
    if (instance == NULL || instance == Py_None) return Py_NewRef(self);
    if (!PyObject_TypeCheck(instance, sma_type)) {
        PyErr_Format(PyExc_TypeError, "'%s' is not a SimpleMovingAverage",
                     Py_TYPE(instance)->tp_name);
        return NULL;
    }
    return ((Read *)self)->get(instance);
}

static int read_set(PyObject *self, PyObject *instance, PyObject *value) {
    PyErr_Format(PyExc_AttributeError, "property '%s' of '%s' object has no %s",
                 ((Read *)self)->name, Py_TYPE(instance)->tp_name,
                 value == NULL ? "deleter" : "setter");
    return -1;
}

static PyTypeObject ReadType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "backtesting.engine.indicators._fastsma.Read",
    .tp_doc = "A read-only property computed in C.",
    .tp_basicsize = sizeof(Read),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_descr_get = read_get,
    .tp_descr_set = read_set,
};

static PyObject *new_read(PyObject *(*get)(PyObject *), const char *name) {
    Read *read = PyObject_New(Read, &ReadType);
    if (read == NULL) return NULL;
    read->get = get;
    read->name = name;
    return (PyObject *)read;
}

static int find_slot(PyTypeObject *cls, Slot *slot) {
    PyObject *descriptor = PyObject_GetAttrString((PyObject *)cls, slot->name);
    if (descriptor == NULL) return -1;
    int ok = Py_IS_TYPE(descriptor, &PyMemberDescr_Type) &&
             ((PyMemberDescrObject *)descriptor)->d_member->type == T_OBJECT_EX;
    if (ok) slot->offset = ((PyMemberDescrObject *)descriptor)->d_member->offset;
    Py_DECREF(descriptor);
    if (!ok) PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", cls->tp_name, slot->name);
    return ok ? 0 : -1;
}

/* reads(SimpleMovingAverage, RollingWindow, EventHook, IndicatorDataPoint)
 *   -> (current, is_ready) descriptors for SimpleMovingAverage */
static PyObject *reads(PyObject *module, PyObject *args) {
    PyTypeObject *sma, *window, *hook, *point;
    if (!PyArg_ParseTuple(args, "O!O!O!O!:reads", &PyType_Type, &sma, &PyType_Type, &window,
                          &PyType_Type, &hook, &PyType_Type, &point))
        return NULL;
    Slot *of_sma[] = {&sma_raw, &sma_samples, &sma_updated, &sma_mean,
                      &sma_current, &sma_window, &sma_period, &sma_inputs};
    Slot *of_window[] = {&window_items, &window_samples, &window_size, &window_removed};
    Slot *of_point[] = {&point_symbol, &point_time, &point_end_time, &point_value,
                        &point_is_fill_forward};
    for (size_t i = 0; i < sizeof(of_sma) / sizeof(*of_sma); i++)
        if (find_slot(sma, of_sma[i]) < 0) return NULL;
    for (size_t i = 0; i < sizeof(of_window) / sizeof(*of_window); i++)
        if (find_slot(window, of_window[i]) < 0) return NULL;
    for (size_t i = 0; i < sizeof(of_point) / sizeof(*of_point); i++)
        if (find_slot(point, of_point[i]) < 0) return NULL;
    if (find_slot(hook, &hook_handlers) < 0) return NULL;
    Py_XSETREF(sma_type, (PyTypeObject *)Py_NewRef(sma));
    Py_XSETREF(window_type, (PyTypeObject *)Py_NewRef(window));
    Py_XSETREF(hook_type, (PyTypeObject *)Py_NewRef(hook));
    Py_XSETREF(point_type, (PyTypeObject *)Py_NewRef(point));
    PyObject *current = new_read(sma_current_get, "current");
    PyObject *is_ready = new_read(sma_is_ready_get, "is_ready");
    PyObject *pair = (current && is_ready) ? PyTuple_Pack(2, current, is_ready) : NULL;
    Py_XDECREF(current);
    Py_XDECREF(is_ready);
    return pair;
}

static PyMethodDef module_methods[] = {
    {"reads", reads, METH_VARARGS,
     "reads(SimpleMovingAverage, RollingWindow, EventHook, IndicatorDataPoint) -> (current, "
     "is_ready) descriptors for SimpleMovingAverage."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastsma", "The simple moving average's per-bar path in C.", -1,
    module_methods,
};

#define INTERN(var, text) \
    if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL

PyMODINIT_FUNC PyInit__fastsma(void) {
    if (PyType_Ready(&RunningMeanType) < 0 || PyType_Ready(&ReadType) < 0) return NULL;
    if ((no_arguments = PyTuple_New(0)) == NULL) return NULL;
    INTERN(s_current, "current");
    INTERN(s_fire, "fire");
    INTERN(s_process_value, "_process_value");
    INTERN(s_add_older_points, "_add_older_points");
    INTERN(s_appendleft, "appendleft");
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddObjectRef(m, "RunningMean", (PyObject *)&RunningMeanType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
