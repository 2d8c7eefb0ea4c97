"""Staff accounts that are safe: own password, administrators creating administrators, the TOTP second
factor (enrolment, login, throttling, recovery codes, enforcement per ente, the API), offices' lifecycle and
the audit log (every event, no secrets, administrators only)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pyotp
import pytest
from flask import Flask

from tests.backoffice.conftest import add_staff, csrf, logged_in, login
from tests.webapp.helpers import contributo_data, create
from webapp.extensions import db
from webapp.models import Application, AuditEvent, LoginSession, Office, Service, Tenant, User

SECRET_RE = re.compile(r'<code id="totp-secret">([A-Z2-7]+)</code>')
CODES_RE = re.compile(r"<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})</code></li>")


@pytest.fixture
def slow(app: Flask, make_app) -> Flask:
    return make_app(LOGIN_BACKOFF_SECONDS=60)  # type: ignore[no-any-return]


def _user(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def _events(app: Flask, event: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = db.select(AuditEvent).order_by(AuditEvent.created_at)
        if event:
            query = query.where(AuditEvent.event == event)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def _post(client: Any, path: str, data: dict[str, Any], page: str | None = None) -> Any:
    return client.post(path, data={"csrf_token": csrf(client, page or path), **data})


def _next_code(secret: str, after_step: int | None = None) -> str:
    """A valid code not yet used: a TOTP code is accepted once, so a second one waits for the next step."""
    totp = pyotp.TOTP(secret)
    if after_step is not None:
        while int(time.time()) // 30 <= after_step:
            time.sleep(0.5)
    return totp.now()


def _enrol(client: Any) -> tuple[str, list[str]]:
    page = client.get("/demo/backoffice/account/verifica")
    html = page.get_data(as_text=True)
    secret = SECRET_RE.search(html).group(1)  # type: ignore[union-attr]
    assert 'src="data:image/svg+xml;base64,' in html and "<script" not in html.split("<main")[-1].split("</main>")[0]
    done = _post(client, "/demo/backoffice/account/verifica", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.get_data(as_text=True)[:400]
    codes = CODES_RE.findall(done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


# --- Own password -------------------------------------------------------------------------------

def test_changing_ones_password_asks_the_current_refuses_weak_and_ends_other_sessions(app: Flask, api) -> None:
    client = logged_in(app, "operatore")
    elsewhere = logged_in(app, "operatore")
    token = api.token("operatore")
    wrong = _post(client, "/demo/backoffice/account/password",
                  {"current_password": "sbagliata", "new_password": "una-buona-password",
                   "confirm": "una-buona-password"},
                  "/demo/backoffice/account")
    assert wrong.status_code == 400 and "La password attuale non è corretta." in wrong.get_data(as_text=True)
    for weak in ("corta", "1234567890", "operatore-2026"):
        refused = _post(client, "/demo/backoffice/account/password",
                        {"current_password": "demo", "new_password": weak, "confirm": weak}, "/demo/backoffice/account")
        assert refused.status_code == 400, weak
    with app.app_context():
        assert _user("operatore").credentials_version == 0
    done = _post(client, "/demo/backoffice/account/password",
                 {"current_password": "demo", "new_password": "una-buona-password", "confirm": "una-buona-password"},
                 "/demo/backoffice/account")
    assert done.status_code == 302
    assert client.get("/demo/backoffice/pratiche").status_code == 200  # this browser goes on
    assert elsewhere.get("/demo/backoffice/pratiche").status_code == 302  # the other session has ended
    old = app.test_client().get("/demo/api/backoffice/applications", headers={"Authorization": f"Bearer {token}"})
    assert old.status_code == 401
    api.tokens.pop("operatore")
    with app.app_context():
        assert _user("operatore").password_hash.startswith("$argon2id$")
        assert db.session.scalar(db.select(db.func.count()).select_from(LoginSession)
                                 .where(LoginSession.user_id == _user("operatore").id)) == 1
    assert login(app.test_client(), "operatore", "una-buona-password").status_code == 302
    changed = _events(app, "password_changed")
    assert len(changed) == 1 and "operatore" in changed[0].actor_name
    assert "una-buona-password" not in str([(e.details, e.object_name) for e in _events(app)])


# --- Administrators create administrators ---------------------------------------------------------

def _new_account(client: Any, username: str, role: str) -> Any:
    return _post(client, "/demo/backoffice/operatori/nuovo",
                 {"username": username, "name": "Nuova", "family_name": "Persona", "email": f"{username}@example.it",
                  "role": role})


def test_administrators_create_administrators_and_managers_cannot(app: Flask) -> None:
    manager = logged_in(app, "manager")
    assert 'value="admin"' not in manager.get("/demo/backoffice/operatori/nuovo").get_data(as_text=True)
    assert _new_account(manager, "nuovoadmin", "admin").status_code == 403
    with app.app_context():
        assert _user("nuovoadmin") is None
    admin = logged_in(app, "admin")
    assert 'value="admin"' in admin.get("/demo/backoffice/operatori/nuovo").get_data(as_text=True)
    assert _new_account(admin, "nuovoadmin", "admin").status_code == 302
    with app.app_context():
        assert _user("nuovoadmin").role == "admin" and _user("nuovoadmin").password_hash is None
    created = _events(app, "account_created")
    assert [(e.object_name, e.details["role"]) for e in created] == [("Nuova Persona (nuovoadmin)", "admin")]
    assert created[0].actor_name.endswith("(admin)") and created[0].address == "127.0.0.1"


# --- TOTP ------------------------------------------------------------------------------------------

def test_totp_enrol_then_login_needs_the_code_once(app: Flask) -> None:
    client = logged_in(app, "operatore")
    secret, _codes = _enrol(client)
    assert _events(app, "totp_enabled")[0].details == {}
    with app.app_context():
        user = _user("operatore")
        assert user.has_totp and user.totp_secret == secret
        assert all(len(h) == 64 and "-" not in h for h in user.totp_recovery)  # only hashes kept
        last = user.totp_last_step
    fresh = app.test_client()
    first = login(fresh, "operatore")
    assert first.status_code == 302 and first.headers["Location"].startswith("/demo/backoffice/login/codice")
    assert fresh.get("/demo/backoffice/pratiche").status_code == 302  # not signed in after the password alone
    reused = _post(fresh, "/demo/backoffice/login/codice", {"code": pyotp.TOTP(secret).at(last * 30)})
    assert reused.status_code == 401  # the code used to enrol is spent
    good = _post(fresh, "/demo/backoffice/login/codice", {"code": _next_code(secret, last)})
    assert good.status_code == 302 and fresh.get("/demo/backoffice/pratiche").status_code == 200
    assert [e.details.get("step") for e in _events(app, "login_failed")] == ["code"]
    assert _events(app, "login")[-1].details == {"via": "backoffice"}


def test_wrong_codes_are_throttled_like_passwords(slow: Flask) -> None:
    app = slow
    _secret, _codes = _enrol(logged_in(app, "operatore"))
    client = app.test_client()
    login(client, "operatore")
    statuses = [_post(client, "/demo/backoffice/login/codice", {"code": f"{n:06d}"}).status_code for n in range(6)]
    slowdown = app.config["LOGIN_SLOWDOWN_AFTER"]
    assert statuses[:slowdown] == [401] * slowdown and set(statuses[slowdown:]) == {429}
    assert all(e.details["step"] == "code" for e in _events(app, "login_failed"))


def test_a_recovery_code_works_once(app: Flask) -> None:
    _secret, codes = _enrol(logged_in(app, "operatore"))
    client = app.test_client()
    login(client, "operatore")
    assert _post(client, "/demo/backoffice/login/codice", {"code": codes[0].lower()}).status_code == 302
    again = app.test_client()
    login(again, "operatore")
    assert _post(again, "/demo/backoffice/login/codice", {"code": codes[0]}).status_code == 401
    used = _events(app, "recovery_code_used")
    assert len(used) == 1 and used[0].details == {"left": 9}
    assert codes[0] not in str([e.details for e in _events(app)])


def test_totp_required_by_the_ente_sends_staff_to_enrol_at_login(app: Flask) -> None:
    admin = logged_in(app, "admin")
    manager = logged_in(app, "manager")
    assert _post(manager, "/demo/backoffice/registro-attivita/verifica-obbligatoria", {"required": "1"},
                 "/demo/backoffice/pratiche").status_code == 404
    assert _post(admin, "/demo/backoffice/registro-attivita/verifica-obbligatoria", {"required": "1"},
                 "/demo/backoffice/registro-attivita").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo")).setting("staff_totp_required")
    setting = _events(app, "settings_changed")
    assert setting[0].details == {"setting": "staff_totp_required", "value": True}
    client = app.test_client()
    first = login(client, "vigile")
    assert first.headers["Location"].startswith("/demo/backoffice/login/attiva-verifica")
    assert client.get("/demo/backoffice/pratiche").status_code == 302
    page = client.get("/demo/backoffice/login/attiva-verifica").get_data(as_text=True)
    assert "richiede la verifica in due passaggi a tutto il personale" in page
    secret = SECRET_RE.search(page).group(1)  # type: ignore[union-attr]
    bad = _post(client, "/demo/backoffice/login/attiva-verifica", {"code": "000000"})
    assert bad.status_code == 400
    secret = SECRET_RE.search(bad.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    done = _post(client, "/demo/backoffice/login/attiva-verifica", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and len(CODES_RE.findall(done.get_data(as_text=True))) == 10
    assert client.get("/demo/backoffice/pratiche").status_code == 200
    # The API is no way around it: without enrolment no token, with it the code is asked.
    assert app.test_client().post("/demo/api/auth", json={"username": "tecnico", "password": "demo"}).status_code == 401
    no_code = app.test_client().post("/demo/api/auth", json={"username": "vigile", "password": "demo"})
    assert no_code.status_code == 401 and "otp" in no_code.get_json()["description"]
    with app.app_context():
        step = _user("vigile").totp_last_step
    ok = app.test_client().post("/demo/api/auth", json={"username": "vigile", "password": "demo",
                                                        "otp": _next_code(secret, step)})
    assert ok.status_code == 200 and "token" in ok.get_json()
    # Disabling is refused while the ente requires it.
    refused = _post(client, "/demo/backoffice/account/verifica/disattiva", {"password": "demo"},
                    "/demo/backoffice/account")
    assert refused.status_code == 302
    with app.app_context():
        assert _user("vigile").has_totp


def test_disabling_totp_asks_the_password(app: Flask) -> None:
    client = logged_in(app, "operatore")
    _enrol(client)
    wrong = _post(client, "/demo/backoffice/account/verifica/disattiva", {"password": "no"}, "/demo/backoffice/account")
    assert wrong.status_code == 400
    assert _post(client, "/demo/backoffice/account/verifica/disattiva", {"password": "demo"},
                 "/demo/backoffice/account").status_code == 302
    with app.app_context():
        assert not _user("operatore").has_totp and _user("operatore").totp_secret is None
    assert len(_events(app, "totp_disabled")) == 1
    assert login(app.test_client(), "operatore").headers["Location"] == "/demo/backoffice/pratiche"


# --- Offices ---------------------------------------------------------------------------------------

def _office(app: Flask, name: str) -> Office:
    with app.app_context():
        row = db.session.scalar(db.select(Office).where(Office.name == name))
        db.session.expunge(row)
        return row


def test_office_lifecycle_create_rename_members_services_close(app: Flask) -> None:
    operator = logged_in(app, "operatore")
    assert operator.get("/demo/backoffice/uffici").status_code == 404
    manager = logged_in(app, "manager")
    created = _post(manager, "/demo/backoffice/uffici/nuovo", {"name": "Ufficio Tributi"})
    assert created.status_code == 302
    office = _office(app, "Ufficio Tributi")
    assert office.code == "ufficio-tributi"
    duplicate = _post(manager, "/demo/backoffice/uffici/nuovo", {"name": "ufficio tributi"})
    assert duplicate.status_code == 400 and "Esiste già un ufficio con questo nome." in duplicate.get_data(as_text=True)
    add_staff(app, "tributi")
    with app.app_context():
        member = str(_user("tributi").id)
        service = str(db.session.scalar(db.select(Service.id).where(Service.slug == "cdu")))
    path = f"/demo/backoffice/uffici/{office.id}"
    saved = manager.post(path, data={"csrf_token": csrf(manager, path), "name": "Ufficio Tributi e Tasse",
                                     "members": [member], "services": [service]})
    assert saved.status_code == 302
    renamed = _office(app, "Ufficio Tributi e Tasse")
    assert renamed.code == "ufficio-tributi"  # the code stays
    with app.app_context():
        person = _user("tributi")
        assert person.office_id == renamed.id and [s.slug for s in person.services] == ["cdu"]
    closing = _post(manager, f"/demo/backoffice/uffici/{office.id}/chiudi", {}, "/demo/backoffice/uffici")
    assert closing.status_code == 302
    closed = _office(app, "Ufficio Tributi e Tasse")
    assert closed.closed_at is not None
    with app.app_context():
        assert _user("tributi").office_id is None
    assert ">Ufficio Tributi e Tasse</option>" not in manager.get("/demo/backoffice/operatori/nuovo").get_data(
        as_text=True)
    events = [(e.event, e.object_name) for e in _events(app) if e.event.startswith("office_")]
    assert events == [("office_created", "Ufficio Tributi"), ("office_changed", "Ufficio Tributi e Tasse"),
                      ("office_closed", "Ufficio Tributi e Tasse")]
    assert _events(app, "office_changed")[0].details["renamed_from"] == "Ufficio Tributi"


def test_closing_an_office_with_open_work_is_refused(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    api.post(f"/applications/{app_id}/transition/submit", "RSSMRA80A01H501U")
    office = _office(app, "Ufficio Servizi Sociali")
    with app.app_context():
        row = db.session.get(Application, uuid.UUID(str(app_id)))
        row.office_id = office.id
        db.session.commit()
    manager = logged_in(app, "manager")
    refused = _post(manager, f"/demo/backoffice/uffici/{office.id}/chiudi", {}, "/demo/backoffice/uffici")
    assert refused.status_code == 302
    page = manager.get("/demo/backoffice/uffici").get_data(as_text=True)
    assert "assegnale a un altro ufficio prima di chiuderlo" in page and app_id in page
    assert _office(app, "Ufficio Servizi Sociali").closed_at is None
    assert not _events(app, "office_closed")


# --- The audit log ---------------------------------------------------------------------------------

def test_audit_log_records_staff_events_and_only_administrators_read_it(app: Flask, api) -> None:
    bad = login(app.test_client(), "operatore", "sbagliata", REMOTE_ADDR="10.1.2.3")
    assert bad.status_code == 401
    login(app.test_client(), "nessuno", "x")
    client = logged_in(app, "operatore")
    _post(client, "/demo/backoffice/logout", {}, "/demo/backoffice/pratiche")
    manager = logged_in(app, "manager")
    with app.app_context():
        target = _user("vigile").id
    _post(manager, f"/demo/backoffice/operatori/{target}/ruolo", {"manager": "1", "confirm": "1"},
          "/demo/backoffice/operatori")
    edit = f"/demo/backoffice/operatori/{target}"
    manager.post(edit, data={"csrf_token": csrf(manager, edit), "name": "Vigile", "family_name": "Urbano",
                             "email": "vigile@example.it", "office_id": str(_office(app, "Ufficio Tecnico").id)})
    with app.app_context():
        deleted = _user("scuola").id
    _post(manager, f"/demo/backoffice/operatori/{deleted}/elimina", {}, "/demo/backoffice/operatori")
    failed = _events(app, "login_failed")
    assert [(e.address) for e in failed][:2] == ["10.1.2.3", "127.0.0.1"] and failed[1].actor_name == "nessuno"
    assert "operatore" in failed[0].actor_name and failed[0].details == {"step": "password", "throttled": False}
    assert {"login", "logout", "role_changed", "account_updated", "account_deleted"} <= {e.event for e in _events(app)}
    assert _events(app, "role_changed")[0].details == {"from": "operator", "to": "manager"}
    assert "office_id" in _events(app, "account_updated")[0].details["fields"]
    assert "sbagliata" not in str([(e.details, e.actor_name, e.object_name) for e in _events(app)])
    # Administrators read, filter, page and export it; nobody else is told it exists.
    for other in ("operatore", "manager"):
        staff = logged_in(app, other)
        assert staff.get("/demo/backoffice/registro-attivita").status_code == 404
        assert staff.get("/demo/backoffice/registro-attivita.csv").status_code == 404
        assert "Registro attività" not in staff.get("/demo/backoffice/pratiche").get_data(as_text=True)
    citizen = app.test_client()
    assert citizen.get("/demo/backoffice/registro-attivita").status_code == 302  # to the login page
    admin = logged_in(app, "admin")
    page = admin.get("/demo/backoffice/registro-attivita?evento=login_failed").get_data(as_text=True)
    assert "10.1.2.3" in page and "Ruolo cambiato" not in page.split("<tbody>")[1]
    assert "Ruolo cambiato" in admin.get("/demo/backoffice/registro-attivita?chi=vigile").get_data(as_text=True)
    export = admin.get("/demo/backoffice/registro-attivita.csv?evento=role_changed")
    text = export.get_data(as_text=True)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert text.count("\r\n") == 2 and "role_changed" in text and "login_failed" not in text


def test_audit_log_is_paged(app: Flask) -> None:
    from webapp.services import people
    with app.app_context():
        admin = _user("admin")
        for n in range(55):
            people.audit(admin, "settings_changed", f"prova {n}", {"setting": "x", "password": "segreta"})
        assert all("password" not in e.details for e in db.session.scalars(db.select(AuditEvent)))
    client = logged_in(app, "admin")
    first = client.get("/demo/backoffice/registro-attivita?evento=settings_changed").get_data(as_text=True)
    assert first.count("prova ") == 50 and 'aria-current="page">1<' in first
    second = client.get("/demo/backoffice/registro-attivita?evento=settings_changed&pagina=2").get_data(as_text=True)
    assert second.count("prova ") == 5
