"""Layers for the few pure-Python packages a function needs beyond the Powertools layer.

The package is copied from the project's own environment (installed by ``uv sync`` from the
locked version), so synth needs no network and no Docker. Only pure-Python packages qualify: they
run unchanged on Lambda's arm64 runtime; a compiled one is refused here rather than failing there.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.functions import ROOT

BUILD = ROOT / "build" / "layers"
COMPILED = (".so", ".pyd", ".dylib")


def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not installed: run uv sync")
    return Path(next(iter(spec.submodule_search_locations)))


def build(package: str) -> Path:
    source = package_dir(package)
    compiled = [p for p in source.rglob("*") if p.suffix in COMPILED]
    if compiled:
        raise RuntimeError(f"{package} is not pure Python ({compiled[0].name}); package it for arm64 instead")
    target = BUILD / package / "python" / package
    shutil.rmtree(target.parent.parent, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target.parent.parent


def layer(scope: Construct, package: str) -> lambda_.LayerVersion:
    return lambda_.LayerVersion(
        scope,
        f"{package.capitalize()}Layer",
        code=lambda_.Code.from_asset(str(build(package))),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description=f"{package} (pure Python), copied from the locked environment",
    )
