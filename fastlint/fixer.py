"""Applying fixes: non-overlapping edits in rounds, re-checking after each round until nothing
changes, and never leaving a file that does not parse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional, Union

import libcst as cst

from fastlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from fastlint.imports import alias_asname

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
) -> FixOutcome:
    """Fix ``text`` until it is stable. ``lint`` checks a version of the file's text;
    ``first`` is its result for ``text`` when the caller has it already."""
    original = text
    fixed: list[Diagnostic] = []
    seen_texts = {text}
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
            pruned = remove_unused_imports(module, unused)
            if pruned != new_text and parses(pruned):
                new_text = pruned
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


class _ImportRemover(cst.CSTTransformer):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> Union[cst.ImportFrom, cst.RemovalSentinel]:
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        kept = [alias for alias in updated_node.names if _local(alias) not in self.names]
        if len(kept) == len(updated_node.names):
            return updated_node
        if not kept:
            return cst.RemoveFromParent()
        original_last = updated_node.names[-1]
        if kept[-1] is not original_last:
            # The last name went: the new last one takes its comma (a trailing comma and the
            # whitespace before the closing parenthesis) or none.
            comma = original_last.comma if updated_node.rpar is not None else None
            kept[-1] = kept[-1].with_changes(
                comma=comma if isinstance(comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
            )
        return updated_node.with_changes(names=kept)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = list(updated_node.body)
        if body and original_node.body and body[0] is not original_node.body[0]:
            # The first statement went: do not leave the blank lines that followed it on top.
            first = body[0]
            lines = getattr(first, "leading_lines", ())
            if lines and all(line.comment is None for line in lines):
                body[0] = first.with_changes(leading_lines=())
                return updated_node.with_changes(body=body)
        return updated_node

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> Union[cst.Import, cst.RemovalSentinel]:
        kept = [alias for alias in updated_node.names if _local(alias) not in self.names]
        if len(kept) == len(updated_node.names):
            return updated_node
        if not kept:
            return cst.RemoveFromParent()
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=kept)


def _local(alias: cst.ImportAlias) -> Optional[str]:
    asname = alias_asname(alias)
    if asname is not None:
        return asname
    return alias.name.value if isinstance(alias.name, cst.Name) else None


def remove_unused_imports(module: cst.Module, candidates: set[str]) -> str:
    counter = _NameCounter(candidates)
    module.visit(counter)
    unused = candidates - counter.used
    if not unused:
        return module.code
    return module.visit(_ImportRemover(unused)).code
