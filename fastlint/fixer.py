"""Applying fixes: non-overlapping edits in rounds, re-checking after each round until nothing
changes, and never leaving a file that does not parse or that CPython would no longer
compile."""

from __future__ import annotations

import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

import libcst as cst

from fastlint import syntax
from fastlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from fastlint.edits import NodeSpans, remove_imported_names
from fastlint.source import LineIndex

if TYPE_CHECKING:
    from fastlint.engine import FileResult

MAX_ROUNDS = 25


def allowed(fix: Fix, unsafe: bool) -> bool:
    return fix.applicability is Applicability.SAFE or unsafe


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.is_insertion() and b.is_insertion():
        return a.start == b.start
    if a.is_insertion():
        return b.start < a.start < b.end
    if b.is_insertion():
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def select_fixes(fixes: Sequence[Fix]) -> list[Fix]:
    """The fixes of one round: in source order, skipping any fix that overlaps one already
    taken (it is retried in the next round). Identical edits are shared, not conflicts."""
    taken: list[Fix] = []
    edits: set[Edit] = set()
    for fix in sorted(fixes, key=lambda f: f.span()):
        new = [e for e in fix.edits if e not in edits]
        if any(_overlaps(e, other) for e in new for other in edits):
            continue
        taken.append(fix)
        edits.update(new)
    return taken


def apply_edits(text: str, fixes: Sequence[Fix]) -> str:
    unique = list(dict.fromkeys(e for fix in fixes for e in fix.edits))
    edits = [
        unique[i]
        for i in sorted(range(len(unique)), key=lambda i: (unique[i].start, unique[i].end, i))
    ]
    parts: list[str] = []
    cursor = 0
    for edit in edits:
        parts.append(text[cursor : edit.start])
        parts.append(edit.content)
        cursor = max(cursor, edit.end)
    parts.append(text[cursor:])
    return "".join(parts)


@dataclass
class FixOutcome:
    text: str
    fixed: list[Diagnostic] = field(default_factory=list)
    remaining: list[Diagnostic] = field(default_factory=list)
    result: Optional[FileResult] = None
    error: Optional[str] = None  # why the file was left as it was


def fix_text(
    text: str,
    lint: Callable[[str], FileResult],
    unsafe: bool,
    first: Optional[FileResult] = None,
    *,
    path: str = "<fixed>",
) -> FixOutcome:
    """Fix ``text`` until it is stable. ``lint`` checks a version of the file's text;
    ``first`` is its result for ``text`` when the caller has it already; ``path`` names the
    file in CPython's verdict on the fixed code.

    LibCST accepts some code that CPython refuses to compile (``await`` in a plain ``def``):
    each round's result must compile too, unless the original did not compile either (newer
    syntax than this interpreter knows), else every fix of the file is reverted."""
    original = text
    fixed: list[Diagnostic] = []
    seen_texts = {text}
    original_compiles: Optional[bool] = None  # asked only once a fix is applied
    for _ in range(MAX_ROUNDS):
        result = first if first is not None else lint(text)
        first = None
        if not result.parsed:
            if text == original:
                return FixOutcome(original, [], result.diagnostics, result)
            return _revert(original, lint, "fixes produced code that does not parse", fixed)
        candidates = [d for d in result.diagnostics if d.fix is not None and allowed(d.fix, unsafe)]
        if not candidates:
            return FixOutcome(text, fixed, result.diagnostics, result)
        chosen = select_fixes([d.fix for d in candidates if d.fix is not None])
        new_text = apply_edits(text, chosen)
        unused = {name for fix in chosen for name in fix.remove_if_unused}
        try:
            module = cst.parse_module(new_text)
        except (cst.ParserSyntaxError, RecursionError):
            codes = sorted({d.code for d in candidates if d.fix in chosen})
            return _revert(
                original,
                lint,
                f"fix by {', '.join(codes)} introduced a syntax error; the file was left unchanged",
                [],
            )
        if unused:
            pruned = remove_unused_imports(module, new_text, unused)
            if pruned != new_text and parses(pruned):
                new_text = pruned
        if original_compiles is None:
            original_compiles = compile_error(original, path) is None
        problem = compile_error(new_text, path) if original_compiles else None
        if problem is not None:
            codes = sorted({d.code for d in candidates if d.fix in chosen})
            return _revert(
                original,
                lint,
                f"fix by {', '.join(codes)} produced code that Python does not compile "
                f"({problem}); the file was left unchanged",
                [],
            )
        chosen_ids = {id(f) for f in chosen}
        fixed.extend(d for d in candidates if d.fix is not None and id(d.fix) in chosen_ids)
        if new_text in seen_texts:
            return _revert(
                original, lint, "fixes did not converge; the file was left unchanged", []
            )
        seen_texts.add(new_text)
        text = new_text
    return _revert(
        original,
        lint,
        f"fixes did not converge after {MAX_ROUNDS} rounds; the file was left unchanged",
        [],
    )


def parses(text: str) -> bool:
    """Whether LibCST (what the engine checks with) parses ``text``."""
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return False
    return True


def compile_error(text: str, path: str) -> Optional[str]:
    """Why CPython refuses to compile ``text`` (see :func:`fastlint.syntax.compile_error`), as
    ``line N: message``; None when it compiles."""
    error = syntax.compile_error(text, path)
    if error is None:
        return None
    return f"line {error.row}: {error.message.split(': ', 1)[-1]}"


def _revert(
    original: str, lint: Callable[[str], FileResult], why: str, fixed: list[Diagnostic]
) -> FixOutcome:
    result = lint(original)
    return FixOutcome(original, [], result.diagnostics, result, error=why)


# -- unused imports -------------------------------------------------------------------


class _NameCounter(cst.CSTVisitor):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.used: set[str] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # ``aio.sleep`` uses ``aio``, not a name ``sleep``
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            self.used.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        # Names listed in __all__ or used in string annotations count as used.
        value = node.value.strip("\"'")
        if value in self.names:
            self.used.add(value)


def remove_unused_imports(module: cst.Module, text: str, candidates: set[str]) -> str:
    """``text`` (the code of ``module``) without the imports of ``candidates`` that nothing
    uses any more. Only those names are edited (``edits.remove_imported_names``): every
    other byte, and the comment of each kept name, stays where it was."""
    counter = _NameCounter(candidates)
    module.visit(counter)
    unused = candidates - counter.used
    if not unused:
        return text
    from libcst.metadata import MetadataWrapper, PositionProvider

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    spans = NodeSpans(wrapper.resolve(PositionProvider), LineIndex(text))
    try:
        edits = remove_imported_names(module, unused, spans, text)
    except (LookupError, ValueError, SyntaxError, tokenize.TokenError):
        return text  # an import that cannot be edited stays: unused, but harmless
    return apply_edits(text, [Fix(Applicability.SAFE, "Remove unused imports", tuple(edits))])
