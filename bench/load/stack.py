"""The processes and services of a load-test run: starting and stopping its children,
PostgreSQL's maintenance database, the Redis databases it owns, and what the processes
cost (CPU, memory)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_DIR = Path(__file__).resolve().parent.parent.parent


class Processes:
    """The processes of a run, stopped in reverse order (TERM, then KILL after a grace)."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict[str, str], log: Path
              ) -> subprocess.Popen:
        # A session of its own: Ctrl-C reaches this orchestrator only, which then stops
        # each child in order instead of racing them.
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own fixed commands
                command, env=env, cwd=REPO_DIR, start_new_session=True, stdout=out,
                stderr=subprocess.STDOUT)
        self.running.append((name, process))
        return process

    def stop(self, process: subprocess.Popen, grace: float = 20) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running = [(n, p) for n, p in self.running if p is not process]

    def stop_all(self) -> None:
        for _, process in reversed(list(self.running)):
            self.stop(process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_step(label: str, command: list[str], env: dict[str, str], log: Path) -> None:
    """Run a setup command to completion; on failure stop with the end of its log."""
    started = time.perf_counter()
    with log.open("ab") as out:
        done = subprocess.run(  # noqa: S603 - our own fixed commands
            command, env=env, cwd=REPO_DIR, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode:
        tail = log.read_text(errors="replace").splitlines()[-25:]
        raise RuntimeError(f"{label} failed (exit {done.returncode}):\n" + "\n".join(tail))
    print(f"load: {label} ({time.perf_counter() - started:.1f} s)", flush=True)


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout: float = 60
                       ) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + log.read_text(errors="replace")[-3000:])
        # The URL is the http://127.0.0.1 address this run bound.
        with contextlib.suppress(OSError), urllib.request.urlopen(  # noqa: S310
            f"{url}/readyz", timeout=5
        ) as response:
            if response.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer /readyz within {timeout:.0f} s")


def database_admin(url: str, *statements: str) -> str:
    """Run ``statements`` on the server's maintenance database; returns its version."""
    import psycopg2

    parts = urlsplit(url)
    maintenance = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    try:
        connection = psycopg2.connect(maintenance, connect_timeout=5)
    except psycopg2.OperationalError as error:
        sys.exit(f"load: PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} "
                 f"({str(error).strip().splitlines()[0] if str(error).strip() else error}).")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def redis_flush(url: str, databases: tuple[int, ...]) -> None:
    """Empty the Redis databases this run owns (broker, cache), so nothing left over counts."""
    import redis

    for db in databases:
        try:
            redis.Redis.from_url(f"{url}/{db}", socket_connect_timeout=3).flushdb()
        except redis.RedisError as error:
            sys.exit(f"load: Redis is not reachable at {url} ({error}).")


def rss_megabytes(process: subprocess.Popen) -> dict[str, float]:
    """Resident memory of a process tree: the master and each child, in MiB."""
    import psutil

    try:
        master = psutil.Process(process.pid)
        children = master.children(recursive=True)
        return {
            "master_mib": round(master.memory_info().rss / 2**20, 1),
            "per_worker_mib": [round(child.memory_info().rss / 2**20, 1) for child in children],
        }
    except psutil.Error:
        return {}


def cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by a process and its children, in seconds."""
    import psutil

    try:
        master = psutil.Process(process.pid)
        tree = [master, *master.children(recursive=True)]
        return sum(sum(item.cpu_times()[:2]) for item in tree)
    except psutil.Error:
        return 0.0


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]
