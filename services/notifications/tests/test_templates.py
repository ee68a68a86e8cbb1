"""Every template renders in every language with sample data; missing data is a clear
error; the HTML variant escapes data, the text variants do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jinja2 import Environment, meta

from burency_common.events.notification_types import NOTIFICATION_TYPES
from burency_notifications.domain import EVENT_TYPES, LANGUAGES
from burency_notifications.rendering import CHANNEL_VARIANTS, VARIANTS, TemplateDataError, render

TEMPLATES = Path(__file__).parents[1] / "src" / "burency_notifications" / "templates"
SAMPLE: dict[str, object] = {
    "url": "https://burency.com/x?t=1",
    "ip": "203.0.113.9",
    "device": "Firefox on Linux",
    "label": "trading bot",
    "level": 2,
    "reason": "document unreadable",
    "amount": "1.5",
    "asset": "BTC",
    "address": "bc1qexample",
    "side": "buy",
    "symbol": "BTC-USDT",
    "price": "65000",
    "title": "New listing",
    "body": "SOL trading opens today",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", EVENT_TYPES)
def test_every_template_renders(event: str, language: str) -> None:
    for channel, variants in CHANNEL_VARIANTS.items():
        rendered = render(event, language, SAMPLE, channel)
        for variant in VARIANTS:  # the channel's own variants, and only those
            assert bool(getattr(rendered, variant).strip()) == (variant in variants), variant


@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_use_only_the_data_every_producer_must_send(language: str) -> None:
    """The catalogue in burency_common is the contract: producers are checked against it
    when they queue a command, templates here, so neither side can drift alone."""
    templates = json.loads((TEMPLATES / f"{language}.json").read_text())
    assert set(templates) == set(NOTIFICATION_TYPES)
    env = Environment(autoescape=True)
    for event, variants in templates.items():
        used = set().union(
            *(meta.find_undeclared_variables(env.parse(t)) for t in variants.values())
        )
        assert used <= NOTIFICATION_TYPES[event].data, (
            event,
            used - NOTIFICATION_TYPES[event].data,
        )


def test_missing_data_is_a_clear_error() -> None:
    with pytest.raises(TemplateDataError, match="amount"):
        render("deposit.credited", "en", {"asset": "BTC"}, "email")


def test_html_is_escaped_text_is_not() -> None:
    rendered = render("kyc.rejected", "en", {"reason": "<script>x</script>"}, "email")
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>x</script>" in rendered.text


def test_unknown_language_falls_back_to_english() -> None:
    assert render("auth.welcome", "fr", {}, "email").subject == "Welcome to Burency"
    assert render("auth.welcome", "ar", {}, "email").subject != "Welcome to Burency"
