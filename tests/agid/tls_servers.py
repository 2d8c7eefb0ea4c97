"""Throwaway HTTPS and HTTP servers on loopback for the deployment check: a CA and certificates made with
`cryptography`, TLS servers offering what a test says (old protocols, weak ciphers, no HSTS), a plain HTTP
server that redirects, or not."""

from __future__ import annotations

import re
import socket
import socketserver
import ssl
import threading
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask

from tests.conftest import app_config
from webapp.app import create_app

ONE_YEAR_HSTS = "max-age=31536000; includeSubDomains"
# What a well configured server offers on TLS 1.2 (Mozilla's "intermediate", as AgID recommends): AEAD suites
# with an ephemeral key exchange only. Python's own server default still has CBC suites.
STRONG = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
          "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305")


def _name(common: str, organisation: str = "Ente di prova") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass(frozen=True)
class Pki:
    """A test CA (its certificate is the --ca-file) and the folder its server certificates go to."""

    folder: Path
    ca_key: ec.EllipticCurvePrivateKey
    ca_cert: x509.Certificate

    @property
    def ca_file(self) -> str:
        return str(self.folder / "ca.pem")

    def server_cert(self, host: str, days: int = 90, start_days_ago: int = 1) -> tuple[str, str]:
        """(certificate file, key file) for `host`, signed by the CA, valid until `days` from now."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(_name(host)).issuer_name(self.ca_cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=start_days_ago)).not_valid_after(now + timedelta(days=days))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(self.ca_key, hashes.SHA256()))
        stem = self.folder / f"{host}-{days}-{start_days_ago}"
        stem.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        stem.with_suffix(".key").write_bytes(_pem_key(key))
        return str(stem.with_suffix(".crt")), str(stem.with_suffix(".key"))


def make_pki(folder: Path) -> Pki:
    """A CA of its own name (the folder's): a certificate of another test CA is not mistaken for one of it."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = _name(f"CA di prova {folder.name}")
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Pki(folder, key, cert)


class _Quiet(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A refused handshake is what several tests are about: nothing to print."""


def _read_request(stream: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = stream.recv(4096)
        if not chunk:
            return
        data += chunk


@contextmanager
def _serving(server: socketserver.TCPServer) -> Iterator[int]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def tls_server(cert: tuple[str, str], *, oldest: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
               newest: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3, ciphers: str = STRONG,
               hsts: str | None = ONE_YEAR_HSTS) -> Iterator[int]:
    """An HTTPS server on a free loopback port (yielded) answering every request 200, with `hsts` as its
    Strict-Transport-Security header (None: none), offering the TLS versions from `oldest` to `newest` and
    the TLS 1.2 `ciphers`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    with warnings.catch_warnings():  # offering TLS 1.0/1.1 is the misconfiguration under test
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version, context.maximum_version = oldest, newest
    # TLS 1.0/1.1 need security level 0 in OpenSSL 3 to be offered at all
    context.set_ciphers(f"{ciphers}:@SECLEVEL=0" if oldest < ssl.TLSVersion.TLSv1_2 else ciphers)
    header = f"Strict-Transport-Security: {hsts}\r\n" if hsts else ""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with context.wrap_socket(self.request, server_side=True) as sock:
                _read_request(sock)
                sock.sendall(f"HTTP/1.1 200 OK\r\n{header}Content-Type: text/plain\r\nContent-Length: 2\r\n"
                             "Connection: close\r\n\r\nok".encode())

    with _serving(_Quiet(("127.0.0.1", 0), Handler)) as port:
        yield port


@contextmanager
def http_server(redirect_to: str | None) -> Iterator[int]:
    """A plain HTTP server on a free loopback port: 301 to `redirect_to`, or (None) the page itself, 200."""
    answer = (f"HTTP/1.1 301 Moved Permanently\r\nLocation: {redirect_to}\r\nContent-Length: 0\r\n" if redirect_to
              else "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n")

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            _read_request(self.request)
            self.request.sendall(f"{answer}Connection: close\r\n\r\n{'' if redirect_to else 'ok'}".encode())

    with _serving(_Quiet(("127.0.0.1", 0), Handler)) as port:
        yield port


# --- Running the command against them -----------------------------------------------------------------

HOST = "servizi.comune.test"
LINE = re.compile(r"^  \[(OK|NO)\] ([^:]+): (.+)$", re.M)


def make_cli_app(database_url: str, storage_dir: Path) -> Flask:
    """The command needs no database: an app of its own (not the session's `app`), so that no test waits for
    the tables to be restored after it."""
    return create_app(app_config(database_url, storage_dir))


def run_check(cli_app: Flask, pki: Pki, host: str = HOST, cert: tuple[str, str] | None = None,
              redirect: bool = True, **server: Any) -> tuple[int, dict[str, tuple[bool, str]], str]:
    """Serve HTTPS (and HTTP) as told and run the command trusting `pki`'s CA: (exit code, {check: (passed,
    detail)}, output)."""
    with ExitStack() as stack:
        port = stack.enter_context(tls_server(cert or pki.server_cert(host), **server))
        url = f"https://{host}:{port}/demo/"
        http_port = stack.enter_context(http_server(url if redirect else None))
        result = cli_app.test_cli_runner().invoke(args=[
            "check-deployment", url, "--address", "127.0.0.1", "--http-port", str(http_port),
            "--ca-file", pki.ca_file])
    return result.exit_code, lines_of(result.output), result.output


def lines_of(output: str) -> dict[str, tuple[bool, str]]:
    return {name: (mark == "OK", detail) for mark, name, detail in LINE.findall(output)}


def failed(lines: dict[str, tuple[bool, str]]) -> list[str]:
    return [name for name, (ok, _detail) in lines.items() if not ok]
