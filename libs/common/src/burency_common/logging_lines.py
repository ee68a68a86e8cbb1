"""Where rendered log lines go: standard error, once per event-loop iteration.

A serving process writes at least one line per request (the access log). Written one
by one, each line is a ``write`` system call, and every call releases the interpreter
lock and takes it back: under load the event loop then waits for the lock behind the
engine and database threads once per request, and the order benchmark measured ~15 %
more CPU per order that way (``docs/trading/performance.md``). So a line written on a
thread that runs an event loop is kept until the end of the loop's current iteration
and written together with the others of that iteration, in order; a line written
anywhere else (no running loop: start-up, the CLI, worker threads) is written at once.

Nothing is lost at a normal exit: the pending lines of every thread are written at
exit (``atexit``), and a forked child forgets its parent's. A process killed outright
(SIGKILL) loses at most the lines of the iteration it was in. Standard-library
``logging`` records go through the same writer (:class:`LineHandler`), so the two
kinds of lines stay in the order they were written.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import sys
import threading

__all__ = ["LineHandler", "flush_lines", "start_line_writer", "write_line"]

_lock = threading.Lock()
_pending_by_thread: list[list[str]] = []  # each loop thread's pending lines
_local = threading.local()
_started = False


def _write_now(text: str) -> None:
    stream = sys.stderr  # looked up per write: a test runner may have swapped it
    stream.write(text)
    stream.flush()


def _flush(pending: list[str]) -> None:
    if not pending:
        return
    text = "".join(pending)
    pending.clear()
    try:
        _write_now(text)
    except (OSError, ValueError):  # stderr closed or gone: nowhere left to say so
        return


def write_line(message: str) -> None:
    """Write one rendered line (without its newline) to standard error."""
    loop = asyncio._get_running_loop()
    if loop is None or not _started:
        _write_now(message + "\n")
        return
    pending: list[str] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = []
        with _lock:
            _pending_by_thread.append(pending)
    if not pending:
        loop.call_soon(_flush, pending)  # after the callbacks this iteration runs
    pending.append(message + "\n")


def flush_lines() -> None:
    """Write every thread's pending lines now (at exit; tests reading stderr)."""
    with _lock:
        pendings = list(_pending_by_thread)
    for pending in pendings:
        _flush(pending)


def _forget_in_child() -> None:
    global _pending_by_thread, _local  # noqa: PLW0603 - the child's own, empty state
    _pending_by_thread = []
    _local = threading.local()


def start_line_writer() -> None:
    """Batch the lines of event-loop threads from now on (idempotent; called by
    ``configure_logging``, so only serving processes batch)."""
    global _started  # noqa: PLW0603 - once per process
    if _started:
        return
    _started = True
    atexit.register(flush_lines)
    if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
        os.register_at_fork(after_in_child=_forget_in_child)


class LineHandler(logging.Handler):
    """A standard-library handler writing its formatted records with :func:`write_line`."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            write_line(self.format(record))
        except Exception:
            self.handleError(record)
