"""What every part of the SAML SP shares: the XML namespaces and SPID constants, the configuration, the
SP's addresses per ente and method, a parser safe for hostile XML and the xmlsec1 program."""

from __future__ import annotations

import secrets
import shutil
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from lxml import etree  # type: ignore[import-untyped]
from saml2 import BINDING_HTTP_REDIRECT

from webapp.models import Tenant
from webapp.services.common.errors import BadRequest, NotFound

from .._citizens import METHODS

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"
SPID_NS = "https://spid.gov.it/saml-extensions"
CIE_NS = "https://www.cartaidentita.interno.gov.it/saml-extensions"
ENTITY = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
LEVELS = {f"https://www.spid.gov.it/SpidL{n}": n for n in (1, 2, 3)}
# What the SP asks for (one AttributeConsumingService, index 0); CIE releases a smaller set.
REQUESTED_ATTRIBUTES = {
    "spid": ("spidCode", "name", "familyName", "fiscalNumber", "dateOfBirth", "placeOfBirth", "email",
             "mobilePhone", "address"),
    "cie": ("name", "familyName", "fiscalNumber", "dateOfBirth"),
}
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class SamlError(BadRequest):
    """A SAML message that must be refused; the message is for the citizen, the log has the detail."""


def saml_configured(app: Flask) -> bool:
    """SAML login is offered: each ente signs with its own key pair (SAML_LOGIN), or the platform's pair
    of SAML_KEY_FILE / SAML_CERT_FILE stands in (tests and demo)."""
    return bool(app.config.get("SAML_LOGIN") or fallback_files(app))


def fallback_files(app: Flask) -> tuple[str, str] | None:
    key, cert = app.config.get("SAML_KEY_FILE"), app.config.get("SAML_CERT_FILE")
    return (str(key), str(cert)) if key and cert else None


def metadata_files(method: str) -> list[str]:
    raw = current_app.config.get("SPID_IDP_METADATA" if method == "spid" else "CIE_IDP_METADATA") or ""
    return [path for path in (p.strip() for p in str(raw).split(",")) if path]


def _base(tenant: Tenant, method: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/{tenant.slug}/{method}"


def entity_id(tenant: Tenant, method: str) -> str:
    return f"{_base(tenant, method)}/metadata"


def acs_url(tenant: Tenant, method: str) -> str:
    return f"{_base(tenant, method)}/acs"


def slo_url(tenant: Tenant, method: str) -> str:
    return f"{_base(tenant, method)}/slo"


def check_method(method: str) -> None:
    if method not in METHODS:
        raise NotFound("Metodo di accesso sconosciuto.")


def xmlsec() -> str:
    found = shutil.which("xmlsec1")
    if found is None:
        raise RuntimeError("xmlsec1 is missing: install the Debian package xmlsec1 (make install does)")
    return found


def new_id() -> str:
    return "_" + secrets.token_hex(16)


def now() -> datetime:
    return datetime.now(UTC)


def parser() -> etree.XMLParser:
    """No DTDs, entities or network: a SAML message is hostile input."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=False)


def location(descriptor: Any, service: str) -> str | None:
    """The HTTP-Redirect endpoint of one of an entity's services, if it has one."""
    for element in descriptor.findall(f"{{{MD}}}{service}"):
        if element.get("Binding") == BINDING_HTTP_REDIRECT:
            return str(element.get("Location"))
    return None


def instant(raw: str | None) -> datetime | None:
    """A SAML instant (xs:dateTime in UTC, optionally with fractions), or None if malformed."""
    if not raw or not raw.endswith("Z"):
        return None
    text = raw[:-1]
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text[:26] if "." in text else text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None
