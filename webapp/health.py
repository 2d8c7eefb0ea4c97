"""`/health` (the process answers; no I/O) and `/ready` (the database and the broker answer), outside any
ente's address, for load balancers and orchestrators: no login, no session, no CSRF."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from kombu import Connection
from sqlalchemy import text
from werkzeug.wrappers import Response

from webapp.extensions import db

bp = Blueprint("health", __name__)
BROKER_TIMEOUT_SECONDS = 2


def _answer(body: dict[str, Any], status: int) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.get("/health")
def health() -> tuple[Response, int]:
    return _answer({"status": "ok"}, 200)


def database_reachable() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; which one is for the logs of the database
        return False
    return True


def broker_reachable(url: str) -> bool:
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS,
                        transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS}) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                                         timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        return False
    return True


@bp.get("/ready")
def ready() -> tuple[Response, int]:
    config = current_app.config
    checks = {"database": "ok" if database_reachable() else "unreachable"}
    # Work runs in-process (the demo): there is no broker to wait for.
    checks["broker"] = ("not used" if config["CELERY_ALWAYS_EAGER"] else
                        "ok" if broker_reachable(config["CELERY_BROKER_URL"]) else "unreachable")
    failed = [name for name, state in checks.items() if state == "unreachable"]
    body: dict[str, Any] = {"status": "not ready" if failed else "ready", "checks": checks}
    if failed:
        body["failed"] = failed
    return _answer(body, 503 if failed else 200)
