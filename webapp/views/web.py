"""What every server-rendered page shares: CSRF, session login, language, security headers, tenant."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session
from flask_babel import Babel, get_locale
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from webapp.extensions import db
from webapp.models import Tenant, User
from webapp.services import formatting

LANGUAGES = ("it", "en")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self' data:; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self' {checkout}; frame-ancestors 'none'; base-uri 'self'")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    """Forms post to ourselves, and "Paga" redirects to the pagoPA checkout (form-action covers redirects)."""
    config = current_app.config
    checkout = config["PAGOPA_GPD_URL"] if config["PAYMENT_CONNECTOR"] == "demo" else config["PAGOPA_CHECKOUT_URL"]
    return CSP.format(checkout=_origin(checkout)).replace(" ;", ";")

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def select_locale() -> str:
    """Italian first; `?lang=en` switches for the rest of the session."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    return str(session.get("lang", "it"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """A session belongs to one tenant: on another tenant's pages the visitor is anonymous."""
    tenant_part, _, user_part = session_id.partition(":")
    try:
        tenant_id, user_id = uuid.UUID(tenant_part), uuid.UUID(user_part)
    except ValueError:
        return None
    current: Tenant | None = g.get("tenant")
    if current is not None and current.id != tenant_id:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.tenant_id == tenant_id else None


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def template_globals() -> dict[str, Any]:
    return {"tenant": g.get("tenant"), "languages": LANGUAGES, "get_locale": get_locale}


def init_web(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["SESSION_COOKIE_SECURE"] = app.config["SECURE_COOKIES"]
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SECURE_COOKIES"]
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # a long form may stay open for hours; the token is per session
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.after_request(security_headers)
    app.context_processor(template_globals)
    app.jinja_env.filters.update(formatting.FILTERS)
