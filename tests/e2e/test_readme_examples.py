"""README tells the truth: its "Try it" examples run as written against the
service, and its route tables name every route the API serves."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from pakn.app import api_routes
from tests.served import ROOT, serve

README = (ROOT / "README.md").read_text("utf-8")


def try_it_block() -> str:
    section = README.split("## Try it", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "README's 'Try it' section has one sh block"
    return blocks[0]


def json_documents(output: str) -> list[object]:
    """The JSON replies the examples printed, one after another."""
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while position < len(output):
        if output[position].isspace():
            position += 1
            continue
        document, position = decoder.raw_decode(output, position)
        documents.append(document)
    return documents


async def test_the_try_it_examples_run_as_written(tmp_path: Path) -> None:
    async with serve(tmp_path) as served:
        script = try_it_block().replace("http://127.0.0.1:8000", served.base_url)
        script = script.replace(".venv/bin/python", sys.executable)
        workdir = tmp_path / "examples"
        workdir.mkdir()
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    replies = json_documents(result.stdout)
    created_json, created_multipart, private, feed, figures = replies
    assert {created_json["status"], created_multipart["status"]} == {"received"}  # type: ignore[index]
    # The private view of the report the script read back from reply.json, with its photo.
    assert private["tracking_code"] == created_multipart["tracking_code"]  # type: ignore[index]
    assert len(private["attachments"]) == 1  # type: ignore[index]
    assert "items" in feed and "next_cursor" in feed  # type: ignore[operator]
    assert "display" in figures  # type: ignore[operator]


def readme_path(path: str) -> str:
    """A route's path as README writes it: `{user_id:id}` → `{id}`."""
    return re.sub(r"\{[a-z_]*?:id\}", "{id}", path)


def test_readme_names_every_route() -> None:
    paths = sorted({readme_path(route.path) for route in api_routes()})  # type: ignore[attr-defined]
    missing = [path for path in paths if f"{path}`" not in README and f"{path}?" not in README]
    assert len(paths) >= 30
    assert missing == []
