"""spid-sp-test, AgID's SP test suite, in its own virtualenv: it pins libraries (packaging, pyparsing)
older than the app's, so it cannot share the app's environment. `make install`, `make test` and the
SAML tests call `ensure()`; it installs once (from scripts/spid-sp-test-constraints.txt) and then only
returns the path of the `spid_sp_test` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-spid-sp-test"
CONSTRAINTS = ROOT / "scripts" / "spid-sp-test-constraints.txt"
VERSION = "spid_sp_test==1.2.18"


def ensure_xmlsec1() -> None:
    """pysaml2 (ours and spid-sp-test's) signs and verifies with the xmlsec1 program."""
    if shutil.which("xmlsec1"):
        return
    if os.geteuid() != 0:
        sys.exit("please install xmlsec1 (the Debian package xmlsec1), or run as root.")
    print("installing xmlsec1 from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "xmlsec1"], check=True, env=env)


def ensure() -> Path:
    ensure_xmlsec1()
    command = VENV / "bin" / "spid_sp_test"
    stamp = VENV / ".installed"
    if command.exists() and stamp.exists() and stamp.read_text() == CONSTRAINTS.read_text():
        return command
    python = os.environ.get("PYTHON_FOR_TOOLS") or sys.executable
    subprocess.run([python, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "-c", str(CONSTRAINTS),
                    VERSION], check=True)
    stamp.write_text(CONSTRAINTS.read_text())
    return command


if __name__ == "__main__":
    print(ensure())
