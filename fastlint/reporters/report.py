"""What a report is made of: the findings and what the reporters may know around them."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

from fastlint.diagnostics import Diagnostic
from fastlint.docs import RuleInfo


@dataclass(frozen=True)
class Report:
    """Everything one rendering needs."""

    diagnostics: Sequence[Diagnostic]
    texts: Mapping[str, str] = field(default_factory=dict)  # shown path -> text
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    unsafe: bool = False
    # The repository root: paths in github, gitlab and sarif output are relative to it.
    root: str = field(default_factory=os.getcwd)
    color: bool = False

    def url(self, code: str) -> Optional[str]:
        info = self.rules.get(code)
        return info.url if info is not None else None

    def relative(self, path: str) -> str:
        """``path`` (as shown to the user) relative to the repository root, with ``/``."""
        absolute = os.path.abspath(path)
        try:
            rel = os.path.relpath(absolute, self.root)
        except ValueError:  # another drive on Windows
            return absolute.replace(os.sep, "/")
        if rel.startswith(".."):
            return absolute.replace(os.sep, "/")
        return rel.replace(os.sep, "/")


def repository_root(start: str) -> str:
    """The nearest directory above ``start`` holding ``.git`` (a directory, or the file of a
    worktree or submodule); ``start`` itself when there is none."""
    directory = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return os.path.abspath(start)
        directory = parent
