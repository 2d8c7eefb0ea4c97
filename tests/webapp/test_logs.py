"""Structured logs: one JSON line per record with the request's id, tenant, route, status and duration,
and no personal data, even when a login, a submission or an error carries it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.backoffice.conftest import login
from tests.conftest import Api
from tests.webapp.helpers import MARIO, contributo_data, submitted
from webapp.observability import REQUEST_LOGGER, configure_logging, json_handler, redact

PERSONAL = (MARIO, MARIO.lower(), "mario.rossi@example.it", "operatore@demo.example.it", "Rossi", "Mario",
            "IT60X0542811101000000123456", "Spese scolastiche", "80014890638")


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the production handler writes, at the production level, for the length of the test."""
    stream = io.StringIO()
    root = logging.getLogger()
    handler, level = json_handler(stream), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_login_and_a_submission_leave_no_personal_data(app: Flask, logs: io.StringIO):
    client = app.test_client()
    assert login(client, "operatore@demo.example.it").status_code == 302  # by e-mail
    assert login(app.test_client(), "mario.rossi@example.it", "wrong-password").status_code == 401
    api = Api(app)  # its own token cache: the citizen's /auth with the fiscal code happens here
    app_id = submitted(api, "contributo", contributo_data())
    token = api.tokens[MARIO]
    assert client.get(f"/demo/backoffice/reimposta-password/{'x' * 43}").status_code == 400
    # Our own code's mistakes too: a message, an exception and SQL parameters that would carry the data.
    log = logging.getLogger("webapp.services.test")
    log.warning("could not notify <%s> (%s)", "mario.rossi@example.it", MARIO.lower())
    try:
        raise ValueError(f"bad fiscal code {MARIO} for token {token}")
    except ValueError:
        log.exception("failed")
    log.error("(psycopg.errors.UniqueViolation) duplicate\n[SQL: INSERT INTO users ...]\n"
              "[parameters: {'name': 'Mario', 'family_name': 'Rossi', 'vat': '80014890638'}]")
    text = logs.getvalue()
    lines = _lines(logs)
    leaked = [value for value in (*PERSONAL, token, "x" * 43) if value in text]
    assert not leaked, text
    assert "<email>" in text and "<codice-fiscale>" in text and "for token <redacted>" in text
    assert "[parameters: <redacted>]" in text and "Mario" not in text
    requests = [line for line in lines if line["logger"] == REQUEST_LOGGER]
    submit = next(line for line in requests if line["path"].endswith("/transition/<action>"))
    assert submit["path"] == "/<tenant>/api/applications/<app_id>/transition/<action>"  # the route, no id
    assert app_id not in text
    assert (submit["tenant"], submit["status"], submit["method"]) == ("demo", 204, "POST")
    assert submit["duration_ms"] >= 0 and len(submit["request_id"]) == 32
    assert {"time", "level", "logger", "message"} <= set(submit)
    failed = next(line for line in lines if line["message"] == "failed")
    assert failed["level"] == "ERROR" and "ValueError: bad fiscal code <codice-fiscale>" in failed["exception"]


def test_the_request_id_is_taken_from_the_proxy_or_made_and_returned(app: Flask, logs: io.StringIO):
    client = app.test_client()
    given = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.get("/health", headers={"X-Request-ID": "not a valid id\u00e8"})
    assert made.headers["X-Request-ID"] != "not a valid id\u00e8" and len(made.headers["X-Request-ID"]) == 32
    ids = [line.get("request_id") for line in _lines(logs) if line["logger"] == REQUEST_LOGGER]
    assert ids == ["abc-123", made.headers["X-Request-ID"]]


def test_redact_keeps_what_is_not_personal():
    kept = "application 2f1c7a3e-1b2c-4d5e-8f90-123456789abc moved to 2000 after 3 attempts (sweep: 12)"
    assert redact(kept) == kept
    assert redact("mail to a.b-c@comune.esempio.it failed") == "mail to <email> failed"
    assert redact("Connected to redis://:**@127.0.0.1:6379/7") == "Connected to redis://:**@127.0.0.1:6379/7"
    assert redact("cf rssmra80a01h501u / RSSMRA80A01H50MU") == "cf <codice-fiscale> / <codice-fiscale>"
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer <redacted>"
    assert redact("got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln") == "got <token>"
    assert redact("link /demo/backoffice/reimposta-password/" + "Ab-_9" * 9) == \
        "link /demo/backoffice/reimposta-password/<token>"


def test_configure_logging_replaces_the_root_handlers(monkeypatch: pytest.MonkeyPatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [logging.NullHandler()])
    monkeypatch.setattr(root, "level", root.level)
    stream = io.StringIO()
    handler = configure_logging("WARNING", stream)
    assert root.handlers == [handler] and root.level == logging.WARNING
    logging.getLogger("anything").warning("hello %s", "ada@example.it")
    assert json.loads(stream.getvalue())["message"] == "hello <email>"
