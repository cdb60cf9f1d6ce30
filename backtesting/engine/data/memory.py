"""Give freed heap memory back to the operating system after bulk loading.

Price files are parsed one day at a time: thousands of small arrays that glibc keeps in
its heap after they are freed, so a process that loaded a million bars stays ~100 MB
larger than the data it holds. ``malloc_trim`` returns those pages; elsewhere (macOS,
musl) it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _libc() -> Any:
    # Inside the sandbox find_library (it writes a temporary file) and dlopen are refused
    # with PermissionError: trimming is then skipped, never the run failed.
    try:
        name = ctypes.util.find_library("c")
        if not name:
            return None
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_freed_memory() -> None:
    """Return free heap pages to the OS (glibc only)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
