"""Celery entry point: `celery -A webapp.worker:celery worker` (configuration from the environment)."""

from webapp.app import create_app

app = create_app()
celery = app.extensions["celery"]
