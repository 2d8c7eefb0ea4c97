"""Status changes as one signal: what it carries, that the receivers are wired at start-up, and that the
automatic assignment (a direct call) has happened before any receiver runs."""

from __future__ import annotations

from typing import Any

from tests.backoffice.conftest import SOCIAL, publish_with_rules
from tests.webapp.helpers import act, contributo_data, create, submitted
from webapp.app import connect_receivers
from webapp.extensions import db
from webapp.models import Office
from webapp.services import appointments, outbound, people
from webapp.services.common import signals, statuses

RULES = [{"field": "motivazione", "value": "Affitto", "office": SOCIAL}]


class Heard:
    """A receiver that writes down what it was told (and the office the application had then)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | None, list[int], str | None]] = []

    def __call__(self, app: Any, *, previous_status: int | None, changes: Any) -> None:
        office = db.session.get(Office, app.office_id).name if app.office_id else None
        self.calls.append((str(app.id), previous_status, [change.status for change in changes], office))


def test_the_feature_receivers_are_connected_once_at_start_up(app):
    connected = signals.application_status_changed.receivers  # keyed by the receiver's id
    for receiver in (outbound.on_application_status_changed, appointments.on_application_status_changed,
                     people.on_application_status_changed):
        assert id(receiver) in connected
    count = len(connected)
    connect_receivers()  # a second app in the same process connects nothing twice
    assert len(signals.application_status_changed.receivers) == count


def test_each_step_sends_one_signal_with_the_statuses_entered(app, api):
    heard = Heard()
    signals.application_status_changed.connect(heard)
    try:
        app_id = create(api, "contributo", contributo_data())["id"]
        act(api, app_id, "submit", "RSSMRA80A01H501U")
        act(api, app_id, "assign", "operatore")
    finally:
        signals.application_status_changed.disconnect(heard)
    steps = [(previous, entered) for call_id, previous, entered, _office in heard.calls if call_id == app_id]
    assert steps == [(statuses.DRAFT, [statuses.DRAFT]),  # the new draft
                     (statuses.DRAFT, [statuses.PRE_SUBMIT]),  # sent
                     (statuses.PRE_SUBMIT, [statuses.SUBMITTED]),  # its receipt is ready
                     (statuses.SUBMITTED, [statuses.PENDING])]  # taken in charge


def test_the_office_is_assigned_before_any_receiver_hears_of_the_submission(app, api, tmp_path):
    publish_with_rules(app, tmp_path, RULES)
    heard = Heard()
    signals.application_status_changed.connect(heard)
    try:
        app_id = submitted(api, "contributo", contributo_data(motivazione="affitto"))
    finally:
        signals.application_status_changed.disconnect(heard)
    offices = [office for call_id, _prev, entered, office in heard.calls
               if call_id == app_id and statuses.SUBMITTED in entered]
    assert offices == [SOCIAL]
