"""Schemathesis against the service as it is deployed: `pakn serve` in a
subprocess, on a database of its own, fuzzed through its own /openapi.json.

Two checks: the published contract holds for generated requests (no 5xx, every
reply matches the status codes, media types and schemas the document declares),
and the process stops cleanly on SIGTERM.

On SQLite the served database is a fresh file; when PAKN_TEST_DATABASE_URL is
a PostgreSQL URL it is `<that database>_served` on the same server, created
afresh and migrated with `pakn migrate` (serve refuses pending migrations there).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.served import STOP_TIMEOUT, Served, serve
from tests.served import stop as _stop

FUZZ_TIMEOUT = 150.0

# Bounded and reproducible: deterministic generation (no seed, no example
# database), at most 30 cases per operation and phase (coverage, fuzzing,
# stateful; examples where the document has some), positive and negative data.
# About 2,400 requests, 25-30 s on 2 cores.
MAX_EXAMPLES = 30

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "allow_header_conformance",
)
# Not run:
# - object_level_authorization: needs the credentials of two users; a report's
#   access token is its only credential, so there is no second user to swap in.
# - max_response_time: timing on a shared 2-core machine is noise, not a check.

# Checks are chosen here rather than with --checks: checks named on the command
# line override the per-operation `enabled = false` below.
CONFIG = (
    "# Written by tests/e2e/test_served_api_fuzz.py.\n\n"
    "[checks]\nenabled = false\n"
    + "".join(f"{name}.enabled = true\n" for name in CHECKS)
    + """
# positive_data_acceptance (schema-valid requests must not get a 400/422) does
# not apply where the service checks what a schema cannot say:

[[operations]]
# Submitting a report: lat/lon must lie inside Vietnam's borders, `category`
# and `location.admin_unit_code` must name existing rows, text is NFC-normalised
# and trimmed before `minLength` applies (ten spaces are no content), and the
# Idempotency-Key header is required only when channel=mobile (the default), a
# dependency between a header and a body field that OpenAPI cannot express.
include-path = "/api/v1/feedback"
include-method = "POST"
checks.positive_data_acceptance.enabled = false

[[operations]]
# The public feed: `cursor` is opaque; only a `next_cursor` the service issued
# is valid, so any other string is rightly a 400 (bad-cursor).
include-path = "/api/v1/feedback/public"
include-method = "GET"
checks.positive_data_acceptance.enabled = false

[[operations]]
# The fuzzer signs in as an administrator (see `admin_token`). These three
# would end that session half-way (logging out, disabling or re-passwording
# the account revokes its tokens) and leave every later case a 401; they are
# covered in tests/e2e/test_auth_sign_in.py and test_admin_users.py instead.
include-path = "/api/v1/auth/logout"
include-method = "POST"
enabled = false

[[operations]]
include-path = "/api/v1/admin/users/{user_id}"
include-method = "PATCH"
enabled = false

[[operations]]
include-path = "/api/v1/admin/users/{user_id}/disable"
include-method = "POST"
enabled = false
"""
)


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    # The process and its database: tests/served.py, shared with other served tests.
    secret = "served-fuzz-secret-not-for-production"
    async with serve(tmp_path_factory.mktemp("served"), "served", PAKN_SECRET_KEY=secret) as running:
        yield running


ADMIN = "fuzz-admin"
ADMIN_PASSWORD = "mat-khau-kiem-thu-2026"


def admin_token(served: Served) -> str:
    """An administrator created with the CLI, signed in through the API, so that
    the staff and admin routes are fuzzed past their 401."""
    created = served.pakn("user", "create", ADMIN, "--role", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    reply = httpx.post(
        f"{served.base_url}/api/v1/auth/token", json={"username": ADMIN, "password": ADMIN_PASSWORD}, timeout=10
    )
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["access_token"]
    return token


def test_the_served_api_keeps_its_published_contract(served: Served) -> None:
    (served.tmp / "schemathesis.toml").write_text(CONFIG)
    token = admin_token(served)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        "schemathesis.toml",
        "--no-color",
        "run",
        f"{served.base_url}/openapi.json",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",  # implies no example database
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--wait-for-schema",
        "10",
        "--suppress-health-check",
        "too_slow",
        "--header",
        f"Authorization: Bearer {token}",
    ]
    started = time.monotonic()
    # In the temporary folder: schemathesis keeps its crash files in the working directory.
    result = subprocess.run(
        command, cwd=served.tmp, capture_output=True, text=True, timeout=FUZZ_TIMEOUT, check=False
    )
    elapsed = time.monotonic() - started
    errors = served.errors_logged()
    report = (
        f"schemathesis exited with {result.returncode} after {elapsed:.1f} s\n"
        f"$ {' '.join(command)}\n{result.stdout}\n{result.stderr}\n"
        + ("server errors:\n" + "\n".join(errors) if errors else "")
    )
    print(report)  # shown with `pytest -rP`
    assert result.returncode == 0, report
    # A 5xx fails the run above; an error the server logged behind a reply that
    # still looked fine (a failed background step, a crash after the response) fails here.
    assert not errors, report
    assert served.process.poll() is None, "the server died during the run:\n" + served.log_tail()


def test_the_served_api_stops_cleanly_on_sigterm(served: Served) -> None:
    logged_before = served.log.stat().st_size
    status = _stop(served.process)
    shutdown = served.log.read_bytes()[logged_before:].decode("utf-8", "replace")
    assert status is not None, f"pakn serve ignored SIGTERM for {STOP_TIMEOUT:.0f} s:\n" + served.log_tail()
    # uvicorn shuts down gracefully, then raises the signal it caught again, so
    # that the parent sees the default outcome of SIGTERM: -15 here, and what
    # systemd and container runtimes count as a clean stop. Any other status,
    # or a shutdown that did not run to its end, is a failure.
    assert status in (0, -signal.SIGTERM), f"pakn serve exited with status {status} after SIGTERM:\n" + shutdown
    assert "Application shutdown complete" in shutdown, shutdown
    assert "Finished server process" in shutdown, shutdown
    assert not served.errors_logged(logged_before), "errors while shutting down:\n" + shutdown
