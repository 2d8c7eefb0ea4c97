"""Real Celery worker processes (and a throwaway Redis) for the tests that need them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """`celery worker` in its own process, configured like the app under test (env variables)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.env = {**os.environ, **{key: str(value) for key, value in config.items()}}
        self.process: subprocess.Popen[bytes] | None = None

    command = ("worker", "--pool=solo", "--concurrency=1", "--without-heartbeat", "--without-gossip",
               "--without-mingle")

    def start(self) -> Worker:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "webapp.worker:celery", *self.command, "--loglevel=WARNING"],
            env=self.env, cwd=ROOT)
        return self

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement, as when a machine dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Beat(Worker):
    """`celery beat`: the one process that schedules the periodic sweep."""

    def __init__(self, config: dict[str, Any], schedule: Path) -> None:
        super().__init__(config)
        self.command = ("beat", "--schedule", str(schedule))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayRedis:
    """A Redis of the test's own on a free port, that the test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="test-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> ThrowawayRedis:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", self.folder],
                                        stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("throwaway redis did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def wait_until(check: Any, timeout: float = 60.0, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"not reached within {timeout}s: {check}")
