"""Command-line entry points: `python -m webapp demo` and flask commands."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app

import engine
from webapp.config import REPO_ROOT
from webapp.services import catalogue, outbound, people, workshop
from webapp.services.common.errors import Conflict, DomainError
from webapp.services.common.tenancy import get_tenant
from webapp.services.common.uow import unit_of_work


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

    @app.cli.command("refresh-spid-idps")
    @click.option("--file", "source", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="the AgID registry's metadata file of the SPID identity providers")
    def refresh_spid_idps(source: Path) -> None:
        """Replace the trusted SPID identity providers (the SPID button's list) with the AgID registry file;
        the registry is not reachable at run time, so its file is downloaded elsewhere and given here."""
        target = Path(str(current_app.config["SPID_IDP_METADATA"]).split(",")[0].strip())
        try:
            idps = people.saml.refresh_idps(source, target)
        except DomainError as exc:
            click.echo(f"File non usato: {exc.description}", err=True)
            raise SystemExit(1) from None
        click.echo(f"{len(idps)} gestori di identità SPID in {target}:")
        for idp in idps:
            click.echo(f"  {idp.name} ({idp.entity_id})")

    @app.cli.command("publish-service")
    @click.argument("path", type=click.Path(exists=True, path_type=Path))
    @click.option("--tenant", "tenant_slug", required=True, help="the ente's slug")
    def publish_service(path: Path, tenant_slug: str) -> None:
        """Check a service folder (or its zip export) and publish it as a new immutable version when it
        changed."""
        try:
            with unit_of_work():
                tenant = get_tenant(tenant_slug)
                if path.is_file():
                    bundle = workshop.read_zip(path.read_bytes())
                    try:
                        number = workshop.publish_files(tenant, bundle.slug, bundle.files).version
                        result = catalogue.Publication(bundle.slug, number, published=True)
                    except Conflict as exc:  # the same as the latest version
                        result = catalogue.Publication(bundle.slug, exc.extra.get("current_version", 0),
                                                       published=False)
                else:
                    result = catalogue.publish_folder(tenant, path)
        except (engine.DefinitionError, workshop.DraftInvalid) as exc:
            lines = "\n".join(f"  {p.file}{f' ({p.element})' if p.element else ''}: {p.message}" for p in exc.problems)
            click.echo(f"Servizio non pubblicato, la definizione ha errori:\n{lines}", err=True)
            raise SystemExit(1) from None
        except DomainError as exc:
            click.echo(f"Servizio non pubblicato: {exc.description}", err=True)
            raise SystemExit(1) from None
        if not result.published:
            click.echo(f"{result.service}: nessuna modifica, resta la versione {result.version}")
        elif result.renumbered_from is not None:
            click.echo(f"{result.service}: pubblicata la versione {result.version} (la {result.renumbered_from}, "
                       "già pubblicata con un altro contenuto, non si modifica)")
        else:
            click.echo(f"{result.service}: pubblicata la versione {result.version}")
