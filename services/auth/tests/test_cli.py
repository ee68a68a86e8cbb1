"""Operator commands: create-admin (password never on argv) and rotate-signing-key."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from burency_auth.entrypoints import cli
from burency_common.tokens import SigningKey

from .auth_testing.harness import CHEAP_ARGON2


@pytest.fixture
def auth_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    def apply() -> None:
        monkeypatch.setenv("BURENCY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
        monkeypatch.setenv("BURENCY_DATA_KEY", "d" * 32)
        for key, value in CHEAP_ARGON2.items():
            monkeypatch.setenv(f"BURENCY_{key.upper()}", str(value))
        monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)

    return apply


def test_create_admin_reads_the_password_from_stdin(
    auth_env: Callable[[], None], capsys: pytest.CaptureFixture[str]
) -> None:
    auth_env()
    stdin = io.StringIO("a long admin passphrase\n")
    assert cli.main(["create-admin", "--email", "ops@example.com"], stdin=stdin) == 0
    assert "created admin" in capsys.readouterr().out
    again = io.StringIO("a long admin passphrase\n")
    assert cli.main(["create-admin", "--email", "ops@example.com"], stdin=again) == 1
    assert "EMAIL_TAKEN" in capsys.readouterr().err


def test_create_admin_has_no_password_option() -> None:
    with pytest.raises(SystemExit):
        cli.main(["create-admin", "--email", "x@example.com", "--password", "secret"])


def test_rotate_signing_key_prints_a_loadable_pem(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rotate-signing-key"]) == 0
    captured = capsys.readouterr()
    key = SigningKey.from_pem(captured.out)
    assert f"kid={key.kid}" in captured.err
