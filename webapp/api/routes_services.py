"""Public catalogue reads: services and their form schema."""

from __future__ import annotations

from flask import Response, jsonify

from webapp.api.blueprint import bp
from webapp.api.context import tenant
from webapp.api.schemas import service_payload
from webapp.services import catalogue


@bp.get("/services")
def list_services() -> Response:
    return jsonify([service_payload(s) for s in catalogue.list_services(tenant())])


@bp.get("/services/<key>")
def get_service(key: str) -> Response:
    return jsonify(service_payload(catalogue.get_service(tenant(), key)))


@bp.get("/services/<key>/form")
def get_service_form(key: str) -> Response:
    service = catalogue.get_service(tenant(), key)
    form = catalogue.form_for(service.current_version)
    return jsonify({"title": form.title, "schema": form.schema,
                    "ui": {"steps": [{"id": s.id, "title": s.title, "fields": list(s.fields)} for s in form.steps],
                           "widgets": form.widgets, "help": form.help}})
