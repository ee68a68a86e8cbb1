"""A fake files service implementing exactly the internal contract the user service calls.

FastAPI with an in-memory table, reached through ``httpx.ASGITransport``. It verifies
the signed ``service:users`` identity like the real one, and records every access-url
request so tests can check who asked for a link and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from burency_common.identity import Identity, require_role
from burency_common.ids import new_id
from burency_common.timeutil import to_iso_ms, utc_now
from burency_common.web.problems import install_problem_handlers


@dataclass
class FakeFile:
    id: str
    owner_id: str
    kind: str
    deleted: bool = False
    name: str = "scan.png"


@dataclass
class FakeFiles:
    secret: bytes
    files: dict[str, FakeFile] = field(default_factory=dict)
    access_requests: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False

    def add(self, owner_id: str, kind: str, *, deleted: bool = False) -> str:
        file_id = new_id()
        self.files[file_id] = FakeFile(file_id, owner_id, kind, deleted)
        return file_id

    def app(self) -> FastAPI:
        app = FastAPI()
        app.state.identity_secret = self.secret
        install_problem_handlers(app)
        service = Depends(require_role("service"))

        def missing() -> JSONResponse:
            body = {"type": "about:blank", "title": "Not found", "status": 404,
                    "detail": "no such file", "code": "FILE_NOT_FOUND"}  # fmt: skip
            return JSONResponse(body, status_code=404, media_type="application/problem+json")

        @app.get("/internal/v1/files/{file_id}")
        async def get_file(file_id: str, identity: Identity = service) -> Any:
            assert identity.user_id == "service:users"
            if self.down:
                return JSONResponse({"code": "DOWN"}, status_code=503)
            found = self.files.get(file_id)
            if found is None:
                return missing()
            return {"id": found.id, "ownerId": found.owner_id, "kind": found.kind,
                    "originalName": found.name,
                    "contentType": "image/png", "size": 1234, "sha256": "0" * 64,
                    "visibility": "private", "deleted": found.deleted}  # fmt: skip

        @app.post("/internal/v1/files/{file_id}/access-url")
        async def access_url(file_id: str, body: dict[str, Any], _: Identity = service) -> Any:
            if self.down:
                return JSONResponse({"code": "DOWN"}, status_code=503)
            if file_id not in self.files:
                return missing()
            self.access_requests.append({"fileId": file_id, **body})
            expires = to_iso_ms(utc_now() + timedelta(minutes=5))
            name = self.files[file_id].name
            return {"url": f"https://files.test/{file_id}?sig=x", "expiresAt": expires,
                    "contentType": "image/png", "originalName": name}  # fmt: skip

        return app

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app()), base_url="http://files"
        )
