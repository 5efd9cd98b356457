"""Lambda functions as Siyu deploys them: python3.13 on arm64 with layers built from uv.lock, the
project's code as one asset, one IAM role and log group each.

The code asset is services/ and shared/, with bytecode for the runtime's Python compiled at synth
time: Lambda's /var/task is read-only, so a module shipped without its ``.pyc`` is compiled again
on every cold start (7-39 ms per function measured). The bytecode is built by CDK local bundling
with a Python 3.13 found on this machine (no Docker); without one, the sources ship alone and synth
says so once.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagSuppressions
from constructs import Construct, IConstruct

from infra.config import RUNTIME_ENVIRONMENT, StageConfig
from infra.layers import BASE_LAYERS, FONT_LAYER, LAMBDA_PYTHON, ROOT, font_layer, layer, uv_executable

# What the code asset holds: these top-level folders, minus the local stack, caches and dotfiles.
CODE_DIRS = ("services", "shared")
SKIPPED_DIRS = frozenset({"local", "__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
# Bytecode whose source hash is never checked: Lambda's zip timestamps would make timestamp-based
# .pyc stale (and recompiled on every cold start), and a deployed tree's sources never change.
INVALIDATION_MODE = "unchecked-hash"
LAMBDA_CACHE_TAG = "cpython-" + LAMBDA_PYTHON.replace(".", "")
# Bump when the asset's layout changes without its sources changing, so the asset hash moves too.
ASSET_FORMAT = "siyu-code-asset/1"


@dataclass(frozen=True)
class LambdaPython:
    """An interpreter of the runtime's Python version, to compile bytecode Lambda will load."""

    executable: str
    magic: str  # importlib.util.MAGIC_NUMBER in hex: bytecode is only loaded by a Python with the same one


def code_files() -> list[Path]:
    """The files the code asset ships, relative to the repository root, in a stable order."""
    found: list[Path] = []
    for top in CODE_DIRS:
        for directory, subdirs, files in os.walk(ROOT / top):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS and not d.startswith("."))
            found.extend(
                Path(directory, name).relative_to(ROOT)
                for name in sorted(files)
                if not name.startswith(".") and not name.endswith(SKIPPED_SUFFIXES)
            )
    return found


def probe(executable: str) -> LambdaPython | None:
    """The interpreter, if it runs and is the runtime's Python (a pyenv shim for a version that is
    installed but not selected exits with an error, so existing on PATH is not enough)."""
    try:
        answer = subprocess.run(  # noqa: S603
            [
                executable,
                "-I",
                "-c",
                "import importlib.util, sys; print(sys.implementation.cache_tag, importlib.util.MAGIC_NUMBER.hex())",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = answer.stdout.split()
    if answer.returncode != 0 or len(words) != 2 or words[0] != LAMBDA_CACHE_TAG:
        return None
    return LambdaPython(executable, words[1])


def python_candidates() -> list[str]:
    """Where a Python 3.13 may be, cheapest first; nothing is downloaded or installed."""
    candidates = [os.environ.get("SIYU_LAMBDA_PYTHON", "")]
    if sys.implementation.cache_tag == LAMBDA_CACHE_TAG:
        candidates.append(sys.executable)
    # pyenv's installed versions before PATH: its shim for a version not selected only fails, slowly.
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    installed = glob.glob(os.path.join(pyenv_root, "versions", f"{LAMBDA_PYTHON}.*", "bin", f"python{LAMBDA_PYTHON}"))
    candidates.extend(sorted(installed, key=patch_level, reverse=True))
    candidates.append(shutil.which(f"python{LAMBDA_PYTHON}") or "")
    return [c for c in candidates if c]


def patch_level(executable: str) -> tuple[int, ...]:
    version = Path(executable).parent.parent.name.removeprefix(f"{LAMBDA_PYTHON}.")
    return tuple(int(part) for part in version.split(".") if part.isdigit()) or (-1,)


def uv_python() -> str:
    """uv's own answer (its managed Pythons, and any on PATH), never downloading one."""
    try:
        found = subprocess.run(  # noqa: S603
            [uv_executable(), "python", "find", "--no-project", LAMBDA_PYTHON],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        )
    except (OSError, RuntimeError, subprocess.TimeoutExpired):
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""


@functools.cache
def lambda_python() -> LambdaPython | None:
    """The first Python 3.13 this machine has, or None (with one warning) if it has none."""
    for candidate in python_candidates():
        if found := probe(candidate):
            return found
    if (candidate := uv_python()) and (found := probe(candidate)):
        return found
    print(
        f"warning: no Python {LAMBDA_PYTHON} found (tried SIYU_LAMBDA_PYTHON, python{LAMBDA_PYTHON} on PATH, "
        f"pyenv, uv): the Lambda code asset ships without bytecode, so every cold start compiles the "
        f"modules it imports. Install Python {LAMBDA_PYTHON} (e.g. uv python install {LAMBDA_PYTHON}) "
        "and synthesize again.",
        file=sys.stderr,
    )
    return None


def code_asset_hash(files: list[Path], python: LambdaPython | None) -> str:
    """The asset's identity: its sources and the bytecode format, not the bytecode's bytes (marshal
    output is not guaranteed reproducible), so an unchanged tree keeps its hash and no function is
    redeployed for it."""
    digest = hashlib.sha256(ASSET_FORMAT.encode())
    bytecode = f"{LAMBDA_CACHE_TAG} {python.magic} {INVALIDATION_MODE}" if python else "no bytecode"
    digest.update(f"\0{bytecode}\0".encode())
    for path in files:
        digest.update(f"{path.as_posix()}\0".encode())
        digest.update(hashlib.sha256((ROOT / path).read_bytes()).digest())
    return digest.hexdigest()


@jsii.implements(cdk.ILocalBundling)
class CodeBundling:
    """Copies the code asset's files into CDK's output directory and compiles them there."""

    def __init__(self, files: list[Path], python: LambdaPython | None) -> None:
        self.files = files
        self.python = python

    def try_bundle(self, output_dir: str, *, image: cdk.DockerImage, **_options: Any) -> bool:
        output = Path(output_dir)
        for path in self.files:
            (output / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / path, output / path)
        if self.python:
            # Relative paths and -I (no PYTHONPYCACHEPREFIX or PYTHONOPTIMIZE from this shell): the .pyc
            # land next to their sources at the level Lambda runs, naming no path of this machine.
            compiled = subprocess.run(  # noqa: S603
                [
                    self.python.executable,
                    "-I",
                    "-m",
                    "compileall",
                    "-q",
                    "--invalidation-mode",
                    INVALIDATION_MODE,
                    *CODE_DIRS,
                ],
                cwd=output,
                capture_output=True,
                text=True,
                check=False,
            )
            if compiled.returncode != 0:
                raise RuntimeError(f"cannot compile the Lambda code: {(compiled.stdout + compiled.stderr).strip()}")
        # True even without bytecode: CDK would otherwise fall back to Docker bundling.
        return True


@dataclass(frozen=True)
class CodeSnapshot:
    """The code asset's files and identity, taken once per app: every stack of a stage deploys
    the same sources, even if a file changes while the app is being built."""

    files: list[Path]
    python: LambdaPython | None
    asset_hash: str

    @classmethod
    def take(cls) -> CodeSnapshot:
        files = code_files()
        python = lambda_python()
        return cls(files, python, code_asset_hash(files, python))


_SNAPSHOTS: weakref.WeakKeyDictionary[IConstruct, CodeSnapshot] = weakref.WeakKeyDictionary()  # app -> snapshot


def code_asset(snapshot: CodeSnapshot | None = None) -> lambda_.AssetCode:
    """The code asset (one per stack: CDK binds an asset to one stack), from ``snapshot``."""
    snapshot = snapshot or CodeSnapshot.take()
    return lambda_.Code.from_asset(
        str(ROOT),
        asset_hash=snapshot.asset_hash,
        bundling=cdk.BundlingOptions(
            # Never pulled: local bundling always succeeds, but CDK requires an image.
            image=lambda_.Runtime.PYTHON_3_13.bundling_image,
            local=CodeBundling(snapshot.files, snapshot.python),
            output_type=cdk.BundlingOutput.NOT_ARCHIVED,
        ),
    )


class Runtime(Construct):
    """What the functions of one stack share: the code asset, the layers and the stage's settings.

    Every function gets the base layers (pydantic) and the layers it asks for; nothing comes from
    a layer published by another account (see infra/layers.py)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self._package_layers: dict[str, lambda_.ILayerVersion] = {}

    @functools.cached_property
    def code(self) -> lambda_.AssetCode:
        """Built with the first function, so a Runtime used only for its layers bundles nothing."""
        app = self.node.root
        if app not in _SNAPSHOTS:
            _SNAPSHOTS[app] = CodeSnapshot.take()
        return code_asset(_SNAPSHOTS[app])

    def package_layer(self, package: str) -> lambda_.ILayerVersion:
        """One layer per package (see infra/layers.py), shared by the stack's functions that need it."""
        if package not in self._package_layers:
            made = font_layer(self) if package == FONT_LAYER else layer(self, package, lambda_python())
            self._package_layers[package] = made
        return self._package_layers[package]

    def layers_for(self, packages: tuple[str, ...]) -> list[lambda_.ILayerVersion]:
        wanted = [*BASE_LAYERS, *(p for p in packages if p not in BASE_LAYERS)]
        return [self.package_layer(package) for package in dict.fromkeys(wanted)]

    def function(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        service: str,
        environment: dict[str, str],
        timeout_seconds: int = 10,
        memory_mb: int = 512,
        packages: tuple[str, ...] = (),
    ) -> lambda_.Function:
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{service}: {construct_id} only",
        )
        log_group = logs.LogGroup(
            scope,
            f"{construct_id}Logs",
            retention=logs.RetentionDays.THREE_MONTHS if self.config.production else logs.RetentionDays.TWO_WEEKS,
            removal_policy=cdk.RemovalPolicy.RETAIN if self.config.production else cdk.RemovalPolicy.DESTROY,
        )
        function = lambda_.Function(
            scope,
            construct_id,
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=self.code,
            layers=self.layers_for(packages),
            role=role,
            log_group=log_group,
            timeout=cdk.Duration.seconds(timeout_seconds),
            memory_size=memory_mb,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                "SIYU_STAGE": self.config.stage,
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_METRICS_NAMESPACE": "Siyu",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **RUNTIME_ENVIRONMENT,
                **environment,
            },
        )
        log_group.grant_write(role)
        NagSuppressions.add_resource_suppressions(
            role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "X-Ray's PutTraceSegments/PutTelemetryRecords accept no resource but '*'; "
                    "log stream names are created by Lambda at run time under the function's own group.",
                    "appliesTo": ["Resource::*", {"regex": "/^Resource::<.*Logs.*\\.Arn>:\\*$/g"}],
                }
            ],
            apply_to_children=True,
        )
        return function
