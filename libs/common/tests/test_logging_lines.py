"""Log lines written on an event loop go out once per loop iteration, in the order they
were written (structlog's and the standard library's alike); elsewhere at once; and
nothing is lost when the process exits."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import textwrap

import pytest

from burency_common.logging import configure_logging, get_logger
from burency_common.logging_lines import flush_lines, write_line


async def _iteration_ended() -> None:
    """Wait until the callbacks scheduled so far (the lines' flush among them) have run:
    ``call_soon`` runs callbacks in the order they were scheduled."""
    done = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_soon(done.set_result, None)
    await done


def _events(err: str) -> list[str]:
    return [json.loads(line)["event"] for line in err.splitlines() if line.startswith("{")]


async def test_lines_of_one_iteration_go_out_together_in_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="INFO", json=True)
    log = get_logger("test.lines")
    log.info("first")
    logging.getLogger("test.stdlib").warning("second")  # the stdlib handler, same writer
    log.info("third")
    assert capsys.readouterr().err == ""  # still this iteration: kept

    await _iteration_ended()  # the iteration ends: written
    assert _events(capsys.readouterr().err) == ["first", "second", "third"]


async def test_flush_lines_writes_what_is_pending(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", json=True)
    get_logger().info("pending")
    flush_lines()
    assert _events(capsys.readouterr().err) == ["pending"]
    await _iteration_ended()
    assert capsys.readouterr().err == ""  # written once


def test_without_a_running_loop_a_line_is_written_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="INFO", json=True)
    write_line('{"event": "now"}')
    assert _events(capsys.readouterr().err) == ["now"]


def test_the_lines_of_the_last_iteration_survive_the_exit() -> None:
    """A process that logs and exits at once (sys.exit from a coroutine, before the
    loop's next iteration) still writes every line."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from burency_common.logging import configure_logging, get_logger

        async def main():
            configure_logging(level="INFO", json=True)
            for n in range(3):
                get_logger().info(f"line-{n}")
            sys.exit(0)

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert _events(done.stderr) == ["line-0", "line-1", "line-2"]


@pytest.mark.parametrize(
    ("fields", "hidden"),
    [
        ({"headers": {"authorization": "Bearer abc.def", "accept": "json"}}, "abc.def"),
        ({"x-api-key": "k-123"}, "k-123"),
        ({"private_key": "-----BEGIN"}, "-----BEGIN"),
        ({"sms_otp": "123456"}, "123456"),
        ({"otp": "654321"}, "654321"),
        ({"mnemonic": "abandon ability able"}, "abandon ability able"),
    ],
)
def test_secret_values_never_reach_a_line(
    capsys: pytest.CaptureFixture[str], fields: dict[str, object], hidden: str
) -> None:
    configure_logging(level="INFO", json=True)
    get_logger("test.secrets").info("event.with.secret", **fields)
    err = capsys.readouterr().err
    assert "event.with.secret" in err
    assert hidden not in err


def test_ordinary_keys_stay_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", json=True)
    get_logger().info("footprint", footprint="kept", spin="kept", headers={"accept": "json"})
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (line["footprint"], line["spin"], line["headers"]) == (
        "kept",
        "kept",
        {"accept": "json"},
    )
