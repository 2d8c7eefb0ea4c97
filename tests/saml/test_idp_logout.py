"""Logout started by the identity provider: its LogoutRequest over HTTP-Redirect, signed with its key over
the query, closes our session and is answered with our signed LogoutResponse; an unsigned or wrongly signed
one changes nothing."""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask

from scripts import spid_sp_test_tool
from tests.saml.test_spid_sp_test import SPID_SP_TEST_IDP

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def _idp_key() -> bytes:
    venv = Path(spid_sp_test_tool.ensure()).resolve().parent.parent
    [key] = venv.glob("lib/python3*/site-packages/spid_sp_test/idp/private.key")
    return key.read_bytes()


def _logout_request(destination: str) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    xml = (f'<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
           f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_idp-logout-1" Version="2.0" '
           f'IssueInstant="{now}" Destination="{destination}">'
           f'<saml:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{SPID_SP_TEST_IDP}</saml:Issuer>'
           f'<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient" '
           f'NameQualifier="{SPID_SP_TEST_IDP}">that-transient-opaque-value</saml:NameID>'
           f'<samlp:SessionIndex>_session-1</samlp:SessionIndex></samlp:LogoutRequest>')
    deflated = zlib.compress(xml.encode())[2:-4]  # raw DEFLATE, as the Redirect binding wants
    return base64.b64encode(deflated).decode()


def _signed_query(message: str, key_pem: bytes) -> str:
    query = urlencode({"SAMLRequest": message, "RelayState": "r-1", "SigAlg": RSA_SHA256}, quote_via=quote)
    key = serialization.load_pem_private_key(key_pem, None)
    signature = key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    return query + "&Signature=" + quote(base64.b64encode(signature).decode(), safe="")


def test_the_idps_signed_logout_request_is_answered_and_an_unsigned_one_refused(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    slo = "/demo/spid/slo"
    destination = app.config["PUBLIC_URL"].rstrip("/") + slo
    message = _logout_request(destination)
    unsigned = client.get(f"{slo}?" + urlencode({"SAMLRequest": message, "RelayState": "r-1"}))
    assert unsigned.status_code == 400
    forged_key = serialization.load_pem_private_key(
        (Path(app.config["SAML_KEY_FILE"])).read_bytes(), None).private_bytes(  # our own key, not the IdP's
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    forged = client.get(f"{slo}?{_signed_query(message, forged_key)}")
    assert forged.status_code == 400
    answered = client.get(f"{slo}?{_signed_query(message, _idp_key())}")
    assert answered.status_code == 302, answered.get_data(as_text=True)[:1500]
    location = answered.headers["Location"]
    assert location.startswith("https://localhost:8443/") and "SAMLResponse=" in location and "Signature=" in location
