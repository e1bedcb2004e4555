"""The devstack supervisor on real child processes."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devstack.embedded import free_port, port_open
from devstack.supervisor import ProcessDiedError, ProcessSpec, Supervisor

PY = sys.executable


@pytest.fixture
def log() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def supervisor(log: io.StringIO) -> Iterator[Supervisor]:
    sup = Supervisor(os.environ, log=log, stop_timeout=2)
    try:
        yield sup
    finally:
        sup.stop_all()


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_until(check: Callable[[], object], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_output_lines_are_prefixed_with_the_process_name(
    supervisor: Supervisor, log: io.StringIO
) -> None:
    supervisor.add(ProcessSpec("echo", [PY, "-c", "print('hello'); print('world')"]))
    supervisor.start("echo")
    wait_until(lambda: "world" in log.getvalue())
    lines = log.getvalue().splitlines()
    assert "echo         | hello" in lines and "echo         | world" in lines


def test_each_process_gets_the_base_environment_and_its_own(
    log: io.StringIO,
) -> None:
    sup = Supervisor({**os.environ, "SHARED": "base"}, log=log)
    code = "import os; print(os.environ['SHARED'], os.environ['OWN'])"
    sup.add(ProcessSpec("env", [PY, "-c", code], env={"OWN": "mine"}))
    sup.start("env")
    wait_until(lambda: "base mine" in log.getvalue())
    sup.stop_all()


def test_stopping_a_process_stops_its_whole_group_even_stubborn_children(
    supervisor: Supervisor, tmp_path: Path
) -> None:
    pid_file = tmp_path / "grandchild.pid"
    # The grandchild ignores SIGTERM, as a stuck pool process might.
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen(['sh', '-c', 'trap \"\" TERM; while true; do sleep 0.1; done'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(300)\n"
    )
    supervisor.add(ProcessSpec("parent", [PY, "-c", script]))
    supervisor.start("parent")
    wait_until(lambda: pid_file.exists() and pid_file.read_text())
    grandchild = int(pid_file.read_text())
    assert alive(grandchild)

    supervisor.stop("parent")

    wait_until(lambda: not alive(grandchild))
    assert not supervisor.is_running("parent")


def test_a_process_that_dies_is_reported_once_and_not_restarted(supervisor: Supervisor) -> None:
    supervisor.add(ProcessSpec("crash", [PY, "-c", "raise SystemExit(3)"]))
    supervisor.add(ProcessSpec("steady", [PY, "-c", "import time; time.sleep(300)"]))
    supervisor.start_all()
    wait_until(lambda: not supervisor.is_running("crash"))

    assert supervisor.deaths() == [("crash", 3)]
    assert supervisor.deaths() == []
    assert not supervisor.is_running("crash")
    supervisor.stop("steady")
    assert supervisor.deaths() == [], "a process we stopped did not die"


def test_a_stopped_process_can_be_started_again(supervisor: Supervisor) -> None:
    supervisor.add(ProcessSpec("sleeper", [PY, "-c", "import time; time.sleep(300)"]))
    supervisor.start("sleeper")
    first = supervisor.pid("sleeper")
    supervisor.stop("sleeper")
    supervisor.start("sleeper")
    assert supervisor.is_running("sleeper") and supervisor.pid("sleeper") != first
    with pytest.raises(RuntimeError):
        supervisor.start("sleeper")


def test_wait_ready_waits_for_the_probe(supervisor: Supervisor) -> None:
    port = free_port()
    # Listens only after a second, like a service that migrates or imports a lot first.
    server = (
        "import time, http.server as h; time.sleep(1); "
        f"h.test(h.SimpleHTTPRequestHandler, port={port}, bind='127.0.0.1')"
    )
    supervisor.add(ProcessSpec("web", [PY, "-c", server], ready_url=f"http://127.0.0.1:{port}/"))
    supervisor.start("web")

    supervisor.wait_ready(timeout=20)

    assert port_open(port)


def test_wait_ready_fails_fast_when_the_process_dies(supervisor: Supervisor) -> None:
    port = free_port()
    supervisor.add(
        ProcessSpec("dud", [PY, "-c", "raise SystemExit(1)"], ready_url=f"http://127.0.0.1:{port}/")
    )
    supervisor.start("dud")
    with pytest.raises(ProcessDiedError, match="dud"):
        supervisor.wait_ready(timeout=20)


def test_wait_ready_gives_up_after_the_timeout(supervisor: Supervisor) -> None:
    port = free_port()
    supervisor.add(
        ProcessSpec(
            "mute",
            [PY, "-c", "import time; time.sleep(300)"],
            ready_url=f"http://127.0.0.1:{port}/",
        )
    )
    supervisor.start("mute")
    with pytest.raises(TimeoutError, match="mute"):
        supervisor.wait_ready(timeout=1)


def test_names_are_unique(supervisor: Supervisor) -> None:
    supervisor.add(ProcessSpec("a", [PY, "-c", "pass"]))
    with pytest.raises(ValueError):
        supervisor.add(ProcessSpec("a", [PY, "-c", "pass"]))


def test_kill_ends_a_process_at_once_and_it_is_not_reported_as_a_death(
    supervisor: Supervisor,
) -> None:
    ignore_term = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"
    )
    supervisor.add(ProcessSpec("stubborn", [PY, "-c", ignore_term]))
    supervisor.start("stubborn")
    pid = supervisor.pid("stubborn")

    assert supervisor.kill("stubborn") == -9

    assert not alive(pid)
    assert supervisor.deaths() == []


def test_a_start_may_add_environment_for_that_start_only(
    supervisor: Supervisor, log: io.StringIO
) -> None:
    code = "import os; print('value', os.environ.get('KNOB', 'unset'))"
    supervisor.add(ProcessSpec("knob", [PY, "-c", code]))
    supervisor.start("knob", env={"KNOB": "5"})
    wait_until(lambda: "value 5" in log.getvalue())
    supervisor.stop("knob")
    supervisor.start("knob")
    wait_until(lambda: "value unset" in log.getvalue())
