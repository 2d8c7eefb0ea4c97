"""A minimal SMTP sink for the demo (standard library only): accepts every message, keeps it
in memory and optionally writes it as a .eml file. Tests may use aiosmtpd instead."""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_to: tuple[str, ...]
    data: bytes

    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


class _Session(socketserver.StreamRequestHandler):
    server: _SmtpServer

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def _data(self) -> bytes:
        lines: list[bytes] = []
        while True:
            line = self.rfile.readline()
            if not line or line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)

    def handle(self) -> None:
        self._reply("220 localhost SMTP simulator")
        mail_from, rcpts = "", list[str]()
        while line := self.rfile.readline():
            verb, _, arg = line.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.wfile.write(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb in ("HELO", "NOOP"):
                self._reply("250 OK")
            elif verb == "MAIL":
                mail_from, rcpts = arg.partition(":")[2].strip(" <>").split(">")[0], []
                self._reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(arg.partition(":")[2].strip(" <>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.store(ReceivedMail(mail_from, tuple(rcpts), self._data()))
                self._reply("250 OK queued")
            elif verb == "RSET":
                mail_from, rcpts = "", []
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], outdir: Path | None) -> None:
        super().__init__(address, _Session)
        self.messages: list[ReceivedMail] = []
        self.outdir = outdir
        self.lock = threading.Lock()

    def store(self, mail: ReceivedMail) -> None:
        with self.lock:
            self.messages.append(mail)
            if self.outdir is not None:
                self.outdir.mkdir(parents=True, exist_ok=True)
                (self.outdir / f"{len(self.messages):05d}.eml").write_bytes(mail.data)


class RunningSmtpSink:
    """`.url` is ``smtp://host:port``; `.messages` holds what arrived."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, outdir: str | Path | None = None) -> None:
        self._server = _SmtpServer((host, port), Path(outdir) if outdir else None)
        self.host, self.port = str(self._server.server_address[0]), int(self._server.server_address[1])
        self.url = f"smtp://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="smtp-simulator", daemon=True)
        self._thread.start()

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._server.lock:
            return list(self._server.messages)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSmtpSink:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start(host: str = "127.0.0.1", port: int = 0, *, outdir: str | Path | None = None) -> RunningSmtpSink:
    return RunningSmtpSink(host, port, outdir)
