from __future__ import annotations

from fastlint.rule import Case, Rule


class InvalidSyntax(Rule):
    """## What it does
    Reports a file that cannot be parsed (a syntax error) or read (undecodable bytes, a bad
    encoding declaration, a file that cannot be opened), with the parser's line and message.

    ## Why is this bad?
    fastlint cannot check a file it cannot parse, and neither can Python run it. Such a file is
    never rewritten by `--fix`. This finding cannot be suppressed with `# noqa`.

    ## Example
    ```python
    @app.get("/items"
    async def list_items(): ...
    ```

    ## Use instead
    ```python
    @app.get("/items")
    async def list_items(): ...
    ```

    ## Fix safety
    There is no fix.
    """

    code = "FL001"
    name = "invalid-syntax"
    message = "SyntaxError"
    description = "a file that cannot be parsed or decoded (never rewritten)"
    # Reported by the engine itself whenever it parses a file for another rule; its behaviour
    # is tested end to end in tests/test_engine.py, not with inline cases.
    requires_any = ()

    # Its findings come from the engine; tests/test_bad_input.py covers them.
    valid = (Case("def ok():\n    return 1\n"),)
