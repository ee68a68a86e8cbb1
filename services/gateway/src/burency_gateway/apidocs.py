"""The API docs page (``/api/docs``): Swagger UI served by the gateway itself.

The assets come from the ``swagger-ui-bundle-v2`` package (Swagger UI 5, which reads
OpenAPI 3.1), so the page works offline and its Content-Security-Policy admits scripts
from this origin only: no CDN, no inline script (the start-up code is ``/api/docs/init.js``),
no third-party images (Swagger UI's online validator badge is switched off).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from burency_common.errors import NotFound

__all__ = ["DOCS_CSP", "docs_router"]

# Styles: Swagger UI writes ``style`` attributes into rendered descriptions; a style
# cannot run code, so 'unsafe-inline' is allowed there and nowhere else.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
_ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Burency API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"""
_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    displayOperationId: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""
_CACHE = {"Cache-Control": "public, max-age=86400"}


def _assets_dir() -> Path:
    bundle = importlib.import_module("swagger_ui_bundle")  # the package ships no types
    return Path(str(bundle.swagger_ui_path))


def docs_router() -> APIRouter:
    """``/api/docs``, its start-up script and the Swagger UI assets (a fixed list)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/api/docs")
    async def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE, headers={"Content-Security-Policy": DOCS_CSP})

    @router.get("/api/docs/init.js")
    async def init() -> Response:
        return Response(_INIT, media_type="text/javascript; charset=utf-8", headers=_CACHE)

    @router.get("/api/docs/assets/{name}")
    async def asset(name: str) -> FileResponse:
        media_type = _ASSETS.get(name)
        if media_type is None:
            raise NotFound("no such asset", code="NOT_FOUND")
        return FileResponse(_assets_dir() / name, media_type=media_type, headers=_CACHE)

    return router
