"""No test leaves a process behind: a session-wide reaper for every process a test started.

Tests start real servers (``burency serve gateway``, ``burency up``, test upstreams,
relays they then SIGKILL). A test that fails between ``Popen`` and its ``finally``, a
fixture that errors during set-up, or a timeout would leave them running after pytest
exits: on CI they hold ports and CPU for the next run, and locally they pile up.

Two Linux mechanisms make the sweep complete without any test's cooperation:

* at session start pytest becomes a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``),
  so a grandchild whose parent died is re-parented to pytest, not to init, and stays
  visible as a descendant;
* at session end every descendant still alive is sent SIGTERM, then SIGKILL after a grace
  period, and the run prints what it had to reap (that is a teardown bug to fix).

The process tree is read from ``/proc``; no third-party package is needed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LeftoverProcess", "become_subreaper", "descendants", "reap_descendants"]

_PR_SET_CHILD_SUBREAPER = 36
_PROC = Path("/proc")


@dataclass(frozen=True)
class LeftoverProcess:
    pid: int
    command: str


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux); False where the kernel does not offer it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, int]:
    table: dict[int, int] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited while we looked
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry.name)] = int(fields[1])
    return table


def descendants(root: int | None = None) -> list[LeftoverProcess]:
    """Every live descendant of ``root`` (default: this process), zombies excluded."""
    root = os.getpid() if root is None else root
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found: list[LeftoverProcess] = []
    pending = list(children.get(root, ()))
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, ()))
        command = _command(pid)
        if command is not None:
            found.append(LeftoverProcess(pid, command))
    return found


def _command(pid: int) -> str | None:
    """The command line of a live process; None for a zombie or one already gone."""
    try:
        if (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return None
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:200]


def _signal_all(pids: Iterable[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # exited meanwhile
            os.kill(pid, signum)


def _collect_zombies() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def reap_descendants(grace_s: float = 5.0) -> list[LeftoverProcess]:
    """Stop every descendant still running: SIGTERM, then SIGKILL after ``grace_s``."""
    leftovers = descendants()
    if not leftovers:
        return []
    _signal_all((p.pid for p in leftovers), signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while (alive := descendants()) and time.monotonic() < deadline:
        _collect_zombies()
        time.sleep(0.05)  # polling the process table with a deadline
    _signal_all((p.pid for p in alive), signal.SIGKILL)
    _collect_zombies()
    return leftovers
