"""Production entry point: `gunicorn webapp.worker:app`, `celery -A webapp.worker:celery worker|beat`,
`flask --app webapp.worker:app ...` (configuration from the environment)."""

from typing import Any

from celery.signals import setup_logging

from webapp.app import create_app
from webapp.observability import configure_logging

app = create_app()
celery = app.extensions["celery"]

if app.config["LOG_FORMAT"] == "json":
    configure_logging(app.config["LOG_LEVEL"])

    @setup_logging.connect
    def _celery_logging(loglevel: Any = None, **_kwargs: Any) -> None:
        """Connected, so Celery keeps our handler instead of installing its own plain-text one."""
        configure_logging(loglevel or app.config["LOG_LEVEL"])
