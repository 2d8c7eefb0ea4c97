"""`make serve`: the Procfile's processes on this machine, in the production configuration.

`release` runs first and must succeed (the migrations); then `web`, `worker` and `beat` run together
until one of them stops or this script gets SIGTERM/SIGINT, and then all are stopped. Names given on
the command line run only those (`serve.py web`), without `release` unless named.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STOP_SECONDS = 30


def procfile(path: Path = ROOT / "Procfile") -> dict[str, list[str]]:
    """name -> argv; a program of the virtualenv (gunicorn, celery, flask) is taken from it."""
    processes = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            argv = shlex.split(command)
            local = BIN / argv[0]
            processes[name.strip()] = [str(local) if local.exists() else argv[0], *argv[1:]]
    return processes


def main(names: list[str]) -> int:
    processes = procfile()
    unknown = [name for name in names if name not in processes]
    if unknown:
        sys.exit(f"serve: no process named {', '.join(unknown)} in the Procfile ({', '.join(processes)})")
    # This checkout's code first, whatever else is installed (gunicorn imports its config before the app).
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": path}
    (ROOT / "instance").mkdir(exist_ok=True)  # beat's schedule file
    wanted = names or [name for name in processes if name != "release"]
    if not names and "release" in processes:
        print("serve: release:", shlex.join(processes["release"]), flush=True)
        if subprocess.run(processes["release"], env=env, cwd=ROOT, check=False).returncode != 0:
            return 1
    running: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name in wanted:
        print(f"serve: {name}:", shlex.join(processes[name]), flush=True)
        running[name] = subprocess.Popen(processes[name], env=env, cwd=ROOT)
    status = 0
    while not stopping:
        ended = [name for name, process in running.items() if process.poll() is not None]
        if ended:
            print(f"serve: {', '.join(ended)} stopped; stopping the others", flush=True)
            status = 1
            break
        time.sleep(0.2)
    for process in running.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in running.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
