"""The `pakn` command as an operator runs it: a real process, from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """The caller's environment less its PAKN_ settings, on this database."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PAKN_")}
    return {**clean, "PAKN_DATABASE_URL": database_url, "PAKN_VAR_DIR": str(var_dir), "PAKN_SECRET_KEY": "cli-test-key"}


def pakn(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pakn.cli", *args],
        input=stdin,
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
