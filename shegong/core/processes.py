"""Running work in a child process, so that a crash there (an abort in a native library, a
MemoryError, the kernel's out-of-memory kill) ends the child, not the process that waits."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from typing import Any

from django.db import connections


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run_in_child(target: Callable[..., Any], *args: Any, close_connections: bool = True) -> int:
    """Run `target(*args)` in a forked process and return its exit code: 0 when it returned,
    1 when it raised, minus the signal number when a signal ended it (-6 abort, -9 kill).
    The child opens its own database connections (one must not cross a fork). If the waiting
    process is itself interrupted, the child is stopped first."""
    if close_connections:
        connections.close_all()
    # Not a daemon: the import forks row-checking processes of its own.
    process = multiprocessing.get_context("fork").Process(target=target, args=args)
    process.start()
    try:
        process.join()
    except BaseException:
        process.terminate()
        process.join()
        raise
    return process.exitcode if process.exitcode is not None else -signal.SIGKILL


def describe_exit(code: int) -> str:
    """`代码 1`, or `信号 SIGABRT` for a process a signal ended."""
    if code < 0:
        try:
            return f"信号 {signal.Signals(-code).name}"
        except ValueError:
            return f"信号 {-code}"
    return f"代码 {code}"
