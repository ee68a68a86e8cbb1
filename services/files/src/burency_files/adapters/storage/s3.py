"""S3 storage (AWS, MinIO, moto): boto3 with every blocking call in a worker thread.

Streams are uploaded with a multipart upload, one ``part_size`` buffer at a time, so
a large file is never whole in memory; a stream that fits in one part is a single
``PutObject``. Any failure (including ``ObjectTooLarge`` mid-stream) aborts the
multipart upload, so no object and no orphaned parts are left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from burency_files.adapters.storage.port import ObjectNotFound, SizeCounter, StoredObject

__all__ = ["S3Config", "S3Storage"]

T = TypeVar("T")
_MIB = 1024 * 1024
_READ_CHUNK = 256 * 1024
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True)
class S3Config:
    bucket: str
    region: str = "us-east-1"
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    server_side_encryption: str | None = None
    create_bucket: bool = False
    public_base_url: str | None = None
    part_size: int = 8 * _MIB


class S3Storage:
    """The :class:`~burency_files.adapters.storage.port.ObjectStorage` port over boto3."""

    def __init__(self, config: S3Config) -> None:
        self.config = config
        self.bucket = config.bucket
        self._client: Any = None

    @property
    def client(self) -> Any:
        """Created on first use: building the storage connects to nothing."""
        if self._client is None:
            self._client = boto3.client(
                "s3",
                region_name=self.config.region,
                endpoint_url=self.config.endpoint_url,
                aws_access_key_id=self.config.access_key_id,
                aws_secret_access_key=self.config.secret_access_key,
                config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
            )
        return self._client

    async def _call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        return await asyncio.to_thread(fn, **kwargs)

    async def ensure_ready(self) -> None:
        if not self.config.create_bucket:
            return
        try:
            await self._call(self.client.head_bucket, Bucket=self.bucket)
        except ClientError:
            extra: dict[str, Any] = {}
            if self.config.region != "us-east-1":
                extra["CreateBucketConfiguration"] = {"LocationConstraint": self.config.region}
            await self._call(self.client.create_bucket, Bucket=self.bucket, **extra)

    def _sse(self) -> dict[str, str]:
        sse = self.config.server_side_encryption
        return {"ServerSideEncryption": sse} if sse else {}

    async def put_stream(
        self, key: str, chunks: AsyncIterator[bytes], *, content_type: str, size_limit: int
    ) -> StoredObject:
        counter = SizeCounter(size_limit)
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in chunks:
                counter.feed(chunk)
                buffer += chunk
                if len(buffer) >= self.config.part_size:
                    if upload_id is None:
                        upload_id = await self._start_multipart(key, content_type)
                    parts.append(await self._upload_part(key, upload_id, len(parts) + 1, buffer))
                    buffer = bytearray()
            if upload_id is None:
                await self._call(
                    self.client.put_object,
                    Bucket=self.bucket,
                    Key=key,
                    Body=bytes(buffer),
                    ContentType=content_type,
                    **self._sse(),
                )
                return counter.result()
            if buffer:
                parts.append(await self._upload_part(key, upload_id, len(parts) + 1, buffer))
            await self._call(
                self.client.complete_multipart_upload,
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            if upload_id is not None:
                await asyncio.shield(self._abort(key, upload_id))
            raise
        return counter.result()

    async def _start_multipart(self, key: str, content_type: str) -> str:
        created = await self._call(
            self.client.create_multipart_upload,
            Bucket=self.bucket,
            Key=key,
            ContentType=content_type,
            **self._sse(),
        )
        return str(created["UploadId"])

    async def _upload_part(
        self, key: str, upload_id: str, number: int, data: bytearray
    ) -> dict[str, Any]:
        answer = await self._call(
            self.client.upload_part,
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            Body=bytes(data),
        )
        return {"ETag": answer["ETag"], "PartNumber": number}

    async def _abort(self, key: str, upload_id: str) -> None:
        # If even the abort fails, a lifecycle rule on the bucket reaps the parts.
        with contextlib.suppress(ClientError):
            await self._call(
                self.client.abort_multipart_upload, Bucket=self.bucket, Key=key, UploadId=upload_id
            )

    async def get(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.stream(key)])

    async def stream(self, key: str) -> AsyncIterator[bytes]:
        try:
            answer = await self._call(self.client.get_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise ObjectNotFound(key) from None
            raise
        body = answer["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, _READ_CHUNK):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        await self._call(self.client.delete_object, Bucket=self.bucket, Key=key)

    async def presigned_get_url(self, key: str, *, expires_in: int, filename: str) -> str:
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        }
        url = await self._call(
            self.client.generate_presigned_url,
            ClientMethod="get_object",
            Params=params,
            ExpiresIn=expires_in,
        )
        return str(url)

    def public_url(self, key: str) -> str:
        base = self.config.public_base_url
        if base is None:
            endpoint = self.config.endpoint_url or f"https://s3.{self.config.region}.amazonaws.com"
            base = f"{endpoint.rstrip('/')}/{self.bucket}"
        return f"{base.rstrip('/')}/{quote(key)}"
