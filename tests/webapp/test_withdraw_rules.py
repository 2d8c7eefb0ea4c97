"""The manual's withdrawal rules (a.4) that need an application held in 1900 "Inviata"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask

from tests.conftest import REDIS_URL, Api
from tests.webapp.helpers import MARIO, act, history, submitted
from webapp.extensions import db
from webapp.models import ServiceCallRow
from webapp.services.jobs import run_service_call

UNCONSUMED_BROKER = f"{REDIS_URL}/7"  # no worker listens: work stays queued, applications stay in 1900


@pytest.fixture
def held_app(app: Flask, make_app: Any) -> Iterator[Flask]:
    yield make_app(CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=UNCONSUMED_BROKER)
    redis.Redis.from_url(UNCONSUMED_BROKER).flushdb()


def _links(api: Api, app_id: str) -> set[str]:
    return {link["action"] for link in api.get(f"/applications/{app_id}", MARIO).get_json()["links"]}


def test_no_withdraw_while_awaiting_protocol(held_app: Flask) -> None:
    api = Api(held_app)
    app_id = submitted(api, "accesso-atti")
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "1900"
    assert "withdraw" not in _links(api, app_id)
    body = act(api, app_id, "withdraw", MARIO, expect=409).get_json()
    assert "protocollazione" in body["description"]


def test_withdraw_in_1900_cancels_the_pending_call(held_app: Flask) -> None:
    api = Api(held_app)
    app_id = submitted(api, "contributo")
    assert "withdraw" in _links(api, app_id)
    act(api, app_id, "withdraw", MARIO)
    assert [s for s, _ in history(api, app_id, MARIO)] == [1000, 1900, 20000]
    with held_app.app_context():
        [call] = db.session.scalars(db.select(ServiceCallRow)).all()
        assert call.status == "cancelled"
        assert run_service_call(str(call.id)) == "skipped"  # a late worker finds nothing to do
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "20000"


def test_withdraw_refused_by_service_options(app: Flask, api: Api) -> None:
    app_id = submitted(api, "contributo")
    with app.app_context():
        from webapp.models import Application
        from webapp.services.common.policy import withdraw_refusal

        application = db.session.get(Application, app_id)
        applicant = application.user
        version = application.service_version
        cases = {
            "allow_withdraw": (False, "non è previsto"),
            "payment": ("request", "pagamento"),
            "workflow": ("forward", "acquisita"),
        }
        original = dict(version.manifest)
        for key, (value, words) in cases.items():
            version.manifest = {**original, "options": {**original["options"], key: value}}
            reason = withdraw_refusal(applicant, application)
            assert reason is not None and words in reason, (key, reason)
        version.manifest = original
        assert withdraw_refusal(applicant, application) is None
        db.session.rollback()


def test_a_declared_stamp_is_no_payment_but_a_pagopa_notice_is(app: Flask, api: Api) -> None:
    """a.4's "no payment" is about pagoPA: a marca da bollo declared at submission does not block."""
    from tests.webapp.helpers import accesso_atti_data
    from tests.webapp.test_stamps import STAMP
    from webapp.models import Application, Payment
    from webapp.models.payments import PAGOPA

    conforme = accesso_atti_data(modalita_accesso="copia conforme", marca_da_bollo=STAMP)
    with_stamp = submitted(api, "accesso-atti", conforme)
    [stamp] = api.get(f"/applications/{with_stamp}/payment", MARIO).get_json()
    assert stamp["kind"] == "bollo"
    assert "withdraw" in _links(api, with_stamp)
    act(api, with_stamp, "withdraw", MARIO)
    assert api.get(f"/applications/{with_stamp}", MARIO).get_json()["status"] == "20000"

    with_notice = submitted(api, "accesso-atti")
    with app.app_context():  # a pagoPA notice the office asked for on this application
        row = db.session.get(Application, with_notice)
        db.session.add(Payment(tenant_id=row.tenant_id, application_id=row.id, user_id=row.user_id, kind=PAGOPA,
                               phase="release", reason="Oneri di rilascio", amount=500))
        db.session.commit()
    assert "withdraw" not in _links(api, with_notice)
    refused = act(api, with_notice, "withdraw", MARIO, expect=409).get_json()
    assert "pagamento" in refused["description"]
