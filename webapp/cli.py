"""Command-line entry points: `python -m webapp demo` and flask commands."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app

from webapp.config import REPO_ROOT
from webapp.services import outbound


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database() -> None:
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


def register_commands(app: Flask) -> None:
    @app.cli.command("db-upgrade")
    def db_upgrade() -> None:
        """Apply every migration."""
        upgrade_database()

    @app.cli.command("check-connectors")
    def check_connectors() -> None:
        """Build every configured connector; exit 1 if one cannot be built from the configuration."""
        checks = outbound.check_connectors()
        for family in dict.fromkeys(check.family for check in checks):
            click.echo(f"{family}:")
            for check in (c for c in checks if c.family == family):
                click.echo(f"  {check.name}: {'ok' if check.ok else check.problem}")
        if current_app.config["MAIL_BACKEND"] != "smtp":
            click.echo(f"  (e-mail not sent: MAIL_BACKEND={current_app.config['MAIL_BACKEND']})")
        if not all(check.ok for check in checks):
            raise SystemExit(1)
