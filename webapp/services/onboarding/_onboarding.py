"""The ente (slug, name, codice fiscale, codice IPA) and its administrators, created idempotently.

Every function here works in any configuration: onboarding is how a production ente comes to exist
(the demo seeding refuses outside demo and test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from stdnum.it import iva

from webapp.extensions import db
from webapp.models import ADMIN, Tenant, User
from webapp.models.backoffice import PasswordResetToken
from webapp.services import people
from webapp.services.common.errors import Conflict, FieldProblem, ValidationFailed
from webapp.services.common.tenancy import get_tenant, scoped
from webapp.services.common.uow import unit_of_work

# The slug is the first segment of every address of the ente: lower case, digits and inner hyphens.
SLUG = re.compile(r"[a-z][a-z0-9-]{0,61}[a-z0-9]")
# Addresses outside any ente that a slug must never shadow.
RESERVED_SLUGS = frozenset({"static", "health", "ready", "api", "webhooks", "favicon.ico"})
# The IPA register's codes: letters, digits and underscores (c_h501, r_lazio, asl_rm1), stored lower case.
IPA_CODE = re.compile(r"[a-z0-9_]{2,32}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
USERNAME_CHARS = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class TenantResult:
    tenant: Tenant
    created: bool
    saml_key_created: bool = False  # the ente's own SPID/CIE key pair was made now


@dataclass(frozen=True)
class AdminInvite:
    user: User
    token: str
    expires_at: datetime
    created: bool


def _now() -> datetime:
    return datetime.now(UTC)


def _checked_tenant(slug: str, name: str, fiscal_code: str, ipa_code: str) -> dict[str, str]:
    problems: list[FieldProblem] = []
    values = {"slug": slug.strip(), "name": " ".join(name.split()), "fiscal_code": fiscal_code.strip(),
              "ipa_code": ipa_code.strip().lower()}
    if not SLUG.fullmatch(values["slug"]) or "--" in values["slug"]:
        problems.append(FieldProblem("slug", "Lo slug deve avere 2-63 caratteri: lettere minuscole, cifre e "
                                     "trattini, iniziare con una lettera e non finire con un trattino.", "format"))
    elif values["slug"] in RESERVED_SLUGS:
        problems.append(FieldProblem("slug", f"Lo slug «{values['slug']}» è riservato: scegline un altro.",
                                     "reserved"))
    if not values["name"] or len(values["name"]) > 200:
        problems.append(FieldProblem("name", "Il nome dell'ente è obbligatorio (al massimo 200 caratteri).",
                                     "required"))
    # An ente's codice fiscale is numeric: 11 digits with the same check digit as a partita IVA.
    if not re.fullmatch(r"\d{11}", values["fiscal_code"]):
        problems.append(FieldProblem("fiscal_code", "Il codice fiscale di un ente è di 11 cifre.", "format"))
    elif not iva.is_valid(values["fiscal_code"]):
        problems.append(FieldProblem("fiscal_code", "Il codice fiscale non è valido (la cifra di controllo non "
                                     "corrisponde).", "format"))
    if not IPA_CODE.fullmatch(values["ipa_code"]):
        problems.append(FieldProblem("ipa_code", "Il codice IPA ha 2-32 caratteri: lettere, cifre e trattino "
                                     "basso (per esempio c_h501).", "format"))
    if problems:
        raise ValidationFailed(problems)
    return values


FIELD_LABELS = {"name": "nome", "fiscal_code": "codice fiscale", "ipa_code": "codice IPA"}


def create_tenant(slug: str, name: str, fiscal_code: str, ipa_code: str) -> TenantResult:
    """A new ente; the same ente again is no change; other values under its slug, or its codes under
    another slug, are refused (Conflict) rather than silently overwritten."""
    values = _checked_tenant(slug, name, fiscal_code, ipa_code)
    with unit_of_work():
        existing = db.session.scalar(select(Tenant).where(Tenant.slug == values["slug"]).with_for_update())
        if existing is not None:
            different = [label for key, label in FIELD_LABELS.items() if getattr(existing, key) != values[key]]
            if different:
                raise Conflict(f"L'ente «{existing.slug}» esiste già con un altro {', '.join(different)}: "
                               "nulla è stato modificato.", fields=different)
            # An ente made before it had a key pair of its own gets one; an existing pair is kept.
            _pair, made = people.saml.ensure_key_pair(existing)
            return TenantResult(existing, created=False, saml_key_created=made)
        for key in ("fiscal_code", "ipa_code"):
            other = db.session.scalar(select(Tenant).where(getattr(Tenant, key) == values[key]))
            if other is not None:
                raise Conflict(f"Il {FIELD_LABELS[key]} {values[key]} è già dell'ente «{other.slug}».",
                               fields=[FIELD_LABELS[key]])
        tenant = Tenant(settings={}, **values)
        db.session.add(tenant)
        db.session.flush()
        people.saml.ensure_key_pair(tenant)  # SPID wants the SP certificate to name the ente
    return TenantResult(tenant, created=True, saml_key_created=True)


def _free_username(tenant: Tenant, email: str) -> str:
    base = USERNAME_CHARS.sub("-", email.split("@", 1)[0]).strip("-.")[:140] or "admin"
    base = base if len(base) >= 3 else f"{base}-admin"
    candidate, number = base, 1
    while db.session.scalar(select(func.count()).select_from(User).where(
            User.tenant_id == tenant.id, func.lower(User.username) == candidate)):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def create_admin(tenant_slug: str, email: str, name: str = "", family_name: str = "") -> AdminInvite:
    """An administrator without a password and a single-use link to choose one (its clear text returned
    once). An existing administrator gets a new link and the older unused ones stop working; an account
    of the address with another role is refused (its role changes only through the back office)."""
    address = email.strip().lower()
    if not EMAIL.fullmatch(address) or len(address) > 254:
        raise ValidationFailed([FieldProblem("email", "Indica un indirizzo e-mail valido.", "format")])
    with unit_of_work():
        tenant = get_tenant(tenant_slug)
        user = db.session.scalar(scoped(User, tenant).where(func.lower(User.email) == address).with_for_update())
        created = user is None
        if user is None:
            user = User(tenant_id=tenant.id, role=ADMIN, username=_free_username(tenant, address), email=address,
                        name=(name.strip() or "Amministratore")[:100], family_name=family_name.strip()[:100])
            db.session.add(user)
            db.session.flush()
        elif user.role != ADMIN:
            raise Conflict(f"L'indirizzo {address} è già di un account con ruolo «{user.role}» dell'ente: "
                           "non viene reso amministratore da qui.", role=user.role)
        else:
            if name.strip():
                user.name = name.strip()[:100]
            if family_name.strip():
                user.family_name = family_name.strip()[:100]
            now = _now()
            pending = scoped(PasswordResetToken, tenant).where(PasswordResetToken.user_id == user.id,
                                                                PasswordResetToken.used_at.is_(None))
            for older in db.session.scalars(pending):
                older.used_at = now  # only the newest link printed works
        token = people.issue_reset_token(user)
    expires = _now() + timedelta(seconds=current_app.config["PASSWORD_RESET_TTL_SECONDS"])
    return AdminInvite(user, token, expires, created)


def shipped_service_folders(root: Path) -> list[Path]:
    """Every service of `root` (workflows/): a folder with a service.yaml; folders starting with _ are
    the shared library (lifecycle, fragments), never services of their own."""
    return sorted(p.parent for p in root.glob("*/service.yaml") if not p.parent.name.startswith("_"))
