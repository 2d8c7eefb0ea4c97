"""Onboarding from the command line in the production configuration: `create-tenant`, `create-admin` (a
one-time link to choose the password) and `publish-services`; all idempotent, bad input refused with exit 1."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.webapp.tenants import service_copy
from webapp.extensions import db
from webapp.models import ADMIN, Service, Tenant, User

PRODUCTION = {"SEED_DEMO_DATA": False, "ALLOW_DEMO_CONNECTORS": False, "CITIZEN_PASSWORD_LOGIN": False,
              "TEST_IDENTITY_PROVIDER": False, "SECURE_COOKIES": True, "PUBLIC_URL": "https://servizi.example.it"}
HTTPS = "https://servizi.example.it"  # production cookies are Secure: the test client must speak https
TENANT = ["--slug", "comune-esempio", "--name", "Comune di Esempio", "--fiscal-code", "80014890638",
          "--ipa-code", "c_x123"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"https://servizi\.example\.it(/comune-esempio/backoffice/reimposta-password/[\w-]+)$", re.M)


@pytest.fixture
def production(app: Flask, make_app: Any) -> Flask:
    """The production configuration on the migrated test database (`app` migrates it and cleans up)."""
    return make_app(**PRODUCTION)


def _run(flask_app: Flask, *args: str) -> Any:
    return flask_app.test_cli_runner().invoke(args=list(args))


def _tenant(flask_app: Flask, slug: str = "comune-esempio") -> Tenant | None:
    with flask_app.app_context():
        return db.session.scalar(db.select(Tenant).where(Tenant.slug == slug))


def test_create_tenant_once_then_already_there_then_different_values_refused(production: Flask):
    first = _run(production, "create-tenant", *TENANT)
    assert first.exit_code == 0, first.output
    assert first.output == ("Ente «Comune di Esempio» creato: https://servizi.example.it/comune-esempio/\n"
                            "Chiavi SAML (SPID e CIE) dell'ente create: la chiave privata è cifrata nel database.\n")
    tenant = _tenant(production)
    assert tenant is not None
    assert (tenant.name, tenant.fiscal_code, tenant.ipa_code) == ("Comune di Esempio", "80014890638", "c_x123")
    again = _run(production, "create-tenant", *TENANT[:-1], "C_X123")  # the IPA code is case-insensitive
    assert again.exit_code == 0, again.output
    assert "già presente con gli stessi dati: nessuna modifica" in again.output
    other = _run(production, "create-tenant", *TENANT[:3], "Comune di Altrove", *TENANT[4:])
    assert other.exit_code == 1
    assert "L'ente «comune-esempio» esiste già con un altro nome: nulla è stato modificato." in other.output
    assert _tenant(production).name == "Comune di Esempio"  # type: ignore[union-attr]
    stolen = _run(production, "create-tenant", "--slug", "altro-comune", *TENANT[2:])
    assert stolen.exit_code == 1
    assert "Il codice fiscale 80014890638 è già dell'ente «comune-esempio»." in stolen.output
    assert _tenant(production, "altro-comune") is None


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--slug", "Comune Esempio", "--slug: Lo slug deve avere 2-63 caratteri"),
    ("--slug", "comune-", "--slug: Lo slug deve avere 2-63 caratteri"),
    ("--slug", "health", "--slug: Lo slug «health» è riservato"),
    ("--fiscal-code", "RSSMRA80A01H501U", "--fiscal-code: Il codice fiscale di un ente è di 11 cifre."),
    ("--fiscal-code", "80014890639", "--fiscal-code: Il codice fiscale non è valido (la cifra di controllo"),
    ("--ipa-code", "c h501", "--ipa-code: Il codice IPA ha 2-32 caratteri"),
    ("--name", "   ", "--name: Il nome dell'ente è obbligatorio"),
])
def test_bad_tenant_input_is_refused_with_the_field_named(production: Flask, option: str, value: str, message: str):
    args = list(TENANT)
    args[args.index(option) + 1] = value
    result = _run(production, "create-tenant", *args)
    assert result.exit_code == 1
    assert result.output.startswith("Dati non validi, nulla è stato creato:\n")
    assert message in result.output
    with production.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Tenant)) == 1  # only the demo ente


def test_a_missing_option_is_clicks_usage_error(production: Flask):
    result = _run(production, "create-tenant", "--slug", "comune-esempio")
    assert result.exit_code == 2 and "Missing option" in result.output


def _admin_link(production: Flask, *extra: str) -> tuple[Any, str]:
    result = _run(production, "create-admin", "--tenant", "comune-esempio", "--email", "Sindaco@Esempio.IT",
                  *extra)
    assert result.exit_code == 0, result.output
    found = LINK.search(result.output)
    assert found, result.output
    return result, found.group(1)


def _set_password(client: Any, path: str, password: str) -> Any:
    page = client.get(path, base_url=HTTPS)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = CSRF.search(page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    return client.post(path, base_url=HTTPS, headers={"Referer": HTTPS + path},  # CSRF over https wants it
                       data={"csrf_token": token, "password": password, "confirm": password})


def _login(client: Any, login: str, password: str) -> Any:
    page = client.get("/comune-esempio/backoffice/login", base_url=HTTPS)
    token = CSRF.search(page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    return client.post("/comune-esempio/backoffice/login", base_url=HTTPS,
                       headers={"Referer": f"{HTTPS}/comune-esempio/backoffice/login"},
                       data={"csrf_token": token, "username": login, "password": password})


def test_the_admins_link_sets_the_password_once_and_they_log_in(production: Flask):
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    result, path = _admin_link(production, "--name", "Anna", "--family-name", "Sindaca")
    assert "Amministratore sindaco@esempio.it (nome utente «sindaco») creato." in result.output
    assert "valido una sola volta fino al" in result.output
    with production.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "sindaco@esempio.it"))
        assert admin is not None
        assert (admin.role, admin.full_name, admin.password_hash) == (ADMIN, "Anna Sindaca", None)
    client = production.test_client()
    assert _login(client, "sindaco@esempio.it", "una-password-lunga").status_code == 401  # no password yet
    done = _set_password(client, path, "una-password-lunga")
    assert done.status_code == 302 and done.headers["Location"].endswith("/comune-esempio/backoffice/login")
    signed_in = _login(client, "sindaco@esempio.it", "una-password-lunga")
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    assert signed_in.headers["Location"].endswith("/comune-esempio/backoffice/pratiche")
    assert client.get("/comune-esempio/backoffice/pratiche", base_url=HTTPS).status_code == 200
    used = production.test_client().get(path, base_url=HTTPS)
    assert used.status_code == 400
    assert "non è valido, è già stato usato o è scaduto" in used.get_data(as_text=True)


def test_an_existing_admin_gets_a_new_link_and_the_old_one_stops_working(production: Flask):
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    _, old = _admin_link(production)
    again, new = _admin_link(production)
    assert new != old
    assert "già presente: nuovo collegamento, i precedenti non valgono più" in again.output
    with production.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User).where(
            User.email == "sindaco@esempio.it")) == 1
    client = production.test_client()
    assert client.get(old, base_url=HTTPS).status_code == 400
    assert _set_password(client, new, "una-password-lunga").status_code == 302


def test_create_admin_refuses_bad_input(production: Flask):
    unknown = _run(production, "create-admin", "--tenant", "nessuno", "--email", "a@b.it")
    assert (unknown.exit_code, unknown.output) == (1, "Ente non trovato.\n")
    bad = _run(production, "create-admin", "--tenant", "demo", "--email", "non-una-email")
    assert bad.exit_code == 1 and "--email: Indica un indirizzo e-mail valido." in bad.output
    operator = _run(production, "create-admin", "--tenant", "demo", "--email", "operatore@demo.example.it")
    assert operator.exit_code == 1
    assert "è già di un account con ruolo «operator»" in operator.output
    no_password = _run(production, "create-admin", "--tenant", "demo", "--email", "x@y.it", "--password", "z")
    assert no_password.exit_code == 2  # there is no such option: a password never goes on the command line


def _services(flask_app: Flask, slug: str) -> dict[str, int]:
    with flask_app.app_context():
        rows = db.session.scalars(db.select(Service).join(Tenant).where(Tenant.slug == slug))
        return {s.slug: s.current_version.version for s in rows if s.current_version is not None}


def test_publish_services_all_then_again_changes_nothing(production: Flask):
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    shipped = sorted(p.parent.name for p in Path(production.config["WORKFLOWS_DIR"]).glob("*/service.yaml")
                     if not p.parent.name.startswith("_"))
    first = _run(production, "publish-services", "--tenant", "comune-esempio", "--all")
    assert first.exit_code == 0, first.output
    assert sorted(_services(production, "comune-esempio")) == shipped
    assert first.output.count(": pubblicata la versione") == len(shipped)
    again = _run(production, "publish-services", "--tenant", "comune-esempio", "--all")
    assert again.exit_code == 0, again.output
    assert again.output.count(": nessuna modifica, resta la versione") == len(shipped)


def test_publish_services_by_path_tries_each_and_says_which_failed(production: Flask, tmp_path: Path):
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    good = service_copy(tmp_path / "good", "contributo", 3)
    broken = service_copy(tmp_path / "broken", "cdu", 3)
    (broken / "forms" / "domanda.json").write_text("{not json")
    result = _run(production, "publish-services", "--tenant", "comune-esempio", str(broken), str(good))
    assert result.exit_code == 1
    assert "contributo: pubblicata la versione 3" in result.output
    assert "cdu: servizio non pubblicato, la definizione ha errori" in result.output
    assert result.output.rstrip().endswith("Non pubblicati: cdu.")
    assert _services(production, "comune-esempio") == {"contributo": 3}


def test_publish_services_needs_all_or_paths_and_a_known_tenant(production: Flask, tmp_path: Path):
    neither = _run(production, "publish-services", "--tenant", "demo")
    assert neither.exit_code == 1 and "Indica --all oppure" in neither.output
    both = _run(production, "publish-services", "--tenant", "demo", "--all", str(tmp_path))
    assert both.exit_code == 1 and "Indica --all oppure" in both.output
    unknown = _run(production, "publish-services", "--tenant", "nessuno", "--all")
    assert (unknown.exit_code, unknown.output) == (1, "Servizi non pubblicati: Ente non trovato.\n")
