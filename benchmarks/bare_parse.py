#!/usr/bin/env python3
"""The floor a LibCST linter stands on: parse every .py file under PATHs with LibCST, in one
process, and nothing else. The corpus benchmark times fastlint against this.

Usage: bare_parse.py PATH [PATH ...]
"""

from __future__ import annotations

import os
import sys

import libcst


def main() -> None:
    files = 0
    for top in sys.argv[1:]:
        for directory, subdirectories, names in os.walk(top):
            subdirectories.sort()
            for name in sorted(names):
                if not name.endswith(".py"):
                    continue
                files += 1
                try:
                    with open(os.path.join(directory, name), "rb") as handle:
                        libcst.parse_module(handle.read())
                except Exception:  # a file LibCST cannot parse costs what it cost
                    pass
    print(f"{files} files parsed")


if __name__ == "__main__":
    main()
