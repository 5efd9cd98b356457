"""Layers for the few packages a function needs beyond the Powertools layer and the runtime's boto3.

Each layer holds exactly the locked version, built without Docker:

- a pure-Python package (segno, PyJWT's ``jwt``) is copied from the project's own environment
  (installed by ``uv sync`` from uv.lock): it runs unchanged on Lambda's arm64 runtime, and synth
  needs no network;
- a package with compiled code (``cryptography``, with the ``cffi`` backend it loads) is listed in
  ``PLATFORM_PACKAGES`` and installed from its wheels for the Lambda platform with
  ``uv pip install --python-platform``, pinned to uv.lock's versions and wheel hashes. The result is
  kept in build/layers and reused while the lock says the same, and uv tries its own cache
  (``--offline``) before the registry: a machine fetches those wheels once, then synth runs offline.

A compiled package that is not in ``PLATFORM_PACKAGES`` is refused here rather than failing on Lambda.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "layers"
COMPILED = (".so", ".pyd", ".dylib")

# Lambda's python3.13 runtime on arm64 runs Amazon Linux 2023 (glibc 2.34): manylinux_2_28 wheels run there.
LAMBDA_PLATFORM = "aarch64-manylinux_2_28"
LAMBDA_PYTHON = "3.13"
PLATFORM_PACKAGES: dict[str, tuple[str, ...]] = {
    # import name -> the distributions its layer holds (cryptography's Rust bindings load _cffi_backend)
    "cryptography": ("cryptography", "cffi"),
}


def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not installed: run uv sync")
    return Path(next(iter(spec.submodule_search_locations)))


def build(package: str) -> Path:
    """The layer's directory (with ``python/`` inside), built if it is missing or out of date."""
    if package in PLATFORM_PACKAGES:
        return build_for_lambda_platform(package)
    source = package_dir(package)
    compiled = [p for p in source.rglob("*") if p.suffix in COMPILED]
    if compiled:
        raise RuntimeError(
            f"{package} is not pure Python ({compiled[0].name}): add it to PLATFORM_PACKAGES in infra/layers.py"
        )
    target = BUILD / package / "python" / package
    shutil.rmtree(target.parent.parent, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target.parent.parent


def build_for_lambda_platform(package: str) -> Path:
    requirements = locked_requirements(PLATFORM_PACKAGES[package])
    layer_dir = BUILD / package
    stamp = BUILD / f"{package}.requirements.txt"  # outside the layer, so it is not part of the asset
    wanted = f"# {LAMBDA_PLATFORM}, Python {LAMBDA_PYTHON}\n{requirements}"
    if stamp.is_file() and stamp.read_text() == wanted and (layer_dir / "python").is_dir():
        return layer_dir
    stamp.unlink(missing_ok=True)
    shutil.rmtree(layer_dir, ignore_errors=True)
    BUILD.mkdir(parents=True, exist_ok=True)
    pending = BUILD / f"{package}.pending.txt"
    pending.write_text(wanted)
    command = [
        uv_executable(),
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--require-hashes",
        "--no-compile",
        "--only-binary",
        ":all:",
        "--python-platform",
        LAMBDA_PLATFORM,
        "--python-version",
        LAMBDA_PYTHON,
        "--target",
        str(layer_dir / "python"),
        "--requirement",
        str(pending),
    ]
    cached = subprocess.run([*command, "--offline"], capture_output=True, text=True, check=False)  # noqa: S603
    if cached.returncode != 0:
        fetched = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if fetched.returncode != 0:
            raise RuntimeError(f"cannot install {package} for {LAMBDA_PLATFORM}: {fetched.stderr.strip()}")
    # Console scripts (their shebang names this machine's Python) and uv's lock file are not code to ship.
    shutil.rmtree(layer_dir / "python" / "bin", ignore_errors=True)
    (layer_dir / "python" / ".lock").unlink(missing_ok=True)
    pending.replace(stamp)
    return layer_dir


def locked_requirements(distributions: tuple[str, ...]) -> str:
    """The distributions' entries in uv.lock (version and every wheel's hash), as a requirements file."""
    exported = subprocess.run(  # noqa: S603
        [uv_executable(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header", "--no-annotate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wanted = {name.lower() for name in distributions}
    entries: list[str] = []
    keep = False
    for line in exported.splitlines():
        if not line.startswith((" ", "\t")):
            keep = line.split("==", 1)[0].strip().lower() in wanted
        if keep:
            entries.append(line)
    found = {line.split("==", 1)[0].lower() for line in entries if not line.startswith(" ")}
    if found != wanted:
        raise RuntimeError(f"not in uv.lock's runtime dependencies: {', '.join(sorted(wanted - found))}")
    return "\n".join(entries) + "\n"


def uv_executable() -> str:
    """The uv that runs this synth (``uv run`` sets UV), else the project's own, else one on PATH."""
    for candidate in (os.environ.get("UV"), str(ROOT / ".tools" / "bin" / "uv"), shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeError("uv is needed to package compiled dependencies for Lambda: run make install")


def layer(scope: Construct, package: str) -> lambda_.LayerVersion:
    kind = f"{LAMBDA_PLATFORM} wheels" if package in PLATFORM_PACKAGES else "pure Python"
    return lambda_.LayerVersion(
        scope,
        f"{package.capitalize()}Layer",
        code=lambda_.Code.from_asset(str(build(package))),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description=f"{package} ({kind}), the locked version",
    )
