"""Probes of a public address, each answering passed or failed with its reason in Italian.

The TLS rules are AgID's ("Raccomandazioni in merito allo standard Transport Layer Security"): TLS 1.2 and 1.3
only (never SSL, TLS 1.0 or 1.1), cipher suites with authenticated encryption (AEAD) and forward secrecy, a
certificate valid for the host and not about to expire, HSTS for at least a year, and plain HTTP sending to
HTTPS. C.SE.5.2 asks that the services live on the servizi. host of the ente's domain.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cryptography import x509

ONE_YEAR = 31_536_000  # seconds: the least HSTS max-age AgID accepts
MODERN = ("TLSv1.2", "TLSv1.3")
# OpenSSL's verification codes worth a sentence of their own (X509_V_ERR_*).
VERIFY_REASONS = {
    7: "la firma del certificato non è di un'autorità riconosciuta",
    9: "il certificato non è ancora valido",
    10: "il certificato è scaduto",
    18: "il certificato è autofirmato",
    19: "la catena contiene un certificato autofirmato non riconosciuto",
    20: "l'emittente del certificato non è un'autorità riconosciuta (catena incompleta o CA sconosciuta)",
    21: "la catena del certificato è incompleta",
    62: "il certificato non è intestato a questo nome",
}
_MAX_AGE = re.compile(r"(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?", re.I)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Target:
    """Where to look: the public `url`; `address` connects there instead of resolving the host (a server not
    yet in the DNS, or a test); `ca_file` trusts that CA instead of the system's."""

    url: str
    ca_file: str | None = None
    address: str | None = None
    http_port: int = 80
    min_days: int = 30
    timeout: float = 10.0

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 443

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class Unreachable(Exception):
    """The server could not be reached at all: every probe that needs it fails with this reason."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return VERIFY_REASONS.get(exc.verify_code, f"certificato non valido ({exc.verify_message})")
    if isinstance(exc, ConnectionRefusedError):
        return "connessione rifiutata"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "nessuna risposta in tempo"
    if isinstance(exc, socket.gaierror):
        return "il nome non si risolve nel DNS"
    if isinstance(exc, ssl.SSLError):
        return f"negoziazione TLS non riuscita ({exc.reason or exc})"
    return str(exc) or exc.__class__.__name__


@contextmanager
def _tls(target: Target, context: ssl.SSLContext) -> Iterator[ssl.SSLSocket]:
    try:
        raw = socket.create_connection((target.address or target.host, target.port), timeout=target.timeout)
    except OSError as exc:
        raise Unreachable(f"{target.host}:{target.port} non raggiungibile: {_reason(exc)}") from exc
    with raw, context.wrap_socket(raw, server_hostname=target.host) as sock:
        yield sock


def _verifying(target: Target) -> ssl.SSLContext:
    """Verifies the chain and the name; offers every cipher, so that only the certificate decides (the
    ciphers have their own check)."""
    context = ssl.create_default_context(cafile=target.ca_file)
    context.set_ciphers("ALL:@SECLEVEL=1")
    return context


def _probing(minimum: ssl.TLSVersion | None = None, maximum: ssl.TLSVersion | None = None,
             ciphers: str | None = None) -> ssl.SSLContext:
    """A client that trusts anything and offers what it is told, old protocols included: it asks what the
    server accepts, never sends anything that matters."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():  # naming TLS 1.0/1.1 is deprecated: here it is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        if minimum is not None:
            context.minimum_version = minimum
        if maximum is not None:
            context.maximum_version = maximum
    context.set_ciphers(f"{ciphers or 'ALL:COMPLEMENTOFALL'}:@SECLEVEL=0")
    return context


def _accepts(target: Target, context: ssl.SSLContext) -> tuple[str, str] | None:
    """(protocol, cipher) when the server completes a handshake with this client, else None."""
    try:
        with _tls(target, context) as sock:
            cipher = sock.cipher()
            return str(sock.version()), cipher[0] if cipher else ""
    except ssl.SSLError:
        return None
    except OSError as exc:
        if isinstance(exc, ConnectionResetError | BrokenPipeError):
            return None  # some servers hang up on a protocol they refuse
        raise Unreachable(f"{target.host}:{target.port}: {_reason(exc)}") from exc


# --- The checks -------------------------------------------------------------------------------------

def check_scheme(target: Target) -> Check:
    scheme = urlsplit(target.url).scheme
    if scheme == "https" and target.host:
        return Check("Indirizzo HTTPS", True, f"il servizio è pubblicato su https://{target.host}")
    return Check("Indirizzo HTTPS", False, "l'indirizzo pubblico deve iniziare con https:// e indicare un nome")


def check_services_host(target: Target) -> Check:
    name = "Sottodominio servizi."
    labels = target.host.split(".")
    if labels[0] == "servizi" and len(labels) >= 3 and all(labels):
        return Check(name, True, f"i servizi sono su {target.host}, sottodominio di {'.'.join(labels[1:])}")
    return Check(name, False, f"i servizi vanno pubblicati su servizi.<dominio dell'ente> (per esempio "
                              f"servizi.comune.esempio.it), non su {target.host or 'questo indirizzo'}")


def _certificate(target: Target) -> x509.Certificate:
    with _tls(target, _probing()) as sock:
        der = sock.getpeercert(binary_form=True)
    if not der:
        raise Unreachable("il server non ha presentato un certificato")
    return x509.load_der_x509_certificate(der)


def check_certificate(target: Target) -> Check:
    name = "Certificato valido"
    try:
        with _tls(target, _verifying(target)) as sock:
            der = sock.getpeercert(binary_form=True)
    except ssl.SSLCertVerificationError as exc:
        return Check(name, False, f"{_reason(exc)} per {target.host}")
    except ssl.SSLError as exc:
        return Check(name, False, _reason(exc))
    cert = x509.load_der_x509_certificate(der or b"")
    issuer = cert.issuer.rfc4514_string()
    return Check(name, True, f"intestato a {target.host}, emesso da {issuer}")


def check_expiry(target: Target) -> Check:
    name = "Scadenza del certificato"
    expires = _certificate(target).not_valid_after_utc
    days = (expires - datetime.now(UTC)).days
    when = expires.strftime("%d/%m/%Y")
    if days < 0:
        return Check(name, False, f"il certificato è scaduto il {when}")
    if days < target.min_days:
        return Check(name, False, f"il certificato scade il {when}, tra {days} giorni (meno di {target.min_days}): "
                                  "rinnovalo")
    return Check(name, True, f"valido fino al {when} ({days} giorni)")


def check_protocols(target: Target) -> Check:
    name = "Versioni di TLS"
    old = [label for version, label in ((ssl.TLSVersion.TLSv1, "TLS 1.0"), (ssl.TLSVersion.TLSv1_1, "TLS 1.1"))
           if _accepts(target, _probing(version, version))]
    modern = [label for version, label in ((ssl.TLSVersion.TLSv1_2, "TLS 1.2"), (ssl.TLSVersion.TLSv1_3, "TLS 1.3"))
              if _accepts(target, _probing(version, version))]
    if old:
        return Check(name, False, f"il server accetta {' e '.join(old)}, da disattivare: sono ammessi solo TLS 1.2 "
                                  "e 1.3")
    if not modern:
        return Check(name, False, "il server non accetta né TLS 1.2 né TLS 1.3")
    untested = "" if ssl.HAS_SSLv3 else " (SSL 3.0 non è provato: OpenSSL non lo implementa più)"
    return Check(name, True, f"accetta solo {' e '.join(modern)}; TLS 1.0 e 1.1 rifiutati{untested}")


def weak_ciphers() -> list[str]:
    """The TLS 1.2 suites AgID rules out: without authenticated encryption (AEAD) or without forward secrecy
    (an ephemeral ECDHE/DHE key exchange). TLS 1.3's suites all have both."""
    every = _probing(ciphers="ALL:COMPLEMENTOFALL").get_ciphers()
    return [c["name"] for c in every if c["protocol"] != "TLSv1.3"
            and not (c["aead"] and c["kea"] in ("kx-ecdhe", "kx-dhe"))]


def check_ciphers(target: Target) -> Check:
    name = "Cifrari"
    weak = _accepts(target, _probing(maximum=ssl.TLSVersion.TLSv1_2, ciphers=":".join(weak_ciphers())))
    if weak:
        return Check(name, False, f"il server accetta il cifrario {weak[1]}, senza cifratura autenticata (AEAD) o "
                                  "senza forward secrecy: da disattivare")
    best = _accepts(target, _probing())
    if best is None:
        return Check(name, False, "nessun cifrario in comune con un client moderno")
    return Check(name, True, f"solo cifrari AEAD con forward secrecy (negoziato {best[1]} su {best[0]})")


def _response(sock: socket.socket, host: str, path: str) -> http.client.HTTPResponse:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: check-deployment\r\n"
                 "Connection: close\r\n\r\n".encode("ascii"))
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response


def check_hsts(target: Target) -> Check:
    name = "HSTS"
    host = target.host if target.port == 443 else f"{target.host}:{target.port}"
    with _tls(target, _probing()) as sock:
        header = _response(sock, host, target.path).getheader("Strict-Transport-Security")
    if not header:
        return Check(name, False, "la risposta HTTPS non ha l'intestazione Strict-Transport-Security")
    found = _MAX_AGE.search(header)
    if found is None:
        return Check(name, False, f"Strict-Transport-Security senza max-age: «{header}»")
    seconds = int(found.group(1))
    if seconds < ONE_YEAR:
        return Check(name, False, f"max-age di {seconds // 86400} giorni ({seconds} s): almeno un anno "
                                  f"({ONE_YEAR} s)")
    sub = " con includeSubDomains" if "includesubdomains" in header.lower() else ""
    return Check(name, True, f"max-age di {seconds // 86400} giorni{sub}")


def check_http_redirect(target: Target) -> Check:
    name = "Redirect da HTTP"
    port = target.http_port
    host = target.host if port == 80 else f"{target.host}:{port}"
    try:
        with socket.create_connection((target.address or target.host, port), timeout=target.timeout) as sock:
            response = _response(sock, host, target.path)
    except (OSError, http.client.HTTPException) as exc:
        return Check(name, False, f"http://{host} non risponde ({_reason(exc)}): deve rimandare a HTTPS")
    location = response.getheader("Location") or ""
    moved = urlsplit(location)
    if response.status not in (301, 302, 303, 307, 308) or moved.scheme != "https" \
            or (moved.hostname or "").lower() != target.host:
        return Check(name, False, f"http://{host}{target.path} risponde {response.status}"
                                  f"{f' verso {location}' if location else ''} invece di rimandare a "
                                  f"https://{target.host}")
    kind = "permanente" if response.status in (301, 308) else "temporaneo (meglio 301 o 308)"
    return Check(name, True, f"redirect {kind} a {location}")


# The checks that need the server, by the name each reports.
CHECKS: tuple[tuple[str, Callable[[Target], Check]], ...] = (
    ("Certificato valido", check_certificate), ("Scadenza del certificato", check_expiry),
    ("Versioni di TLS", check_protocols), ("Cifrari", check_ciphers), ("HSTS", check_hsts))


def check_deployment(target: Target) -> list[Check]:
    """Every check, in order; once the server proves unreachable the checks needing it fail saying why."""
    results = [check_scheme(target), check_services_host(target)]
    if not results[0].ok:
        return results
    unreachable: str | None = None
    for name, probe in CHECKS:
        if unreachable is None:
            try:
                results.append(probe(target))
                continue
            except Unreachable as exc:
                unreachable = str(exc)
        results.append(Check(name, False, f"non verificabile: {unreachable}"))
    results.append(check_http_redirect(target))
    return results
