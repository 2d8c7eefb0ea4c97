"""pysaml2's client for one ente and method: it checks what identity providers send (signatures with
xmlsec1, InResponseTo, Destination, Audience, time window, trusted issuer) and decrypts with the ente's
pairs. Built inside `_keys.key_files`, whose files live only as long as that block."""

from __future__ import annotations

from flask import current_app
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig

from webapp.models import Tenant

from ._common import TRANSIENT, acs_url, entity_id, metadata_files, slo_url, xmlsec
from ._keys import KeyFiles


def client(tenant: Tenant, method: str, files: KeyFiles) -> Saml2Client:
    config = SPConfig()
    config.load({
        "entityid": entity_id(tenant, method),
        "xmlsec_binary": xmlsec(),
        "key_file": files.key_file,
        "cert_file": files.cert_file,
        "encryption_keypairs": [{"key_file": key, "cert_file": cert} for key, cert in files.decryption],
        "metadata": {"local": metadata_files(method)},
        "accepted_time_diff": int(current_app.config["SAML_CLOCK_SKEW_SECONDS"]),
        "allow_unknown_attributes": True,
        "service": {"sp": {
            "endpoints": {
                "assertion_consumer_service": [(acs_url(tenant, method), BINDING_HTTP_POST)],
                "single_logout_service": [(slo_url(tenant, method), BINDING_HTTP_REDIRECT)],
            },
            "allow_unsolicited": False,
            "authn_requests_signed": True,
            "logout_requests_signed": True,
            "want_assertions_signed": True,
            "want_response_signed": False,
            "name_id_format": [TRANSIENT],
        }},
    })
    return Saml2Client(config=config)
