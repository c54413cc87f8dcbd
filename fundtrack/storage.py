"""Where the bytes of uploaded files live: a folder on disk, or S3-compatible object storage.

Both keep a file under the SHA-256 of its content, so the same bytes uploaded twice are stored once and
a key can never be guessed from a file name. The database holds the key; `keys()` lists what the
storage holds, so that `fundtrack files check` can compare the two.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fundtrack.config import FileSettings


class StorageError(Exception):
    """The storage cannot be reached, or does not hold a key it should."""


def content_key(data: bytes) -> str:
    """The key a file's bytes are kept under: their SHA-256, split so no folder grows too large."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest[:2]}/{digest}"


class FolderStorage:
    """Files in a folder on disk (the default, next to the SQLite database). Writes go to a temporary file
    that is renamed into place, so a reader never sees half a file."""

    def __init__(self, folder: str | Path):
        self.root = Path(folder)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError(f"not a storage key: {key!r}")
        return path

    def put(self, data: bytes) -> str:
        key = content_key(data)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise StorageError(f"cannot write to {self.root}: {error}") from None
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"the storage holds no file {key}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("*/*")):
            if path.is_file() and not path.name.startswith("."):
                yield f"{path.parent.name}/{path.name}"


class S3Storage:
    """Files in a bucket of S3-compatible object storage, for installations with several web servers."""

    def __init__(self, settings: FileSettings):
        # Imported here: boto3 is an optional extra, needed only by installations that store files in S3.
        import boto3
        from botocore.config import Config

        self.bucket = settings.s3_bucket
        self.prefix = settings.s3_prefix.strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region or None,
            aws_access_key_id=settings.s3_access_key or None,
            aws_secret_access_key=settings.s3_secret_key or None,
            config=Config(retries={"max_attempts": 3}, connect_timeout=10, read_timeout=30),
        )
        from botocore.exceptions import BotoCoreError, ClientError

        self._errors = (BotoCoreError, ClientError)

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, data: bytes) -> str:
        key = content_key(data)
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)
        except self._errors as error:
            raise StorageError(f"cannot write to the bucket {self.bucket}: {error}") from None
        return key

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"].read()
        except self._errors as error:
            raise StorageError(f"cannot read {key} from the bucket {self.bucket}: {error}") from None

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except self._errors:
            return False
        return True

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except self._errors as error:
            raise StorageError(f"cannot delete {key} from the bucket {self.bucket}: {error}") from None

    def keys(self) -> Iterator[str]:
        start = f"{self.prefix}/" if self.prefix else ""
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
                for item in page.get("Contents", []):
                    yield item["Key"][len(start) :]
        except self._errors as error:
            raise StorageError(f"cannot list the bucket {self.bucket}: {error}") from None


def storage_for(settings: FileSettings, database_url: str):
    """The storage the settings name; the default folder sits beside the SQLite database."""
    if settings.storage == "s3":
        return S3Storage(settings)
    folder = settings.folder
    if not folder:
        if database_url.startswith("sqlite:///") and not database_url.endswith(":memory:"):
            folder = str(Path(database_url[len("sqlite:///") :]).parent / "files")
        else:
            folder = "instance/files"
    return FolderStorage(folder)
