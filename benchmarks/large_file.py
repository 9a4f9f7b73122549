#!/usr/bin/env python3
"""Check one generated FastAPI module of growing size: the time per MB must stay flat.

Usage: large_file.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _timing import time_command

BLOCK = """
@router.get("/items/{n}")
async def read_item_{n}(item_id: int, db: SessionDep) -> dict[str, int]:
    value = db.get(Item, item_id)
    return {{"id": item_id, "n": {n}}}


class Model{n}(BaseModel):
    name: str

    @validator("name", pre=True)
    def strip_{n}(cls, value):
        return value.strip()
"""
HEADER = (
    "from typing import Annotated\n"
    "from fastapi import APIRouter, Depends\n"
    "from pydantic import BaseModel, validator\n"
    "from sqlalchemy.orm import Session\n\n"
    "router = APIRouter()\n"
    "def get_db():\n    yield None\n"
    "SessionDep = Annotated[Session, Depends(get_db)]\n"
)


def generate(size: int) -> str:
    parts = [HEADER]
    total = len(HEADER)
    n = 0
    while total < size:
        block = BLOCK.format(n=n)
        parts.append(block)
        total += len(block)
        n += 1
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for megabytes in (1.0, 2.5, 5.0):
            path = Path(tmp) / f"big_{megabytes}.py"
            path.write_text(generate(int(megabytes * 1024 * 1024)))
            command = [
                sys.executable,
                "-m",
                "fastlint",
                "check",
                "--exit-zero",
                "-q",
                "--select",
                "ALL",
                "--output-format",
                "concise",
                str(path),
            ]
            timing = time_command(f"{megabytes} MB", command, args.runs)
            rows.append((megabytes, timing))
            print(timing.line())
        for megabytes, timing in rows:
            median = sorted(timing.walls)[len(timing.walls) // 2]
            print(f"{megabytes:4} MB: {median / megabytes:6.2f} s per MB")


if __name__ == "__main__":
    main()
