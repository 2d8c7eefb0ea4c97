"""pagoPA's own receipt: the SOAP `paSendRT` / `paSendRTV2` the node sends to the EC's station.

Shapes after `pagopa/pagopa-api` `wsdl/xsd/paForNode.xsd` (SANP 3.x): the request carries `idPA`,
`idBrokerPA`, `idStation` and a `receipt` (`receiptId`, `noticeNumber`, `fiscalCode`, `outcome`,
`creditorReferenceId` = the IUV, `paymentAmount` in euro with two decimals, `fee`, `paymentDateTime`,
PSP data, `transferList`...); the answer is `paSendRT[V2]Res` with `outcome` OK or KO and a `fault`
(`faultCode`, `faultString`, `id`, `description`). Amounts here are cents, as everywhere in the family.

Parsing refuses DTDs and entities: the body comes from the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from lxml import etree  # type: ignore[import-untyped]

from connectors.errors import ValidationError
from connectors.payments.base import PaymentReceipt
from connectors.payments.contrib.pagopa.notice import check_notice_number, iuv_of

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
PAFORNODE_NS = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"
# pagoPA writes paymentDateTime without an offset; the node runs on Italian time.
PAGOPA_ZONE = ZoneInfo("Europe/Rome")
# How the node authenticates to a station is set at onboarding (mTLS at the ente's gateway, or a key the
# gateway checks); the key header our endpoint checks is our choice, named like APIM's (unverified).
RT_KEY_HEADER = "Ocp-Apim-Subscription-Key"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True)


@dataclass(frozen=True)
class SentReceipt:
    """A parsed `paSendRT[V2]Req`: who sent it and the receipt inside."""

    id_pa: str
    id_broker_pa: str
    id_station: str
    receipt: PaymentReceipt
    version: str  # "paSendRT" | "paSendRTV2"


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(node: etree._Element, name: str) -> etree._Element | None:
    for child in node:
        if _local(child.tag) == name:
            return child
    return None


def _text(node: etree._Element, name: str, *, required: bool = True) -> str | None:
    child = _child(node, name)
    value = (child.text or "").strip() if child is not None else ""
    if not value:
        if required:
            raise ValidationError(f"receipt without {name}")
        return None
    return value


def euro_to_cents(value: str) -> int:
    """`30.00` -> 3000; more than two decimals or a negative amount is refused."""
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValidationError("amount is not a decimal number") from exc
    cents = amount * 100
    if amount < 0 or cents != cents.to_integral_value():
        raise ValidationError("amount must be non-negative with at most two decimals")
    return int(cents)


def cents_to_euro(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _datetime(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError("paymentDateTime is not a date-time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=PAGOPA_ZONE)


def _body_request(body: bytes) -> etree._Element:
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ValidationError("DTDs are not accepted")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValidationError("not well-formed XML") from exc
    soap_body = _child(root, "Body") if _local(root.tag) == "Envelope" else None
    if soap_body is None or len(soap_body) != 1:
        raise ValidationError("not a SOAP envelope with one request")
    return soap_body[0]


def parse_pa_send_rt(body: bytes) -> SentReceipt:
    """Parse a `paSendRTReq` or `paSendRTV2Req`; raise `ValidationError` when anything is off."""
    request = _body_request(body)
    version = _local(request.tag).removesuffix("Req")
    if version not in ("paSendRT", "paSendRTV2"):
        raise ValidationError("not a paSendRT request")
    node = _child(request, "receipt")
    if node is None:
        raise ValidationError("request without receipt")
    notice = str(_text(node, "noticeNumber"))
    iuv = str(_text(node, "creditorReferenceId"))
    if not check_notice_number(notice) or iuv_of(notice) != iuv:
        raise ValidationError("receipt notice number or IUV is wrong")
    psp = _text(node, "PSPCompanyName", required=False) or _text(node, "pspCompanyName", required=False)
    fee = _text(node, "fee", required=False)
    receipt = PaymentReceipt(
        receipt_id=str(_text(node, "receiptId")), notice_number=notice, iuv=iuv,
        ec_fiscal_code=str(_text(node, "fiscalCode")), amount_cents=euro_to_cents(str(_text(node, "paymentAmount"))),
        outcome=str(_text(node, "outcome")), paid_at=_datetime(str(_text(node, "paymentDateTime"))),
        fee_cents=euro_to_cents(fee) if fee else 0, psp_name=psp)
    return SentReceipt(id_pa=str(_text(request, "idPA")), id_broker_pa=str(_text(request, "idBrokerPA")),
                       id_station=str(_text(request, "idStation")), receipt=receipt, version=version)


def _envelope(inner: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" '
            f'xmlns:pafn="{PAFORNODE_NS}"><soapenv:Header/><soapenv:Body>{inner}</soapenv:Body>'
            f"</soapenv:Envelope>").encode()


def pa_send_rt_response(version: str = "paSendRTV2", *, fault_code: str | None = None,
                        fault_string: str = "", id_pa: str = "", description: str = "") -> bytes:
    """The EC's answer: OK, or KO with a fault of the EC-side catalogue (PAA_...)."""
    if fault_code is None:
        return _envelope(f"<pafn:{version}Res><outcome>OK</outcome></pafn:{version}Res>")
    fault = (f"<fault><faultCode>{escape(fault_code)}</faultCode><faultString>{escape(fault_string)}</faultString>"
             f"<id>{escape(id_pa)}</id><description>{escape(description)}</description></fault>")
    return _envelope(f"<pafn:{version}Res><outcome>KO</outcome>{fault}</pafn:{version}Res>")


def parse_pa_send_rt_response(body: bytes) -> tuple[str, str | None]:
    """(outcome, faultCode) of an answer: what the sender (the simulator, a test) reads back."""
    response = _body_request(body)
    fault = _child(response, "fault")
    return str(_text(response, "outcome")), _text(fault, "faultCode", required=False) if fault is not None else None


@dataclass(frozen=True)
class Station:
    """Who sends: the EC, its broker (intermediario) and the station the receipts go to."""

    id_pa: str
    id_broker_pa: str
    id_station: str


def pa_send_rt_request(receipt: PaymentReceipt, station: Station, *, description: str, company_name: str,
                       debtor_fiscal_code: str, debtor_name: str, iban: str | None = None,
                       version: str = "paSendRTV2") -> bytes:
    """A `paSendRT[V2]Req` as the node sends it (used by the simulator and tests)."""
    paid = receipt.paid_at.astimezone(PAGOPA_ZONE).replace(tzinfo=None).isoformat(timespec="seconds")
    amount = cents_to_euro(receipt.amount_cents)
    transfer = (f"<transfer><idTransfer>1</idTransfer><transferAmount>{amount}</transferAmount>"
                f"<fiscalCodePA>{escape(receipt.ec_fiscal_code)}</fiscalCodePA>"
                + (f"<IBAN>{escape(iban)}</IBAN>" if iban else "")
                + f"<remittanceInformation>{escape(description)}</remittanceInformation>"
                f"<transferCategory>9/0101100IM/</transferCategory></transfer>")
    inner = (
        f"<pafn:{version}Req><idPA>{escape(station.id_pa)}</idPA><idBrokerPA>{escape(station.id_broker_pa)}"
        f"</idBrokerPA><idStation>{escape(station.id_station)}</idStation><receipt>"
        f"<receiptId>{escape(receipt.receipt_id)}</receiptId><noticeNumber>{receipt.notice_number}</noticeNumber>"
        f"<fiscalCode>{escape(receipt.ec_fiscal_code)}</fiscalCode><outcome>{escape(receipt.outcome)}</outcome>"
        f"<creditorReferenceId>{receipt.iuv}</creditorReferenceId><paymentAmount>{amount}</paymentAmount>"
        f"<description>{escape(description)}</description><companyName>{escape(company_name)}</companyName>"
        f"<debtor><uniqueIdentifier><entityUniqueIdentifierType>F</entityUniqueIdentifierType>"
        f"<entityUniqueIdentifierValue>{escape(debtor_fiscal_code)}</entityUniqueIdentifierValue>"
        f"</uniqueIdentifier><fullName>{escape(debtor_name)}</fullName></debtor>"
        f"<transferList>{transfer}</transferList><idPSP>PSPSIM00000</idPSP>"
        f"<PSPCompanyName>{escape(receipt.psp_name or 'PSP')}</PSPCompanyName>"
        f"<paymentMethod>creditCard</paymentMethod><fee>{cents_to_euro(receipt.fee_cents)}</fee>"
        f"<paymentDateTime>{paid}</paymentDateTime><applicationDate>{paid[:10]}</applicationDate>"
        f"<transferDate>{paid[:10]}</transferDate></receipt></pafn:{version}Req>")
    return _envelope(inner)
