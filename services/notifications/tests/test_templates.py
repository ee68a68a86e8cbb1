"""Every template renders in every language with sample data; missing data is a clear
error; the HTML variant escapes data, the text variants do not."""

from __future__ import annotations

import pytest

from burency_notifications.domain import EVENT_TYPES, LANGUAGES
from burency_notifications.rendering import TemplateDataError, render

SAMPLE: dict[str, object] = {
    "link": "https://burency.com/x?t=1",
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
    rendered = render(event, language, SAMPLE)
    for variant in ("subject", "text", "html", "sms", "push"):
        assert getattr(rendered, variant).strip(), variant


def test_missing_data_is_a_clear_error() -> None:
    with pytest.raises(TemplateDataError, match="amount"):
        render("deposit.credited", "en", {"asset": "BTC"})


def test_html_is_escaped_text_is_not() -> None:
    rendered = render("kyc.rejected", "en", {"reason": "<script>x</script>"})
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>x</script>" in rendered.text


def test_unknown_language_falls_back_to_english() -> None:
    assert render("auth.welcome", "fr", {}).subject == "Welcome to Burency"
    assert render("auth.welcome", "ar", {}).subject != "Welcome to Burency"
