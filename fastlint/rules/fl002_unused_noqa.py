from __future__ import annotations

from fastlint.rule import Case, FixAvailability, Rule


class UnusedNoqa(Rule):
    """## What it does
    Reports `# noqa: FLxxx` codes that suppress no fastlint finding on their line, and FL codes
    that no rule has.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line, and tells readers that a
    problem exists where none does.

    ## Example
    ```python
    @app.get("/health")  # noqa: FL101
    async def health() -> dict[str, str]:
        return {"status": "ok"}
    ```

    ## Use instead
    ```python
    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}
    ```

    A bare `# noqa` and codes of other tools (`E501`, `S608`) are left alone: they serve other
    linters too.

    ## Fix safety
    The fix is safe: it removes the unused codes, and the whole directive when none remain,
    together with its reason (`# noqa: FL201 -- legacy` goes whole; a comment after it on the
    same line, such as `# type: ignore`, stays). When other codes remain, the reason stays with
    them: `# noqa: E501, FL201 -- long URL` becomes `# noqa: E501 -- long URL`.
    """

    code = "FL002"
    name = "unused-noqa"
    message = "Unused `noqa` directive"
    description = "a `# noqa: FLxxx` that suppresses nothing"
    fix_availability = FixAvailability.SAFE
    requires_any = ()  # the engine checks suppressions itself after all rules ran

    valid = (
        # A bare noqa serves other tools too; other tools' codes are theirs.
        Case("import os  # noqa\nimport sys  # noqa: F401, E501\n"),
        # `noqa` in a string is not a directive.
        Case('text = "# noqa: FL101"\n'),
    )
    invalid = (
        # A code no rule has (a typo) suppresses nothing.
        Case(
            "import os  # noqa: FL999  # error: unknown: FL999\n",
            expected="import os\n",
            safety="safe",
        ),
        # The reason goes with the last code; another comment on the line stays.
        Case(
            "import os  # type: ignore  # noqa: FL999 -- legacy  # error: FL999\n",
            expected="import os  # type: ignore\n",
        ),
        # Only the FL code goes; the other tool's code stays.
        Case(
            "import os  # noqa: E501, FL999  # error: FL999\n",
            expected="import os  # noqa: E501\n",
        ),
    )
