"""``canonical_path``: one spelling per path, refusals for paths without one meaning."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from burency_gateway.canonical import (
    AmbiguousPath,
    canonical_path,
    decoded_path,
    raw_target,
    walk_path,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (b"/", "/"),
        (b"/api/banking/v1/accounts", "/api/banking/v1/accounts"),
        (b"/api/banking/v1/x/../transfers/internal", "/api/banking/v1/transfers/internal"),
        (b"/api/banking/v1/x/%2E%2e/transfers/internal", "/api/banking/v1/transfers/internal"),
        (b"/api/banking/v1/./transfers/%2e/internal", "/api/banking/v1/transfers/internal"),
        (b"//api///banking//v1/", "/api/banking/v1/"),
        (b"/api/banking/v1/x/..", "/api/banking/v1/"),
        (b"/api/banking/v1/.", "/api/banking/v1/"),
        (b"/x/../api/banking", "/api/banking"),
        (b"/api/%62anking/%7Euser", "/api/banking/~user"),
        (b"/a/%3b%3B%c3%a9%25%20", "/a/%3B%3B%C3%A9%25%20"),
        (b"/a/\xc3\xa9", "/a/%C3%A9"),
        (b'/a/"<>{}|^`[]', "/a/%22%3C%3E%7B%7D%7C%5E%60%5B%5D"),
        (b"/a/!$&'()*+,;=:@", "/a/!$&'()*+,;=:@"),
        (b"/.well-known/jwks.json", "/.well-known/jwks.json"),
        (b"/a/...", "/a/..."),
    ],
)
def test_canonical_form(raw: bytes, canonical: str) -> None:
    assert canonical_path(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"*",
        b"http://evil.example/api/banking",
        b"api/banking",
        b"/a%2Fb",
        b"/a%2fb",
        b"/a%5Cb",
        b"/a%5cb",
        b"/a\\b",
        b"/a%00",
        b"/a\x00",
        b"/a%0A",
        b"/a%7f",
        b"/a\x1b",
        b"/a%",
        b"/a%4",
        b"/a%zz",
        b"/a%ff",
        b"/a%C3",
        b"/..",
        b"/a/../..",
        b"/api/..",
        b"/api/banking/..",
        b"/api/banking/%2e%2e",
        b"/api/banking/v1/../../users/v1/me",
        b"/api/x/../banking/v1",
    ],
)
def test_ambiguous_paths_are_refused(raw: bytes) -> None:
    with pytest.raises(AmbiguousPath) as caught:
        canonical_path(raw)
    assert (caught.value.status, caught.value.code) == (400, "AMBIGUOUS_PATH")


def test_raw_target_prefers_the_servers_raw_path() -> None:
    assert raw_target("/a/b", b"/a%2Fb") == b"/a%2Fb"
    assert raw_target("/a b/%/é", None) == b"/a%20b/%25/%C3%A9"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="/.%2eEfF5cC0aA:;@~é\\ ", max_size=30))
def test_canonical_form_is_a_fixed_point_and_decodes_like_a_server(text: str) -> None:
    raw = ("/" + text).encode()
    try:
        canonical = canonical_path(raw)
    except AmbiguousPath:
        return
    assert canonical_path(canonical.encode()) == canonical
    assert canonical.isascii()
    assert "//" not in canonical
    assert "/./" not in canonical + "/"
    assert "/../" not in canonical + "/"
    # What an ASGI server puts in scope["path"] for this raw path.
    assert decoded_path(canonical) == unquote(canonical)


def _canonical_or_refused(raw: bytes, canonical: Callable[[bytes], str]) -> str:
    try:
        return canonical(raw)
    except AmbiguousPath as exc:
        return f"refused: {exc}"


_PIECES = ["/", "//", ".", "..", "a", "v1", "orders", "42", "~", "-", "_", "%", "%2e"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from([*_PIECES, *"!$&'()*+,;=:@\\é\" "]), max_size=12), st.booleans())
def test_the_shortcut_for_paths_canonical_as_sent_agrees_with_every_step(
    parts: list[str], rooted: bool
) -> None:
    raw = (("/" if rooted else "") + "".join(parts)).encode()
    assert _canonical_or_refused(raw, canonical_path) == _canonical_or_refused(raw, walk_path)


@pytest.mark.parametrize(
    "raw",
    [b"/api/trading/v1/orders", b"/api/trading/v1/orders/0190a1b2-c3d4", b"/", b"/a/", b"/a.b/c."],
)
def test_plain_paths_are_their_own_canonical_form(raw: bytes) -> None:
    assert canonical_path(raw) == walk_path(raw) == raw.decode()
