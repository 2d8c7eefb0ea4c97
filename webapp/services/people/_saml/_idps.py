"""The identity providers we trust: the metadata files of SPID_IDP_METADATA (the AgID registry's,
shipped in webapp/saml and replaced by `flask refresh-spid-idps`) and CIE_IDP_METADATA (the Ministry's
CieID server), and the check of a message they sign over the HTTP-Redirect binding."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree  # type: ignore[import-untyped]

from webapp.services.common.errors import BadRequest, NotFound

from .._citizens import METHOD_LABELS
from ._common import DS, MD, RSA_SHA256, SamlError, location, metadata_files, parser


@dataclass(frozen=True)
class IdP:
    entity_id: str
    name: str
    sso_redirect: str
    slo_redirect: str | None
    certificates: tuple[str, ...] = ()  # its signing certificates (base64 DER) from the metadata


def trusted_idps(method: str) -> list[IdP]:
    """The identity providers of the configured metadata files, in file order."""
    found: list[IdP] = []
    for path in metadata_files(method):
        tree = etree.parse(path, parser())
        for entity in tree.iter(f"{{{MD}}}EntityDescriptor"):
            descriptor = entity.find(f"{{{MD}}}IDPSSODescriptor")
            if descriptor is None:
                continue
            sso = location(descriptor, "SingleSignOnService")
            if sso is None:
                continue
            found.append(IdP(str(entity.get("entityID")), _display_name(entity, method), sso,
                             location(descriptor, "SingleLogoutService"), _signing_certificates(descriptor)))
    return found


def _display_name(entity: etree._Element, method: str) -> str:
    """What the button shows: the organisation's display name or name, Italian first. Registry entries
    sometimes carry an address there (Sielte's display name is its web site), and CieID's metadata names
    no organisation: then the other name, or the method's label, rather than an address."""
    names = [element for tag in ("OrganizationDisplayName", "OrganizationName")
             for element in entity.iterfind(f"{{{MD}}}Organization/{{{MD}}}{tag}")]
    names.sort(key=lambda element: element.get("{http://www.w3.org/XML/1998/namespace}lang") != "it")
    for element in names:
        text = " ".join((element.text or "").split())
        if text and "://" not in text:
            return text
    return METHOD_LABELS[method]


def _signing_certificates(descriptor: etree._Element) -> tuple[str, ...]:
    signing = [key for key in descriptor.findall(f"{{{MD}}}KeyDescriptor") if key.get("use") in (None, "signing")]
    return tuple("".join((cert.text or "").split()) for key in signing for cert in key.iter(f"{{{DS}}}X509Certificate"))


def idp_named(method: str, idp_entity_id: str) -> IdP:
    for idp in trusted_idps(method):
        if idp.entity_id == idp_entity_id:
            return idp
    raise NotFound("Gestore dell'identità sconosciuto.")


def check_redirect_signature(idp: IdP, raw_query: str, param: str) -> None:
    """The HTTP-Redirect binding's signature (SAML bindings 3.4.4.1): RSA-SHA256 over the query's own
    `param`, `RelayState` and `SigAlg` as they were sent, by one of the IdP's signing certificates."""
    fields = dict(part.split("=", 1) for part in raw_query.split("&") if "=" in part)
    if unquote(fields.get("SigAlg", "")) != RSA_SHA256 or not fields.get("Signature"):
        raise SamlError("Il messaggio di uscita non è firmato come richiede SPID.")
    signed = "&".join(f"{name}={fields[name]}" for name in (param, "RelayState", "SigAlg") if name in fields)
    try:
        signature = base64.b64decode(unquote(fields["Signature"]), validate=True)
    except ValueError:
        raise SamlError("Firma del messaggio di uscita illeggibile.") from None
    for certificate in idp.certificates:
        try:
            key = x509.load_der_x509_certificate(base64.b64decode(certificate)).public_key()
            if not isinstance(key, rsa.RSAPublicKey):  # SPID's SigAlg is RSA-SHA256
                continue
            key.verify(signature, signed.encode(), padding.PKCS1v15(), hashes.SHA256())
            return
        except (InvalidSignature, ValueError, TypeError):
            continue
    raise SamlError("La firma del messaggio di uscita non è del gestore dell'identità.")


def refresh_idps(source: Path, target: Path) -> list[IdP]:
    """Replace the trusted SPID IdP metadata with an AgID registry file (an EntitiesDescriptor, as
    https://registry.spid.gov.it/entities-idp serves it): checked first, written only if every IdP in it
    has an HTTP-Redirect SSO endpoint and a signing certificate, so a truncated download changes nothing."""
    try:
        tree = etree.parse(str(source), parser())
    except etree.XMLSyntaxError as exc:
        raise BadRequest(f"{source}: non è XML ({exc}).") from exc
    entities = list(tree.iter(f"{{{MD}}}EntityDescriptor"))
    idps = [e for e in entities if e.find(f"{{{MD}}}IDPSSODescriptor") is not None]
    if not idps:
        raise BadRequest(f"{source}: nessun gestore di identità (IDPSSODescriptor) nel file.")
    for entity in idps:
        descriptor = entity.find(f"{{{MD}}}IDPSSODescriptor")
        if not any(_signing_certificates(descriptor)):
            raise BadRequest(f"{entity.get('entityID')}: manca il certificato di firma.")
        if location(descriptor, "SingleSignOnService") is None:
            raise BadRequest(f"{entity.get('entityID')}: manca il SingleSignOnService HTTP-Redirect.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    temporary.replace(target)
    return [IdP(str(e.get("entityID")), _display_name(e, "spid"), "", None) for e in idps]
