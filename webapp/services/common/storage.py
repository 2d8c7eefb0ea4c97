"""Where files live: one interface, a local folder (demo, tests) or an S3-compatible object store
(production, so that every web process and worker on every machine sees the same files).

Keys are opaque: random hexadecimal names chosen by us, never a person's name, fiscal code or file
name (those stay in the database row), so that nothing personal leaks into a bucket's listing, its
access logs or a backup's manifest.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

CHUNK = 64 * 1024

# Lower-case letters, digits and hyphens: no folders, no dots, nothing a person could be recognised by.
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{7,99}$")


class MissingObject(LookupError):
    """The key names nothing in the store (a file lost, or never written)."""


@dataclass
class StoredObject:
    """An open object: its size first (for Content-Length), then its content in chunks; `close` frees
    the file or connection even when the chunks are never read (a client that went away)."""

    size: int
    chunks: Iterator[bytes]
    close: Callable[[], None]


class Storage(Protocol):
    def put(self, key: str, content: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def open(self, key: str) -> StoredObject: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError("storage keys are opaque lower-case names (letters, digits, hyphens)")
    return key


class LocalStorage:
    """A folder; two levels by the key's first characters, so no directory grows too large."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)[:2] / key

    def put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file, a crash leaves no torn one.
        partial = path.with_name(f".{key}.{os.getpid()}.part")
        partial.write_bytes(content)
        os.replace(partial, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise MissingObject(key) from exc

    def open(self, key: str) -> StoredObject:
        try:
            stream = self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise MissingObject(key) from exc
        size = os.fstat(stream.fileno()).st_size

        def chunks() -> Iterator[bytes]:
            with stream:
                while block := stream.read(CHUNK):
                    yield block

        return StoredObject(size, chunks(), stream.close)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise MissingObject(key) from exc


class S3Storage:
    """An S3-compatible bucket (AWS, MinIO, Ceph, a cloud provider's object storage) through boto3."""

    def __init__(self, bucket: str, prefix: str = "", **client_options: Any) -> None:
        import boto3  # only deployments that use S3 pay for importing it
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client("s3", config=Config(retries={"max_attempts": 3, "mode": "standard"}),
                                   **client_options)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def close(self) -> None:
        """Close the client's pooled connections (a process that ends, a test that is done)."""
        self.client.close()

    @staticmethod
    def _missing(exc: Exception) -> bool:
        error = getattr(exc, "response", {}).get("Error", {})
        return str(error.get("Code")) in {"NoSuchKey", "404", "NotFound"}

    def put(self, key: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=content)

    def get(self, key: str) -> bytes:
        stored = self.open(key)
        try:
            return b"".join(stored.chunks)
        finally:
            stored.close()

    def open(self, key: str) -> StoredObject:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if self._missing(exc):
                raise MissingObject(key) from exc
            raise
        body = answer["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return StoredObject(int(answer["ContentLength"]), chunks(), body.close)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))  # S3 answers 204 for a missing key too

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except MissingObject:
            return False
        return True

    def size(self, key: str) -> int:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if self._missing(exc):
                raise MissingObject(key) from exc
            raise
        return int(answer["ContentLength"])


def build_storage(config: Any) -> Storage:
    backend = config.get("STORAGE_BACKEND", "local")
    if backend == "local":
        return LocalStorage(config["STORAGE_DIR"])
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise ValueError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        options = {name: config.get(key) or None for name, key in (
            ("endpoint_url", "S3_ENDPOINT_URL"), ("region_name", "S3_REGION"),
            ("aws_access_key_id", "S3_ACCESS_KEY_ID"), ("aws_secret_access_key", "S3_SECRET_ACCESS_KEY"))}
        return S3Storage(config["S3_BUCKET"], config.get("S3_PREFIX", ""), **options)
    raise ValueError(f"STORAGE_BACKEND must be local or s3, not {backend!r}")


def storage() -> Storage:
    """The current app's store, built once per process (a boto3 client must not cross a fork)."""
    cached = current_app.extensions.get("storage")
    if cached is None or cached[0] != os.getpid():
        cached = (os.getpid(), build_storage(current_app.config))
        current_app.extensions["storage"] = cached
    return cached[1]
