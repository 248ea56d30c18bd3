"""CI: constraints.txt pins every runtime dependency of PAKN, and each pin
satisfies what pyproject.toml (and each dependency's own metadata) asks.

Run with the project's venv (PAKN installed): the dependency tree is read from
the installed distributions' metadata, the versions from constraints.txt.
Exit 1 listing what is missing or out of range.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version


def pins(path: Path) -> dict[str, Version]:
    pinned = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[canonicalize_name(name)] = Version(version)
    return pinned


def runtime_requirements(name: str, extras: frozenset[str] = frozenset()) -> list[Requirement]:
    found = []
    for text in requires(name) or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras or {""}):
            found.append(requirement)
    return found


def problems(pinned: dict[str, Version]) -> list[str]:
    wrong: list[str] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [("pakn", frozenset[str]())]
    while pending:
        name, extras = pending.pop()
        for requirement in runtime_requirements(name, extras):
            key = canonicalize_name(requirement.name)
            version = pinned.get(key)
            if version is None:
                wrong.append(f"{requirement.name}: not pinned (asked by {name}: {requirement})")
            elif not requirement.specifier.contains(version, prereleases=True):
                wrong.append(f"{requirement.name}=={version}: {name} asks {requirement}")
            node = (key, frozenset(requirement.extras))
            if node not in seen:
                seen.add(node)
                try:
                    requires(key)
                except PackageNotFoundError:
                    continue  # not installed here; its pin was checked above
                pending.append(node)
    return wrong


def main() -> int:
    wrong = problems(pins(Path(sys.argv[1] if len(sys.argv) > 1 else "constraints.txt")))
    for line in wrong:
        print(f"constraints.txt: {line}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
