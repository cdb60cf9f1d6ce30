/* The numeric CSV parser behind readers._parse_numeric (LEAN's minute and second files).
 *
 * Loading is about a third of a do-nothing minute backtest and numpy's text parser half
 * of that; this one reads the rows in one pass. It accepts only what LEAN writes: rows of
 * exactly `ncols` fields, each an optionally signed decimal (digits, at most one point) or
 * empty (an absent quote side, NaN). Anything else returns None and the caller takes the
 * general path, so the two can never disagree on a file they both accept.
 *
 * A value whose digits fit in 2^53 with at most 22 decimals is computed exactly as
 * digits / 10^decimals: both are exact doubles, so the one IEEE division rounds correctly,
 * as strtod does. A longer value sends the text to the general path too.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static const double POW10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};
#define EXACT_DIGITS_LIMIT (UINT64_C(1) << 53)

/* Parses one field starting at *at (before end); stops on ',', '\n', '\r' or end.
 * Returns 0 and stores the value, or -1 when the field is not a plain decimal. */
static int parse_field(const char **at, const char *end, double *out) {
    const char *p = *at;
    const char *start = p;
    int negative = 0;
    if (p < end && (*p == '-' || *p == '+')) {
        negative = (*p == '-');
        p++;
    }
    uint64_t digits = 0;
    int decimals = 0, seen_digit = 0, seen_point = 0;
    for (; p < end; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            seen_digit = 1;
            digits = digits * 10 + (uint64_t)(c - '0'); /* < 2^57: no overflow */
            if (digits > EXACT_DIGITS_LIMIT) return -1; /* not exact in a double */
            if (seen_point && ++decimals > 22) return -1;
        } else if (c == '.' && !seen_point) {
            seen_point = 1;
        } else if (c == ',' || c == '\n' || c == '\r') {
            break;
        } else {
            return -1;
        }
    }
    if (!seen_digit) {
        if (p == start) { /* an empty field */
            *out = NAN;
            *at = p;
            return 0;
        }
        return -1; /* a lone sign or point */
    }
    double value = (double)digits / POW10[decimals];
    *out = negative && digits ? -value : value;
    *at = p;
    return 0;
}

/* parse(text, ncols) -> bytearray of float64 (rows x ncols, C order) or None */
static PyObject *parse(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t ncols;
    if (!PyArg_ParseTuple(args, "y*n", &view, &ncols)) return NULL;
    const char *p = (const char *)view.buf;
    const char *end = p + view.len;
    /* the caller strips; tolerate trailing line ends anyway */
    while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ')) end--;
    if (ncols <= 0 || p == end) {
        PyBuffer_Release(&view);
        Py_RETURN_NONE;
    }
    Py_ssize_t lines = 1;
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++) lines++;
    PyObject *result = PyByteArray_FromStringAndSize(NULL, lines * ncols * (Py_ssize_t)sizeof(double));
    if (result == NULL) {
        PyBuffer_Release(&view);
        return NULL;
    }
    double *out = (double *)PyByteArray_AS_STRING(result);
    Py_ssize_t rows = 0;
    int ok = 1;
    Py_BEGIN_ALLOW_THREADS
    while (p < end) {
        for (Py_ssize_t col = 0; col < ncols; col++) {
            if (parse_field(&p, end, out++) < 0) {
                ok = 0;
                break;
            }
            if (col + 1 < ncols) {
                if (p >= end || *p != ',') {
                    ok = 0; /* too few fields */
                    break;
                }
                p++;
            }
        }
        if (!ok) break;
        if (p < end && *p == '\r') p++;
        if (p < end) {
            if (*p != '\n') {
                ok = 0; /* too many fields */
                break;
            }
            p++;
            if (p == end || *p == '\n' || *p == '\r') {
                ok = 0; /* an empty line: not a plain file */
                break;
            }
        }
        rows++;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (!ok) {
        Py_DECREF(result);
        Py_RETURN_NONE;
    }
    if (rows != lines && PyByteArray_Resize(result, rows * ncols * (Py_ssize_t)sizeof(double)) < 0) {
        Py_DECREF(result);
        return NULL;
    }
    return result;
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS,
     "parse(text, ncols) -> bytearray of float64 rows, or None when the text is not "
     "rows of exactly ncols plain decimal (or empty) fields."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastcsv", "LEAN's numeric CSV rows as float64.", -1, methods,
};

PyMODINIT_FUNC PyInit__fastcsv(void) { return PyModule_Create(&module); }
