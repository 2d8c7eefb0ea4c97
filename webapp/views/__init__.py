"""Public pages: the list of enti, each ente's home with its catalogue, and its legal pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from webapp.services import catalogue, outbound, settings
from webapp.services.common import ente_settings, tenancy
from webapp.services.common.tenancy import get_tenant

bp = Blueprint("views", __name__)

# Legal pages: tenant setting key -> (title, default text).
LEGAL_PAGES = {
    "privacy": ("Informativa privacy", "privacy_text"),
    "note-legali": ("Note legali", "legal_notes_text"),
    "accessibilita": ("Dichiarazione di accessibilità", "accessibility_text"),
}


@bp.url_value_preprocessor
def _load_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "tenant" in values:
        g.tenant = get_tenant(str(values["tenant"]))


@bp.get("/")
def index() -> str:
    return render_template("index.html", tenants=tenancy.list_tenants())


@bp.get("/<tenant>/")
def tenant_home(tenant: str) -> str:
    return render_template("tenant_home.html", services=catalogue.list_services(g.tenant))


def _legal(page: str) -> str:
    title, setting = LEGAL_PAGES[page]
    text = ente_settings.legal_text(g.tenant, setting)  # cleaned to the allowed tags again as it is shown
    return render_template("legal.html", title=title, text=Markup(text.html) if text.html else None,  # noqa: S704
                           draft=text.draft)


@bp.get("/<tenant>/privacy")
def privacy(tenant: str) -> str:
    return _legal("privacy")


@bp.get("/<tenant>/note-legali")
def legal_notes(tenant: str) -> str:
    return _legal("note-legali")


@bp.get("/<tenant>/accessibilita")
def accessibility(tenant: str) -> str:
    return _legal("accessibilita")


@bp.get("/<tenant>/posta-demo")
def captured_mail(tenant: str) -> str:
    """Demo only: the e-mails the demo 'sent', readable here since no real mail server is configured."""
    if current_app.config["MAIL_BACKEND"] != "capture":
        abort(404)
    return render_template("captured_mail.html", messages=outbound.recent_emails(g.tenant),
                           status_labels=outbound.STATUS_LABELS)


@bp.get("/<tenant>/logo")
def logo(tenant: str) -> BaseResponse:
    """The ente's logo as its administrators uploaded it (PNG or JPEG, checked by content on upload)."""
    content, mime, digest = settings.read_logo(g.tenant)
    response = Response(content, mimetype=mime, headers={"X-Content-Type-Options": "nosniff",
                                                         "Cache-Control": "public, max-age=300"})
    response.set_etag(digest or "logo")
    return response.make_conditional(request)
