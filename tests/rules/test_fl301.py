"""FL301 deprecated-validator: findings, exact fixes, and a behaviour check of the fix on a
realistic model (the models accept and reject the same inputs before and after fixing)."""

from __future__ import annotations

import importlib.util
import itertools
import sys
import textwrap
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fastlint.rule import Case
from fastlint.rules.fl301_deprecated_validator import DeprecatedValidator
from fastlint.testing import LabeledCase, check_case, run_rule

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "pydantic_models" / "validators.py"

# -- more cases: must not fire ------------------------------------------------------------------

NOT_FLAGGED = [
    # `from pydantic import v1` (deliberately v1).
    """
    from pydantic import v1

    class User(v1.BaseModel):
        name: str

        @v1.validator("name")
        def strip(cls, v):
            return v.strip()
    """,
    # `if sys.version_info ...` guard.
    """
    import sys
    from pydantic import BaseModel, validator

    if sys.version_info < (3, 8):
        class User(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v):
                return v.strip()
    """,
    # `pydantic.VERSION` guard with an `else` branch.
    """
    import pydantic
    from pydantic import BaseModel

    class User(BaseModel):
        name: str

        if pydantic.VERSION.startswith("2."):
            @pydantic.field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        else:
            @pydantic.validator("name")
            def strip(cls, v):
                return v.strip()
    """,
    # An `elif` on the version.
    """
    from pydantic import BaseModel, validator
    from app.settings import FEATURE, IS_PYDANTIC_V1

    class User(BaseModel):
        name: str

        if FEATURE:
            pass
        elif IS_PYDANTIC_V1:
            @validator("name")
            def strip(cls, v):
                return v.strip()
    """,
    # A feature probe.
    """
    import pydantic

    class User(pydantic.BaseModel):
        name: str

        if not hasattr(pydantic, "field_validator"):
            @pydantic.validator("name")
            def strip(cls, v):
                return v.strip()
    """,
    # The whole model in a compatibility `try`.
    """
    try:
        from pydantic.v1 import BaseModel
        from pydantic import field_validator
    except ImportError:
        from pydantic import BaseModel, validator

        class User(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v):
                return v.strip()
    """,
    # `except (ImportError, AttributeError)`, and the guarded name used outside the guard.
    """
    from pydantic import BaseModel

    try:
        from pydantic.v1 import validator
    except (ImportError, AttributeError):
        from pydantic import validator

    class User(BaseModel):
        name: str

        @validator("name")
        def strip(cls, v):
            return v.strip()
    """,
    # A local name that is not pydantic's.
    """
    from pydantic import BaseModel
    from app import rules

    validator = rules.make_validator()

    class User(BaseModel):
        name: str

        @validator("name")
        def strip(cls, v):
            return v.strip()
    """,
    # A method called `validator` on some object.
    """
    from pydantic import BaseModel

    class User(BaseModel):
        name: str

        @registry.validator("name")
        def strip(cls, v):
            return v.strip()
    """,
    # `field_validator` used as a call.
    """
    from pydantic import BaseModel, field_validator

    def strip(v: str) -> str:
        return v.strip()

    class User(BaseModel):
        name: str

        _strip = field_validator("name")(strip)
    """,
    # The import rebound at module level: the decorator is not pydantic's any more.
    """
    from pydantic import BaseModel, validator

    validator = traced(validator)

    class User(BaseModel):
        name: str

        @validator("name")
        def strip(cls, v):
            return v.strip()
    """,
    # A class attribute shadows the import in the class body.
    """
    from pydantic import BaseModel, validator

    class User(BaseModel):
        validator = staticmethod(make_validator)
        name: str

        @validator("name")
        def strip(cls, v):
            return v.strip()
    """,
]


@pytest.mark.parametrize("code", NOT_FLAGGED, ids=[f"ok{n}" for n in range(len(NOT_FLAGGED))])
def test_not_flagged(code: str) -> None:
    check_case(DeprecatedValidator, LabeledCase("valid", NOT_FLAGGED.index(code), Case(code)))


# -- more cases: safe fixes ---------------------------------------------------------------------

SAFE = [
    # A multi-line decorator keeps its layout and comments; the dropped keyword's line goes.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator(
                "name",  # the display name
                pre=True,  # raw input
                allow_reuse=True,
            )
            def strip(cls, v):
                return v.strip()
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            name: str

            @field_validator(
                "name",  # the display name
                mode="before",  # raw input
            )
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
    ),
    # Keywords that are the defaults go; check_fields stays; the file's quotes are used.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator('name', pre=True, each_item=False, always=False, check_fields=False)
            def strip(cls, v):
                return v.strip()

            @validator('name', pre=False, allow_reuse=False)
            def lower(cls, v):
                return v.lower()
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            name: str

            @field_validator('name', mode='before', check_fields=False)
            @classmethod
            def strip(cls, v):
                return v.strip()

            @field_validator('name')
            @classmethod
            def lower(cls, v):
                return v.lower()
        """,
        count=2,
    ),
    # `import pydantic`: the namespace is kept and nothing is imported.
    Case(
        """
        import pydantic

        class Item(pydantic.BaseModel):
            name: str

            @pydantic.validator("name", pre=True)
            def strip(cls, v):
                return v.strip()
        """,
        expected="""
        import pydantic

        class Item(pydantic.BaseModel):
            name: str

            @pydantic.field_validator("name", mode="before")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
    ),
    # An alias; a module that imports `validator` from `pydantic.class_validators`.
    Case(
        """
        from pydantic import BaseModel
        from pydantic import validator as check

        class Item(BaseModel):
            name: str

            @check("name")
            def strip(cls, v):
                return v.strip()
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
    ),
    Case(
        """
        from pydantic import BaseModel
        from pydantic.class_validators import validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v):
                return v.strip()
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
    ),
    # Already a classmethod; field_validator already imported (parenthesised import list).
    Case(
        """
        from pydantic import (
            BaseModel,
            validator,
            field_validator,
        )

        class Item(BaseModel):
            name: str
            code: str

            @field_validator("code")
            @classmethod
            def upper(cls, v):
                return v.upper()

            @validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
        expected="""
        from pydantic import (
            BaseModel,
            field_validator,
        )

        class Item(BaseModel):
            name: str
            code: str

            @field_validator("code")
            @classmethod
            def upper(cls, v):
                return v.upper()

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
    ),
    # `from pydantic import *`: the name is imported explicitly.
    Case(
        """
        from pydantic import *

        class Item(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v):
                return v.strip()
        """,
        expected="""
        from pydantic import *
        from pydantic import field_validator

        class Item(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
    ),
    # An unfixable validator keeps the `validator` import alive.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str
            tags: list[str]

            @validator("name")
            def strip(cls, v):
                return v.strip()

            @validator("tags", each_item=True)
            def lower(cls, v):
                return v.lower()
        """,
        expected="""
        from pydantic import BaseModel, field_validator, validator

        class Item(BaseModel):
            name: str
            tags: list[str]

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()

            @validator("tags", each_item=True)
            def lower(cls, v):
                return v.lower()
        """,
        count=2,
    ),
    # A `@field_validator` of the same field defined earlier: the order is kept.
    Case(
        """
        from pydantic import BaseModel, field_validator, validator

        class Item(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()

            @validator("name")
            def lower(cls, v):
                return v.lower()
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()

            @field_validator("name")
            @classmethod
            def lower(cls, v):
                return v.lower()
        """,
    ),
    # A pre validator next to an old-style after validator of the same field that stays:
    # before and after validators never swap, so the fix is safe.
    Case(
        """
        from pydantic import BaseModel, validator

        def normalize(v: str) -> str:
            return " ".join(v.split())

        class Item(BaseModel):
            name: str

            _normalize = validator("name", allow_reuse=True)(normalize)

            @validator("name", pre=True)
            def text(cls, v):
                return str(v)
        """,
        expected="""
        from pydantic import BaseModel, field_validator, validator

        def normalize(v: str) -> str:
            return " ".join(v.split())

        class Item(BaseModel):
            name: str

            _normalize = validator("name", allow_reuse=True)(normalize)

            @field_validator("name", mode="before")
            @classmethod
            def text(cls, v):
                return str(v)
        """,
        count=2,
    ),
    # A parameter with a default (bound by partial-style reuse) is kept.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def clip(cls, v, limit=10):
                return v[:limit]
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def clip(cls, v, limit=10):
                return v[:limit]
        """,
    ),
    # A class nested in a function, and a decorator above ours.
    Case(
        """
        from pydantic import BaseModel, validator

        def make_model():
            class Item(BaseModel):
                name: str

                @traced
                @validator("name")
                def strip(cls, v):
                    return v.strip()

            return Item
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        def make_model():
            class Item(BaseModel):
                name: str

                @traced
                @field_validator("name")
                @classmethod
                def strip(cls, v):
                    return v.strip()

            return Item
        """,
    ),
]


SAFE.append(
    # A validator outside a class, for `create_model(__validators__=...)`.
    Case(
        """
        from pydantic import create_model, validator

        @validator("x", pre=True)
        def double(cls, v):
            return int(v) * 2

        Model = create_model("Model", x=(int, ...), __validators__={"double": double})
        """,
        expected="""
        from pydantic import create_model, field_validator

        @field_validator("x", mode="before")
        @classmethod
        def double(cls, v):
            return int(v) * 2

        Model = create_model("Model", x=(int, ...), __validators__={"double": double})
        """,
    )
)


@pytest.mark.parametrize("case", SAFE, ids=[f"safe{n}" for n in range(len(SAFE))])
def test_safe_fix(case: Case) -> None:
    check_case(DeprecatedValidator, LabeledCase("invalid", SAFE.index(case), case))
    found = run_rule(DeprecatedValidator, case.source()).diagnostics
    fixable = [d for d in found if d.fix is not None]
    assert fixable
    assert all(d.fix.applicability.value == "safe" for d in fixable if d.fix is not None)


# -- more cases: unsafe fixes -------------------------------------------------------------------

UNSAFE = [
    # `values` annotated, in a multi-line signature; the annotation's imports go.
    Case(
        """
        from typing import Any, Dict, Optional

        from pydantic import BaseModel, validator

        class Signup(BaseModel):
            password: str
            password2: str
            hint: Optional[str] = None

            @validator("password2")
            def match(
                cls,
                v: str,
                values: Dict[str, Any],
            ) -> str:
                if "password" in values and v != values["password"]:
                    raise ValueError("passwords do not match")
                return v
        """,
        expected="""
        from typing import Optional

        from pydantic import BaseModel, ValidationInfo, field_validator

        class Signup(BaseModel):
            password: str
            password2: str
            hint: Optional[str] = None

            @field_validator("password2")
            @classmethod
            def match(
                cls,
                v: str,
                info: ValidationInfo,
            ) -> str:
                if "password" in info.data and v != info.data["password"]:
                    raise ValueError("passwords do not match")
                return v
        """,
        unsafe=True,
    ),
    # Keyword-only `values` becomes the positional `info`; an unused **kwargs goes.
    Case(
        """
        from pydantic import BaseModel, validator

        class Signup(BaseModel):
            password: str
            password2: str

            @validator("password2")
            def match(cls, v, *, values, **kwargs):
                assert v == values.get("password")
                return v
        """,
        expected="""
        from pydantic import BaseModel, ValidationInfo, field_validator

        class Signup(BaseModel):
            password: str
            password2: str

            @field_validator("password2")
            @classmethod
            def match(cls, v, info: ValidationInfo):
                assert v == info.data.get("password")
                return v
        """,
        unsafe=True,
    ),
    # `(cls, v, values, **kwargs)` with both unused.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v, values, **kwargs):
                return v.strip()
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
        unsafe=True,
    ),
    # `(cls, value, values, field)` with an unused `field`: a start-up error today.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            low: int
            high: int

            @validator("high")
            def ordered(cls, value, values, field):
                if value < values.get("low", value):
                    raise ValueError("high is below low")
                return value
        """,
        expected="""
        from pydantic import BaseModel, ValidationInfo, field_validator

        class Item(BaseModel):
            low: int
            high: int

            @field_validator("high")
            @classmethod
            def ordered(cls, value, info: ValidationInfo):
                if value < info.data.get("low", value):
                    raise ValueError("high is below low")
                return value
        """,
        unsafe=True,
        message="Pydantic 2 refuses its `field` parameter when the class is defined",
    ),
    # `import pydantic` style: `pydantic.ValidationInfo`.
    Case(
        """
        import pydantic

        class Item(pydantic.BaseModel):
            low: int
            high: int

            @pydantic.validator("high")
            def ordered(cls, v, values):
                return max(v, values["low"])
        """,
        expected="""
        import pydantic

        class Item(pydantic.BaseModel):
            low: int
            high: int

            @pydantic.field_validator("high")
            @classmethod
            def ordered(cls, v, info: pydantic.ValidationInfo):
                return max(v, info.data["low"])
        """,
        unsafe=True,
    ),
    # `values` in a nested function and a comprehension; `x.values()` is not a use.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            prices: dict[str, int]
            total: int

            @validator("total")
            def check(cls, v, values):
                def known(key):
                    return key in values
                if v != sum(p for p in values["prices"].values() if known("prices")):
                    raise ValueError("wrong total")
                return v
        """,
        expected="""
        from pydantic import BaseModel, ValidationInfo, field_validator

        class Item(BaseModel):
            prices: dict[str, int]
            total: int

            @field_validator("total")
            @classmethod
            def check(cls, v, info: ValidationInfo):
                def known(key):
                    return key in info.data
                if v != sum(p for p in info.data["prices"].values() if known("prices")):
                    raise ValueError("wrong total")
                return v
        """,
        unsafe=True,
    ),
    # always=True: `validate_default=True` goes on each field; required fields need nothing.
    Case(
        """
        from typing import Optional

        from pydantic import BaseModel, Field, validator

        class Item(BaseModel):
            name: str
            slug: Optional[str] = None
            code: str = Field("x", min_length=1)

            @validator("slug", "code", "name", always=True)
            def fill(cls, v, values):
                return v or values["name"].lower()
        """,
        expected="""
        from typing import Optional

        from pydantic import BaseModel, Field, ValidationInfo, field_validator

        class Item(BaseModel):
            name: str
            slug: Optional[str] = Field(None, validate_default=True)
            code: str = Field("x", min_length=1, validate_default=True)

            @field_validator("slug", "code", "name")
            @classmethod
            def fill(cls, v, info: ValidationInfo):
                return v or info.data["name"].lower()
        """,
        unsafe=True,
    ),
    # always=True: `Field` is imported; a multi-line default is wrapped in place.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            tags: list[str] = [
                "new",
            ]

            @validator("tags", pre=True, always=True)
            def split(cls, v):
                return v.split(",") if isinstance(v, str) else v
        """,
        expected="""
        from pydantic import BaseModel, Field, field_validator

        class Item(BaseModel):
            tags: list[str] = Field([
                "new",
            ], validate_default=True)

            @field_validator("tags", mode="before")
            @classmethod
            def split(cls, v):
                return v.split(",") if isinstance(v, str) else v
        """,
        unsafe=True,
    ),
    # An old-style after validator of the same field stays (a reuse call defined earlier):
    # converting this one would run it before the other.
    Case(
        """
        from pydantic import BaseModel, validator

        def normalize(v: str) -> str:
            return " ".join(v.split())

        class Item(BaseModel):
            name: str

            _normalize = validator("name", allow_reuse=True)(normalize)

            @validator("name")
            def short(cls, v):
                if len(v) > 10:
                    raise ValueError("too long")
                return v
        """,
        expected="""
        from pydantic import BaseModel, field_validator, validator

        def normalize(v: str) -> str:
            return " ".join(v.split())

        class Item(BaseModel):
            name: str

            _normalize = validator("name", allow_reuse=True)(normalize)

            @field_validator("name")
            @classmethod
            def short(cls, v):
                if len(v) > 10:
                    raise ValueError("too long")
                return v
        """,
        unsafe=True,
        count=2,
    ),
]


UNSAFE.insert(
    0,
    # A `@field_validator` of the same field defined later runs first today (Pydantic 2 runs
    # the old-style validators last); after the fix it would run second.
    Case(
        """
        from pydantic import BaseModel, field_validator, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def lower(cls, v):
                return v.lower()

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def lower(cls, v):
                return v.lower()

            @field_validator("name")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
        unsafe=True,
    ),
)


@pytest.mark.parametrize("case", UNSAFE, ids=[f"unsafe{n}" for n in range(len(UNSAFE))])
def test_unsafe_fix(case: Case) -> None:
    check_case(DeprecatedValidator, LabeledCase("invalid", UNSAFE.index(case), case))
    source = case.source()
    found = run_rule(DeprecatedValidator, source).diagnostics
    assert any(d.fix is not None and d.fix.applicability.value == "unsafe" for d in found)
    # Without --unsafe-fixes, the unsafe validators are left as they are.
    safe_only = run_rule(DeprecatedValidator, source, fix=True).fixed_text
    assert safe_only == source


# -- more cases: no fix -------------------------------------------------------------------------

NO_FIX = [
    # each_item=True.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            tags: list[str]

            @validator("tags", each_item=True)
            def lower(cls, v):
                return v.lower()
        """,
        "`each_item=True` has no `@field_validator` form",
    ),
    # A validator sharing a field with an each_item=True validator.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            tags: list[str]

            @validator("tags", each_item=True)
            def lower(cls, v):
                return v.lower()

            @validator("tags")
            def not_empty(cls, v):
                assert v
                return v
        """,
        "`each_item=True` has no `@field_validator` form",
    ),
    # `field` read in the body.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def check(cls, v, values, field):
                return f"{field.name}={v}"
        """,
        "Pydantic 2 refuses its `field` parameter",
    ),
    # `config` read in the body.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def check(cls, v, config):
                return v[: config.max_anystr_length]
        """,
        "Pydantic 2 refuses its `config` parameter",
    ),
    # **kwargs read in the body.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def check(cls, v, **kwargs):
                return v if kwargs["values"] else ""
        """,
        None,
    ),
    # *args.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def check(cls, v, *args):
                return v
        """,
        None,
    ),
    # `pre=` that is not a literal.
    (
        """
        from pydantic import BaseModel, validator

        PRE = True

        class Item(BaseModel):
            name: str

            @validator("name", pre=PRE)
            def check(cls, v):
                return v
        """,
        None,
    ),
    # Another decorator between `@validator` and the `def`.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            @log_calls
            def check(cls, v):
                return v
        """,
        None,
    ),
    # always=True on a field that is not declared in this class.
    (
        """
        from pydantic import validator
        from app.models import Base

        class Item(Base):
            @validator("name", always=True)
            def check(cls, v):
                return v or "unnamed"
        """,
        None,
    ),
    # always=True on a field whose default is a field of another library.
    (
        """
        from sqlmodel import Field, SQLModel
        from pydantic import validator

        class Item(SQLModel):
            name: str = Field("x", index=True)

            @validator("name", always=True)
            def check(cls, v):
                return v
        """,
        None,
    ),
    # `values` rebound in the body.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def check(cls, v, values):
                values = dict(values)
                return v
        """,
        None,
    ),
    # `info` is taken.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def check(cls, v, values):
                info = values.get("x")
                return v or info
        """,
        None,
    ),
    # Not a `cls` method.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def check(model, v):
                return v
        """,
        None,
    ),
    # A bare decorator (Pydantic refuses it).
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator
            def check(cls, v):
                return v
        """,
        "without field names",
    ),
    # Two validators stacked on one function.
    (
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            a: str
            b: str

            @validator("a")
            @validator("b")
            def check(cls, v):
                return v
        """,
        None,
    ),
    # The reuse idiom: a call, not a decorator.
    (
        """
        from pydantic import BaseModel, validator

        def strip(v: str) -> str:
            return v.strip()

        class Item(BaseModel):
            name: str

            _strip = validator("name", allow_reuse=True)(strip)
        """,
        "`validator()` is deprecated in Pydantic 2; use `field_validator()`",
    ),
    # `ValidationInfo` means something else in this module.
    (
        """
        from pydantic import BaseModel, validator
        from app.types import ValidationInfo

        class Item(BaseModel):
            name: str

            @validator("name")
            def check(cls, v, values):
                return v or values["x"]
        """,
        None,
    ),
    # `classmethod` is not the builtin here: the decorator below ours is unknown.
    (
        """
        from pydantic import BaseModel, validator

        classmethod = registered(classmethod)

        class Item(BaseModel):
            name: str

            @validator("name")
            @classmethod
            def check(cls, v):
                return v
        """,
        None,
    ),
    # Importing pydantic's `Field` would change what `Field` means elsewhere (a star import).
    (
        """
        from pydantic import BaseModel, validator
        from app.fields import *

        class Item(BaseModel):
            name: str = "x"

            @validator("name", always=True)
            def check(cls, v):
                return v

        EXTRA = Field(1)
        """,
        None,
    ),
]


@pytest.mark.parametrize(("code", "message"), NO_FIX, ids=[f"nofix{n}" for n in range(len(NO_FIX))])
def test_no_fix(code: str, message: str | None) -> None:
    case = Case(code, expected=code, unsafe=True, message=message)
    check_case(
        DeprecatedValidator, LabeledCase("invalid", [c for c, _ in NO_FIX].index(code), case)
    )
    found = run_rule(DeprecatedValidator, case.source()).diagnostics
    assert found
    assert all(d.fix is None for d in found), [d.message for d in found]


# -- direct checks ------------------------------------------------------------------------------


def test_import_removed_from_the_end_of_a_parenthesised_list() -> None:
    code = textwrap.dedent(
        """\
        from pydantic import (
            BaseModel,
            field_validator,
            validator,
        )

        class Item(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v):
                return v.strip()
        """
    )
    fixed = run_rule(DeprecatedValidator, code, fix=True).fixed_text
    assert fixed.startswith("from pydantic import (\n    BaseModel,\n    field_validator,\n)\n")


def test_message_and_position() -> None:
    code = textwrap.dedent(
        """\
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v):
                return v.strip()
        """
    )
    (finding,) = run_rule(DeprecatedValidator, code).diagnostics
    assert finding.code == "FL301"
    assert finding.name == "deprecated-validator"
    assert finding.message == "`@validator` is deprecated in Pydantic 2; use `@field_validator`"
    assert (finding.start.row, finding.start.column) == (6, 5)
    assert finding.fix is not None
    assert finding.fix.applicability.value == "safe"


def test_not_active_on_pydantic_1() -> None:
    code = "from pydantic import validator\n\n@validator('x')\ndef f(cls, v):\n    return v\n"
    assert run_rule(DeprecatedValidator, code, config={"pydantic-version": 1}).diagnostics == []
    assert len(run_rule(DeprecatedValidator, code, config={"pydantic-version": 2}).diagnostics) == 1


def test_each_validator_is_reported_once() -> None:
    code = textwrap.dedent(
        """\
        from pydantic import BaseModel, validator

        def strip(v):
            return v.strip()

        class Item(BaseModel):
            a: str
            b: str

            @validator("a")
            def one(cls, v):
                return v

            _strip = validator("b", allow_reuse=True)(strip)

            @validator("b", pre=True)
            def two(cls, v):
                return v
        """
    )
    found = run_rule(DeprecatedValidator, code).diagnostics
    assert [d.start.row for d in found] == [10, 14, 16]


def test_unsafe_and_safe_fixes_together() -> None:
    code = textwrap.dedent(
        """\
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            a: int
            b: int

            @validator("a", pre=True)
            def one(cls, v):
                return int(v)

            @validator("b")
            def two(cls, v, values):
                return v + values["a"]
        """
    )
    safe = run_rule(DeprecatedValidator, code, fix=True)
    assert '@field_validator("a", mode="before")' in safe.fixed_text
    assert '@validator("b")' in safe.fixed_text
    assert "from pydantic import BaseModel, field_validator, validator\n" in safe.fixed_text
    assert len(safe.diagnostics) == 1
    both = run_rule(DeprecatedValidator, code, fix=True, unsafe=True)
    assert "validator(" not in both.fixed_text.replace("field_validator(", "")
    assert "from pydantic import BaseModel, ValidationInfo, field_validator\n" in both.fixed_text
    assert both.diagnostics == []


_PLAIN_MODEL = (
    "from pydantic import BaseModel, validator\n"
    "\n"
    "\n"
    "class User(BaseModel):\n"
    "    name: str\n"
    "\n"
    '    @validator("name", pre=True)\n'
    "    def strip_name(cls, value):\n"
    "        return value.strip()\n"
)


def test_tabs_are_kept() -> None:
    fixed = run_rule(DeprecatedValidator, _PLAIN_MODEL.replace("    ", "\t"), fix=True)
    assert '\t@field_validator("name", mode="before")\n\t@classmethod\n\tdef' in fixed.fixed_text


def test_crlf_is_kept() -> None:
    fixed = run_rule(DeprecatedValidator, _PLAIN_MODEL.replace("\n", "\r\n"), fix=True)
    text = fixed.fixed_text
    assert "@classmethod\r\n    def" in text
    assert text.count("\n") == text.count("\r\n") == 10


def test_mixed_line_endings_are_kept() -> None:
    fixed = run_rule(DeprecatedValidator, _PLAIN_MODEL.replace("\n", "\r\n", 3), fix=True)
    text = fixed.fixed_text
    assert "@classmethod\n    def" in text
    assert text.count("\r\n") == 3


def test_fix_is_stable_with_many_validators() -> None:
    body = "".join(
        f'\n    @validator("f{n}", pre={n % 2 == 0})\n    def v{n}(cls, v):\n        return v\n'
        for n in range(12)
    )
    fields = "".join(f"    f{n}: int\n" for n in range(12))
    code = f"from pydantic import BaseModel, validator\n\nclass M(BaseModel):\n{fields}{body}"
    fixed = run_rule(DeprecatedValidator, code, fix=True)
    assert fixed.diagnostics == []
    assert fixed.fixed_text.count("@classmethod") == 12
    assert fixed.fixed_text.count('mode="before"') == 6
    assert "import BaseModel, field_validator\n" in fixed.fixed_text


# -- defects fixed by the port onto the semantic model -----------------------------------------


def test_defect_1_local_validator_shadows_the_import() -> None:
    """A local ``def validator`` shadows pydantic's inside its function: not flagged there,
    and nothing there is "fixed"; the module-level use of the import still is."""
    code = textwrap.dedent(
        """\
        from pydantic import BaseModel, validator

        def make_form():
            def validator(*fields):
                return lambda f: f

            class Form:
                @validator("q")
                def strip(cls, v):
                    return v.strip()

            return Form

        class User(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v):
                return v.strip()
        """
    )
    found = run_rule(DeprecatedValidator, code).diagnostics
    assert [d.start.row for d in found] == [17]
    fixed = run_rule(DeprecatedValidator, code, fix=True, unsafe=True).fixed_text
    assert '        @validator("q")\n        def strip' in fixed
    assert '    @field_validator("name")\n    @classmethod\n' in fixed


def test_defect_6_reexported_validator() -> None:
    """``validator`` imported from a project package that re-exports pydantic's."""
    case = Case(
        """
        from pydantic import BaseModel
        from mypkg import validator

        class User(BaseModel):
            name: str

            @validator("name", pre=True)
            def strip(cls, v):
                return v.strip()
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class User(BaseModel):
            name: str

            @field_validator("name", mode="before")
            @classmethod
            def strip(cls, v):
                return v.strip()
        """,
        files={"mypkg/__init__.py": "from pydantic import validator\n"},
        count=1,
        message="`@validator` is deprecated in Pydantic 2",
    )
    check_case(DeprecatedValidator, LabeledCase("invalid", 0, case))
    # Without the package's re-export, the name is the project's own: not flagged.
    other = {"mypkg/__init__.py": "def validator(*fields):\n    return lambda f: f\n"}
    assert run_rule(DeprecatedValidator, case.source(), files=other).diagnostics == []


NESTED_SCOPES = [
    # A nested function's own `values` parameter is not the validator's.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            a: int
            b: int

            @validator("b")
            def check(cls, v, values):
                def first(values):
                    return values[0]
                return first([v, values["a"]])
        """,
        expected="""
        from pydantic import BaseModel, ValidationInfo, field_validator

        class Item(BaseModel):
            a: int
            b: int

            @field_validator("b")
            @classmethod
            def check(cls, v, info: ValidationInfo):
                def first(values):
                    return values[0]
                return first([v, info.data["a"]])
        """,
        unsafe=True,
    ),
    # A comprehension variable called `values`, and a nested `field` parameter: the
    # validator's own `values` and `field` are never read, so they go.
    Case(
        """
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            tags: list[str]

            @validator("tags")
            def check(cls, v, values, field):
                def named(field):
                    return field.strip()
                return [named(values) for values in v]
        """,
        expected="""
        from pydantic import BaseModel, field_validator

        class Item(BaseModel):
            tags: list[str]

            @field_validator("tags")
            @classmethod
            def check(cls, v):
                def named(field):
                    return field.strip()
                return [named(values) for values in v]
        """,
        unsafe=True,
    ),
]


@pytest.mark.parametrize("case", NESTED_SCOPES, ids=["nested-param", "comprehension"])
def test_names_of_nested_scopes_are_their_own(case: Case) -> None:
    check_case(DeprecatedValidator, LabeledCase("invalid", NESTED_SCOPES.index(case), case))


def test_a_method_named_validator_is_flagged() -> None:
    """The decorator runs before the class binds the method's name: it is pydantic's."""
    code = textwrap.dedent(
        """\
        from pydantic import BaseModel, validator

        class Item(BaseModel):
            name: str

            @validator("name")
            def validator(cls, v):
                return v
        """
    )
    (finding,) = run_rule(DeprecatedValidator, code).diagnostics
    assert finding.start.row == 6
    fixed = run_rule(DeprecatedValidator, code, fix=True).fixed_text
    assert '@field_validator("name")\n    @classmethod\n    def validator(' in fixed


# -- behaviour: the fixed models validate exactly like the original ones ------------------------

_counter = itertools.count()


def _load(text: str, directory: Path) -> tuple[ModuleType, int]:
    """Import ``text`` as a fresh module; also count the deprecation warnings it raises."""
    name = f"fl301_validators_{next(_counter)}"
    path = directory / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Pydantic resolves annotations through sys.modules
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    return module, len(deprecations)


ADDRESS_INPUTS: list[dict[str, Any]] = [
    {"street": "  Main   Street 1 ", "city": "Den   Haag", "postcode": "2511 cv"},
    {"street": "Main Street 1", "city": "Utrecht", "postcode": 3511, "country": "de"},
    {"street": "Main Street 1", "city": "Utrecht", "postcode": "12"},
    {"street": "Main Street 1", "city": "Utrecht", "postcode": "3511AB", "country": "NLD"},
    {"street": "Main Street 1", "city": "Utrecht", "postcode": None},
    {"street": "Main Street 1", "postcode": "3511AB"},
]

CUSTOMER_INPUTS: list[dict[str, Any]] = [
    {
        "name": "  Ada Lovelace ",
        "email": " ADA@Example.org ",
        "password": "correct horse",
        "password_confirm": "correct horse",
        "tags": "VIP,beta,,vip",
        "birthday": "1815-12-10",
        "address": ADDRESS_INPUTS[0],
    },
    {
        "name": "Bob",
        "email": "bob@example.org",
        "password": "12345678",
        "password_confirm": "87654321",
    },
    {
        "name": "Bob",
        "email": "bob.example.org",
        "password": "short",
        "password_confirm": "short",
    },
    {
        "name": "Eve",
        "email": "eve@example.org",
        "password": "12345678",
        "password_confirm": "12345678",
        "birthday": "2999-01-01",
        "tags": ["B", "a", "b"],
        "address": ADDRESS_INPUTS[2],
    },
    {"name": 42, "email": None, "password_confirm": "x"},
    {
        "name": "Mallory",
        "email": "m@example.org",
        "password": "12345678",
        "password_confirm": "12345678",
        "tags": 7,
    },
]


def _outcomes(module: ModuleType) -> list[tuple[str, Any]]:
    results: list[tuple[str, Any]] = []
    for model, inputs in ((module.Address, ADDRESS_INPUTS), (module.Customer, CUSTOMER_INPUTS)):
        for data in inputs:
            try:
                instance = model.model_validate(data)
            except Exception as exc:  # a ValidationError of this module's Pydantic
                errors = [(e["loc"], e["type"], e["msg"]) for e in exc.errors()]  # type: ignore[attr-defined]
                results.append(("error", errors))
            else:
                results.append(("ok", instance.model_dump()))
    results.append(("default", module.Address(street="a", city="b", postcode="1234").country))
    return results


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_fixed_models_behave_the_same(unsafe: bool, tmp_path: Path) -> None:
    original_text = FIXTURE.read_text(encoding="utf-8")
    original, original_warnings = _load(original_text, tmp_path)
    before = _outcomes(original)
    # The inputs exercise both outcomes.
    assert {kind for kind, _ in before} == {"ok", "error", "default"}

    fixed = run_rule(DeprecatedValidator, original_text, fix=True, unsafe=unsafe)
    assert fixed.fixed_text != original_text
    module, fixed_warnings = _load(fixed.fixed_text, tmp_path)
    assert _outcomes(module) == before
    assert fixed_warnings < original_warnings

    # Only the reuse call (never fixed) and, with safe fixes only, the unsafe ones remain.
    remaining = sorted((d.fix.applicability.value if d.fix else "none") for d in fixed.diagnostics)
    assert remaining == (["none"] if unsafe else ["none", "unsafe", "unsafe"])
    text = fixed.fixed_text
    assert text.count("@validator(") == (0 if unsafe else 2)
    assert "@classmethod" in text


def test_reordering_fix_is_unsafe_for_a_reason(tmp_path: Path) -> None:
    """The order analysis is not theoretical: converting the validator that runs after an
    old-style one of the same field changes which inputs are accepted."""
    case = UNSAFE[-1]
    source = case.source()
    original, _ = _load(source, tmp_path)
    fixed_text = run_rule(DeprecatedValidator, source, fix=True, unsafe=True).fixed_text
    fixed, _ = _load(fixed_text, tmp_path)
    spaced = {"name": "a          b"}
    assert original.Item.model_validate(spaced).name == "a b"
    with pytest.raises(Exception, match="too long"):
        fixed.Item.model_validate(spaced)


# -- hardening: comments of the decorator's arguments and of the parameters -------------------

_COMMENTED = """
from pydantic import BaseModel, validator


class User(BaseModel):
    name: str
    other: str = ""

{decorator}    def strip({params}):
        return v
"""


def _fix_decorator(decorator: str, params: str = "cls, v", unsafe: bool = False) -> str:
    code = _COMMENTED.format(
        decorator=textwrap.indent(textwrap.dedent(decorator), "    "), params=params
    ).lstrip("\n")
    case = Case(code, unsafe=unsafe)
    check_case(DeprecatedValidator, LabeledCase("invalid", 0, case))  # parses, converges
    fixed = run_rule(DeprecatedValidator, code, fix=True, unsafe=unsafe).fixed_text
    return fixed[fixed.index("\n\n    @") + 2 :].split("    def strip(", 1)[0]


def test_item1_fl301_keeps_comment_on_kept_argument() -> None:
    decorator = '@validator("name",\n    pre=True,   # raw input\n    allow_reuse=True)\n'
    expected = (
        '    @field_validator("name",\n        mode="before")   # raw input\n    @classmethod\n'
    )
    assert _fix_decorator(decorator) == expected
    # The unsafe form (the function takes `values`) keeps it too.
    unsafe = _fix_decorator(decorator, "cls, v, values: dict", unsafe=True)
    assert unsafe == expected
    one_line = '@validator("name", pre=True,  # raw\n    allow_reuse=True)\n'
    assert _fix_decorator(one_line, "cls, v, values", unsafe=True) == (
        '    @field_validator("name", mode="before")  # raw\n    @classmethod\n'
    )
    always = '@validator("name",\n    pre=True,  # raw\n    always=True)\n'
    assert _fix_decorator(always.replace('"name"', '"other"'), unsafe=True) == (
        '    @field_validator("other",\n        mode="before")  # raw\n    @classmethod\n'
    )


@pytest.mark.parametrize("closing", ["", "    "], ids=["column-0", "aligned"])
def test_item1_fl301_parenthesis_after_a_removed_argument_is_well_formatted(closing: str) -> None:
    decorator = f'@validator("name", each_item=False,  # whole list\n{closing})\n'
    code = _COMMENTED.format(decorator="    " + decorator, params="cls, v").lstrip("\n")
    fixed = run_rule(DeprecatedValidator, code, fix=True).fixed_text
    assert '    @field_validator("name",  # whole list\n    )\n    @classmethod\n' in fixed


@pytest.mark.parametrize(
    ("decorator", "expected"),
    [
        # One argument per line: a removed argument's comment stays where the argument was.
        (
            '@validator(\n    "name",  # the field\n    pre=True,  # raw\n'
            "    allow_reuse=True,  # reuse\n)\n",
            '@field_validator(\n    "name",  # the field\n    mode="before",  # raw\n'
            "    # reuse\n)\n",
        ),
        (
            '@validator(\n    "name",  # the field\n    allow_reuse=True,  # reuse\n'
            "    pre=True,  # raw\n)\n",
            '@field_validator(\n    "name",  # the field\n    # reuse\n'
            '    mode="before",  # raw\n)\n',
        ),
        # Several neighbours removed at once, without a trailing comma.
        (
            '@validator(\n    "name",\n    pre=True,  # raw\n    each_item=False,  # whole\n'
            "    allow_reuse=True  # reuse\n)\n",
            '@field_validator(\n    "name",\n    mode="before"  # raw\n    # whole\n'
            "    # reuse\n)\n",
        ),
        # On the line of a kept argument, the comment stays on that line.
        (
            '@validator("name", allow_reuse=True,  # reuse\n    pre=True)  # raw\n',
            '@field_validator("name",  # reuse\n    mode="before")  # raw\n',
        ),
        # A pragma only applied to the removed line.
        (
            '@validator(\n    "name",\n    allow_reuse=True,  # noqa: E501\n    pre=True,\n)\n',
            '@field_validator(\n    "name",\n    mode="before",\n)\n',
        ),
        (
            '@validator(\n    "name",\n    allow_reuse=True,  # type: ignore  # shared\n)\n',
            '@field_validator(\n    "name",\n    # shared\n)\n',
        ),
        # A `#` in a string is not a comment.
        (
            '@validator("#name", each_item=False,\n    allow_reuse=True)\n',
            '@field_validator("#name")\n',
        ),
        (
            '@validator("name", pre=True, each_item=False, allow_reuse=True)  # all\n',
            '@field_validator("name", mode="before")  # all\n',
        ),
    ],
)
def test_item1_fl301_comments_of_removed_arguments_are_kept(decorator: str, expected: str) -> None:
    code = _COMMENTED.format(decorator=textwrap.indent(decorator, "    "), params="cls, v")
    code = code.lstrip("\n")
    fixed = run_rule(DeprecatedValidator, code, fix=True).fixed_text
    assert textwrap.indent(expected, "    ") + "    @classmethod\n" in fixed, fixed


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            "\n        cls,\n        v,  # the value\n        values,  # unused\n    ",
            "\n        cls,\n        v,  # the value\n        # unused\n    ",
        ),
        (
            "\n        cls,\n        v,  # the value\n        values  # unused\n    ",
            "\n        cls,\n        v  # the value\n        # unused\n    ",
        ),
        ("cls, v,  # the value\n              values", "cls, v  # the value\n              "),
        (
            "cls, v, *,  # keyword only\n              values",
            "cls, v  # keyword only\n              ",
        ),
        ("cls, v, values: dict, config, field", "cls, v"),
        (
            "\n        cls,\n        v,\n        values: dict,  # the others\n"
            "        **kwargs,  # rest\n    ",
            "\n        cls,\n        v,\n        # the others\n        # rest\n    ",
        ),
    ],
)
def test_item1_fl301_comments_of_dropped_parameters_are_kept(params: str, expected: str) -> None:
    code = _COMMENTED.format(decorator='    @validator("name")\n', params=params).lstrip("\n")
    fixed = run_rule(DeprecatedValidator, code, fix=True, unsafe=True).fixed_text
    assert f"    @classmethod\n    def strip({expected}):\n        return v\n" in fixed, fixed
    check_case(DeprecatedValidator, LabeledCase("invalid", 0, Case(code, unsafe=True)))


# -- hardening: the comments of the pydantic import -------------------------------------------

_MODEL_BODY = """

class User(BaseModel):
    name: str

    @validator("name", pre=True)
    def strip(cls, v):
        return v.strip()
"""
_STILL_USED = '\ncheck = validator("name", allow_reuse=True)(str.strip)\n'


@pytest.mark.parametrize(
    ("imports", "still_used", "expected"),
    [
        # `validator` goes: `field_validator` takes its place, not its comment.
        (
            "from pydantic import (\n    BaseModel,  # base\n    validator,  # legacy\n)\n",
            False,
            "from pydantic import (\n    BaseModel,  # base\n    field_validator,\n"
            "    # legacy\n)\n",
        ),
        # `validator` stays (still used): each name keeps its own comment.
        (
            "from pydantic import (\n    BaseModel,  # base\n    validator,  # legacy\n)\n",
            True,
            "from pydantic import (\n    BaseModel,  # base\n    field_validator,\n"
            "    validator,  # legacy\n)\n",
        ),
        (
            "from pydantic import (\n    BaseModel,  # base\n    validator  # legacy\n)\n",
            False,
            "from pydantic import (\n    BaseModel,  # base\n    field_validator\n"
            "    # legacy\n)\n",
        ),
        (
            "from pydantic import (\n    BaseModel,  # base\n    validator  # legacy\n)\n",
            True,
            "from pydantic import (\n    BaseModel,  # base\n    field_validator,\n"
            "    validator  # legacy\n)\n",
        ),
        # Names out of order: the new one goes last.
        (
            "from pydantic import (\n    validator,  # legacy\n    BaseModel,  # base\n)\n",
            False,
            "from pydantic import (\n    # legacy\n    BaseModel,  # base\n"
            "    field_validator,\n)\n",
        ),
        (
            "from pydantic import (  # models\n    BaseModel,  # base\n    Field,  # fields\n"
            "    validator,  # legacy\n)\n",
            False,
            "from pydantic import (  # models\n    BaseModel,  # base\n    Field,  # fields\n"
            "    field_validator,\n    # legacy\n)\n",
        ),
        # A pragma of the removed name goes with it.
        (
            "from pydantic import (\n    BaseModel,  # base\n    validator,  # noqa: F401\n)\n",
            False,
            "from pydantic import (\n    BaseModel,  # base\n    field_validator,\n)\n",
        ),
        # Names sharing lines: the comment stays on its line.
        (
            "from pydantic import (BaseModel,  # base\n"
            "                      validator)  # legacy\n",
            False,
            "from pydantic import (BaseModel,  # base\n"
            "                      field_validator)  # legacy\n",
        ),
        (
            "from pydantic import BaseModel, validator  # legacy\n",
            False,
            "from pydantic import BaseModel, field_validator  # legacy\n",
        ),
        (
            "from pydantic import BaseModel, validator  # legacy\n",
            True,
            "from pydantic import BaseModel, field_validator, validator  # legacy\n",
        ),
        # A statement of its own.
        (
            "from pydantic import BaseModel  # base\nfrom pydantic import validator  # legacy\n",
            False,
            "from pydantic import BaseModel, field_validator  # base\n# legacy\n",
        ),
        (
            "from pydantic import BaseModel\nfrom pydantic import validator  # noqa: F401\n",
            False,
            "from pydantic import BaseModel, field_validator\n",
        ),
    ],
)
def test_item2_fl301_import_names_keep_their_own_comments(
    imports: str, still_used: bool, expected: str
) -> None:
    code = imports + _MODEL_BODY + (_STILL_USED if still_used else "")
    fixed = run_rule(DeprecatedValidator, code, fix=True).fixed_text
    assert fixed.startswith(expected + "\n\nclass User"), fixed
    again = run_rule(DeprecatedValidator, fixed, fix=True).fixed_text
    assert again == fixed
