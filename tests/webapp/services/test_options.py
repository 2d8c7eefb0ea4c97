"""A service's options: typed, defaults in one place, wrong values refused when the version is published."""

from __future__ import annotations

import pytest

import engine
from tests.webapp.tenants import service_copy, with_options
from webapp.extensions import db
from webapp.models import ServiceVersion, Tenant
from webapp.services.catalogue import publish_service
from webapp.services.common.options import OptionsError, ServiceOptions, parse_options
from webapp.services.common.uow import unit_of_work


def test_no_options_means_the_defaults():
    options = parse_options({})
    assert options == ServiceOptions() == parse_options(None)
    assert (options.allow_withdraw, options.allow_integration_request, options.allow_partial_approval) == (
        True, True, False)
    assert (options.payment, options.payment_amount, options.protocol_handler) == ("none", 0, "builtin")


def test_a_manifest_is_read_once_into_types():
    options = parse_options({"payment": "request", "payment_amount": 1600, "payment_expiry": "P10D",
                             "allow_withdraw": False, "calendar": "ufficio-anagrafe",
                             "follow_ups": ["rinnovo"], "assignment_rules": [{"field": "a", "office": "B"}]})
    assert (options.payment, options.payment_amount, options.payment_expiry) == ("request", 1600, "P10D")
    assert options.allow_withdraw is False and options.appointments is True
    assert options.follow_ups == ("rinnovo",) and options.assignment_rules == ({"field": "a", "office": "B"},)


def test_every_wrong_value_is_named():
    with pytest.raises(OptionsError) as refused:
        parse_options({"payment": "sometimes", "allow_withdraw": "yes", "payment_amount": -1,
                       "protocol_handler": "fax", "follow_ups": "rinnovo"})
    assert len(refused.value.problems) == 5
    assert "payment deve essere uno di: none, request, release" in refused.value.problems


def test_publishing_wrong_options_is_a_definition_error_and_stores_nothing(app, tmp_path):
    folder = with_options(service_copy(tmp_path, "accesso-atti", 7), payment="sometimes")
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(ServiceVersion))
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        with pytest.raises(engine.DefinitionError, match="payment deve essere uno di"), unit_of_work():
            publish_service(tenant, folder)
        assert db.session.scalar(db.select(db.func.count()).select_from(ServiceVersion)) == before
