"""Settings: defaults, the TOML override, and one clear line for a bad value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pakn.settings import Settings


@pytest.fixture(autouse=True)
def no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PAKN_CONFIG", "PAKN_PORT", "PAKN_DATABASE_URL", "PAKN_TIMEZONE", "PAKN_HOME", "PAKN_VAR_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_run_on_the_embedded_sqlite_file() -> None:
    settings = Settings()
    home = Path(__file__).resolve().parents[2]  # the checkout: the same file from any directory
    assert settings.database_url == f"sqlite://{home / 'var' / 'pakn.sqlite3'}"
    assert (settings.host, settings.port, settings.timezone) == ("127.0.0.1", 8000, "Asia/Ho_Chi_Minh")
    assert [category.code for category in settings.categories][:2] == ["giao-thong", "moi-truong"]
    assert settings.limits.max_attachments == 5


def test_a_toml_file_overrides_the_defaults_key_by_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    override = tmp_path / "pakn.toml"
    override.write_text('[limits]\nmax_attachments = 3\n\n[admin_units]\nprovinces = ["01"]\n', encoding="utf-8")
    monkeypatch.setenv("PAKN_CONFIG", str(override))
    settings = Settings()
    assert settings.limits.max_attachments == 3
    assert settings.limits.max_attachment_bytes == 10 * 1024 * 1024
    assert settings.admin_units.provinces == ["01"]
    assert len(settings.categories) == 12


def test_the_environment_beats_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAKN_PORT", "9001")
    assert Settings().port == 9001


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAKN_PORT", "99999"),
        ("PAKN_TIMEZONE", "Mars/Olympus"),
        ("PAKN_DATABASE_URL", "mysql://localhost/pakn"),
        ("PAKN_CONFIG", "/nonexistent/pakn.toml"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(name: str, value: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pakn.cli", "migrate"],
        env={"PATH": "/usr/bin:/bin", name: value},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
