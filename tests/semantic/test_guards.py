"""Version guards: code written for two worlds on purpose (migration rules leave it alone)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from fastlint.semantic.from_cst import summarize_cst
from fastlint.semantic.model import FileModel


def _model(code: str) -> tuple[cst.Module, FileModel]:
    module = cst.parse_module(textwrap.dedent(code).lstrip("\n"))
    return module, FileModel(summarize_cst(module, "m", "m.py", False))


def _guarded_call(code: str, name: str) -> bool:
    _, model = _model(code)
    for node in model.cst.calls:
        if isinstance(node.func, cst.Name) and node.func.value == name:
            return model.is_guarded(node)
    raise AssertionError(f"no call of {name}")


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("PYDANTIC_V2", True),
        ("not IS_PYDANTIC_V1", True),
        ("PYDANTIC_VERSION >= (2, 0)", True),
        ("pydantic.VERSION.startswith('1.')", True),
        ("sys.version_info >= (3, 10)", True),
        ("PY310", True),
        ("V2", True),
        ("hasattr(pydantic, 'field_validator')", True),
        ("settings.debug", False),
        ("TYPE_CHECKING", False),
        ("hasattr(obj, 'x')", False),
        ("pydantic_model is not None", False),
    ],
)
def test_version_tests(test: str, expected: bool) -> None:
    code = f"import pydantic\nif {test}:\n    inside()\nelse:\n    other()\n"
    assert _guarded_call(code, "inside") is expected
    assert _guarded_call(code, "other") is expected  # the else arm of a guard is guarded too


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("except ImportError:", True),
        ("except (OSError, ModuleNotFoundError):", True),
        ("except AttributeError:", True),
        ("except ValueError:", False),
        ("except:", False),
    ],
)
def test_compatibility_try(handler: str, expected: bool) -> None:
    code = f"try:\n    first()\n{handler}\n    second()\nfinally:\n    third()\n"
    assert [_guarded_call(code, name) for name in ("first", "second", "third")] == [expected] * 3


def test_guarded_import_names() -> None:
    _, model = _model(
        """
        import sys
        from pydantic import BaseModel
        try:
            from pydantic import field_validator
        except ImportError:
            from pydantic import validator as field_validator
        if sys.version_info >= (3, 11):
            import tomllib
        elif PYDANTIC_V2:
            import json as fastjson
        else:
            import tomli as tomllib
        if DEBUG:
            import pdb

        def f():
            if PYDANTIC_V2:
                from pydantic import model_validator
        """
    )
    assert model.guarded_names() == {"field_validator", "tomllib", "fastjson", "model_validator"}
