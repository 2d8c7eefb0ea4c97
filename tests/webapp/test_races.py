"""Races lost are answered, never crashed: 20 concurrent transitions on one application and five
concurrent deliveries of the same pagoPA receipt, over real HTTP on PostgreSQL, status codes asserted."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

import connectors
from connectors.payments import receipt_to_json
from tests.conftest import WEBHOOK_SECRET, Api
from tests.webapp.helpers import MARIO, accesso_atti_data, act, create
from webapp.extensions import db
from webapp.models import Payment, StatusChange, Tenant
from webapp.services import outbound

CONCURRENT = 20


@pytest.fixture(params=["postgresql", "sqlite"])
def served(request: pytest.FixtureRequest, tmp_path) -> Any:
    """(app, its base URL over real HTTP, an API client): on PostgreSQL, and on the demo's SQLite."""
    if request.param == "postgresql":
        yield request.getfixturevalue("app"), request.getfixturevalue("live_server"), request.getfixturevalue("api")
        return
    from webapp.cli import upgrade_database
    from webapp.demo import seed_demo

    request.getfixturevalue("app")  # the simulators and the session's settings
    demo = request.getfixturevalue("make_app")(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/demo.sqlite3")
    with demo.app_context():
        upgrade_database()
        seed_demo("demo")
    server = make_server("127.0.0.1", 0, demo, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield demo, f"http://127.0.0.1:{server.server_port}", Api(demo)
    server.shutdown()
    thread.join(timeout=10)


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        with exc:
            raw = exc.read()
        return exc.code, json.loads(raw) if raw else None


def test_twenty_concurrent_transitions_answer_204_or_409(served: tuple[Flask, str, Api]) -> None:
    app, live_server, api = served
    # accesso-atti registers its outcome on the protocol after commit, so the winner keeps working
    # on the application while the losers arrive
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "operatore")
    tokens = {user: api.token(user) for user in ("operatore", "admin", "manager")}
    moves = [("operatore", "accept", {"message": "Accolta"}), ("admin", "reject", {"message": "Non ammissibile"}),
             ("operatore", "request-integration", {"message": "Manca il documento"}),
             ("manager", "assign", {}), ("admin", "accept", {"partial": True, "message": "In parte"})]

    def call(index: int) -> Callable[[], tuple[int, Any]]:
        user, action, body = moves[index % len(moves)]
        url = f"{live_server}/demo/api/applications/{app_id}/transition/{action}"
        return lambda: _post(url, json.dumps(body).encode(), {"Authorization": f"Bearer {tokens[user]}"})

    results = _race([call(i) for i in range(CONCURRENT)])
    assert all(result is not None for result in results)
    assert {code for code, _ in results} <= {204, 409}, results
    assert all(body["status"] == 409 and body["description"] for code, body in results if code == 409)
    with app.app_context():
        events = list(db.session.scalars(db.select(StatusChange.event).where(
            StatusChange.application_id == uuid.UUID(app_id))))
    decisions = [e for e in events if e in ("approved", "partially_approved", "rejected", "integration_requested")]
    assert len(decisions) == 1, events  # one decision won; the others were told the application moved on


def test_five_concurrent_copies_of_a_receipt_are_applied_once(served: tuple[Flask, str, Api]) -> None:
    app, live_server, api = served
    data = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
            "email": "mario.rossi@example.it", "foglio": "12", "particelle": "101", "uso": "compravendita"}
    app_id = create(api, "cdu", data)["id"]
    act(api, app_id, "submit", MARIO)
    with app.app_context():
        [payment] = db.session.scalars(db.select(Payment).where(Payment.application_id == uuid.UUID(app_id)))
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        receipt = connectors.PaymentReceipt(
            receipt_id=uuid.uuid4().hex, notice_number=payment.notice_number, iuv=payment.iuv,
            ec_fiscal_code=outbound.ec_fiscal_code(tenant), amount_cents=payment.amount, outcome="OK",
            paid_at=datetime.now(UTC), fee_cents=0, transaction_id="t1", cart_id=None, psp_name="PSP",
            iupd=payment.iupd)
    body = json.dumps(receipt_to_json(receipt)).encode()
    signature = {connectors.SIGNATURE_HEADER: connectors.sign(body, WEBHOOK_SECRET)}
    url = f"{live_server}/demo/webhooks/pagopa"
    results = _race([lambda: _post(url, body, signature) for _ in range(5)])
    assert [code for code, _ in results] == [200] * 5, results
    assert sorted(body["outcome"] for _, body in results) == ["applied"] + ["duplicate"] * 4
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] != "1500"
