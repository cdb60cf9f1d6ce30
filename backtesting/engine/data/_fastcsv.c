/* The numeric CSV parser behind readers._parse_numeric (LEAN's minute and second files)
 * and readers._read_dated_compiled (daily and hour files, whose first field is a time).
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

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits_at(const char *p, int n, int *out) {
    int value = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        value = value * 10 + (p[i] - '0');
    }
    *out = value;
    return 0;
}

/* A daily/hour file's first field, "YYYYMMDD HH:MM", as seconds since the epoch; -1 for
 * anything else (pandas' to_datetime with that format refuses it too, or reads it the
 * same way: the caller's general path decides). */
static int parse_stamp(const char **at, const char *end, double *out) {
    const char *p = *at;
    int year, month, day, hour, minute;
    if (end - p < 14 || p[8] != ' ' || p[11] != ':' || digits_at(p, 4, &year) < 0 ||
        digits_at(p + 4, 2, &month) < 0 || digits_at(p + 6, 2, &day) < 0 ||
        digits_at(p + 9, 2, &hour) < 0 || digits_at(p + 12, 2, &minute) < 0)
        return -1;
    static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
        (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59)
        return -1;
    p += 14;
    if (p < end && *p != ',' && *p != '\n' && *p != '\r') return -1;
    *out = (double)(days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60);
    *at = p;
    return 0;
}

/* Rows of exactly `ncols` fields into `out`; the first field a stamp when `dated`.
 * Returns the row count, or -1 when the text is not such rows. */
static Py_ssize_t parse_rows(const char *p, const char *end, Py_ssize_t ncols, double *out,
                             int dated) {
    Py_ssize_t rows = 0;
    while (p < end) {
        for (Py_ssize_t col = 0; col < ncols; col++) {
            int rc = (dated && col == 0) ? parse_stamp(&p, end, out++) : parse_field(&p, end, out++);
            if (rc < 0) return -1;
            if (col + 1 < ncols) {
                if (p >= end || *p != ',') return -1; /* too few fields */
                p++;
            }
        }
        if (p < end && *p == '\r') p++;
        if (p < end) {
            if (*p != '\n') return -1; /* too many fields */
            p++;
            if (p == end || *p == '\n' || *p == '\r') return -1; /* an empty line */
        }
        rows++;
    }
    return rows;
}

static PyObject *parse_text(PyObject *args, int dated) {
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
    Py_ssize_t rows;
    Py_BEGIN_ALLOW_THREADS
    rows = parse_rows(p, end, ncols, out, dated);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (rows < 0) {
        Py_DECREF(result);
        Py_RETURN_NONE;
    }
    if (rows != lines && PyByteArray_Resize(result, rows * ncols * (Py_ssize_t)sizeof(double)) < 0) {
        Py_DECREF(result);
        return NULL;
    }
    return result;
}

/* parse(text, ncols) -> bytearray of float64 (rows x ncols, C order) or None */
static PyObject *parse(PyObject *self, PyObject *args) { return parse_text(args, 0); }

/* parse_dated(text, ncols): the same, with "YYYYMMDD HH:MM" first fields as epoch seconds */
static PyObject *parse_dated(PyObject *self, PyObject *args) { return parse_text(args, 1); }

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS,
     "parse(text, ncols) -> bytearray of float64 rows, or None when the text is not "
     "rows of exactly ncols plain decimal (or empty) fields."},
    {"parse_dated", parse_dated, METH_VARARGS,
     "parse_dated(text, ncols): as parse, with a first field \"YYYYMMDD HH:MM\" read as "
     "seconds since the epoch (a daily or hour file)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastcsv", "LEAN's numeric CSV rows as float64.", -1, methods,
};

PyMODINIT_FUNC PyInit__fastcsv(void) { return PyModule_Create(&module); }
