"""The seccomp layer: system calls an algorithm never needs fail with EPERM.

EPERM (not SIGSYS) so the user sees a readable ``PermissionError`` from Python; numpy,
pandas and ``threading`` keep working because thread creation (``clone`` with
``CLONE_THREAD``) stays allowed. Loaded in the child after the interpreter started, so
the forkserver's own ``execve`` is never affected.
"""

from __future__ import annotations

import errno
import os

#: denied outright: networking, new programs, debugging, namespaces, kernel attack surface
DENIED_SYSCALLS = (
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "execve",
    "execveat",
    "fork",
    "vfork",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "unshare",
    "setns",
    "chroot",
    "pivot_root",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "io_uring_setup",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "tkill",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "process_madvise",
    "kcmp",
)

_CLONE_THREAD = 0x00010000


def load_filter() -> None:
    """Install the filter on the calling process (irreversible; sets no_new_privs).

    Raises ImportError/RuntimeError when pyseccomp or libseccomp is missing, OSError when
    the kernel refuses; the caller reports the layer as skipped.
    """
    import pyseccomp as sc

    deny = sc.ERRNO(errno.EPERM)
    me = os.getpid()
    f = sc.SyscallFilter(defaction=sc.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            f.add_rule(deny, name)
        except (ValueError, RuntimeError, OSError):
            continue  # unknown to this libseccomp (older than the syscall): nothing to deny
    # clone without CLONE_THREAD is a new process (fork, posix_spawn, subprocess).
    f.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, _CLONE_THREAD, 0))
    # glibc falls back to clone when clone3 is unknown; clone3 flags sit in memory we cannot inspect.
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    # Signals only to ourselves: other jobs may run under the same uid.
    f.add_rule(deny, "kill", sc.Arg(0, sc.NE, me))
    f.add_rule(deny, "tgkill", sc.Arg(0, sc.NE, me))
    f.load()
