"""Serving the built React SPA at ``/`` with client-side routes falling back to index.html."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["mount_spa"]


class SPAStaticFiles(StaticFiles):
    """Static files; an unknown path that is not an API or asset path gets ``index.html``."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            looks_like_file = "." in path.rsplit("/", 1)[-1]
            if exc.status_code != 404 or path.startswith("api/") or looks_like_file:
                raise
            return await super().get_response("index.html", scope)


def mount_spa(app: FastAPI, directory: Path) -> None:
    """Mount the SPA if it has been built (``index.html`` present); otherwise do nothing."""
    if (directory / "index.html").is_file():
        app.mount("/", SPAStaticFiles(directory=directory, html=True), name="spa")
