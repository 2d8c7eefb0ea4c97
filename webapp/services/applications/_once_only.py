"""Once only (AgID C.SE.1.5): what the ente already holds is offered again, never asked again.

The profile keeps the contacts, the residence, the ISEE and the IBAN a citizen gave, each group with when and
where it was given (the profile page, an application, the identity provider). A new application's form is
pre-filled from it (the fields `forms` names by their declared kind); a sent application gives back the
values of those kinds, which become the profile's with the day they were sent. SPID/CIE data is pre-filled
too, but never taken back: the identity provider stays its only source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import forms
from webapp.models import Application, User
from webapp.services import catalogue

PROFILE = "profile"
APPLICATION = "application"
IDENTITY = "identity"
GROUPS = ("email", "phone", "residence", "isee", "iban")
ADDRESS_PARTS = ("address", "postal_code", "city", "province")


@dataclass(frozen=True)
class Provenance:
    """When and where the ente's copy of one group of data was given."""

    at: datetime
    source: str  # profile | application | identity
    application_id: str | None = None
    service: str | None = None


def group_of(kind: str) -> str | None:
    """The group a held kind's date is kept for ("residence.city" -> "residence"); None for identity data."""
    if kind in forms.IDENTITY_KINDS:
        return None
    return kind.split(".")[0]


def held_value(user: User, kind: str) -> Any:
    """The value the ente holds for `kind`, or None."""
    if kind.startswith("residence."):
        return (user.residence or {}).get(kind.removeprefix("residence."))
    columns = {"name": user.name, "family_name": user.family_name, "fiscal_code": user.fiscal_code,
               "birth_date": user.birth_date, "birth_place": user.birth_place, "email": user.email,
               "phone": user.phone}
    if kind in columns:
        return columns[kind]
    return (user.held_data or {}).get(kind)


def provenance(user: User) -> dict[str, Provenance]:
    """Group -> when and where it was given, for the groups whose date is known."""
    found = {}
    for group, raw in (user.data_provenance or {}).items():
        if isinstance(raw, dict) and raw.get("at"):
            try:
                at = datetime.fromisoformat(str(raw["at"]))
            except ValueError:
                continue
            found[group] = Provenance(at, str(raw.get("source") or PROFILE), raw.get("application_id"),
                                      raw.get("service"))
    return found


def prefill(user: User, form: forms.Form, tolerated: frozenset[str]) -> dict[str, Any]:
    """The values the ente holds for the form's declared fields; a value the form would refuse is left out
    (the citizen types it), one it only misses nothing for is kept."""
    data = {}
    for name, kind in form.profile_fields.items():
        value = held_value(user, kind)
        if value is not None and value != "":
            data[name] = value
    bad = {e.pointer.strip("/").split("/")[0] for e in form.validate(data) if e.code not in tolerated}
    return {k: v for k, v in data.items() if k not in bad}


def held_since(user: User, form: forms.Form, data: dict[str, Any]) -> dict[str, datetime]:
    """Field -> the day its value was given, for the fields showing what the ente holds (the note beside them)."""
    dates = provenance(user)
    found = {}
    for name, kind in form.profile_fields.items():
        group = group_of(kind)
        if group in dates and name in data and data[name] == held_value(user, kind):
            found[name] = dates[group].at
    return found


def mark_held(user: User, groups: set[str], source: str, application: Application | None = None,
         at: datetime | None = None) -> None:
    """Record that these groups were given now (by the profile page, an application, the identity)."""
    if not groups:
        return
    entry: dict[str, Any] = {"at": (at or datetime.now(UTC)).isoformat(), "source": source}
    if application is not None:
        entry.update(application_id=str(application.id), service=application.service.name)
    # A new dict: the JSON column notices only a new value, not a change inside the old one.
    user.data_provenance = {**(user.data_provenance or {}), **{group: dict(entry) for group in groups}}


def _set(user: User, kind: str, value: Any) -> None:
    if kind.startswith("residence."):
        user.residence = {**(user.residence or {}), kind.removeprefix("residence."): value}
    elif kind == "email":
        user.email = value
    elif kind == "phone":
        user.phone = value
    else:
        user.held_data = {**(user.held_data or {}), kind: value}


def keep_from_application(app: Application, user: User) -> set[str]:
    """What the sent application gave of the held kinds becomes the profile's, dated today; the groups kept.
    A field left empty takes nothing away: not repeating a value is not withdrawing it."""
    if user.id != app.user_id:
        return set()
    form_fields = catalogue.form_for(app.service_version).profile_fields
    given = {kind: app.data[name] for name, kind in form_fields.items()
             if kind in forms.HELD_KINDS and app.data.get(name) not in (None, "")}
    for kind, value in given.items():
        _set(user, kind, _normalised(kind, value))
    groups = {group for kind in given if (group := group_of(kind)) is not None}
    mark_held(user, groups, APPLICATION, app)
    return groups


def _normalised(kind: str, value: Any) -> Any:
    if kind == "iban" and isinstance(value, str):
        return value.replace(" ", "").upper()
    return value

