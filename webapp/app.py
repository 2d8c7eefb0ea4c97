"""The application factory: configuration in, wired app out."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.api import bp as api_bp
from webapp.api.errors import register_error_handlers
from webapp.assets import init_assets
from webapp.celery_app import make_celery
from webapp.cli import register_commands
from webapp.config import build_config
from webapp.extensions import init_database
from webapp.health import bp as health_bp
from webapp.observability import init_request_logging
from webapp.services import applications, appointments, outbound, people
from webapp.services.common import signals
from webapp.tasks import dispatch_outbox, dispatch_service_call
from webapp.views import bp as views_bp
from webapp.views.backoffice import bp as backoffice_bp
from webapp.views.citizen import bp as citizen_bp
from webapp.views.web import csrf, init_web
from webapp.webhooks import bp as webhooks_bp


def connect_receivers() -> None:
    """Every reaction of one feature to another's signal, in one place (connecting twice is harmless)."""
    for receiver in (outbound.on_application_status_changed, appointments.on_application_status_changed,
                     people.on_application_status_changed, applications.on_application_status_changed):
        signals.application_status_changed.connect(receiver)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(build_config(overrides))
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    init_database(app)
    celery = make_celery(app)

    eager = bool(app.config["CELERY_ALWAYS_EAGER"])
    applications.set_dispatcher(app, lambda call_id: dispatch_service_call(celery, call_id, eager=eager))
    app.extensions[outbound.DISPATCHER] = lambda outbox_id: dispatch_outbox(celery, outbox_id, eager=eager)
    connect_receivers()

    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:  # behind a reverse proxy: the client's address (login throttling) and https come from it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    init_request_logging(app)
    init_web(app)
    init_assets(app)
    csrf.exempt(health_bp)  # probes: no session, no form
    csrf.exempt(api_bp)  # the API authenticates each call with a bearer token, not a cookie
    csrf.exempt(webhooks_bp)  # authenticated by their HMAC signature
    for blueprint in (health_bp, webhooks_bp, api_bp, views_bp, citizen_bp, backoffice_bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    register_commands(app)
    return app
