"""Which fields of a form hold data the ente may already have ("once only", AgID C.SE.1.5).

A top-level property declares the kind of data it holds with the keyword `"x-profile"` (one of
PROFILE_KINDS), or `"x-profile": false` to say it holds none even if its name suggests otherwise. Without
the keyword, the conventional names of KNOWN_NAMES are taken as declared. The web layer pre-fills these
fields from the citizen's profile and keeps what a sent application gave; this module only names them.
"""

from __future__ import annotations

from typing import Any

PROFILE_KEYWORD = "x-profile"
# SPID/CIE data: pre-filled, never taken back from an application (the identity provider is their source).
IDENTITY_KINDS: tuple[str, ...] = ("name", "family_name", "fiscal_code", "birth_date", "birth_place")
# Data the citizen gives and the profile keeps with its date.
HELD_KINDS: tuple[str, ...] = ("email", "phone", "residence.address", "residence.postal_code", "residence.city",
                               "residence.province", "isee", "iban")
PROFILE_KINDS: tuple[str, ...] = IDENTITY_KINDS + HELD_KINDS
# Names that mean the applicant's own data wherever they appear (a place of works is not "indirizzo" of the
# applicant, so addresses are never guessed from a name: they are declared).
KNOWN_NAMES: dict[str, str] = {
    "nome": "name", "cognome": "family_name", "codice_fiscale": "fiscal_code", "data_nascita": "birth_date",
    "luogo_nascita": "birth_place", "email": "email", "telefono": "phone", "isee": "isee", "iban": "iban",
}


def declared_kind(name: str, prop: Any) -> str | None:
    """The kind of data the top-level property `name` holds, or None."""
    if isinstance(prop, dict) and PROFILE_KEYWORD in prop:
        kind = prop[PROFILE_KEYWORD]
        return kind if isinstance(kind, str) else None
    return KNOWN_NAMES.get(name)


def profile_fields(schema: dict[str, Any]) -> dict[str, str]:
    """Field name -> kind of profile data, for the form's top-level fields that hold one."""
    found = {}
    for name, prop in (schema.get("properties") or {}).items():
        kind = declared_kind(name, prop)
        if kind is not None:
            found[name] = kind
    return found


def profile_problems(schema: dict[str, Any]) -> list[str]:
    """What is wrong with the form's declarations (unknown kinds, declarations on nested fields)."""
    problems = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        kind = prop.get(PROFILE_KEYWORD, False)
        if kind is not False and kind not in PROFILE_KINDS:
            problems.append(f"{name}: \"{PROFILE_KEYWORD}\" sconosciuto {kind!r} "
                            f"(ammessi: {', '.join(PROFILE_KINDS)} o false)")
        for child in (prop.get("properties") or {}).values() if isinstance(prop.get("properties"), dict) else ():
            if isinstance(child, dict) and PROFILE_KEYWORD in child:
                problems.append(f"{name}: \"{PROFILE_KEYWORD}\" vale solo per i campi di primo livello")
                break
    return problems
