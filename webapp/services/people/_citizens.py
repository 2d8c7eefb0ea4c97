"""Citizen login through pluggable identity providers (SPID, CIE).

A provider turns a browser round trip into an `Identity`: the attributes SPID/CIE assert, the
method and level used. `login_identity` maps it onto the tenant's citizen (created on first
login) and refreshes the read-only identity data at every login. A real SAML2/OIDC provider
registers itself with `register_provider`; the test provider exists only where
TEST_IDENTITY_PROVIDER is on (demo and tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import Flask, current_app, url_for

from webapp.extensions import db
from webapp.models import CITIZEN, Tenant, User
from webapp.services import applications
from webapp.services.common.errors import BadRequest, Forbidden, NotFound
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work

METHODS = ("spid", "cie")
METHOD_LABELS = {"spid": "SPID", "cie": "CIE"}
# Attributes read from SPID/CIE; what the profile shows read-only.
IDENTITY_ATTRIBUTES = ("fiscalNumber", "name", "familyName", "dateOfBirth", "placeOfBirth", "email",
                       "mobilePhone", "address")


@dataclass(frozen=True)
class Identity:
    """What an identity provider asserted about the person who just logged in."""

    method: str  # spid | cie
    attributes: dict[str, str]
    level: str = "SpidL2"
    provider: str = "test"
    session_index: str | None = None
    # SAML only: what single logout names the session by, and the assertion that opened it.
    name_id: str | None = None
    name_id_qualifier: str | None = None
    assertion_id: str | None = None
    instant: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def fiscal_code(self) -> str:
        raw = self.attributes.get("fiscalNumber", "").strip().upper()
        return raw.removeprefix("TINIT-")


class IdentityProvider(Protocol):
    """One way to log in: `begin` sends the browser to it; its own callback builds an Identity."""

    @property
    def key(self) -> str: ...

    @property
    def methods(self) -> tuple[str, ...]: ...

    def begin(self, method: str, next_url: str) -> str:
        """The URL the browser goes to for `method` (spid|cie), to come back to `next_url`."""
        ...


_FACTORIES: dict[str, Callable[[Flask], IdentityProvider | None]] = {}


def register_provider(key: str, factory: Callable[[Flask], IdentityProvider | None]) -> None:
    """A provider module calls this at import; the factory returns None when not configured."""
    _FACTORIES[key] = factory


def providers() -> list[IdentityProvider]:
    found = (factory(current_app) for factory in _FACTORIES.values())
    return [provider for provider in found if provider is not None]


def provider_for(method: str) -> IdentityProvider:
    for provider in providers():
        if method in provider.methods:
            return provider
    raise NotFound(f"Nessun accesso con {METHOD_LABELS.get(method, method)} configurato.")


# --- The test provider: fixed identities, demo and test configuration only ---

def _spid_attributes(person: dict[str, Any]) -> dict[str, str]:
    residence = person.get("residence") or {}
    address = " ".join(str(residence.get(k, "")) for k in ("address", "postal_code", "city", "province"))
    return {
        "fiscalNumber": f"TINIT-{person['fiscal_code']}", "name": person["name"],
        "familyName": person["family_name"], "dateOfBirth": person["birth_date"],
        "placeOfBirth": person["birth_place"], "email": person["email"], "mobilePhone": person["phone"],
        "address": address.strip(),
    }


# The people of the test identity provider; the demo and the tests give the first two an account.
TEST_CITIZENS: tuple[dict[str, Any], ...] = (
    {"fiscal_code": "RSSMRA80A01H501U", "name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01",
     "birth_place": "Roma", "email": "mario.rossi@example.it", "phone": "+39 333 1234567",
     "residence": {"address": "Via Roma 1", "postal_code": "00100", "city": "Roma", "province": "RM"}},
    {"fiscal_code": "VRDGPP85M41F205X", "name": "Giuseppina", "family_name": "Verdi",
     "birth_date": "1985-08-01", "birth_place": "Milano", "email": "giuseppina.verdi@example.it",
     "phone": "+39 347 7654321",
     "residence": {"address": "Corso Magenta 10", "postal_code": "20123", "city": "Milano", "province": "MI"}},
)
NEW_CITIZEN = {"fiscal_code": "BNCLCU90C15F839M", "name": "Luca", "family_name": "Bianchi",
               "birth_date": "1990-03-15", "birth_place": "Napoli", "email": "luca.bianchi@example.it",
               "phone": "+39 320 1112233",
               "residence": {"address": "Via Toledo 100", "postal_code": "80134", "city": "Napoli",
                             "province": "NA"}}
TEST_IDENTITIES: tuple[dict[str, str], ...] = tuple(_spid_attributes(p) for p in (*TEST_CITIZENS, NEW_CITIZEN))


class TestIdentityProvider:
    """A stand-in for the SPID/CIE identity providers: the browser picks one of the test identities."""

    key = "test"
    methods = METHODS

    def begin(self, method: str, next_url: str) -> str:
        return url_for("citizen.test_idp", method=method, next=next_url)

    @staticmethod
    def identities() -> tuple[dict[str, str], ...]:
        return TEST_IDENTITIES

    @staticmethod
    def assert_identity(fiscal_code: str, method: str) -> Identity:
        if not current_app.config["TEST_IDENTITY_PROVIDER"]:
            raise Forbidden("Le identità di prova non sono abilitate.")
        if method not in METHODS:
            raise BadRequest("Metodo di accesso sconosciuto.")
        for attributes in TEST_IDENTITIES:
            if attributes["fiscalNumber"] == f"TINIT-{fiscal_code}":
                level = "SpidL2" if method == "spid" else "CieL3"
                return Identity(method=method, attributes=dict(attributes), level=level, provider="test")
        raise NotFound("Identità di prova sconosciuta.")


def _test_factory(app: Flask) -> IdentityProvider | None:
    return TestIdentityProvider() if app.config.get("TEST_IDENTITY_PROVIDER") else None


register_provider("test", _test_factory)


# --- Mapping an identity onto the citizen ---

def login_identity(tenant: Tenant, identity: Identity) -> User:
    """The tenant's citizen for this identity, created on first login; identity data refreshed."""
    fiscal_code = identity.fiscal_code
    if len(fiscal_code) != 16:
        raise BadRequest("L'identità digitale non riporta un codice fiscale valido.")
    with unit_of_work():
        user = db.session.scalar(scoped(User, tenant).where(User.fiscal_code == fiscal_code))
        if user is None:
            user = User(tenant_id=tenant.id, role=CITIZEN, fiscal_code=fiscal_code)
            db.session.add(user)
        elif user.role != CITIZEN:
            raise Forbidden("Questa identità appartiene a un utente del back office.")
        _refresh(user, identity)
        db.session.flush()
    return user


def _refresh(user: User, identity: Identity) -> None:
    """Identity fields are the provider's (read-only); contacts only fill what is missing."""
    attrs = identity.attributes
    user.name = attrs.get("name") or user.name
    user.family_name = attrs.get("familyName") or user.family_name
    user.birth_date = attrs.get("dateOfBirth") or user.birth_date
    user.birth_place = attrs.get("placeOfBirth") or user.birth_place
    filled = {group for group, column, attr in (("email", "email", "email"), ("phone", "phone", "mobilePhone"))
              if not getattr(user, column) and attrs.get(attr)}
    user.email = user.email or attrs.get("email")
    user.phone = user.phone or attrs.get("mobilePhone")
    if not user.residence and attrs.get("address"):
        user.residence = {"address": attrs["address"]}
        filled.add("residence")
    applications.mark_held(user, filled, applications.IDENTITY_SOURCE, at=identity.instant)  # once only: dated
    user.identity = {
        "method": identity.method, "level": identity.level, "provider": identity.provider,
        "session_index": identity.session_index, "instant": identity.instant.isoformat(),
        "name_id": identity.name_id, "name_id_qualifier": identity.name_id_qualifier,
        "assertion_id": identity.assertion_id,
        "attributes": {k: attrs[k] for k in IDENTITY_ATTRIBUTES if attrs.get(k)},
    }


def identity_locked_fields(user: User) -> set[str]:
    """Profile fields that came from SPID/CIE and may not be edited."""
    attrs = (user.identity or {}).get("attributes") or {}
    mapping = {"dateOfBirth": "birth_date", "placeOfBirth": "birth_place"}
    return {column for attr, column in mapping.items() if attrs.get(attr)}
