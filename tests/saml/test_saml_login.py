"""A citizen logs in through SAML: our AuthnRequest, answered by spid-sp-test's identity provider
with a Response signed by its key, posted to our ACS, lands in the Area personale with the profile
from the assertion. The same Response again, or a Response to a request we never sent, is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote

import requests
from flask import Flask

from scripts import spid_sp_test_tool
from tests.saml.test_spid_sp_test import SPID_SP_TEST_IDP, public_url
from webapp.services import people
from webapp.services.common.tenancy import get_tenant

__all__ = ["public_url"]


def idp_answer(public_url: str, method: str, authn_redirect: str, tmp_path: Path, tenant: str = "demo") -> str:
    """spid-sp-test's correct Response (its test 1) to the AuthnRequest in `authn_redirect`, signed."""
    request_file = tmp_path / "authn.txt"
    request_file.write_text(authn_redirect)
    metadata = f"{public_url}/{tenant}/{method}/metadata"
    done = subprocess.run([str(spid_sp_test_tool.ensure()), "--metadata-url", metadata,
                           "--authn-url", f"file://{request_file}", "-tr", "-tn", "1", "-nsr"],
                          capture_output=True, text=True, timeout=300, check=True)
    start = done.stdout.index("<samlp:Response")
    return done.stdout[start:done.stdout.index("</samlp:Response>") + len("</samlp:Response>")]


def test_citizen_logs_in_through_spid_and_replay_is_refused(app: Flask, public_url: str,
                                                            tmp_path: Path) -> None:
    import base64

    browser = requests.Session()
    started = browser.get(f"{public_url}/demo/spid/login?idp={quote(SPID_SP_TEST_IDP, safe='')}"
                          f"&next=/demo/area-personale", allow_redirects=False, timeout=30)
    assert started.status_code == 302 and started.headers["Location"].startswith("https://localhost:8443/samlsso?")
    assert "Signature=" in started.headers["Location"] and "SigAlg=" in started.headers["Location"]
    relay_state = requests.utils.unquote(started.headers["Location"].split("RelayState=")[1].split("&")[0])
    response = idp_answer(public_url, "spid", started.headers["Location"], tmp_path)
    posted = {"SAMLResponse": base64.b64encode(response.encode()).decode(), "RelayState": relay_state}
    landed = browser.post(f"{public_url}/demo/spid/acs", data=posted, timeout=30)
    assert landed.status_code == 200 and landed.url.endswith("/demo/area-personale")
    assert "SpidValidator" in landed.text
    replay = requests.post(f"{public_url}/demo/spid/acs", data=posted, timeout=30)
    assert replay.status_code == 403
    # A response naming a request we never sent (another RelayState) is refused too.
    forged = requests.post(f"{public_url}/demo/spid/acs", data={**posted, "RelayState": "x"}, timeout=30)
    assert forged.status_code == 403


def test_logout_sends_the_idp_a_logout_request_signed_by_us(app: Flask, public_url: str, tmp_path: Path) -> None:
    import base64
    import re
    import zlib
    from urllib.parse import parse_qs, urlsplit

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.serialization import Encoding

    browser = requests.Session()
    started = browser.get(f"{public_url}/demo/spid/login?idp={quote(SPID_SP_TEST_IDP, safe='')}"
                          f"&next=/demo/area-personale", allow_redirects=False, timeout=30)
    relay_state = requests.utils.unquote(started.headers["Location"].split("RelayState=")[1].split("&")[0])
    response = idp_answer(public_url, "spid", started.headers["Location"], tmp_path)
    landed = browser.post(f"{public_url}/demo/spid/acs", timeout=30, data={
        "SAMLResponse": base64.b64encode(response.encode()).decode(), "RelayState": relay_state})
    token = re.search(r'name="csrf_token" value="([^"]+)"', landed.text).group(1)  # type: ignore[union-attr]
    out = browser.post(f"{public_url}/demo/esci", data={"csrf_token": token}, allow_redirects=False, timeout=30)
    assert out.status_code == 302
    location = out.headers["Location"]
    assert location.startswith("https://localhost:8443/")  # the IdP's SingleLogoutService
    query = urlsplit(location).query
    params = parse_qs(query)
    request_xml = zlib.decompress(base64.b64decode(params["SAMLRequest"][0]), -15).decode()
    assert "<samlp:LogoutRequest" in request_xml or ":LogoutRequest" in request_xml
    assert "that-transient-opaque-value" in request_xml  # the NameID the assertion gave (spid-sp-test's)
    assert 'Destination="https://localhost:8443/' in request_xml
    # The signature covers the query as sent (SAML bindings §3.4.4.1), with our certificate's key.
    signed = query.split("&Signature=")[0].encode()
    with app.app_context():  # the ente's own certificate, not the platform's test one
        pair = people.saml.current_pair(get_tenant("demo"))
        assert pair is not None
        certificate = x509.load_pem_x509_certificate(pair.certificate.encode())
    assert certificate.public_bytes(Encoding.PEM) != Path(app.config["SAML_CERT_FILE"]).read_bytes()
    certificate.public_key().verify(base64.b64decode(params["Signature"][0]), signed,  # type: ignore[union-attr]
                                    padding.PKCS1v15(), hashes.SHA256())
    assert browser.get(f"{public_url}/demo/area-personale", allow_redirects=False, timeout=30).status_code == 302
