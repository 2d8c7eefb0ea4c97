"""The identity providers shipped in webapp/saml are trusted out of the box: the SPID registry's file and
the CieID server's (production and pre-production) parse, and every provider the SPID button shows has a
signing certificate. A Response signed by a key that is not in the trusted file is refused."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from lxml import etree  # type: ignore[import-untyped]

from tests.conftest import SAML_DIR
from tests.saml.test_saml_login import idp_answer
from tests.saml.test_spid_sp_test import SPID_SP_TEST_IDP, public_url
from webapp.config import DEFAULTS, REPO_ROOT
from webapp.services import people

__all__ = ["public_url"]
DS = "http://www.w3.org/2000/09/xmldsig#"
SHIPPED = REPO_ROOT / "webapp" / "saml"
# The SPID providers of the AgID registry (the button's list).
REGISTRY = {"https://loginspid.aruba.it", "https://id.eht.eu", "https://identity.infocert.it",
            "https://loginspid.infocamere.it", "https://idp.intesigroup.com", "https://id.lepida.it/idp/shibboleth",
            "https://idp.namirialtsp.com/idp", "https://posteid.poste.it", "https://identity.sieltecloud.it",
            "https://spid.register.it", "https://login.id.tim.it/affwebservices/public/saml2sso",
            "https://spid.teamsystem.com/idp"}


@pytest.mark.parametrize(("method", "files", "expected"), [
    ("spid", [SHIPPED / "spid-idps.xml"], REGISTRY),
    ("cie", [SHIPPED / "cie-idp.xml"], {"https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO"}),
    ("cie", [SHIPPED / "cie-idp-preproduzione.xml"],
     {"https://preproduzione.idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO"}),
])
def test_every_shipped_provider_has_a_signing_certificate(app: Flask, method: str, files: list[Path],
                                                         expected: set[str]) -> None:
    key = "SPID_IDP_METADATA" if method == "spid" else "CIE_IDP_METADATA"
    before = app.config[key]
    app.config[key] = ",".join(str(f) for f in files)
    try:
        with app.app_context():
            idps = people.saml.trusted_idps(method)
    finally:
        app.config[key] = before
    assert {idp.entity_id for idp in idps} == expected
    for idp in idps:
        assert idp.name and not idp.name.startswith("http") and idp.sso_redirect.startswith("https://"), idp
        assert idp.certificates, f"{idp.entity_id} has no signing certificate"
        for certificate in idp.certificates:
            public_key = x509.load_der_x509_certificate(base64.b64decode(certificate)).public_key()
            assert isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size >= 2048


def test_the_shipped_files_are_the_defaults() -> None:
    assert DEFAULTS["SPID_IDP_METADATA"][0] == str(SHIPPED / "spid-idps.xml")
    assert DEFAULTS["CIE_IDP_METADATA"][0] == str(SHIPPED / "cie-idp.xml")


def test_a_response_signed_by_a_key_not_in_the_trusted_file_is_refused(app: Flask, public_url: str,
                                                                      tmp_path: Path) -> None:
    # spid-sp-test's provider as trusted, but with another certificate than the one of its signing key.
    tree = etree.parse(str(SAML_DIR / "spid-sp-test-idp.xml"))
    other = "".join(line for line in (SAML_DIR / "keys" / "sp.crt").read_text().splitlines() if "-----" not in line)
    replaced = 0
    for element in tree.iter(f"{{{DS}}}X509Certificate"):
        element.text, replaced = other, replaced + 1
    assert replaced
    impostor = tmp_path / "idp-other-key.xml"
    tree.write(str(impostor))
    before = app.config["SPID_IDP_METADATA"]
    app.config["SPID_IDP_METADATA"] = str(impostor)
    try:
        browser = requests.Session()
        started = browser.get(f"{public_url}/demo/spid/login?idp={quote(SPID_SP_TEST_IDP, safe='')}"
                              f"&next=/demo/area-personale", allow_redirects=False, timeout=30)
        assert started.status_code == 302
        relay_state = requests.utils.unquote(started.headers["Location"].split("RelayState=")[1].split("&")[0])
        response = idp_answer(public_url, "spid", started.headers["Location"], tmp_path)
        landed = browser.post(f"{public_url}/demo/spid/acs", timeout=30, data={
            "SAMLResponse": base64.b64encode(response.encode()).decode(), "RelayState": relay_state})
    finally:
        app.config["SPID_IDP_METADATA"] = before
    assert landed.status_code == 403
    assert "SpidValidator" not in landed.text
    assert browser.get(f"{public_url}/demo/area-personale", allow_redirects=False, timeout=30).status_code == 302


def test_the_spid_button_lists_the_shipped_providers_by_name(app: Flask) -> None:
    before = app.config["SPID_IDP_METADATA"]
    app.config["SPID_IDP_METADATA"] = str(SHIPPED / "spid-idps.xml")
    try:
        page = app.test_client().get("/demo/spid/scegli").get_data(as_text=True)
    finally:
        app.config["SPID_IDP_METADATA"] = before
    assert page.count('class="btn btn-outline-primary spid-idp-button') == len(REGISTRY)
    for name in ("Poste Italiane SpA", "InfoCert S.p.A.", "Sielte S.p.A.", "Lepida S.p.A."):
        assert name in page
    assert ">http" not in page  # no address shown as a provider's name (Sielte's display name is one)
