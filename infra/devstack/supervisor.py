"""A small process supervisor: start named processes, prefix their logs, wait, stop them.

`make run` and the end-to-end tests use it to run the whole system as real processes.
Each child runs in its own process group, so stopping it also stops whatever it forked
(Celery's pool processes, for instance). A child that dies is reported, never restarted:
a supervisor that silently restarts things hides the very faults we want to see.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

import httpx


class ProcessDiedError(RuntimeError):
    """A supervised process exited while we waited for it."""


@dataclass(frozen=True)
class ProcessSpec:
    """How to run one process: its command, extra environment and readiness probe."""

    name: str
    argv: list[str]
    env: Mapping[str, str] = field(default_factory=dict)
    ready_url: str | None = None
    """An HTTP URL that answers 200 once the process is ready to serve."""


@dataclass
class _Child:
    spec: ProcessSpec
    process: subprocess.Popen[bytes]
    pump: threading.Thread
    stopping: bool = False
    reported: bool = False


class Supervisor:
    """Runs a set of named processes and stops every one of them on `stop_all`.

    `base_env` is the environment every child gets (each spec adds its own on top);
    children's output lines go to `log` prefixed with their name.
    """

    def __init__(
        self,
        base_env: Mapping[str, str],
        *,
        log: TextIO = sys.stdout,
        cwd: Path | None = None,
        stop_timeout: float = 15.0,
    ) -> None:
        self._base_env = dict(base_env)
        self._log = log
        self._cwd = cwd
        self._stop_timeout = stop_timeout
        self._specs: dict[str, ProcessSpec] = {}
        self._children: dict[str, _Child] = {}
        self._log_lock = threading.Lock()
        self._width = 12

    # --- the set of processes ---------------------------------------------------------

    def add(self, spec: ProcessSpec) -> None:
        """Make `spec` known under its name (it does not start yet)."""
        if spec.name in self._specs:
            raise ValueError(f"a process named {spec.name!r} is already known")
        self._specs[spec.name] = spec
        self._width = max(self._width, len(spec.name))

    @property
    def names(self) -> list[str]:
        """Every known process, in the order they were added."""
        return list(self._specs)

    def is_running(self, name: str) -> bool:
        """Whether the process is started and has not exited."""
        child = self._children.get(name)
        return child is not None and child.process.poll() is None

    def pid(self, name: str) -> int:
        """The process id of a running process."""
        return self._children[name].process.pid

    # --- starting and stopping ----------------------------------------------------------

    def start(self, name: str, *, env: Mapping[str, str] | None = None) -> None:
        """Start one known process (again, if it was stopped).

        `env` adds to the spec's environment for this start only (a fault test may want a
        process to run with, say, a shorter timeout).
        """
        if self.is_running(name):
            raise RuntimeError(f"{name} is already running")
        spec = self._specs[name]
        process = subprocess.Popen(
            spec.argv,
            env={**self._base_env, **spec.env, **(env or {})},
            cwd=self._cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own process group: a terminal's Ctrl-C reaches only us, and stopping
            # the group also stops the children it forked.
            start_new_session=True,
        )
        assert process.stdout is not None
        pump = threading.Thread(
            target=self._pump, args=(name, process.stdout), name=f"log-{name}", daemon=True
        )
        pump.start()
        self._children[name] = _Child(spec=spec, process=process, pump=pump)
        self.say(f"started {name} (pid {process.pid})")

    def start_all(self, names: Iterable[str] | None = None) -> None:
        """Start the given processes (all known ones by default), in order."""
        for name in self._specs if names is None else names:
            self.start(name)

    def stop(self, name: str, *, timeout: float | None = None) -> int | None:
        """Stop one process and everything in its process group; returns its exit code.

        SIGTERM first (uvicorn and Celery shut down gracefully on it), SIGKILL for
        whatever is left after `timeout` seconds.
        """
        if name not in self._children:
            return None
        self._terminate(name)
        return self._await_exit(name, self._stop_timeout if timeout is None else timeout)

    def kill(self, name: str) -> int | None:
        """SIGKILL one process and its group at once, as a crash or an OOM kill would."""
        child = self._children.get(name)
        if child is None:
            return None
        child.stopping = True
        _signal_group(child.process.pid, signal.SIGKILL)
        return self._await_exit(name, self._stop_timeout)

    def stop_all(self) -> None:
        """Stop every running process: all are told at once, then each is waited for."""
        names = list(reversed(self._children))
        for name in names:
            self._terminate(name)
        for name in names:
            code = self._await_exit(name, self._stop_timeout)
            self.say(f"stopped {name} (exit code {code})")

    def _terminate(self, name: str) -> None:
        child = self._children[name]
        child.stopping = True
        _signal_group(child.process.pid, signal.SIGTERM)

    def _await_exit(self, name: str, timeout: float) -> int:
        child = self._children[name]
        process = child.process
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.say(f"{name} did not stop within {timeout:.0f}s; killing it")
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        _reap_group(process.pid, grace=timeout)
        child.pump.join(2)
        del self._children[name]
        return process.returncode

    # --- watching -----------------------------------------------------------------------

    def wait_ready(self, names: Iterable[str] | None = None, *, timeout: float = 90.0) -> None:
        """Wait until every given process (all with a probe by default) answers its probe.

        Raises `ProcessDiedError` if one exits meanwhile and `TimeoutError` after `timeout`.
        """
        chosen = self._specs if names is None else list(names)
        pending = [n for n in chosen if self._specs[n].ready_url]
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name in list(pending):
                    child = self._children.get(name)
                    if child is None or child.process.poll() is not None:
                        code = None if child is None else child.process.returncode
                        raise ProcessDiedError(f"{name} is not running (exit code {code})")
                    url = self._specs[name].ready_url
                    assert url is not None
                    try:
                        if client.get(url).status_code == 200:
                            pending.remove(name)
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(pending)}")
                if pending:
                    time.sleep(0.2)

    def deaths(self) -> list[tuple[str, int]]:
        """Processes that exited on their own since the last call: (name, exit code)."""
        died = []
        for name, child in self._children.items():
            code = child.process.poll()
            if code is not None and not child.stopping and not child.reported:
                child.reported = True
                died.append((name, code))
        return died

    def say(self, message: str) -> None:
        """Write one line of the supervisor's own to the log."""
        self._write("devstack", message)

    # --- internals ----------------------------------------------------------------------

    def _pump(self, name: str, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self._write(name, raw.decode("utf-8", "replace").rstrip("\n"))
        stream.close()

    def _write(self, name: str, line: str) -> None:
        with self._log_lock:
            self._log.write(f"{name:<{self._width}} | {line}\n")
            self._log.flush()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _reap_group(pgid: int, *, grace: float) -> None:
    """Make sure nothing of the process group outlives its leader: SIGKILL stragglers."""
    deadline = time.monotonic() + grace
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(pgid):
        _signal_group(pgid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process of the group is left, as /proc tells."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: a signal 0 tells whether any member exists
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # The command may hold spaces and parentheses: the fields follow the last ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            return True
    return False
