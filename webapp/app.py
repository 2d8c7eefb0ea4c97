"""The application factory: configuration in, wired app out."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp.config import build_config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(build_config(overrides))
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from webapp.extensions import init_database

    init_database(app)

    from webapp.celery_app import make_celery

    celery = make_celery(app)

    from webapp.services import workflow
    from webapp.services.notifications import DISPATCHER as OUTBOX_DISPATCHER
    from webapp.tasks import dispatch_outbox, dispatch_service_call

    eager = bool(app.config["CELERY_ALWAYS_EAGER"])
    workflow.set_dispatcher(app, lambda call_id: dispatch_service_call(celery, call_id, eager=eager))
    app.extensions[OUTBOX_DISPATCHER] = lambda outbox_id: dispatch_outbox(celery, outbox_id, eager=eager)

    from webapp.api import bp as api_bp
    from webapp.api.errors import register_error_handlers
    from webapp.views import bp as views_bp
    from webapp.views.web import csrf, init_web

    init_web(app)
    csrf.exempt(api_bp)  # the API authenticates each call with a bearer token, not a cookie
    from webapp.webhooks import bp as webhooks_bp

    csrf.exempt(webhooks_bp)  # authenticated by their HMAC signature
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(views_bp)
    from webapp.views.backoffice import bp as backoffice_bp
    from webapp.views.citizen import bp as citizen_bp

    app.register_blueprint(citizen_bp)
    app.register_blueprint(backoffice_bp)
    register_error_handlers(app)

    from webapp.cli import register_commands

    register_commands(app)
    return app
