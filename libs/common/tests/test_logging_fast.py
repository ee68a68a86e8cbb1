"""A line written by ``get_logger``'s fast path is byte for byte the line structlog's chain
(as ``configure_logging`` configured it before the fast path) writes for the same call:
bound context, secret-looking keys, levels, exceptions; tests configuring structlog
themselves (``capture_logs``) still see every line."""

from __future__ import annotations

import contextvars
import datetime
import io
import json
import logging
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from burency_common import logging_fast
from burency_common.logging import (
    _redact_secrets,
    _stderr_logger_factory,
    bind_request_id,
    configure_logging,
    current_request_id,
    get_logger,
    reset_request_id,
    set_request_id,
)

NOW_NS = 1_767_225_600_123_456_789  # 2026-01-01T00:00:00.123456789Z


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    logging_fast.install(None)
    logging.getLogger().handlers.clear()
    structlog.reset_defaults()


def _freeze_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both paths read the same instant: structlog's ``datetime.now`` and our clock."""
    instant = datetime.datetime.fromtimestamp(NOW_NS / 1e9, datetime.UTC).replace(
        microsecond=NOW_NS // 1000 % 1_000_000
    )
    fake = type("FrozenDatetime", (datetime.datetime,), {"now": staticmethod(lambda tz: instant)})
    monkeypatch.setattr(
        structlog.processors,
        "datetime",
        types.SimpleNamespace(datetime=fake, timezone=datetime.timezone),
    )
    monkeypatch.setattr(logging_fast, "time", types.SimpleNamespace(time_ns=lambda: NOW_NS))


def _configure_structlog_only(*, json_lines: bool, level: int) -> None:
    """``configure_logging``'s structlog configuration as it was before the fast path."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_lines
        else structlog.dev.ConsoleRenderer(colors=False)
    )  # fmt: skip
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stderr_logger_factory,
        cache_logger_on_first_use=False,
    )
    logging_fast.install(None)


def _written(call: Any) -> str:
    stderr, sys.stderr = sys.stderr, io.StringIO()
    try:
        call()
        return sys.stderr.getvalue()
    finally:
        sys.stderr = stderr


KEYS = st.one_of(
    st.sampled_from(["request_id", "user_id", "password", "api_key", "Authorization",
                     "timestamp", "level", "component", "logger", "status"]),
    st.text(st.characters(codec="ascii", exclude_characters="\x00"), min_size=1, max_size=10),
).filter(lambda key: key != "event")  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["a b", "x=y", "it's", "line\nbreak", "ünïcode"]),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.builds(object),  # not JSON: structlog's fallback writes its repr... with an address
)
BOUND = st.dictionaries(st.sampled_from(["request_id", "event_id", "event_type", "token"]),
                        st.text(max_size=12), max_size=3)  # fmt: skip
METHODS = st.sampled_from(["debug", "info", "warning", "error", "critical"])


@settings(max_examples=300, deadline=None)
@given(
    kw=st.dictionaries(KEYS, VALUES, max_size=8),
    bound=BOUND,
    name=st.sampled_from([None, "burency.access", "burency.trading"]),
    method=METHODS,
    json_lines=st.booleans(),
    level=st.sampled_from([logging.DEBUG, logging.INFO, logging.ERROR]),
)
def test_the_fast_line_is_structlogs(
    kw: dict[str, Any], bound: dict[str, Any], name: str | None, method: str,
    json_lines: bool, level: int,
) -> None:  # fmt: skip
    with pytest.MonkeyPatch.context() as monkeypatch:
        _freeze_clock(monkeypatch)
        kw = {k: (repr(v) if type(v) is object else v) for k, v in kw.items()}
        logger = get_logger(name)

        def line() -> str:
            return contextvars.copy_context().run(
                lambda: (structlog.contextvars.bind_contextvars(**bound),
                         _written(lambda: getattr(logger, method)("happened", **kw)))[1]
            )  # fmt: skip

        _configure_structlog_only(json_lines=json_lines, level=level)
        expected = line()
        configure_logging(level=logging.getLevelName(level), json=json_lines)
        assert logging_fast._active is not None
        assert logging_fast._active.live(), "the fast path wrote the line"
        assert line() == expected


def test_exceptions_and_arguments_are_structlogs(monkeypatch: pytest.MonkeyPatch) -> None:
    _freeze_clock(monkeypatch)
    logger = get_logger("burency.test")
    try:
        raise ValueError("boom")
    except ValueError as error:
        failure = error

    def lines() -> str:
        return _written(lambda: (
            logger.exception("crashed", password="hunter2"),
            logger.error("failed", exc_info=failure),
            logger.warning("%s of %d", "one", 2),
            logger.info("plain", token="abc", n=1),
        ))  # fmt: skip

    for json_lines in (True, False):
        _configure_structlog_only(json_lines=json_lines, level=logging.INFO)
        expected = lines()
        configure_logging(json=json_lines)
        written = lines()
        assert written == expected
        assert "ValueError: boom" in written
        assert "hunter2" not in written
        assert "abc" not in written


def test_capture_logs_and_own_configuration_see_every_line() -> None:
    logger = get_logger("burency.test")  # made before any configuration, like at import
    configure_logging(json=True)
    with capture_logs() as captured:
        logger.info("captured", user_id="u-1")
    assert captured == [{"component": "burency.test", "user_id": "u-1", "event": "captured",
                         "log_level": "info"}]  # fmt: skip
    line = json.loads(_written(lambda: logger.info("after", n=2)))
    assert (line["event"], line["n"], line["level"]) == ("after", 2, "info")

    seen: list[str] = []
    structlog.configure(processors=[lambda _, __, event: (seen.append(event["event"]), "")[1]])
    _written(lambda: logger.warning("own configuration"))
    assert seen == ["own configuration"]

    configure_logging(json=False)
    assert " [info     ] console " in _written(lambda: logger.info("console"))


def test_the_request_id_binding_restores_what_was_bound() -> None:
    configure_logging(json=True)
    logger = get_logger()

    def run() -> None:
        assert current_request_id() is None
        outer = set_request_id("outer")
        with bind_request_id("inner"):
            assert current_request_id() == "inner"
            assert json.loads(_written(lambda: logger.info("x")))["request_id"] == "inner"
            assert structlog.contextvars.get_contextvars() == {"request_id": "inner"}
        assert current_request_id() == "outer"
        with structlog.contextvars.bound_contextvars(request_id="bus", event_id="e-1"):
            assert current_request_id() == "bus"
            line = json.loads(_written(lambda: logger.info("handled", request_id="explicit")))
            assert (line["request_id"], line["event_id"]) == ("explicit", "e-1")
        reset_request_id(outer)
        assert current_request_id() is None
        assert "request_id" not in json.loads(_written(lambda: logger.info("y")))

    contextvars.copy_context().run(run)


@given(st.integers(min_value=0, max_value=253_402_300_799 * 10**9))
def test_the_timestamp_is_timestampers(nanoseconds: int) -> None:
    seconds, rest = divmod(nanoseconds, 10**9)
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC).replace(
        microsecond=rest // 1000
    )
    assert logging_fast.iso_utc(nanoseconds) == moment.isoformat().replace("+00:00", "Z")


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=10,
)  # fmt: skip


@given(st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=6))
def test_json_is_json_dumps(event: dict[str, Any]) -> None:
    fallback = structlog.processors._json_fallback_handler
    assert logging_fast.json_dumps(event) == json.dumps(event, default=fallback)


def test_a_circular_value_fails_like_json_dumps_and_the_next_line_is_fine() -> None:
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular reference"):
        logging_fast.json_dumps({"looped": looped})
    assert logging_fast.json_dumps({"fine": [1, 2]}) == '{"fine": [1, 2]}'
