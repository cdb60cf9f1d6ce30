#!/bin/sh
# Prepare a Debian machine for backtesting.sandbox's layers. Idempotent, never fails hard:
# every step that cannot be done is printed and skipped, because the sandbox degrades to the
# layers that remain (resource limits and the wall-clock kill always work).
#
#   bubblewrap      -> the "bubblewrap" layer (mount/pid/net namespaces, read-only binds)
#   user `sandbox`  -> the "user" layer (each job drops to this real, unprivileged host uid)
#   libseccomp2     -> the "seccomp" layer (PyPI pyseccomp is a ctypes wrapper around it)
#
# The interpreter may live under /root (pyenv), which uid `sandbox` cannot traverse. We do
# NOT chmod /root: inside bubblewrap the interpreter is bind-mounted under directories that
# bubblewrap creates world-traversable, and without bubblewrap the sandbox skips the user
# layer when the interpreter is unreachable (and says so in the backtest log).

say() { printf 'provision_sandbox: %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        say "not root and no passwordless sudo: cannot install packages or create users; skipping"
        exit 0
    fi
fi

apt_install() {
    # $1 = command or file that proves the package is present, $2 = package
    if [ -e "$1" ] || command -v "$1" >/dev/null 2>&1; then
        say "$2 already present"
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "no apt-get: cannot install $2 (layer will be skipped)"
        return 0
    fi
    if [ -z "$APT_UPDATED" ]; then
        $SUDO apt-get update -qq >/dev/null 2>&1 || say "apt-get update failed (trying install anyway)"
        APT_UPDATED=1
    fi
    if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1; then
        say "installed $2"
    else
        say "could not install $2 (layer will be skipped)"
    fi
}

apt_install bwrap bubblewrap
apt_install /usr/lib/x86_64-linux-gnu/libseccomp.so.2 libseccomp2
apt_install setpriv util-linux

if id sandbox >/dev/null 2>&1; then
    say "user sandbox already exists ($(id sandbox))"
elif command -v useradd >/dev/null 2>&1; then
    if $SUDO useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin sandbox; then
        say "created user sandbox ($(id sandbox))"
    else
        say "could not create user sandbox (user layer will be skipped)"
    fi
else
    say "no useradd: cannot create user sandbox (user layer will be skipped)"
fi

# Check that bubblewrap can create namespaces here (containers may forbid it).
if command -v bwrap >/dev/null 2>&1; then
    if $SUDO bwrap --ro-bind / / --unshare-net --unshare-pid --die-with-parent true 2>/dev/null; then
        say "bubblewrap works"
    else
        say "bubblewrap is installed but cannot create namespaces here (layer will be skipped)"
    fi
fi
exit 0
