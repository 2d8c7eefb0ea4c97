"""Registro di protocollo: the ente's protocol registrations, filtered, paged and exported as CSV."""

from __future__ import annotations

from flask import Response, current_app, render_template, request, stream_with_context
from flask_babel import gettext

from webapp.services import screens
from webapp.services.common import localtime, uploads
from webapp.views.backoffice._common import staff, tenant
from webapp.views.backoffice.blueprint import bp


def _query() -> screens.RegisterQuery:
    return screens.parse_register_query(request.args, current_app.config["BACKOFFICE_PAGE_SIZE"])


@bp.get("/protocollo")
def protocol_register() -> str:
    query = _query()
    return render_template(
        "backoffice/protocol_register.html", section="protocol", query=query,
        page=screens.register_page(tenant(), staff(), query), stage_options=_options(screens.STAGE_LABELS),
        state_options=_options(screens.STATE_LABELS), period_options=_options(screens.PERIODS),
        labels=screens.REGISTRATION_LABELS)


def _options(labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(key, gettext(label)) for key, label in labels.items()]


@bp.get("/protocollo/export.csv")
def protocol_register_csv() -> Response:
    stream = screens.register_csv(tenant(), staff(), _query(), gettext)
    name = f"protocollo-{tenant().slug}-{localtime.local(localtime.now()):%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(stream), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": uploads.content_disposition(name), "X-Content-Type-Options": "nosniff"})
