"""Package layers: what a function needs beyond the Powertools layer, built for Lambda's arm64
python3.13 runtime without Docker, at uv.lock's versions."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

from infra import layers
from infra.config import StageConfig
from infra.functions import Runtime

ELF_AARCH64 = b"\x7fELF\x02\x01\x01"  # 64-bit little-endian ELF; e_machine checked below
EM_AARCH64 = 183


def is_aarch64_elf(data: bytes) -> bool:
    return data.startswith(ELF_AARCH64) and int.from_bytes(data[18:20], "little") == EM_AARCH64


def test_cryptography_is_built_for_lambda_arm64_at_the_locked_versions() -> None:
    layer_dir = layers.build("cryptography")
    python = layer_dir / "python"
    rust = python / "cryptography" / "hazmat" / "bindings" / "_rust.abi3.so"
    cffi_backends = list(python.glob("_cffi_backend.cpython-313-aarch64-linux-gnu.so"))
    assert is_aarch64_elf(rust.read_bytes()[:20])
    assert len(cffi_backends) == 1
    assert is_aarch64_elf(cffi_backends[0].read_bytes()[:20])
    locked = layers.locked_requirements(("cryptography", "cffi"))
    for dist_info in ("cryptography", "cffi"):
        (found,) = python.glob(f"{dist_info}-*.dist-info")
        version = found.name.removeprefix(f"{dist_info}-").removesuffix(".dist-info")
        assert f"{dist_info}=={version}" in locked
    # Nothing that names this machine: no console scripts, no uv lock file.
    assert not (python / "bin").exists()
    assert not (python / ".lock").exists()


def test_a_built_platform_layer_is_reused_without_uv(monkeypatch: pytest.MonkeyPatch) -> None:
    layers.build("cryptography")
    calls: list[Any] = []
    real_run = subprocess.run

    def run(command: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(command)
        if "install" in command:
            raise AssertionError("the layer was rebuilt")
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    assert (layers.build("cryptography") / "python" / "cryptography").is_dir()
    assert all("install" not in command for command in calls)


def test_pyjwt_is_copied_as_pure_python() -> None:
    layer_dir = layers.build("jwt")
    assert (layer_dir / "python" / "jwt" / "api_jwt.py").is_file()
    assert not [p for p in layer_dir.rglob("*") if p.suffix in layers.COMPILED]


def test_a_compiled_package_not_declared_for_the_platform_is_refused() -> None:
    with pytest.raises(RuntimeError, match="not pure Python"):
        layers.build("pydantic_core")


def test_functions_get_one_shared_layer_per_package() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Layers", env=cdk.Environment(region="ap-east-1"))
    runtime = Runtime(stack, "Runtime", config=StageConfig.for_stage("dev", powertools_layer_version=1))
    for name in ("Verifies", "AlsoVerifies"):
        runtime.function(
            stack, name, handler="x.handler", service="s", environment={}, packages=("jwt", "cryptography")
        )
    runtime.function(stack, "Signs", handler="x.handler", service="s", environment={}, packages=("jwt",))
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::Lambda::LayerVersion", 2)
    template.has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleArchitectures": ["arm64"], "CompatibleRuntimes": ["python3.13"]},
    )
    layer_counts = sorted(
        len(function["Properties"]["Layers"]) for function in template.find_resources("AWS::Lambda::Function").values()
    )
    assert layer_counts == [2, 3, 3]  # Powertools plus the packages asked for


def test_infra_layers_does_not_import_infra_functions() -> None:
    """The two modules import one way only: functions uses layers."""
    probe = "import sys, infra.layers; print('infra.functions' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
