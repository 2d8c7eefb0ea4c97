"""The served OpenAPI document is valid and true: openapi-spec-validator on it, then schemathesis's
engine (what `schemathesis run --checks all` runs) generating requests for every operation but /auth
(which has its own bounded check), as a citizen and as an operator: no 5xx, no status, header, content
type or body the document does not declare, valid input accepted and invalid input refused."""

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

PER: dict = {}
DOCUMENT = "/demo/api/openapi.json"
EXAMPLES_PER_OPERATION = 25
ACCEPTED = ["2xx", "401", "403", "404", "409", "429"]  # what valid input may get (schemathesis's default, but 5xx)
# Rules no JSON Schema of the document can state, each told in its operation's description: form data
# checked against the service's own form (400), an attachment's real type read from its content (415),
# a date range the wrong way round or over 366 days (400).
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
TIME_LIMIT = 240  # seconds per caller (schemathesis's own max-time would fuzz until it is over)
WORKERS = 1  # more threads trip CPython 3.11 (SystemError: AST constructor recursion depth mismatch)


def test_the_served_document_is_valid_openapi(api: Api) -> None:
    validate(api.get("/openapi.json").get_json())


CDU = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
       "email": "mario.rossi@example.it", "foglio": "12", "particelle": "101, 102", "uso": "compravendita"}
# Path parameters drawn half of the time from real objects (the rest is generated), so that operations
# answer with their objects and not only 404.
REAL_IDS = {r"^/applications/\{id\}": ("id", "applications"),
            r"/attachments/\{attachment_id\}$": ("attachment_id", "attachments"),
            r"^/payments/\{id\}": ("id", "payments"), r"^/calendars/\{id\}": ("id", "calendars"),
            r"^/services/\{id\}": ("id", "services")}


def _real_objects(api: Api) -> dict[str, list[str]]:
    """A draft, a sent application with a message, the receipt PDF and one with a pagoPA notice due."""
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


def _config(token: str, objects: dict[str, list[str]]) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": 20261201,
        "dictionaries": {name: {"values": values} for name, values in objects.items()},
        "workers": WORKERS,
        "auth": {"openapi": {"bearer": {"bearer": token}}},
        # NUL in any text is refused on purpose (400), as the document says
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "allow-x00": False,
                       "database": "none"},
        "checks": {"enabled": True},
        "operations": [
            *({"include-path-regex": path, "parameters": {f"path.{name}": {"dictionary": kind, "probability": 0.5}}}
              for path, (name, kind) in REAL_IDS.items()),
            {"include-path": "/auth", "enabled": False},
            *({"include-name": operation, "checks": {"positive_data_acceptance": {
                "expected-statuses": [*ACCEPTED, *also]}}} for operation, also in BEYOND_THE_SCHEMA.items()),
        ],
    })


def _failure(event: events.ScenarioFinished, case_id: str, check: Any) -> str:
    """What failed, and the answer that failed it (status and the start of its body)."""
    info = check.failure_info
    exchange = event.recorder.interactions.get(case_id)
    answer = exchange.response if exchange is not None else None
    said = f"{answer.status_code} {answer.content[:300]!r}" if answer is not None else "no answer"
    return f"{event.label}: {check.name}: {info.failure.title}\n{info.failure.message}\n{info.code_sample}\n-> {said}"


def _run(server: str, config: schemathesis.Config) -> tuple[dict[str, int], list[str], events.EngineFinished]:
    schema = schemathesis.openapi.from_url(server + DOCUMENT, config=config)
    cases: dict[str, int] = {}
    failures: list[str] = []
    finished = None
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases[event.phase.value] = cases.get(event.phase.value, 0) + len(event.recorder.cases)
            key = f"{event.phase.value} {event.label}"
            PER.setdefault(key, [0, 0.0])
            PER[key][0] += len(event.recorder.cases)
            PER[key][1] += event.elapsed_time
            failures += [_failure(event, case_id, check) for case_id, checks in event.recorder.checks.items()
                         for check in checks if check.status == Status.FAILURE]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            failures.append(f"error: {event}")
        elif isinstance(event, events.EngineFinished):
            finished = event
    assert finished is not None
    return cases, failures, finished


@pytest.mark.timeout(TIME_LIMIT)
@pytest.mark.parametrize("caller", [MARIO, "operatore"])
def test_every_operation_keeps_to_the_document(live_server: str, api: Api, caller: str) -> None:
    started = time.monotonic()
    cases, failures, finished = _run(live_server, _config(api.token(caller), _real_objects(api)))
    elapsed = time.monotonic() - started
    for key, (n, t) in sorted(PER.items(), key=lambda kv: -kv[1][1])[:40]:
        print(f"{n:5d} {t:6.1f}s {key}")
    print(f"schemathesis as {caller}: {cases} cases in {elapsed:.0f} s ({finished.stop_reason})")
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(dict.fromkeys(failures))
    assert finished.stop_reason == StopReason.COMPLETED
