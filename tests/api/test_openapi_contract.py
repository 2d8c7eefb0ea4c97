"""The served OpenAPI document is valid and true: openapi-spec-validator on it, then schemathesis's
engine (what `schemathesis run --checks all` runs: coverage, fuzzing and stateful phases) generating
requests against the running app for every operation, as a citizen and as an operator: no 5xx, no
status, header, content type or body the document does not declare, valid input accepted and invalid
input refused. /auth has a check of its own, with fewer cases (wrong logins are throttled)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis.engine import Status, StopReason, events, from_schema

from tests.conftest import Api
from tests.webapp.helpers import MARIO, accesso_atti_data, act, create, submitted
from webapp.extensions import db
from webapp.models import Attachment

DOCUMENT = "/demo/api/openapi.json"
EXAMPLES_PER_OPERATION = 15
TIME_LIMIT = 240  # seconds per run (schemathesis's own max-time would fuzz until it is over)
# More threads trip CPython 3.11 (SystemError: AST constructor recursion depth mismatch).
WORKERS = 1
ACCEPTED = ["2xx", "401", "403", "404", "409", "429"]  # what valid input may get (schemathesis's default, but 5xx)
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]  # invalid input
# Rules no JSON Schema of the document can state, each told in its operation's description: form data
# checked against the service's own form and an action's own required fields (400), an attachment's
# real type read from its content (415), a date range the wrong way round or over 366 days (400).
FORM_DATA, FILES = "400", "415"
BEYOND_THE_SCHEMA = {
    "POST /applications": [FORM_DATA],
    "PATCH /applications/{id}": [FORM_DATA],
    "POST /applications/{id}/transition/{action}": [FORM_DATA, FILES],
    "POST /applications/{id}/attachments": [FILES],
    "POST /applications/{id}/messages": [FILES],
    "POST /applications/{id}/notes": [FILES],
    "GET /calendars/{id}/availabilities": ["400"],
}
# Path parameters drawn half of the time from real objects (the rest is generated), so that operations
# answer with their objects and not only 404.
REAL_IDS = {r"^/applications/\{id\}": ("id", "applications"),
            r"/attachments/\{attachment_id\}$": ("attachment_id", "attachments"),
            r"^/payments/\{id\}": ("id", "payments"), r"^/calendars/\{id\}": ("id", "calendars"),
            r"^/services/\{id\}": ("id", "services")}
CDU = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
       "email": "mario.rossi@example.it", "foglio": "12", "particelle": "101, 102", "uso": "compravendita"}


def test_the_served_document_is_valid_openapi(api: Api) -> None:
    validate(api.get("/openapi.json").get_json())


def _real_objects(api: Api) -> dict[str, list[str]]:
    """Mario's draft, his sent application with a message and its receipt PDF, one with a pagoPA notice due."""
    draft = create(api, "accesso-atti", accesso_atti_data())["id"]
    sent = submitted(api, "contributo")
    api.post(f"/applications/{sent}/messages", "operatore", json={"message": "Serve la copia dell'ISEE."})
    paying = create(api, "cdu", CDU)["id"]
    act(api, paying, "submit", MARIO)
    [fee] = api.get(f"/applications/{paying}/payment", MARIO).get_json()
    with api.app.app_context():
        files = [str(a.id) for a in db.session.scalars(db.select(Attachment))]
    return {"applications": [draft, sent, paying], "attachments": files, "payments": [fee["id"]],
            "calendars": [c["id"] for c in api.get("/calendars").get_json()],
            "services": [s["slug"] for s in api.get("/services").get_json()]}


def _config(operations: list[dict[str, Any]], *, token: str | None = None,
            objects: dict[str, list[str]] | None = None, examples: int = EXAMPLES_PER_OPERATION) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": 20261201,
        "workers": WORKERS,
        **({"auth": {"openapi": {"bearer": {"bearer": token}}}} if token else {}),
        "dictionaries": {name: {"values": values} for name, values in (objects or {}).items()},
        # NUL in any text is refused on purpose (400), as the document says: it has its own test
        "generation": {"max-examples": examples, "deterministic": True, "allow-x00": False, "database": "none"},
        # All checks; a body over its endpoint's limit is refused as too large (413), not as invalid
        "checks": {"enabled": True, "negative_data_rejection": {"expected-statuses": REFUSED}},
        "operations": [
            *operations,
            *({"include-name": operation, "checks": {"positive_data_acceptance": {
                "expected-statuses": [*ACCEPTED, *also]}}} for operation, also in BEYOND_THE_SCHEMA.items()),
        ],
    })


def _failure(event: events.ScenarioFinished, case_id: str, check: Any) -> str:
    """What failed, how to send it again, and the answer (status and the start of its body)."""
    info = check.failure_info
    exchange = event.recorder.interactions.get(case_id)
    answer = exchange.response if exchange is not None else None
    said = f"{answer.status_code} {answer.content[:300]!r}" if answer is not None else "no answer"
    return f"{event.label}: {check.name}: {info.failure.title}\n{info.failure.message}\n{info.code_sample}\n-> {said}"


def _run(server: str, config: schemathesis.Config) -> tuple[int, list[str], StopReason]:
    """Cases sent (checks' own probes included), failures, and why the run ended."""
    schema = schemathesis.openapi.from_url(server + DOCUMENT, config=config)
    cases, failures, stop = 0, [], None
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            failures += [_failure(event, case_id, check) for case_id, checks in event.recorder.checks.items()
                         for check in checks if check.status == Status.FAILURE]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            failures.append(f"error in {getattr(event, 'label', None)}: {event.info}")
        elif isinstance(event, events.EngineFinished):
            stop = event.stop_reason
    assert stop is not None
    return cases, failures, stop


def _assert_passes(server: str, config: schemathesis.Config, who: str) -> None:
    started = time.monotonic()
    cases, failures, stop = _run(server, config)
    print(f"\nschemathesis as {who}: {cases} cases in {time.monotonic() - started:.0f} s")
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(dict.fromkeys(failures))
    assert stop == StopReason.COMPLETED


@pytest.mark.timeout(TIME_LIMIT)
@pytest.mark.parametrize("caller", [MARIO, "operatore"])
def test_every_operation_keeps_to_the_document(live_server: str, api: Api, caller: str) -> None:
    operations = [{"include-path-regex": path, "parameters": {f"path.{name}": {"dictionary": kind, "probability": 0.5}}}
                  for path, (name, kind) in REAL_IDS.items()]
    operations.append({"include-path": "/auth", "enabled": False})
    _assert_passes(live_server, _config(operations, token=api.token(caller), objects=_real_objects(api)), caller)


@pytest.mark.timeout(TIME_LIMIT)
def test_auth_keeps_to_the_document(live_server: str) -> None:
    """Wrong logins, malformed and oversized bodies; throttled after a few (429 with Retry-After)."""
    _assert_passes(live_server, _config([{"exclude-path": "/auth", "enabled": False}], examples=10), "anyone on /auth")
