"""Each ente's own SP key pair: made by `create-tenant` (once), its certificate naming the ente as AgID's
avviso 29 wants, its private key stored encrypted, the metadata signed with it; `generate-saml-keys`
rotates it, the previous certificate staying published for the overlap. An ente with no pair and no
platform fallback has no SAML metadata at all."""

from __future__ import annotations

import base64
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask
from lxml import etree  # type: ignore[import-untyped]

from scripts import spid_sp_test_tool
from webapp.extensions import db
from webapp.models import SamlKeyPair, Tenant
from webapp.services.common import ente_settings

PRODUCTION = {"SEED_DEMO_DATA": False, "TEST_IDENTITY_PROVIDER": False, "SAML_LOGIN": True,
              "SAML_KEY_FILE": "", "SAML_CERT_FILE": "", "PUBLIC_URL": "https://servizi.example.it"}
TENANT = ["--slug", "comune-esempio", "--name", "Comune di Esempio", "--fiscal-code", "80014890638",
          "--ipa-code", "c_x123"]
DS = "http://www.w3.org/2000/09/xmldsig#"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
URI = x509.ObjectIdentifier("2.5.4.83")


@pytest.fixture
def production(app: Flask, make_app: Any) -> Flask:
    """Production: SAML on, no platform key pair to fall back on."""
    return make_app(**PRODUCTION)


def _run(flask_app: Flask, *args: str) -> Any:
    return flask_app.test_cli_runner().invoke(args=list(args))


def _pairs(flask_app: Flask, slug: str = "comune-esempio") -> list[SamlKeyPair]:
    with flask_app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == slug))
        assert tenant is not None
        pairs = list(db.session.scalars(db.select(SamlKeyPair).where(SamlKeyPair.tenant_id == tenant.id)
                                        .order_by(SamlKeyPair.created_at)))
        db.session.expunge_all()
        return pairs


def _metadata(flask_app: Flask, method: str = "spid") -> tuple[list[str], str]:
    """The metadata's signing certificates and the certificate its own signature carries."""
    response = flask_app.test_client().get(f"/comune-esempio/{method}/metadata", base_url="https://servizi.example.it")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    root = etree.fromstring(response.data)
    signing = [c.text for c in root.iterfind(f".//{{{MD}}}KeyDescriptor[@use='signing']//{{{DS}}}X509Certificate")]
    signer = root.find(f"{{{DS}}}Signature//{{{DS}}}X509Certificate")
    return signing, signer.text


def _b64(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if "-----" not in line)


def test_create_tenant_makes_the_entes_own_pair_once(production: Flask) -> None:
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    [pair] = _pairs(production)
    certificate = x509.load_pem_x509_certificate(pair.certificate.encode())
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == "PA:IT-c_x123"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Comune di Esempio"
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Comune di Esempio"
    assert subject.get_attributes_for_oid(NameOID.LOCALITY_NAME)[0].value == "Esempio"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "IT"
    assert subject.get_attributes_for_oid(URI)[0].value == "https://servizi.example.it/comune-esempio/spid/metadata"
    policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert {p.policy_identifier.dotted_string for p in policies} == {"1.3.76.16.6", "1.3.76.16.4.2.1"}
    key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert key_usage.digital_signature and key_usage.content_commitment
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size >= 2048
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    # The private key is stored encrypted, and is the certificate's.
    assert "PRIVATE KEY" not in pair.private_key
    with production.app_context():
        pem = ente_settings.decrypt_secret(pair.private_key)
    assert pem is not None
    key = serialization.load_pem_private_key(pem.encode(), None)
    assert key.public_key().public_numbers() == public_key.public_numbers()  # type: ignore[union-attr]
    # The metadata publishes it and is signed with it, for SPID and CIE.
    for method in ("spid", "cie"):
        assert _metadata(production, method) == ([_b64(pair.certificate)], _b64(pair.certificate))
    # Again: the same pair.
    again = _run(production, "create-tenant", *TENANT)
    assert again.exit_code == 0 and "nessuna modifica" in again.output
    assert [p.id for p in _pairs(production)] == [pair.id]


# AgID's own validator of SP certificates (spid-compliant-certificates, installed with spid-sp-test, which
# runs it on the metadata with --production): every check it makes, as a list of failures.
VALIDATE = """
import json, sys, warnings
from pathlib import PosixPath
warnings.simplefilter("ignore")
from spid_compliant_certificates.validator.validate import validate
report = validate(PosixPath(sys.argv[1]), "public").as_dict()
checks = [check for test in report["tests"] for check in test["checks"]]
print(json.dumps({"checks": len(checks), "failed": [c for c in checks if c["result"] != "success"]}, default=str))
"""


def test_the_certificate_passes_agids_validator(production: Flask, tmp_path: Path) -> None:
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    [pair] = _pairs(production)
    certificate = tmp_path / "ente.crt"
    certificate.write_text(pair.certificate)
    python = Path(spid_sp_test_tool.ensure()).parent / "python"
    done = subprocess.run([str(python), "-c", VALIDATE, str(certificate)], capture_output=True, text=True,
                          timeout=120, check=True)
    report = json.loads(done.stdout)
    assert report["checks"] >= 30 and report["failed"] == [], report


def test_rotation_signs_with_the_new_pair_and_keeps_the_old_certificate_for_a_while(production: Flask) -> None:
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    rotated = _run(production, "generate-saml-keys", "--tenant", "comune-esempio", "--locality", "Esempio Alto")
    assert rotated.exit_code == 0, rotated.output
    assert "L=Esempio Alto" in rotated.output and "resta nei metadata per 30 giorni" in rotated.output
    old, new = _pairs(production)
    assert old.retired_at is not None and new.retired_at is None
    assert _metadata(production) == ([_b64(new.certificate), _b64(old.certificate)], _b64(new.certificate))
    # Past the overlap only the new certificate is published.
    with production.app_context():
        db.session.get(SamlKeyPair, old.id).retired_at = datetime.now(UTC) - timedelta(days=31)  # type: ignore[union-attr]
        db.session.commit()
    assert _metadata(production) == ([_b64(new.certificate)], _b64(new.certificate))


def test_an_ente_without_keys_has_no_saml_metadata(production: Flask) -> None:
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    with production.app_context():
        db.session.execute(db.delete(SamlKeyPair))
        db.session.commit()
    response = production.test_client().get("/comune-esempio/spid/metadata", base_url="https://servizi.example.it")
    assert response.status_code == 404
    refused = _run(production, "generate-saml-keys", "--tenant", "nessuno")
    assert (refused.exit_code, refused.output) == (1, "Ente non trovato.\n")


def test_keys_unreadable_after_a_secret_key_change_are_refused_cleanly_until_rotated(
        production: Flask, make_app: Any) -> None:
    assert _run(production, "create-tenant", *TENANT).exit_code == 0
    other = make_app(**PRODUCTION, SECRET_KEY="another-secret-key-of-sufficient-length-987654321")
    response = other.test_client().get("/comune-esempio/spid/metadata", base_url="https://servizi.example.it")
    assert response.status_code == 404  # not a 500: the ente's key cannot be read with this SECRET_KEY
    assert _run(other, "generate-saml-keys", "--tenant", "comune-esempio").exit_code == 0
    assert _metadata(other)[1] == _b64(_pairs(other)[-1].certificate)


def test_the_platform_pair_stands_in_for_an_ente_without_its_own(app: Flask) -> None:
    """Tests and the demo: SAML_KEY_FILE signs for the demo ente, which has no pair of its own."""
    response = app.test_client().get("/demo/spid/metadata")
    assert response.status_code == 200
    signer = etree.fromstring(response.data).find(f"{{{DS}}}Signature//{{{DS}}}X509Certificate").text
    assert signer == _b64(Path(app.config["SAML_CERT_FILE"]).read_text())
    assert base64.b64decode(signer)
