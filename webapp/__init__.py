"""The web application: the only package that knows Flask, SQLAlchemy, Celery and HTTP (factory: webapp.app)."""
