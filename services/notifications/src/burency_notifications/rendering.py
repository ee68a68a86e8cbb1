"""Templates per event type and language: subject, text, HTML, SMS and push variants.

They are package data (``templates/<language>.json``), loaded on first use through
``importlib.resources``. Only the HTML variant is autoescaped (data such as a KYC
rejection reason is user-influenced); ``StrictUndefined`` turns missing data into a
:class:`TemplateDataError` naming the variable instead of a blank in the message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined, TemplateError, select_autoescape

from burency_notifications.domain import LANGUAGES

__all__ = ["VARIANTS", "Rendered", "TemplateDataError", "render"]

VARIANTS: tuple[str, ...] = ("subject", "text", "html", "sms", "push")


class TemplateDataError(Exception):
    """The template cannot be rendered (unknown event/language or missing data)."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    push: str


def _name(event: str, language: str, variant: str) -> str:
    """The HTML variant ends in ``.html``: that is what switches autoescaping on."""
    return f"{event}/{language}/{variant}.{'html' if variant == 'html' else 'txt'}"


def _load(language: str) -> dict[str, str]:
    raw = resources.files("burency_notifications").joinpath(f"templates/{language}.json")
    table: dict[str, dict[str, str]] = json.loads(raw.read_text(encoding="utf-8"))
    return {
        _name(event, language, variant): source
        for event, variants in table.items()
        for variant, source in variants.items()
    }


@cache
def _environment() -> Environment:
    """Built once, on first render: never at import time."""
    sources: dict[str, str] = {}
    for language in LANGUAGES:
        sources.update(_load(language))
    return Environment(
        loader=DictLoader(sources),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def render(event: str, language: str, data: dict[str, Any]) -> Rendered:
    """Render every variant; falls back to English for an unknown language."""
    env = _environment()
    if language not in LANGUAGES:
        language = "en"
    parts: dict[str, str] = {}
    for variant in VARIANTS:
        name = _name(event, language, variant)
        try:
            parts[variant] = env.get_template(name).render(**data).strip()
        except TemplateError as exc:
            raise TemplateDataError(f"template {name}: {exc.message or exc}") from exc
    return Rendered(**parts)
