"""The web application: the only package that knows Flask, SQLAlchemy, Celery and HTTP."""

from webapp.app import create_app

__all__ = ["create_app"]
