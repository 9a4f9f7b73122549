"""A class body reads a name it has not bound yet from the enclosing scopes (Python looks in
the class namespace first, then further out): ``@validator`` above ``def validator``."""

from __future__ import annotations

import textwrap

import libcst as cst

from fastlint.semantic.from_cst import summarize_cst
from fastlint.semantic.model import FileModel


def _reads(code: str, name: str) -> list[object]:
    module = cst.parse_module(textwrap.dedent(code).lstrip("\n"))
    model = FileModel(summarize_cst(module, "app.main", "app/main.py", False))
    return [model.resolve(node) for node, _ in model.cst.loads if node.value == name]


def test_a_class_body_reads_a_name_before_binding_it() -> None:
    code = """
        from pydantic import validator

        class Item:
            @validator("a")
            def validator(cls, v):
                return v

            check = validator
        """
    assert _reads(code, "validator") == ["pydantic.validator", "app.main.Item.validator"]


def test_a_nested_class_body_falls_back_to_the_function() -> None:
    code = """
        def make():
            def Field():
                pass

            class Item:
                a = Field()
                Field = None
                b = Field
        """
    assert _reads(code, "Field") == [
        "app.main.make.<locals>.Field",
        "app.main.make.<locals>.Item.Field",
    ]
