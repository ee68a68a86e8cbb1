"""Templates per event type and language: subject, text, HTML, SMS and push variants.

They are package data (``templates/<language>.json``), loaded on first use through
``importlib.resources``. Only the HTML variant is autoescaped (data such as a KYC
rejection reason is user-influenced); ``StrictUndefined`` turns missing data into a
:class:`TemplateDataError` naming the variable instead of a blank in the message.

Rendering is per channel (:data:`CHANNEL_VARIANTS`): a channel gets only its own
variants, rendered from the catalogue's view of the data for that channel
(:meth:`~burency_common.events.notification_types.NotificationType.view`). A secret
(a reset or verification link) is in that view only for the type's owner channel, so
an in-app, push or SMS template that names it fails to render instead of leaking it,
and the message a non-owner channel receives holds no secret to copy anywhere.
:func:`check_catalogue` proves this for every type at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined, TemplateError, select_autoescape

from burency_common.events.notification_types import NOTIFICATION_TYPES
from burency_notifications.domain import CHANNELS, LANGUAGES

__all__ = [
    "CHANNEL_VARIANTS",
    "VARIANTS",
    "Rendered",
    "TemplateDataError",
    "check_catalogue",
    "render",
]

VARIANTS: tuple[str, ...] = ("subject", "text", "html", "sms", "push")
# What each channel shows; every other variant of its message stays empty.
CHANNEL_VARIANTS: Mapping[str, tuple[str, ...]] = {
    "email": ("subject", "text", "html"),
    "sms": ("sms",),
    "push": ("subject", "push"),
    "in_app": ("subject", "push"),
}


class TemplateDataError(Exception):
    """The template cannot be rendered (unknown event/language/channel or missing data)."""


@dataclass(frozen=True)
class Rendered:
    subject: str = ""
    text: str = ""
    html: str = ""
    sms: str = ""
    push: str = ""


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


def render(event: str, language: str, data: Mapping[str, Any], channel: str) -> Rendered:
    """Render ``channel``'s variants from the data that channel may see (English for an
    unknown language); the other variants stay empty."""
    kind = NOTIFICATION_TYPES.get(event)
    variants = CHANNEL_VARIANTS.get(channel)
    if kind is None or variants is None:
        raise TemplateDataError(f"no template for {event[:60]!r} on {channel[:20]!r}")
    view = kind.view(data, channel)
    env = _environment()
    if language not in LANGUAGES:
        language = "en"
    parts: dict[str, str] = {}
    for variant in variants:
        name = _name(event, language, variant)
        try:
            parts[variant] = env.get_template(name).render(**view).strip()
        except TemplateError as exc:
            raise TemplateDataError(f"template {name}: {exc.message or exc}") from exc
    return Rendered(**parts)


def check_catalogue() -> None:
    """Every channel has its variants, and every type renders on every channel in every
    language with its declared data; a secret shows up only on its owner channel.

    Raises :class:`TemplateDataError` naming the first offender. Run at start-up (a
    template that would leak or fail is a deployment error, not a delivery failure).
    """
    unmapped = sorted(set(CHANNELS) - set(CHANNEL_VARIANTS))
    if unmapped:
        raise TemplateDataError(f"channels without variants: {unmapped}")
    for kind in NOTIFICATION_TYPES.values():
        sentinels = {key: f"SENTINEL-{kind.name}-{key}" for key in kind.data}
        for language in LANGUAGES:
            for channel in CHANNELS:
                rendered = render(kind.name, language, sentinels, channel)
                shown = " ".join(getattr(rendered, v) for v in VARIANTS)
                leaked = sorted(
                    key for key in kind.secrets if channel != kind.owner and sentinels[key] in shown
                )
                if leaked:
                    raise TemplateDataError(f"{kind.name} shows {leaked} on {channel}")
