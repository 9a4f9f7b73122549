"""The engine's read-only traversal visits what LibCST's visitor visits, in the same order."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from fastlint.walker import children, walk

ROOT = Path(__file__).resolve().parents[1]


class _Events(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


def _walked(module: cst.Module) -> list[tuple[str, int]]:
    events: list[tuple[str, int]] = []

    class Every(dict):  # type: ignore[type-arg]
        """A table that answers every node class."""

        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

        def get(self, key: object, default: object = None) -> object:
            return [(None, lambda node: events.append((self.kind, id(node))))]

    walk(module, Every("visit"), Every("leave"), lambda owner, exc: None)
    return events


def test_same_events_as_libcst_on_real_code() -> None:
    files = sorted([*(ROOT / "fastlint").rglob("*.py"), *(ROOT / "fixtures").rglob("*.py")])
    assert len(files) > 40
    for path in files:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        expected = _Events()
        module.visit(expected)
        assert _walked(module) == expected.events, path


def test_children_match_libcst_for_optional_fields_seen_late() -> None:
    """A class first met without its optional parts (``def f():``) learns them later
    (decorators, a return annotation, ``async``)."""
    plain = cst.parse_module("def f():\n    pass\n").body[0]
    rich = cst.parse_module("@d\nasync def g(x: int = 1) -> int:\n    return x\n").body[0]
    assert children(plain) == list(plain.children)
    assert children(rich) == list(rich.children)
    assert children(plain) == list(plain.children)


def test_a_failing_callback_is_switched_off_and_reported() -> None:
    module = cst.parse_module("a = 1\nb = 2\n")
    calls: list[str] = []
    errors: list[BaseException] = []

    def broken(node: cst.CSTNode) -> None:
        calls.append("broken")
        raise ValueError("boom")

    def fine(node: cst.CSTNode) -> None:
        calls.append("fine")

    owner_a, owner_b = object(), object()
    walk(
        module,
        {"Name": [(owner_a, broken), (owner_b, fine)]},
        {},
        lambda owner, exc: errors.append(exc),
    )
    assert calls == ["broken", "fine", "fine"]
    assert len(errors) == 1


def test_deep_nesting_does_not_recurse() -> None:
    """A tree far deeper than Python's recursion limit (built directly: LibCST's parser and
    visitor would recurse) is walked."""
    names: list[cst.CSTNode] = []
    tree = cst.Module(body=[cst.SimpleStatementLine(body=[cst.Expr(_chain(3000))])])
    walk(tree, {"Name": [(None, lambda node: names.append(node))]}, {}, lambda o, e: None)
    assert len(names) == 3001


def _chain(depth: int) -> cst.BaseExpression:
    node: cst.BaseExpression = cst.Name("x")
    for _ in range(depth):
        node = cst.BinaryOperation(left=node, operator=cst.Add(), right=cst.Name("x"))
    return node


def test_each_combination_of_optional_fields_has_its_own_order() -> None:
    """Regression: a `Param` first met with an annotation and a comma, then one with a default
    and no annotation, put the comma before the default."""
    first = cst.parse_module("def f(a: int, b): pass\n")
    second = cst.parse_module("def g(x=1, *, y: int = 2, **z): pass\n")
    for module in (first, second, first):
        stack: list[cst.CSTNode] = [module]
        while stack:
            node = stack.pop()
            assert children(node) == list(node.children), type(node).__name__
            stack.extend(node.children)
