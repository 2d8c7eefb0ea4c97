"""`make test`: make sure PostgreSQL and Redis answer, then lint, type-check and run the suite.

Uses the servers on 127.0.0.1 when they answer; otherwise starts throwaway ones in a temporary
folder from the installed binaries (installing Debian's packages first when running as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spid_sp_test_tool

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
cleanups: list[Callable[[], None]] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_answers(port: int) -> bool:
    try:
        psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=3").close()
        return True
    except psycopg.Error:
        return False


def redis_answers(port: int) -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def apt_install(*packages: str) -> None:
    if os.geteuid() != 0:
        sys.exit(f"make test: please install {' '.join(packages)} (Debian packages), or run as root.")
    print(f"make test: installing {' '.join(packages)} from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=True, env=env)


def pg_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        apt_install("postgresql")
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent


def start_postgres() -> int:
    bindir, port = pg_binaries(), free_port()
    folder = Path(tempfile.mkdtemp(prefix="comuni-pg-"))
    cleanups.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the throwaway server as the postgres user
        shutil.chown(folder, user="postgres")
        run_as = ["runuser", "-u", pwd.getpwnam("postgres").pw_name, "--"]
    data = folder / "data"
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], check=True)
    cleanups.append(lambda: subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                            "stop"], check=False))
    return port


def start_redis() -> int:
    if shutil.which("redis-server") is None:
        apt_install("redis-server")
    port, folder = free_port(), tempfile.mkdtemp(prefix="comuni-redis-")
    cleanups.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", folder], stdout=subprocess.DEVNULL)
    cleanups.append(proc.terminate)
    for _ in range(50):
        if redis_answers(port):
            return port
        time.sleep(0.1)
    sys.exit("make test: the throwaway Redis did not start")


def ensure_chromium() -> None:
    """Browser tests drive Debian's chromium (Playwright's own browser download cannot work here)."""
    if not Path("/usr/bin/chromium").exists():
        apt_install("chromium")


def ensure_lighthouse() -> None:
    """The performance criterion's test runs Lighthouse, pinned in package.json (Node from Debian)."""
    if (ROOT / "node_modules" / ".bin" / "lighthouse").exists():
        return
    if shutil.which("npm") is None:
        apt_install("nodejs", "npm")
    print("make test: npm ci (Lighthouse)", flush=True)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


def main() -> int:
    ensure_chromium()
    ensure_lighthouse()
    spid_sp_test_tool.ensure()  # xmlsec1 (Debian) and AgID's spid-sp-test, for the SAML tests
    pg_port = 5432 if postgres_answers(5432) else start_postgres()
    redis_port = 6379 if redis_answers(6379) else start_redis()
    env = {
        **os.environ,
        "TEST_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/postgres",
        "TEST_REDIS_URL": f"redis://127.0.0.1:{redis_port}",
    }
    print(f"make test: PostgreSQL on {pg_port}, Redis on {redis_port}", flush=True)
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "mypy"), "engine", "forms", "connectors", "webapp"],
        [str(BIN / "lint-imports")],
        [str(BIN / "pytest"), "-W", "error", *sys.argv[1:]],
    ]
    try:
        for step in steps:
            print(f"make test: {Path(step[0]).name} {' '.join(step[1:])}", flush=True)
            if subprocess.run(step, cwd=ROOT, env=env, check=False).returncode != 0:
                return 1
        return 0
    finally:
        for cleanup in reversed(cleanups):
            cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
