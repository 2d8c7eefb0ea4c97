"""The SP's metadata per ente and method, signed with the ente's key (SPID rules, AgID notices, the
CIE SAML profile), and the enveloped XML signature it carries."""

from __future__ import annotations

from typing import Any

from flask import current_app
from lxml import etree  # type: ignore[import-untyped]
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.sigver import CryptoBackendXmlSec1

from webapp.models import Tenant

from . import _keys
from ._common import (
    CIE_NS,
    DS,
    MD,
    REQUESTED_ATTRIBUTES,
    SAML,
    SAMLP,
    SPID_NS,
    TRANSIENT,
    acs_url,
    check_method,
    entity_id,
    new_id,
    parser,
    slo_url,
    xmlsec,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def metadata(tenant: Tenant, method: str) -> bytes:
    """The SP's metadata: every certificate still published (the signing one first, then one retired
    lately, so identity providers can move over), signed with the ente's current key."""
    check_method(method)
    eid = entity_id(tenant, method)
    root = etree.Element(f"{{{MD}}}EntityDescriptor", nsmap={
        "md": MD, "ds": DS, "spid" if method == "spid" else "cie": SPID_NS if method == "spid" else CIE_NS})
    root.set("entityID", eid)
    root.set("ID", new_id())
    sp = etree.SubElement(root, f"{{{MD}}}SPSSODescriptor", protocolSupportEnumeration=SAMLP,
                          AuthnRequestsSigned="true", WantAssertionsSigned="true")
    certificates = _keys.published_certificates(tenant)
    for use in ("signing", "encryption"):
        for certificate in certificates:
            key = etree.SubElement(sp, f"{{{MD}}}KeyDescriptor", use=use)
            x509 = etree.SubElement(etree.SubElement(key, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
            etree.SubElement(x509, f"{{{DS}}}X509Certificate").text = certificate
    etree.SubElement(sp, f"{{{MD}}}SingleLogoutService", Binding=BINDING_HTTP_REDIRECT,
                     Location=slo_url(tenant, method))
    etree.SubElement(sp, f"{{{MD}}}NameIDFormat").text = TRANSIENT
    etree.SubElement(sp, f"{{{MD}}}AssertionConsumerService", index="0", isDefault="true",
                     Binding=BINDING_HTTP_POST, Location=acs_url(tenant, method))
    acs = etree.SubElement(sp, f"{{{MD}}}AttributeConsumingService", index="0")
    service_name = etree.SubElement(acs, f"{{{MD}}}ServiceName")
    service_name.set(XML_LANG, "it")
    service_name.text = f"Servizi online - {tenant.name}"
    for attribute in REQUESTED_ATTRIBUTES[method]:
        etree.SubElement(acs, f"{{{MD}}}RequestedAttribute", Name=attribute)
    organization = etree.SubElement(root, f"{{{MD}}}Organization")
    public_url = current_app.config["PUBLIC_URL"].rstrip("/") + f"/{tenant.slug}/"
    for tag, text in (("OrganizationName", tenant.name), ("OrganizationDisplayName", tenant.name),
                      ("OrganizationURL", public_url)):
        element = etree.SubElement(organization, f"{{{MD}}}{tag}")
        element.set(XML_LANG, "it")
        element.text = text
    _contact(root, tenant, method)
    return sign_xml(tenant, etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                    f"{MD}:EntityDescriptor", root.get("ID"))


def _contact(root: Any, tenant: Tenant, method: str) -> None:
    """The ContactPerson with the extensions of the AgID notices (SPID) or the CIE SAML profile."""
    email = tenant.setting("saml_contact_email") or current_app.config["SAML_CONTACT_EMAIL"]
    phone = (tenant.setting("saml_contact_phone") or current_app.config["SAML_CONTACT_PHONE"]).replace(" ", "")
    ipa = tenant.ipa_code or current_app.config["SAML_DEFAULT_IPA_CODE"]
    if method == "spid":
        contact = etree.SubElement(root, f"{{{MD}}}ContactPerson", contactType="other")
        extensions = etree.SubElement(contact, f"{{{MD}}}Extensions")
        etree.SubElement(extensions, f"{{{SPID_NS}}}IPACode").text = ipa
        etree.SubElement(extensions, f"{{{SPID_NS}}}Public")
    else:
        contact = etree.SubElement(root, f"{{{MD}}}ContactPerson", contactType="administrative")
        extensions = etree.SubElement(contact, f"{{{MD}}}Extensions")
        etree.SubElement(extensions, f"{{{CIE_NS}}}Public")
        etree.SubElement(extensions, f"{{{CIE_NS}}}IPACode").text = ipa
        municipality = tenant.setting("istat_code") or current_app.config["SAML_DEFAULT_MUNICIPALITY"]
        etree.SubElement(extensions, f"{{{CIE_NS}}}Municipality").text = municipality
        etree.SubElement(contact, f"{{{MD}}}Company").text = tenant.name
    etree.SubElement(contact, f"{{{MD}}}EmailAddress").text = email
    etree.SubElement(contact, f"{{{MD}}}TelephoneNumber").text = phone


def sign_xml(tenant: Tenant, xml: bytes, node_name: str, node_id: str | None) -> bytes:
    """An enveloped RSA-SHA256 signature by the ente's key, first child of the signed element (after
    its Issuer), by xmlsec1."""
    root = etree.fromstring(xml, parser())
    template = _SIGNATURE_TEMPLATE.format(id=node_id, cert=_keys.signing_certificate(tenant))
    signature = etree.fromstring(template.encode())
    issuer = root.find(f"{{{SAML}}}Issuer")
    root.insert(0 if issuer is None else list(root).index(issuer) + 1, signature)
    backend = CryptoBackendXmlSec1(xmlsec())
    with _keys.key_files(tenant) as files:
        signed = backend.sign_statement(etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode(),
                                        node_name, files.key_file, node_id)
    return signed.encode() if isinstance(signed, str) else signed


_SIGNATURE_TEMPLATE = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>\
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>\
<ds:Reference URI="#{id}"><ds:Transforms>\
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>\
<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>\
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>\
</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate>\
</ds:X509Data></ds:KeyInfo></ds:Signature>"""
