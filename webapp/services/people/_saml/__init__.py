"""SPID and CIE login through their SAML2 profiles: we are the service provider (pysaml2 + xmlsec1).

Per ente and method there is one SP: entityID `<PUBLIC_URL>/<tenant>/<method>/metadata`, its signed
metadata at that address, an ACS and a single-logout endpoint beside it. Each ente signs with its own key
pair (`_keys`: made by create-tenant, rotated by `flask generate-saml-keys`); the trusted identity
providers are the metadata files of SPID_IDP_METADATA / CIE_IDP_METADATA (`_idps`: the AgID registry's
and the CieID server's, shipped in webapp/saml). One concern per module: `_metadata`, `_requests` (the
AuthnRequest), `_responses` (the ACS), `_logout`, `_idps`, `_keys`; `_common` holds what they share.
"""

from __future__ import annotations

from flask import Flask, url_for

from .._citizens import METHODS, register_provider
from ._common import SamlError, acs_url, entity_id, saml_configured, slo_url
from ._idps import IdP, refresh_idps, trusted_idps
from ._keys import current_pair, describe, ensure_key_pair, generate_key_pair
from ._logout import begin_logout, logout_message
from ._metadata import metadata
from ._requests import begin_login
from ._responses import ASSERTION_MEMORY, complete_login, purge_expired


class SamlIdentityProvider:
    """SPID and CIE for real: the browser goes to the IdP chosen on our page (the SPID button)."""

    key = "saml"

    def __init__(self, app: Flask) -> None:
        self.methods = tuple(m for m in METHODS if app.config.get(
            "SPID_IDP_METADATA" if m == "spid" else "CIE_IDP_METADATA"))

    def begin(self, method: str, next_url: str) -> str:
        return url_for("citizen.saml_choose", method=method, next=next_url)


def _saml_factory(app: Flask) -> SamlIdentityProvider | None:
    if not saml_configured(app):
        return None
    provider = SamlIdentityProvider(app)
    return provider if provider.methods else None


register_provider("saml", _saml_factory)

__all__ = [
    "ASSERTION_MEMORY",
    "IdP",
    "SamlError",
    "SamlIdentityProvider",
    "acs_url",
    "begin_login",
    "begin_logout",
    "complete_login",
    "current_pair",
    "describe",
    "ensure_key_pair",
    "entity_id",
    "generate_key_pair",
    "logout_message",
    "metadata",
    "purge_expired",
    "refresh_idps",
    "saml_configured",
    "slo_url",
    "trusted_idps",
]
