"""AgID's spid-sp-test against our SAML SP, started on a free port: the metadata checks, the
AuthnRequest checks and the response suite (-tr: a set of forged Responses signed by spid-sp-test's
own IdP, which the test configuration trusts), for SPID and for CIE's SAML profile."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from scripts import spid_sp_test_tool
from webapp.services import people
from webapp.services.common.tenancy import get_tenant
from webapp.services.common.uow import unit_of_work

SPID_SP_TEST_IDP = "https://localhost:8443"
# Checks of spid-sp-test that may fail, each with the reason; anything else failing fails the test.
SKIPS: dict[str, str] = {}


@pytest.fixture
def public_url(app: Flask, live_server: str) -> Iterator[str]:
    """Our entityIDs and endpoints are built from PUBLIC_URL: point it at the running server. The demo ente
    signs with a key pair of its own, as every ente in production does (not the platform's test pair)."""
    before = app.config["PUBLIC_URL"]
    app.config["PUBLIC_URL"] = live_server
    with app.app_context(), unit_of_work():
        people.saml.ensure_key_pair(get_tenant("demo"))
    yield live_server
    app.config["PUBLIC_URL"] = before


def run_spid_sp_test(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    command = spid_sp_test_tool.ensure()
    report = tmp_path / "report.json"
    done = subprocess.run([str(command), *args, "-rf", "json", "-o", str(report), "--exit-zero"],
                          capture_output=True, text=True, timeout=900, check=False)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return flatten(json.loads(report.read_text()))


def flatten(node: Any) -> list[dict[str, Any]]:
    """Every check of the report (nested by suite and test method), each a dict with `result`."""
    if isinstance(node, dict):
        if "result" in node and ("test" in node or "description" in node):
            return [node]
        return [check for value in node.values() for check in flatten(value)]
    if isinstance(node, list):
        return [check for value in node for check in flatten(value)]
    return []


def counts(checks: list[dict[str, Any]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for check in checks:
        found[check["result"]] = found.get(check["result"], 0) + 1
    return found


@pytest.mark.timeout(900)
# pysaml2 leaves the temporary .pem of a refused signature to the garbage collector (its sigver temp
# files); over spid-sp-test's hundred forged responses one is collected inside the test. Not our leak.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("method", "profile", "at_least"), [
    ("spid", "spid-sp-public", {"metadata_strict": 90, "authnrequest_strict": 40, "response": 100}),
    ("cie", "cie-sp-public", {"metadata_strict": 70, "authnrequest_strict": 40, "response": 100}),
])
def test_spid_sp_test_passes(app: Flask, public_url: str, tmp_path: Path, method: str, profile: str,
                             at_least: dict[str, int]) -> None:
    report = tmp_path / "report.json"
    command = spid_sp_test_tool.ensure()
    done = subprocess.run([
        str(command), "--metadata-url", f"{public_url}/demo/{method}/metadata",
        "--authn-url", f"{public_url}/demo/{method}/login?idp={quote(SPID_SP_TEST_IDP, safe='')}",
        "-tr", "-pr", profile, "-rf", "json", "-o", str(report), "--exit-zero",
    ], capture_output=True, text=True, timeout=900, check=False)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    suites = json.loads(report.read_text())["test"]["sp"]
    summary = {name: counts(flatten(suite)) for name, suite in suites.items()}
    print(f"spid-sp-test {profile}: {summary}")  # the counts, in the -s / -rA output
    for name, minimum in at_least.items():  # a suite that did not run must not pass by saying nothing
        assert sum(summary.get(name, {}).values()) >= minimum, summary
    failing = [f"{c.get('test_id')} {c['test']}" for suite in suites.values() for c in flatten(suite)
               if c["result"] != "success" and c["test"] not in SKIPS]
    assert not failing, failing
    # The correct Responses of the suite logged spid-sp-test's citizen in, with the profile filled.
    from webapp.extensions import db
    from webapp.models import User
    with app.app_context():
        citizen = db.session.query(User).filter_by(fiscal_code="GDASDV00A01H501J").one()
        assert (citizen.name, citizen.family_name, citizen.birth_date) == ("SpidValidator", "AgID", "2000-01-01")
        assert citizen.identity["method"] == method and citizen.identity["provider"] == SPID_SP_TEST_IDP
