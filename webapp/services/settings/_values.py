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
from webapp.services import people
from webapp.services.common import ente_settings, legal_drafts, policy
from webapp.services.common.errors import FieldProblem, Forbidden, NotFound, ValidationFailed

log = logging.getLogger(__name__)

# Plain fields: key -> kind. The ente's name is its row's column; the others live in Tenant.settings.
PLAIN: dict[str, str] = {
    "name": "text", "parent_name": "text", "parent_url": "url",
    "contact_email": "email", "contact_pec": "email", "contact_phone": "phone", "contact_address": "text",
    "dpo_email": "email",
    "privacy_text": "rich", "legal_notes_text": "rich", "accessibility_text": "rich",
    "privacy_text_published": "flag", "accessibility_text_published": "flag",
    "privacy_url": "url", "accessibility_url": "url", "accessibility_feedback_url": "url",
    "pnrr_funded": "flag",
    "faq_url": "url", "faq_service": "service", "assistance_url": "url", "assistance_service": "service",
    "report_inefficiency_url": "url", "report_inefficiency_service": "service",
    "email_sender": "email", "email_sender_name": "text",
}
REQUIRED = frozenset({"name"})
_YES, _NO = frozenset({"1", "true", "on", "yes", "si", "sì"}), frozenset({"", "0", "false", "off", "no"})
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
    values: dict[str, Any] = {key: bool(settings.get(key)) if kind == "flag" else settings.get(key) or None
                              for key, kind in PLAIN.items()}
    values["name"] = tenant.name
    for key in legal_drafts.DRAFTED:  # the text the public sees: the ente's own, or the platform's draft
        values[key] = values[key] or legal_drafts.draft(tenant, key)
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


def _check_plain(key: str, raw: Any, slugs: set[str]) -> tuple[str | bool | None, str | None]:
    """(the value to keep, None) or (None, the problem). An empty value clears the setting."""
    if PLAIN[key] == "flag":
        return _check_flag(raw)
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


def _check_flag(raw: Any) -> tuple[bool | None, str | None]:
    """A yes/no setting, from JSON (true/false/null) or a form's checkbox ("1" or absent); no is kept as unset."""
    if isinstance(raw, bool) or raw is None:
        return (True if raw else None), None
    if isinstance(raw, str) and raw.strip().lower() in _YES | _NO:
        return (True if raw.strip().lower() in _YES else None), None
    return None, "Il valore deve essere vero o falso."


def _untouched_drafts(tenant: Tenant, settings: dict[str, Any], changes: Mapping[str, Any]) -> set[str]:
    """The platform's drafts sent back as they were shown (the settings page and GET give them): not kept as the
    ente's own words, so they go on following its contacts. Run before the new settings apply."""
    untouched = set()
    for key in legal_drafts.DRAFTED:
        if key in changes and settings.get(key) == ente_settings.sanitise_html(legal_drafts.draft(tenant, key)):
            settings.pop(key)
            untouched.add(key)
    return untouched


def _keep_published_texts(tenant: Tenant, settings: dict[str, Any], changes: Mapping[str, Any],
                          untouched: set[str]) -> None:
    """Publishing a draft keeps its words: the platform's draft (with the new settings) becomes the ente's own
    text, which later changes of the contacts no longer rewrite. A text cleared is the draft again, unpublished."""
    for key in legal_drafts.DRAFTED:
        flag = legal_drafts.published_key(key)
        if not settings.get(flag) or key in settings:
            continue
        if key in changes and key not in untouched:
            settings.pop(flag, None)
        else:
            settings[key] = ente_settings.sanitise_html(legal_drafts.draft(tenant, key))


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
    untouched = _untouched_drafts(tenant, settings, changes)
    changed = [key for key in sorted(known) if key in changes]
    tenant.name = new_name
    tenant.settings = settings  # a new dict: the JSON column sees the change
    _keep_published_texts(tenant, settings, changes, untouched)
    db.session.flush()
    log.info("ente %s: settings changed by user %s: %s", tenant.slug, user.id, ", ".join(changed))  # keys only
    if changed:  # which settings, never their values (a password, a key)
        people.audit(user, "settings_changed", tenant, {"settings": ", ".join(changed)})
    return changed
