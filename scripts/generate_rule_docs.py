"""Generate docs/rules/: one page per built-in rule (CODE.md) from the rule's docstring, and
an index (README.md). Every page is marked as generated.

    python scripts/generate_rule_docs.py          # write the pages
    python scripts/generate_rule_docs.py --check  # exit 1, naming the files, when they drift
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fastlint.docs import GENERATED_MARKER, generated_page, rule_url
from fastlint.rules import BUILTIN_RULES

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def pages() -> dict[str, str]:
    """File name -> content of every generated page."""
    out = {f"{rule.code}.md": generated_page(rule) for rule in BUILTIN_RULES}
    rows = "".join(
        f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.fix_availability.value} | "
        f"{'on' if rule.default_enabled else 'off'} |\n"
        for rule in sorted(BUILTIN_RULES, key=lambda rule: rule.code)
    )
    out["README.md"] = (
        f"{GENERATED_MARKER}\n\n# Rules\n\n"
        "Generated from the rules' docstrings; `fastlint rule CODE` prints the same.\n\n"
        "| code | name | fix | default |\n|---|---|---|---|\n" + rows
    )
    return out


def drift(directory: Path = DOCS) -> list[str]:
    """The generated files that are missing, out of date, or no longer generated."""
    wanted = pages()
    problems = [
        name
        for name, content in wanted.items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != content
    ]
    if directory.is_dir():
        for path in sorted(directory.glob("*.md")):
            if path.name not in wanted and GENERATED_MARKER in path.read_text(encoding="utf-8"):
                problems.append(path.name)
    return problems


def write(directory: Path = DOCS) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = pages()
    for name, content in wanted.items():
        (directory / name).write_text(content, encoding="utf-8", newline="\n")
    for path in directory.glob("*.md"):
        if path.name not in wanted and GENERATED_MARKER in path.read_text(encoding="utf-8"):
            path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report drift")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift()
        if problems:
            print(
                "docs/rules/ is out of date ("
                + ", ".join(problems)
                + "): run `python scripts/generate_rule_docs.py`",
                file=sys.stderr,
            )
            return 1
        return 0
    write()
    for rule in BUILTIN_RULES:
        print(f"{rule.code}: {rule_url(rule)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
