#!/usr/bin/env python3
"""Build the scan benchmark corpus: unpacked source distributions of large PyPI packages.

    python bench/corpus.py            # the core set (> 100 MB), skipping what is already there
    python bench/corpus.py --all      # core set plus the extra packages
    python bench/corpus.py --clean    # remove bench/corpus/ and the download cache first

Each package is fetched with ``pip download --no-deps --no-binary <name>`` (only PyPI is
contacted, through pip and the index it is configured with) and unpacked into
``bench/corpus/<name>/``. Versions are pinned below so that every run scans the same bytes;
a package whose pinned version changed is unpacked again. The tree is gitignored.

``--no-binary <name>`` rather than ``:all:``: the package itself must be a source distribution,
but its build backend (needed by pip to read the sdist's metadata) may come as a wheel; with
``:all:`` pip compiles setuptools, maturin and friends from source too, which is slow and fails
for backends that need a Rust toolchain.

litellm is pinned to 1.90.0: from 1.95 on its sdist builds with maturin and pip cannot even read
its metadata without fetching Rust crates, which is not possible from a machine that reaches
only the package registries.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CORPUS = BENCH / "corpus"
DOWNLOADS = BENCH / ".downloads"  # sdists and stamps; outside the corpus so they are not scanned
MIN_BYTES = 100 * 1000 * 1000

# (PyPI name, pinned version). The core set is the one shared/research/detection.md measured
# gitleaks on (botocore, django, openai, anthropic, langchain-core, litellm).
CORE = [
    ("botocore", "1.44.8"),
    ("django", "5.2.19"),
    ("openai", "3.57.0"),
    ("anthropic", "2.14.0"),
    ("langchain-core", "1.8.4"),
    ("litellm", "1.90.0"),
]
# Added in this order when the core set is under MIN_BYTES, or all of them with --all.
EXTRA = [
    ("boto3", "1.44.8"),
    ("sqlalchemy", "2.1.9"),
    ("transformers", "5.24.0"),
    ("google-cloud-aiplatform", "2.7.0"),
]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def tree_bytes(path: Path) -> tuple[int, int]:
    """Total size of regular files (not following symlinks) and their count."""
    total = files = 0
    for directory, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(directory, name)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            if not os.path.islink(full):
                total += info.st_size
                files += 1
    return total, files


def find_sdist(name: str, version: str) -> Path | None:
    """The downloaded sdist for name==version (file names use _, - or . interchangeably)."""
    wanted = f"{normalize(name)}-{version}".lower()
    for path in sorted(DOWNLOADS.iterdir()):
        stem = path.name
        for suffix in (".tar.gz", ".tgz", ".zip", ".tar.bz2"):
            if stem.lower().endswith(suffix):
                base = stem[: -len(suffix)]
                if normalize(base.rsplit("-", 1)[0]) + "-" + base.rsplit("-", 1)[-1].lower() == wanted:
                    return path
    return None


def download(name: str, version: str) -> Path:
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    found = find_sdist(name, version)
    if found is not None:
        return found
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", name,
        "--disable-pip-version-check", "--progress-bar", "off", "-d", str(DOWNLOADS), f"{name}=={version}",
    ]
    print(f"  $ {' '.join(cmd[2:])}", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-4000:])
        raise SystemExit(f"corpus: pip download {name}=={version} failed (exit {proc.returncode})")
    found = find_sdist(name, version)
    if found is None:
        raise SystemExit(f"corpus: pip download {name}=={version} saved no source distribution in {DOWNLOADS}")
    return found


def _safe_zip_extract(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            target = (dest / member.filename).resolve()
            if dest.resolve() not in target.parents and target != dest.resolve():
                raise SystemExit(f"corpus: {archive.name}: unsafe path {member.filename!r}")
        zf.extractall(dest)


def unpack(archive: Path, dest: Path) -> None:
    """Unpack into dest, dropping the archive's single top-level folder (name-version/)."""
    CORPUS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".unpack-", dir=DOWNLOADS) as tmp:
        tmp_path = Path(tmp)
        if archive.name.endswith(".zip"):
            _safe_zip_extract(archive, tmp_path)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(tmp_path, filter="data")
        entries = list(tmp_path.iterdir())
        top = entries[0] if len(entries) == 1 and entries[0].is_dir() else tmp_path
        if dest.exists():
            shutil.rmtree(dest)
        if top is tmp_path:
            shutil.copytree(tmp_path, dest, symlinks=True)
        else:
            top.rename(dest)


def stamp_path(name: str) -> Path:
    return DOWNLOADS / f"{normalize(name)}.unpacked"


def ensure(name: str, version: str) -> str:
    dest = CORPUS / normalize(name)
    stamp = stamp_path(name)
    if dest.is_dir() and stamp.is_file() and stamp.read_text().strip() == version:
        return "present"
    archive = download(name, version)
    unpack(archive, dest)
    stamp.write_text(version + "\n")
    return f"unpacked {archive.name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="also add every package of the extra set")
    parser.add_argument("--clean", action="store_true", help="remove bench/corpus and the download cache first")
    parser.add_argument("--keep-sdists", action="store_true", help="keep the downloaded archives (default: deleted after unpacking)")
    args = parser.parse_args(argv)

    if args.clean:
        shutil.rmtree(CORPUS, ignore_errors=True)
        shutil.rmtree(DOWNLOADS, ignore_errors=True)

    wanted = list(CORE)
    extras = list(EXTRA)
    if args.all:
        wanted += extras
        extras = []
    for name, version in wanted:
        print(f"{name}=={version}: {ensure(name, version)}", flush=True)
    # Core set too small (should not happen with the pins above): add extras until it is not.
    while tree_bytes(CORPUS)[0] < MIN_BYTES and extras:
        name, version = extras.pop(0)
        wanted.append((name, version))
        print(f"{name}=={version}: {ensure(name, version)} (corpus under {MIN_BYTES // 10**6} MB)", flush=True)

    if not args.keep_sdists and DOWNLOADS.is_dir():
        for path in DOWNLOADS.iterdir():
            if path.is_file() and not path.name.endswith(".unpacked"):
                path.unlink()

    # Folders of packages no longer pinned (an older layout) would silently change the corpus.
    known = {normalize(n) for n, _ in CORE + EXTRA}
    stray = sorted(p.name for p in CORPUS.iterdir() if p.name not in known) if CORPUS.is_dir() else []
    if stray:
        print(f"warning: bench/corpus has folders not in the pinned list: {', '.join(stray)}")

    print()
    print(f"{'package':<26}{'version':>10}{'files':>9}{'MB':>9}")
    grand = grand_files = 0
    for path in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        size, files = tree_bytes(path)
        grand += size
        grand_files += files
        version = stamp_path(path.name).read_text().strip() if stamp_path(path.name).is_file() else "?"
        print(f"{path.name:<26}{version:>10}{files:>9}{size / 1e6:>9.1f}")
    print(f"{'total':<26}{'':>10}{grand_files:>9}{grand / 1e6:>9.1f}")
    print(f"corpus: {CORPUS} {grand / 1e6:.1f} MB in {grand_files} files")
    if grand < MIN_BYTES:
        print(f"corpus: under {MIN_BYTES // 10**6} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
