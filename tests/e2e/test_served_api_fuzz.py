"""Schemathesis against the service as it is deployed: `pakn serve` in a
subprocess, on a database of its own, fuzzed through its own /openapi.json.

Every operation of the document is fuzzed, chosen by operation id (a path and
method filter once kept only the GETs), with the stateful phase following the
document's links (submit → track → rate, queue → report → action, create →
read). Three runs, counted: as an administrator, anonymously, and last the
three operations that end their own session (log out, re-password or disable
an account), with a second administrator's token so the first run is not cut
short. Two more with a registered device's credential (`Authorization: Device`):
its own operations and the submission and lookup it changes, then unregistering
with another device's. The checks are those of issue 17: no 5xx, and every status code, media
type, body and header as the document declares.

Sign-in is fuzzed in the same run without locking anyone out: the server
trusts X-Forwarded-For from 127.0.0.1 (`PAKN_TRUSTED_PROXIES`), the fuzzer
sends an address of its own (TEST-NET-1) and guesses other usernames, while
the token holders sign in from 127.0.0.1 with accounts made for the run.

On SQLite the served database is a fresh file; when PAKN_TEST_DATABASE_URL is
a PostgreSQL URL it is `<that database>_served` on the same server, created
afresh and migrated with `pakn migrate`. A longer run: bench/fuzz_long.sh.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.served import ROOT, STOP_TIMEOUT, Served, serve
from tests.served import stop as _stop

# Bounded and reproducible: deterministic generation, no example database.
# bench/fuzz_long.sh raises the count (PAKN_FUZZ_EXAMPLES) and fuzzes as a
# viewer too (PAKN_FUZZ_LONG=1).
MAX_EXAMPLES = int(os.environ.get("PAKN_FUZZ_EXAMPLES", "25"))
LONG = os.environ.get("PAKN_FUZZ_LONG") == "1"
FUZZ_TIMEOUT = float(os.environ.get("PAKN_FUZZ_TIMEOUT", "300"))
CHECKS = (
    "not_a_server_error",
    "not_unavailable_while_healthy",  # tests/e2e/fuzz_hooks.py, as are numerals that look like digits
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
# Ending the caller's own session (a revoked token makes every later case a
# 401): fuzzed last, in a run of their own, with a token of their own.
SESSION_ENDING = (
    "post_api_v1_auth_logout",
    "patch_api_v1_admin_users_user_id",
    "post_api_v1_admin_users_user_id_disable",
)
# A registered device's own operations, and those a device credential changes
# (issue 14): fuzzed with a device's secret, unregistering last with another's.
DEVICE_OPERATIONS = (
    "get_api_v1_devices_me",
    "put_api_v1_devices_me",
    "get_api_v1_devices_me_feedback",
    "post_api_v1_feedback",
    "get_api_v1_feedback_code",
)
DEVICE_ENDING = ("delete_api_v1_devices_me",)
# Every operation of the document: a route added without being fuzzed fails here.
OPERATION_COUNT = 43
PASSWORD = "mat-khau-kiem-thu-2026"


@dataclass(frozen=True)
class Run:
    name: str
    token: str | None
    address: str  # the fuzzer's own X-Forwarded-For
    operations: tuple[str, ...] = ()  # only these, by id; empty: all but `excluded`
    excluded: tuple[str, ...] = SESSION_ENDING
    phases: str = "examples,coverage,fuzzing,stateful"
    scheme: str = "Bearer"  # of `token`: a staff token, or a device's secret ("Device")


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    # The process and its database: tests/served.py, shared with other served tests.
    secret = "served-fuzz-secret-not-for-production"
    async with serve(
        tmp_path_factory.mktemp("served"), "served", PAKN_SECRET_KEY=secret, PAKN_TRUSTED_PROXIES="127.0.0.1"
    ) as running:
        yield running


def signed_in(served: Served, username: str, role: str) -> str:
    """An account created with the CLI for this run, signed in through the API
    from 127.0.0.1 (not a fuzzer's address), so that staff routes are fuzzed past 401."""
    created = served.pakn("user", "create", username, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    reply = httpx.post(
        f"{served.base_url}/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=10
    )
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["access_token"]
    return token


def device_secret(served: Served) -> str:
    """A device registered for the run, from 127.0.0.1 (not a fuzzer's address)."""
    reply = httpx.post(
        f"{served.base_url}/api/v1/devices", json={"platform": "android", "push_token": "fuzz"}, timeout=10
    )
    assert reply.status_code == 201, reply.text
    secret: str = reply.json()["device_secret"]
    return secret


def admin_token(served: Served, username: str) -> str:
    return signed_in(served, username, "admin")


def command(served: Served, run: Run) -> list[str]:
    selection = [f"--include-operation-id={op}" for op in run.operations] or [
        f"--exclude-operation-id={op}" for op in run.excluded
    ]
    auth = ["--header", f"Authorization: {run.scheme} {run.token}"] if run.token else []
    return [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "run",
        f"{served.base_url}/openapi.json",
        *selection,
        "--checks",
        ",".join(CHECKS),
        "--phases",
        run.phases,
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
        "all",
        "--header",
        f"X-Forwarded-For: {run.address}",
        *auth,
    ]


def operations_tested(output: str) -> int:
    """How many operations schemathesis tested, from its summary."""
    found = re.search(r"API Operations:\s+Selected:\s*(\d+)/(\d+)\s+Tested:\s*(\d+)", output)
    assert found, "no operation count in the output:\n" + output
    assert int(found.group(2)) == OPERATION_COUNT, f"the document has {found.group(2)} operations:\n" + output
    return int(found.group(3))


def fuzz(served: Served, run: Run) -> tuple[int, str | None]:
    """(operations tested, the report when the run failed)."""
    argv = command(served, run)
    started = time.monotonic()
    # In the temporary folder: schemathesis keeps its crash files in the working directory.
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz_hooks", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        argv, cwd=served.tmp, env=env, capture_output=True, text=True, timeout=FUZZ_TIMEOUT, check=False
    )
    report = (
        f"[{run.name}] schemathesis exited with {result.returncode} after {time.monotonic() - started:.1f} s\n"
        f"$ {' '.join(argv)}\n{result.stdout}\n{result.stderr}\n"
    )
    print(report)  # shown with `pytest -rP`
    return operations_tested(result.stdout), (report if result.returncode else None)


def test_the_served_api_keeps_its_published_contract_on_every_operation(served: Served) -> None:
    runs = [
        Run("admin", admin_token(served, "fuzz-admin"), "192.0.2.10"),
        Run("anonymous", None, "192.0.2.11", excluded=()),  # without a token nothing ends a session
    ]
    if LONG:  # a viewer meets the 403s; the CI run keeps to the two ends
        runs.append(Run("viewer", signed_in(served, "fuzz-viewer", "viewer"), "192.0.2.13"))
    runs += [
        Run("device", device_secret(served), "192.0.2.14", DEVICE_OPERATIONS, scheme="Device"),
        Run(
            "device-ending",
            device_secret(served),
            "192.0.2.15",
            DEVICE_ENDING,
            phases="coverage,fuzzing",
            scheme="Device",
        ),
    ]
    counts, failed = {}, []
    for run in runs:  # all of them, so that one failure does not hide another's
        counts[run.name], report = fuzz(served, run)
        failed += [report] if report else []
    # Sign-in was fuzzed above from the fuzzer's own addresses: the run's
    # accounts still sign in from theirs (issue 17, item 12), and the last run needs it.
    token = admin_token(served, "fuzz-session")
    session = Run("session-ending", token, "192.0.2.12", SESSION_ENDING, "coverage,fuzzing")
    counts[session.name], report = fuzz(served, session)
    failed += [report] if report else []
    assert not failed, "\n".join(failed)
    assert counts == {run.name: len(run.operations) or OPERATION_COUNT - len(run.excluded) for run in [*runs, session]}
    assert counts["admin"] + len(SESSION_ENDING) == counts["anonymous"] == OPERATION_COUNT
    # A 5xx fails a run above; an error the server logged behind a reply that
    # still looked fine (a failed background step, a crash after the response) fails here.
    errors = served.errors_logged()
    assert not errors, "server errors:\n" + "\n".join(errors)
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
