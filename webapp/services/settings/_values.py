"""An ente's settings as administrators see and change them: checked, cleaned, secrets write-only."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Service, Tenant, User
from webapp.services.common import ente_settings, policy
from webapp.services.common.errors import FieldProblem, Forbidden, NotFound, ValidationFailed

log = logging.getLogger(__name__)

# Plain fields: key -> kind. The ente's name is its row's column; the others live in Tenant.settings.
PLAIN: dict[str, str] = {
    "name": "text", "parent_name": "text", "parent_url": "url",
    "contact_email": "email", "contact_pec": "email", "contact_phone": "phone", "contact_address": "text",
    "privacy_text": "rich", "legal_notes_text": "rich", "accessibility_text": "rich",
    "faq_url": "url", "faq_service": "service", "assistance_url": "url", "assistance_service": "service",
    "report_inefficiency_url": "url", "report_inefficiency_service": "service",
    "email_sender": "email", "email_sender_name": "text",
}
REQUIRED = frozenset({"name"})
MAX_TEXT, MAX_RICH = 200, 60_000
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PHONE = re.compile(r"^\+?[0-9 ./()-]{5,30}$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$")
_TEMPLATE_KEY = re.compile(r"^[a-z_]{1,40}(\.[0-9]{1,6})?\.(it|en)$")
_CHECK_TEMPLATES = SandboxedEnvironment(autoescape=False)


def require_admin(user: User, tenant: Tenant) -> None:
    """Citizens and anyone not of this ente are not told the settings exist; other staff are refused."""
    if user.tenant_id != tenant.id or not user.is_staff:
        raise NotFound("Risorsa non trovata.")
    if not policy.can_edit_settings(user):
        raise Forbidden("Le impostazioni dell'ente sono riservate agli amministratori.")


def public_view(tenant: Tenant) -> dict[str, Any]:
    """Everything an administrator may read back: secrets only as 'set' or not, never their value."""
    settings = tenant.settings or {}
    values: dict[str, Any] = {key: settings.get(key) or None for key in PLAIN}
    values["name"] = tenant.name
    smtp = _mapping(settings, "smtp")
    values["smtp"] = {"host": smtp.get("host") or None, "port": smtp.get("port") or None,
                      "username": smtp.get("username") or None, "security": smtp.get("security") or None,
                      "password_set": bool(smtp.get("password"))}
    keys = _mapping(settings, "app_io_keys")
    values["app_io_services"] = sorted(slug for slug, token in keys.items() if token)
    values["email_templates"] = dict(settings.get("email_templates") or {})
    values["logo"] = bool(settings.get("logo"))
    return values


def _mapping(settings: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = settings.get(key)
    return dict(value) if isinstance(value, dict) else {}


def _service_slugs(tenant: Tenant) -> set[str]:
    return set(db.session.scalars(select(Service.slug).where(Service.tenant_id == tenant.id)))


def _check_plain(key: str, raw: Any, slugs: set[str]) -> tuple[str | None, str | None]:
    """(the value to keep, None) or (None, the problem). An empty value clears the setting."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return None, "Il valore deve essere un testo."
    value = raw.strip()
    kind = PLAIN[key]
    if not value:
        return (None, "Campo obbligatorio.") if key in REQUIRED else (None, None)
    if kind == "rich":
        if len(value) > MAX_RICH:
            return None, f"Il testo supera i {MAX_RICH} caratteri."
        return ente_settings.sanitise_html(value), None
    if len(value) > (500 if kind == "url" else MAX_TEXT):
        return None, "Il valore è troppo lungo."
    if kind == "url":
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            return None, "Indica un indirizzo web completo che inizi con https://."
    elif kind == "email" and not _EMAIL.match(value):
        return None, "Indica un indirizzo e-mail valido."
    elif kind == "phone" and not _PHONE.match(value):
        return None, "Indica un numero di telefono valido."
    elif kind == "service" and value not in slugs:
        return None, "Scegli uno dei servizi dell'ente."
    return value, None


def _check_smtp(raw: Any, current: Mapping[str, Any], problems: list[FieldProblem]) -> dict[str, Any] | None:
    if raw is None:
        return None  # `smtp: null` clears the ente's own server: mail goes through the platform's
    if not isinstance(raw, Mapping):
        problems.append(FieldProblem("/smtp", "Il server di posta va indicato come oggetto.", "type"))
        return dict(current)
    smtp = dict(current)
    for key in ("host", "username", "security"):
        if key in raw:
            smtp[key] = (str(raw[key]).strip() if raw[key] is not None else "") or None
    if "port" in raw:
        port = raw["port"]
        if isinstance(port, str) and port.strip().isdigit():
            port = int(port.strip())
        if port in (None, ""):
            smtp["port"] = None
        elif not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            problems.append(FieldProblem("/smtp/port", "La porta è un numero da 1 a 65535.", "range"))
        else:
            smtp["port"] = port
    if smtp.get("host") and not _HOST.match(str(smtp["host"])):
        problems.append(FieldProblem("/smtp/host", "Indica il nome del server (es. smtp.comune.it).", "format"))
    if smtp.get("security") not in (None, *ente_settings.SMTP_SECURITY):
        problems.append(FieldProblem("/smtp/security", "La sicurezza è starttls, ssl o none.", "enum"))
    if "password" in raw:  # write-only: a new value replaces the old, an empty one or null removes it
        password = raw["password"]
        smtp["password"] = ente_settings.encrypt_secret(str(password)) if password else None
    if not smtp.get("host"):
        return None
    smtp.setdefault("security", "starttls")
    smtp["security"] = smtp["security"] or "starttls"
    return smtp


def _check_app_io(raw: Any, current: Mapping[str, Any], slugs: set[str],
                  problems: list[FieldProblem]) -> dict[str, str]:
    keys = {slug: token for slug, token in current.items() if token}
    if not isinstance(raw, Mapping):
        problems.append(FieldProblem("/app_io_keys", "Le chiavi App IO vanno indicate per servizio.", "type"))
        return keys
    for slug, key in raw.items():
        if slug not in slugs:
            problems.append(FieldProblem(f"/app_io_keys/{slug}", "Servizio sconosciuto.", "unknown"))
        elif not key:
            keys.pop(slug, None)
        elif not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_-]{8,128}", key.strip()):
            problems.append(FieldProblem(f"/app_io_keys/{slug}", "La chiave App IO non è valida.", "format"))
        else:
            keys[slug] = ente_settings.encrypt_secret(key.strip())
    return keys


def check_template(source: str) -> str | None:
    """The problem of an ente's e-mail text (its syntax), or None."""
    try:
        _CHECK_TEMPLATES.parse(source)
    except TemplateSyntaxError as exc:
        return f"Il testo non è valido alla riga {exc.lineno}: {exc.message}"
    return None


def _check_templates(raw: Any, problems: list[FieldProblem]) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        problems.append(FieldProblem("/email_templates", "I testi vanno indicati per chiave.", "type"))
        return {}
    kept: dict[str, str] = {}
    for key, source in raw.items():
        if not _TEMPLATE_KEY.match(str(key)):
            problems.append(FieldProblem(f"/email_templates/{key}", "Chiave non valida: <modello>[.<stato>].<lingua>.",
                                         "format"))
        elif not isinstance(source, str) or not source.strip():
            continue  # an empty text gives the platform's own back
        elif len(source) > MAX_RICH:
            problems.append(FieldProblem(f"/email_templates/{key}", "Il testo è troppo lungo.", "length"))
        elif problem := check_template(source):
            problems.append(FieldProblem(f"/email_templates/{key}", problem, "syntax"))
        else:
            kept[str(key)] = source.replace("\r\n", "\n")
    return kept


def update_settings(tenant: Tenant, user: User, changes: Mapping[str, Any]) -> list[str]:
    """Apply `changes` (only the keys given; unknown keys refused) inside the caller's unit of work; the keys
    changed come back. Nothing is kept when any value is refused."""
    require_admin(user, tenant)
    known = {*PLAIN, "smtp", "app_io_keys", "email_templates"}
    problems = [FieldProblem(f"/{key}", "Impostazione sconosciuta.", "unknown") for key in changes if key not in known]
    settings = dict(tenant.settings or {})
    slugs = _service_slugs(tenant)
    new_name = tenant.name
    for key in (k for k in PLAIN if k in changes):
        value, problem = _check_plain(key, changes[key], slugs)
        if problem:
            problems.append(FieldProblem(f"/{key}", problem, "invalid"))
        elif key == "name":
            new_name = str(value)
        elif value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    if "smtp" in changes:
        smtp = _check_smtp(changes["smtp"], _mapping(settings, "smtp"), problems)
        if smtp is None:
            settings.pop("smtp", None)
        else:
            settings["smtp"] = smtp
    if "app_io_keys" in changes:
        settings["app_io_keys"] = _check_app_io(changes["app_io_keys"], _mapping(settings, "app_io_keys"), slugs,
                                                problems)
    if "email_templates" in changes:
        settings["email_templates"] = _check_templates(changes["email_templates"], problems)
    if problems:
        raise ValidationFailed(problems)
    changed = [key for key in sorted(known) if key in changes]
    tenant.name = new_name
    tenant.settings = settings  # a new dict: the JSON column sees the change
    db.session.flush()
    log.info("ente %s: settings changed by user %s: %s", tenant.slug, user.id, ", ".join(changed))  # keys only
    return changed
