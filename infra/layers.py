"""The Lambda layers: every package a function imports beyond its code asset and the runtime's
boto3, built from uv.lock for Lambda's platform (arm64, Python 3.13) without Docker.

A layer is named by the package a function imports (``jwt``, ``segno``); it holds that package's
locked distribution and everything the lock says it depends on for Lambda's platform, minus what
the runtime provides (boto3 and its dependencies) and what the base layer already holds (every
function gets ``pydantic``). Each is installed with
``uv pip install --python-platform aarch64-manylinux_2_28 --python-version 3.13 --only-binary :all:``
pinned to uv.lock's versions and wheel hashes, then compiled to unchecked-hash bytecode by a local
Python 3.13 when there is one (as the code asset is: /opt is read-only, so a layer without its
``.pyc`` is compiled again at every cold start). The result is kept in build/layers and reused
while the lock says the same; uv tries its own cache (``--offline``) before the registry, so a
machine fetches the wheels once, then synth runs offline.

The same build for another platform (``Target.host``) gives the twin of a layer that this machine
can import: tests/infra/test_deployable_imports.py imports every handler from the asset and its
layers' twins alone.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from packaging.markers import Marker

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "layers"

# Lambda's python3.13 runtime on arm64 runs Amazon Linux 2023 (glibc 2.34): manylinux_2_28 wheels run there.
LAMBDA_PLATFORM = "aarch64-manylinux_2_28"
LAMBDA_PYTHON = "3.13"

# Layer name (the package a function imports) -> the locked distributions it is built from.
LAYERS: dict[str, tuple[str, ...]] = {
    "pydantic": ("pydantic",),  # every function: models, events, settings of the API
    "jwt": ("pyjwt",),  # signs and verifies tokens (HS256 needs nothing else)
    "cryptography": ("cryptography",),  # RS256/ES256 for PyJWT (its Rust bindings load cffi's backend)
    "segno": ("segno",),  # QR codes of channel codes
    "aws_lambda_powertools": ("aws-lambda-powertools",),  # the OpenAPI document and docs page, built on request
    "pillow": ("pillow",),  # referral posters (services/campaigns/logic/posters.py)
}
# A layer of files, not packages: the referral posters' CJK font, copied from web/node_modules.
FONT_LAYER = "poster_font"
BASE_LAYERS = ("pydantic",)
# The Lambda runtime ships boto3 (and with it botocore, s3transfer, jmespath, urllib3, ...): never shipped.
RUNTIME_PROVIDED = ("boto3",)


@dataclass(frozen=True)
class Target:
    """The platform a layer is built for."""

    platform: str  # uv's --python-platform
    python: str  # "3.13"

    @classmethod
    def host(cls, python: str | None = None) -> Target:
        """This machine (for import checks), for the given Python version (default: this one)."""
        return cls(f"{platform.machine()}-manylinux_2_28", python or f"{sys.version_info[0]}.{sys.version_info[1]}")

    @property
    def directory(self) -> Path:
        return BUILD if self == LAMBDA else BUILD / "twins" / f"{self.platform}-py{self.python}"

    def marker_environment(self) -> dict[str, str]:
        return {
            "python_version": self.python,
            "python_full_version": f"{self.python}.0",
            "platform_machine": self.platform.split("-", 1)[0],
            "sys_platform": "linux",
            "platform_system": "Linux",
            "os_name": "posix",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
        }


LAMBDA = Target(LAMBDA_PLATFORM, LAMBDA_PYTHON)


class BytecodeCompiler(Protocol):
    """A Python of the target's version (infra.functions.LambdaPython)."""

    @property
    def executable(self) -> str: ...

    @property
    def magic(self) -> str: ...  # importlib.util.MAGIC_NUMBER in hex


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def _lock_dependencies() -> dict[str, tuple[tuple[str, str | None], ...]]:
    """Each locked distribution's dependencies (name, marker), from uv.lock."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    found: dict[str, list[tuple[str, str | None]]] = {}
    for package in lock["package"]:
        entries = found.setdefault(normalized(package["name"]), [])
        entries.extend((normalized(d["name"]), d.get("marker")) for d in package.get("dependencies", []))
    return {name: tuple(entries) for name, entries in found.items()}


def closure(roots: tuple[str, ...], target: Target = LAMBDA) -> frozenset[str]:
    """The distributions ``roots`` need on ``target``, by uv.lock (markers evaluated for it)."""
    dependencies = _lock_dependencies()
    environment = target.marker_environment()
    found: set[str] = set()
    pending = [normalized(root) for root in roots]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        if name not in dependencies:
            raise RuntimeError(f"{name} is not in uv.lock")
        found.add(name)
        pending.extend(
            dep for dep, marker in dependencies[name] if marker is None or Marker(marker).evaluate(environment)
        )
    return frozenset(found)


def runtime_provided(target: Target = LAMBDA) -> frozenset[str]:
    return closure(RUNTIME_PROVIDED, target)


def distributions(name: str, target: Target = LAMBDA) -> frozenset[str]:
    """What the layer ``name`` holds: its packages' closure minus the runtime's and the base layers'."""
    if name not in LAYERS:
        raise KeyError(f"no layer {name!r} in infra/layers.py (known: {', '.join(sorted(LAYERS))})")
    held = closure(LAYERS[name], target) - runtime_provided(target)
    if name not in BASE_LAYERS:
        held -= frozenset().union(*(closure(LAYERS[base], target) for base in BASE_LAYERS))
    return held


def locked_requirements(wanted: frozenset[str] | tuple[str, ...]) -> str:
    """The distributions' entries in uv.lock (version and every wheel's hash), as a requirements file."""
    exported = _exported_requirements()
    names = {normalized(name) for name in wanted}
    entries: list[str] = []
    keep = False
    for line in exported.splitlines():
        if not line.startswith((" ", "\t")):
            keep = normalized(line.split("==", 1)[0].strip()) in names
        if keep:
            entries.append(line)
    found = {normalized(line.split("==", 1)[0]) for line in entries if not line.startswith(" ")}
    if found != names:
        raise RuntimeError(f"not in uv.lock's runtime dependencies: {', '.join(sorted(names - found))}")
    return "\n".join(entries) + "\n"


@cache
def _exported_requirements() -> str:
    return subprocess.run(  # noqa: S603
        [uv_executable(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header", "--no-annotate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def build(name: str, target: Target = LAMBDA, compiler: BytecodeCompiler | None = None) -> Path:
    """The layer's directory (with ``python/`` inside), built if missing or out of date.

    ``compiler``: a Python of ``target``'s version that compiles the layer's bytecode."""
    return install(name, distributions(name, target), target, compiler)


def build_runtime(target: Target) -> Path:
    """What the Lambda runtime provides (boto3 and its dependencies) at the locked versions, for
    ``target``: the stand-in for /var/runtime in import checks. Never deployed."""
    return install("runtime", runtime_provided(target), target, None)


# One build at a time: callers that check several functions in threads must not build the same
# directory twice at once (one would delete what the other is writing).
_BUILDING = threading.Lock()


def install(name: str, wanted: frozenset[str], target: Target, compiler: BytecodeCompiler | None) -> Path:
    with _BUILDING:
        return _install(name, wanted, target, compiler)


def _install(name: str, wanted: frozenset[str], target: Target, compiler: BytecodeCompiler | None) -> Path:
    requirements = locked_requirements(wanted)
    layer_dir = target.directory / name
    stamp = target.directory / f"{name}.requirements.txt"  # outside the layer, so it is not part of the asset
    # The bytecode's format, not the interpreter's path: the stamp is the asset's hash on every machine.
    compiled = f"unchecked-hash bytecode {compiler.magic}" if compiler else "no bytecode"
    wanted_stamp = f"# {target.platform}, Python {target.python}, {compiled}\n{requirements}"
    if stamp.is_file() and stamp.read_text() == wanted_stamp and (layer_dir / "python").is_dir():
        return layer_dir
    stamp.unlink(missing_ok=True)
    shutil.rmtree(layer_dir, ignore_errors=True)
    target.directory.mkdir(parents=True, exist_ok=True)
    pending = target.directory / f"{name}.pending.txt"
    pending.write_text(requirements)
    command = [
        uv_executable(),
        "pip",
        "install",
        "--quiet",
        "--no-deps",  # the closure is computed from uv.lock above, exactly
        "--require-hashes",
        "--no-compile",
        "--only-binary",
        ":all:",
        "--python-platform",
        target.platform,
        "--python-version",
        target.python,
        "--target",
        str(layer_dir / "python"),
        "--requirement",
        str(pending),
    ]
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    cached = subprocess.run([*command, "--offline"], capture_output=True, text=True, check=False, env=environment)  # noqa: S603
    if cached.returncode != 0:
        fetched = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)  # noqa: S603
        if fetched.returncode != 0:
            raise RuntimeError(f"cannot install {name} for {target.platform}: {fetched.stderr.strip()}")
    # Console scripts (their shebang names this machine's Python) and uv's lock file are not code to ship.
    shutil.rmtree(layer_dir / "python" / "bin", ignore_errors=True)
    (layer_dir / "python" / ".lock").unlink(missing_ok=True)
    if compiler:
        compile_bytecode(layer_dir / "python", compiler.executable)
    pending.unlink()
    stamp.write_text(wanted_stamp)
    return layer_dir


def compile_bytecode(directory: Path, python: str) -> None:
    """Unchecked-hash ``.pyc`` next to every source, naming the paths Lambda extracts them to."""
    compiled = subprocess.run(  # noqa: S603
        [python, "-I", "-m", "compileall", "-q", "-d", "/opt/python", "--invalidation-mode", "unchecked-hash", "."],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    # compileall exits 1 for a file it cannot compile (some packages ship Python 2 examples); that file
    # then ships as source. Any other failure is an error.
    if compiled.returncode not in (0, 1):
        raise RuntimeError(f"cannot compile {directory}: {(compiled.stdout + compiled.stderr).strip()}")


def uv_executable() -> str:
    """The uv that runs this synth (``uv run`` sets UV), else the project's own, else one on PATH."""
    for candidate in (os.environ.get("UV"), str(ROOT / ".tools" / "bin" / "uv"), shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeError("uv is needed to package dependencies for Lambda: run make install")


def layer_id(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) + "Layer"


def layer(scope: Construct, name: str, compiler: BytecodeCompiler | None = None) -> lambda_.LayerVersion:
    held = sorted(distributions(name))
    directory = build(name, LAMBDA, compiler)
    stamp = (LAMBDA.directory / f"{name}.requirements.txt").read_bytes()
    return lambda_.LayerVersion(
        scope,
        layer_id(name),
        # The hash of what was asked for (locked wheels, platform, bytecode format), not of the built
        # bytes: bytecode is not reproducible, and an unchanged lock must not redeploy the layer.
        code=lambda_.Code.from_asset(str(directory), asset_hash=hashlib.sha256(stamp).hexdigest()),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description=f"{name} for {LAMBDA_PLATFORM}, Python {LAMBDA_PYTHON}, from uv.lock: {', '.join(held)}"[:256],
    )


def font_layer(scope: Construct) -> lambda_.LayerVersion:
    """The posters' font under /opt/fonts (services/campaigns/fonts.py), hashed by its bytes."""
    from services.campaigns import fonts

    if not fonts.INSTALLED.is_file():
        raise RuntimeError(f"{fonts.INSTALLED} is missing: the posters' font comes with the frontends (make web)")
    directory = BUILD / FONT_LAYER
    target = directory / fonts.LAYER_FOLDER / fonts.FONT_FILE
    data = fonts.INSTALLED.read_bytes()
    if not target.is_file() or target.read_bytes() != data:
        shutil.rmtree(directory, ignore_errors=True)
        target.parent.mkdir(parents=True)
        shutil.copyfile(fonts.INSTALLED, target)
    return lambda_.LayerVersion(
        scope,
        layer_id(FONT_LAYER),
        code=lambda_.Code.from_asset(str(directory), asset_hash=hashlib.sha256(data).hexdigest()),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description=f"{fonts.FONT_FILE} (Source Han Sans, SIL OFL) for the referral posters",
    )
