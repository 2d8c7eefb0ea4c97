"""Each ente's own SP key pair. SPID (AgID avviso 29 v3) wants the SP certificate of a public body to
name it: organizationIdentifier PA:IT-<IPA code>, organizationName, commonName, uri (the entityID),
localityName, countryName IT, the certificate policies agIDcert and spid-publicsector-SP, RSA with
SHA-256. The pair is made by `create-tenant` (once) and rotated by `flask generate-saml-keys`; after a
rotation the new pair signs at once and the previous certificate stays in the metadata for
SAML_KEY_OVERLAP_DAYS, so identity providers still holding the old metadata can move over. The private
key is kept as a Fernet token (as the ente's other secrets are), decrypted only into a private temporary
directory while xmlsec1 signs or decrypts.

The platform's SAML_KEY_FILE / SAML_CERT_FILE serve only an ente without a pair of its own (tests, demo).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import SamlKeyPair, Tenant
from webapp.services.common import ente_settings
from webapp.services.common.errors import NotFound

from ._common import entity_id, fallback_files, now

KEY_BITS = 3072  # AgID's SPID certificates tool's size; SPID asks at least 2048
URI = x509.ObjectIdentifier("2.5.4.83")
AGID_CERT = x509.ObjectIdentifier("1.3.76.16.6")
SPID_PUBLIC_SECTOR_SP = x509.ObjectIdentifier("1.3.76.16.4.2.1")
_COMUNE = re.compile(r"^(comune|citt[aà](\s+metropolitana)?)\s+d[ie]\s+", re.IGNORECASE)


@dataclass(frozen=True)
class KeyFiles:
    """Where xmlsec1 finds the signing pair, and every pair that may decrypt (the signing one first)."""

    key_file: str
    cert_file: str
    decryption: tuple[tuple[str, str], ...]


def _pairs(tenant: Tenant) -> list[SamlKeyPair]:
    return list(db.session.scalars(select(SamlKeyPair).where(SamlKeyPair.tenant_id == tenant.id)
                                   .order_by(SamlKeyPair.created_at.desc())))


def current_pair(tenant: Tenant) -> SamlKeyPair | None:
    return next((pair for pair in _pairs(tenant) if pair.retired_at is None), None)


def _published(tenant: Tenant) -> list[SamlKeyPair]:
    """The signing pair and the retired ones still inside their overlap (and their validity)."""
    moment = now()
    overlap = timedelta(days=int(current_app.config["SAML_KEY_OVERLAP_DAYS"]))
    return [pair for pair in _pairs(tenant)
            if pair.retired_at is None
            or (pair.retired_at + overlap > moment and pair.not_after > moment)]


def published_certificates(tenant: Tenant) -> list[str]:
    """Base64 DER certificates for the metadata: the signing one first."""
    current = current_pair(tenant)
    if current is None:
        return [_b64(Path(_fallback()[1]).read_bytes())]
    return [_b64(pair.certificate.encode()) for pair in _with_current_first(current, _published(tenant))]


def _with_current_first(current: SamlKeyPair, pairs: list[SamlKeyPair]) -> list[SamlKeyPair]:
    return [current, *(pair for pair in pairs if pair is not current)]


def signing_certificate(tenant: Tenant) -> str:
    return published_certificates(tenant)[0]


def signing_key(tenant: Tenant) -> rsa.RSAPrivateKey:
    pair = current_pair(tenant)
    pem = _private_pem(pair) if pair is not None else Path(_fallback()[0]).read_bytes()
    key = serialization.load_pem_private_key(pem, None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError("the SAML signing key must be an RSA private key")
    return key


@contextmanager
def key_files(tenant: Tenant) -> Iterator[KeyFiles]:
    """The ente's pairs as files for xmlsec1 and pysaml2, removed when the block ends."""
    current = current_pair(tenant)
    if current is None:
        key, cert = _fallback()
        yield KeyFiles(key, cert, ((key, cert),))
        return
    pairs = _with_current_first(current, _published(tenant))
    with tempfile.TemporaryDirectory(prefix="saml-") as folder:  # mode 0700: only this process reads it
        written: list[tuple[str, str]] = []
        for number, pair in enumerate(pairs):
            if pair is not current and ente_settings.decrypt_secret(pair.private_key) is None:
                continue  # a retired key unreadable since a SECRET_KEY change only loses its decryption
            key_path, cert_path = Path(folder) / f"{number}.key", Path(folder) / f"{number}.crt"
            descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(_private_pem(pair))
            cert_path.write_text(pair.certificate)
            written.append((str(key_path), str(cert_path)))
        yield KeyFiles(written[0][0], written[0][1], tuple(written))


def _fallback() -> tuple[str, str]:
    files = fallback_files(current_app)
    if files is None:
        raise NotFound("L'accesso con SPID e CIE non è ancora configurato per questo ente.")
    return files


def _private_pem(pair: SamlKeyPair) -> bytes:
    pem = ente_settings.decrypt_secret(pair.private_key)
    if pem is None:  # SECRET_KEY changed since the pair was made: nothing can be signed until a rotation
        current_app.logger.error("the SAML key of ente %s cannot be decrypted: run `flask generate-saml-keys` "
                                 "for it", pair.tenant_id)
        raise NotFound("L'accesso con SPID e CIE non è al momento disponibile per questo ente.")
    return pem.encode()


def _b64(pem: bytes) -> str:
    return "".join(line for line in pem.decode().splitlines() if "-----" not in line)


def ensure_key_pair(tenant: Tenant, locality: str | None = None) -> tuple[SamlKeyPair, bool]:
    """The ente's signing pair, made now if it has none (True when made); inside the caller's unit of work."""
    pair = current_pair(tenant)
    if pair is not None:
        return pair, False
    return generate_key_pair(tenant, locality), True


def generate_key_pair(tenant: Tenant, locality: str | None = None) -> SamlKeyPair:
    """A new pair that signs from now on; the previous one is retired but stays published for a while."""
    moment = now()
    # Two rotations at once must not leave two signing pairs: they wait for each other on the ente's row.
    db.session.execute(select(Tenant.id).where(Tenant.id == tenant.id).with_for_update())
    for pair in _pairs(tenant):
        if pair.retired_at is None:
            pair.retired_at = moment
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    certificate = _certificate(tenant, key, locality or default_locality(tenant), moment)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    pair = SamlKeyPair(tenant_id=tenant.id, certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
                       private_key=ente_settings.encrypt_secret(pem), not_after=certificate.not_valid_after_utc,
                       created_at=moment)
    db.session.add(pair)
    db.session.flush()
    return pair


def default_locality(tenant: Tenant) -> str:
    """Where the ente is: its setting `saml_locality`, else its name without "Comune di"."""
    configured = tenant.setting("saml_locality")
    if configured:
        return str(configured)
    return _COMUNE.sub("", tenant.name).strip() or tenant.name


def _certificate(tenant: Tenant, key: rsa.RSAPrivateKey, locality: str, moment: datetime) -> x509.Certificate:
    ipa = (tenant.ipa_code or current_app.config["SAML_DEFAULT_IPA_CODE"] or "").strip()
    if not ipa:
        raise NotFound("L'ente non ha il codice IPA: serve per il certificato SPID.")
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, tenant.name[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, tenant.name[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"PA:IT-{ipa}"),
        x509.NameAttribute(URI, entity_id(tenant, "spid")),
        x509.NameAttribute(NameOID.LOCALITY_NAME, locality[:128]),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
    ])
    days = int(current_app.config["SAML_KEY_VALIDITY_DAYS"])
    policies = x509.CertificatePolicies([
        x509.PolicyInformation(AGID_CERT, [x509.UserNotice(None, "agIDcert")]),
        x509.PolicyInformation(SPID_PUBLIC_SECTOR_SP, [x509.UserNotice(None, "cert_SP_Pub")]),
    ])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(moment - timedelta(minutes=5)).not_valid_after(moment + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(policies, critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))


def describe(pair: SamlKeyPair) -> str:
    """The certificate's subject and validity, for the command's output."""
    certificate = x509.load_pem_x509_certificate(pair.certificate.encode())
    return (f"{certificate.subject.rfc4514_string()}, valido fino al "
            f"{certificate.not_valid_after_utc:%d/%m/%Y}")

