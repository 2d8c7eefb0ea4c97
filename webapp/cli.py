"""Command-line entry points: `python -m webapp demo` and flask commands."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app

import engine
from webapp.config import REPO_ROOT
from webapp.services import catalogue, deployment, onboarding, outbound, people, workshop
from webapp.services.common import localtime
from webapp.services.common.errors import Conflict, DomainError, ValidationFailed
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
    register_onboarding_commands(app)

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

    @app.cli.command("check-deployment")
    @click.argument("url")
    @click.option("--ca-file", type=click.Path(exists=True, dir_okay=False),
                  help="trust this CA's certificate (PEM) instead of the system's (a test or internal CA)")
    @click.option("--address", help="connect to this IP address instead of the one the host resolves to")
    @click.option("--http-port", type=click.IntRange(1, 65535), default=80, show_default=True,
                  help="the plain HTTP port that must redirect to HTTPS")
    @click.option("--min-days", type=click.IntRange(0), default=30, show_default=True,
                  help="the least days the certificate must still be valid")
    def check_deployment(url: str, ca_file: str | None, address: str | None, http_port: int, min_days: int) -> None:
        """Check the public address URL as AgID does (C.SE.5.1, C.SE.5.2): HTTPS with a valid certificate,
        TLS 1.2/1.3 only with strong ciphers, HSTS for a year, HTTP redirected, the servizi. host; exit 1 if
        any check fails."""
        target = deployment.Target(url, ca_file=ca_file, address=address, http_port=http_port, min_days=min_days)
        results = deployment.check_deployment(target)
        click.echo(f"Verifica di {url}")
        for check in results:
            click.echo(f"  [{'OK' if check.ok else 'NO'}] {check.name}: {check.detail}")
        failed = [check for check in results if not check.ok]
        if failed:
            click.echo(f"Non superate {len(failed)} verifiche su {len(results)}: "
                       f"{', '.join(check.name for check in failed)}.")
            raise SystemExit(1)
        click.echo(f"Tutte le {len(results)} verifiche superate.")

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

    def _publish_one(path: Path, tenant_slug: str) -> bool:
        """One service folder or zip: its outcome printed; False when it was refused."""
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
            click.echo(f"{path.name}: servizio non pubblicato, la definizione ha errori:\n{lines}", err=True)
            return False
        except DomainError as exc:
            click.echo(f"{path.name}: servizio non pubblicato: {exc.description}", err=True)
            return False
        if not result.published:
            click.echo(f"{result.service}: nessuna modifica, resta la versione {result.version}")
        elif result.renumbered_from is not None:
            click.echo(f"{result.service}: pubblicata la versione {result.version} (la {result.renumbered_from}, "
                       "già pubblicata con un altro contenuto, non si modifica)")
        else:
            click.echo(f"{result.service}: pubblicata la versione {result.version}")
        return True

    @app.cli.command("publish-service")
    @click.argument("path", type=click.Path(exists=True, path_type=Path))
    @click.option("--tenant", "tenant_slug", required=True, help="the ente's slug")
    def publish_service(path: Path, tenant_slug: str) -> None:
        """Check a service folder (or its zip export) and publish it as a new immutable version when it
        changed."""
        if not _publish_one(path, tenant_slug):
            raise SystemExit(1)

    @app.cli.command("publish-services")
    @click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
    @click.option("--tenant", "tenant_slug", required=True, help="the ente's slug")
    @click.option("--all", "every", is_flag=True, help="every service of WORKFLOWS_DIR (workflows/)")
    def publish_services(paths: tuple[Path, ...], tenant_slug: str, every: bool) -> None:
        """Publish several services (folders or zips), or with --all every service shipped in workflows/;
        an unchanged one stays at its version. Every one is tried; exit 1 if any was refused."""
        if every == bool(paths):
            click.echo("Indica --all oppure le cartelle (o gli zip) dei servizi da pubblicare, non entrambi.",
                       err=True)
            raise SystemExit(1)
        try:
            with unit_of_work():
                get_tenant(tenant_slug)
        except DomainError as exc:
            click.echo(f"Servizi non pubblicati: {exc.description}", err=True)
            raise SystemExit(1) from None
        folders = (onboarding.shipped_service_folders(Path(current_app.config["WORKFLOWS_DIR"])) if every
                   else list(paths))
        refused = [path.name for path in folders if not _publish_one(path, tenant_slug)]
        if refused:
            click.echo(f"Non pubblicati: {', '.join(refused)}.", err=True)
            raise SystemExit(1)


def _refused(exc: DomainError) -> NoReturn:
    """A refusal on stderr, each field problem on its own line; exit 1."""
    if isinstance(exc, ValidationFailed):
        lines = "\n".join(f"  --{p.pointer.replace('_', '-')}: {p.message}" for p in exc.errors)
        click.echo(f"Dati non validi, nulla è stato creato:\n{lines}", err=True)
    else:
        click.echo(exc.description, err=True)
    raise SystemExit(1)


def register_onboarding_commands(app: Flask) -> None:
    @app.cli.command("create-tenant")
    @click.option("--slug", required=True, help="the ente's address segment: /<slug>/")
    @click.option("--name", required=True, help="the ente's name, e.g. Comune di Esempio")
    @click.option("--fiscal-code", required=True, help="the ente's codice fiscale (11 digits)")
    @click.option("--ipa-code", required=True, help="the ente's code in the IPA register, e.g. c_h501")
    def create_tenant(slug: str, name: str, fiscal_code: str, ipa_code: str) -> None:
        """Create an ente; the same values again change nothing, other values are refused (exit 1)."""
        try:
            result = onboarding.create_tenant(slug, name, fiscal_code, ipa_code)
        except DomainError as exc:
            _refused(exc)
        tenant = result.tenant
        if result.created:
            click.echo(f"Ente «{tenant.name}» creato: {current_app.config['PUBLIC_URL'].rstrip('/')}/{tenant.slug}/")
        elif result.saml_key_created:
            click.echo(f"Ente «{tenant.name}» ({tenant.slug}) già presente con gli stessi dati.")
        else:
            click.echo(f"Ente «{tenant.name}» ({tenant.slug}) già presente con gli stessi dati: nessuna modifica.")
        if result.saml_key_created:
            click.echo("Chiavi SAML (SPID e CIE) dell'ente create: la chiave privata è cifrata nel database.")

    @app.cli.command("generate-saml-keys")
    @click.option("--tenant", "tenant_slug", required=True, help="the ente's slug")
    @click.option("--locality", default=None,
                  help="the ente's town for the certificate (default: its name without «Comune di»)")
    def generate_saml_keys(tenant_slug: str, locality: str | None) -> None:
        """Give the ente a new SPID/CIE key pair (rotation): it signs from now on, and the previous certificate
        stays in the metadata for SAML_KEY_OVERLAP_DAYS so the identity providers can move to the new one."""
        try:
            with unit_of_work():
                tenant = get_tenant(tenant_slug)
                previous = people.saml.current_pair(tenant)
                pair = people.saml.generate_key_pair(tenant, locality)
                described = people.saml.describe(pair)
        except DomainError as exc:
            _refused(exc)
        click.echo(f"Nuova coppia di chiavi SAML per «{tenant_slug}»: {described}.")
        if previous is not None:
            days = current_app.config["SAML_KEY_OVERLAP_DAYS"]
            click.echo(f"Il certificato precedente resta nei metadata per {days} giorni: inviare ad AgID i "
                       "metadata aggiornati.")

    @app.cli.command("create-admin")
    @click.option("--tenant", "tenant_slug", required=True, help="the ente's slug")
    @click.option("--email", required=True, help="the administrator's e-mail (also their login)")
    @click.option("--name", default="", help="given name")
    @click.option("--family-name", default="", help="family name")
    def create_admin(tenant_slug: str, email: str, name: str, family_name: str) -> None:
        """Create an administrator and print a one-time link to choose the password (no password is ever
        typed here); an existing administrator gets a new link, which replaces the older ones."""
        try:
            invite = onboarding.create_admin(tenant_slug, email, name, family_name)
        except DomainError as exc:
            _refused(exc)
        path = current_app.url_map.bind("localhost").build(
            "backoffice.reset_password", {"tenant": tenant_slug, "token": invite.token})
        link = current_app.config["PUBLIC_URL"].rstrip("/") + path
        until = localtime.local(invite.expires_at)
        user = invite.user
        what = "creato" if invite.created else "già presente: nuovo collegamento, i precedenti non valgono più"
        click.echo(f"Amministratore {user.email} (nome utente «{user.username}») {what}.")
        click.echo(f"Collegamento per scegliere la password, valido una sola volta fino al "
                   f"{until:%d/%m/%Y %H:%M} (ora italiana):")
        click.echo(link)
