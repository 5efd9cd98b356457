"""Layers: every package a function needs beyond its code and the runtime's boto3, built from
uv.lock for Lambda's arm64 python3.13 runtime without Docker, and no layer from another account."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

from infra import layers
from infra.config import StageConfig
from infra.functions import Runtime, lambda_python
from tests.infra.conftest import resources

ELF_AARCH64 = b"\x7fELF\x02\x01\x01"  # 64-bit little-endian ELF; e_machine checked below
EM_AARCH64 = 183


def is_aarch64_elf(data: bytes) -> bool:
    return data.startswith(ELF_AARCH64) and int.from_bytes(data[18:20], "little") == EM_AARCH64


def dist_versions(python_dir: Any) -> dict[str, str]:
    found = {}
    for dist_info in python_dir.glob("*.dist-info"):
        name, version = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)
        found[layers.normalized(name)] = version
    return found


def test_each_layer_holds_its_packages_closure_from_the_lock_minus_the_runtime_and_base() -> None:
    assert layers.distributions("pydantic") == {
        "pydantic",
        "pydantic-core",
        "typing-extensions",
        "annotated-types",
        "typing-inspection",
    }
    assert layers.distributions("jwt") == {"pyjwt"}
    assert layers.distributions("cryptography") == {"cryptography", "cffi", "pycparser"}
    assert layers.distributions("segno") == {"segno"}
    # Powertools' own dependencies are typing-extensions (in the base layer) and jmespath (the runtime's).
    assert layers.distributions("aws_lambda_powertools") == {"aws-lambda-powertools"}
    assert {"boto3", "botocore", "jmespath", "s3transfer", "urllib3"} <= layers.runtime_provided()


def test_markers_are_evaluated_for_the_target() -> None:
    """boto3-stubs needs typing-extensions only before Python 3.12 (uv.lock's marker)."""
    assert "typing-extensions" not in layers.closure(("boto3-stubs",))
    assert "typing-extensions" in layers.closure(("boto3-stubs",), layers.Target("x86_64-manylinux_2_28", "3.11"))


def test_compiled_layers_hold_aarch64_wheels_at_the_locked_versions() -> None:
    locked = layers.locked_requirements(layers.distributions("pydantic") | layers.distributions("cryptography"))
    for name, binaries in (
        (
            "cryptography",
            ("cryptography/hazmat/bindings/_rust.abi3.so", "_cffi_backend.cpython-313-aarch64-linux-gnu.so"),
        ),
        ("pydantic", ("pydantic_core/_pydantic_core.cpython-313-aarch64-linux-gnu.so",)),
    ):
        python = layers.build(name, compiler=lambda_python()) / "python"
        for binary in binaries:
            assert is_aarch64_elf((python / binary).read_bytes()[:20]), binary
        versions = dist_versions(python)
        assert set(versions) == layers.distributions(name)
        for dist, version in versions.items():
            assert f"{dist}=={version}" in locked.replace("_", "-"), dist
        # Nothing that names this machine: no console scripts, no uv lock file, no dotfile.
        assert not (python / "bin").exists()
        assert not list(python.rglob(".*")), name


def test_layers_ship_bytecode_lambda_loads_without_checking() -> None:
    python = lambda_python()
    if python is None:
        pytest.skip("no Python 3.13 on this machine: layers ship sources only")
    pyc = layers.build("jwt", compiler=python) / "python" / "jwt" / "__pycache__" / "api_jwt.cpython-313.pyc"
    header = pyc.read_bytes()[:16]
    assert header[:4].hex() == python.magic
    assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, unchecked


def test_a_built_layer_is_reused_without_uv(monkeypatch: pytest.MonkeyPatch) -> None:
    compiler = lambda_python()
    layers.build("cryptography", compiler=compiler)
    calls: list[Any] = []
    real_run = subprocess.run

    def run(command: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(command)
        if "install" in command:
            raise AssertionError("the layer was rebuilt")
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    assert (layers.build("cryptography", compiler=compiler) / "python" / "cryptography").is_dir()
    assert all("install" not in command for command in calls)


def test_an_unknown_layer_or_package_outside_the_lock_is_refused() -> None:
    with pytest.raises(KeyError, match="no layer 'yaml'"):
        layers.distributions("yaml")
    with pytest.raises(RuntimeError, match=r"not in uv\.lock's runtime dependencies: pytest"):
        layers.locked_requirements(frozenset({"pytest"}))  # a dev dependency is never deployed


def test_functions_get_the_base_layer_and_one_shared_layer_per_package() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Layers", env=cdk.Environment(region="ap-east-1"))
    runtime = Runtime(stack, "Runtime", config=StageConfig.for_stage("dev"))
    for name in ("Verifies", "AlsoVerifies"):
        runtime.function(
            stack, name, handler="x.handler", service="s", environment={}, packages=("jwt", "cryptography")
        )
    runtime.function(stack, "Signs", handler="x.handler", service="s", environment={}, packages=("jwt",))
    runtime.function(stack, "Reads", handler="x.handler", service="s", environment={})
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::Lambda::LayerVersion", 3)
    template.has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleArchitectures": ["arm64"], "CompatibleRuntimes": ["python3.13"]},
    )
    layer_counts = sorted(
        len(function["Properties"]["Layers"]) for function in template.find_resources("AWS::Lambda::Function").values()
    )
    assert layer_counts == [1, 2, 3, 3]  # pydantic plus the packages asked for


def test_no_function_uses_a_layer_from_another_account(template: dict[str, Any]) -> None:
    own = {logical_id for logical_id, _ in resources(template, "AWS::Lambda::LayerVersion")}
    functions = [f for _, f in resources(template, "AWS::Lambda::Function") if "Layers" in f["Properties"]]
    assert len(functions) > 10
    for function in functions:
        for layer in function["Properties"]["Layers"]:
            assert set(layer) == {"Ref"}, layer
            assert layer["Ref"] in own, layer
    assert "017000801446" not in json.dumps(template["Resources"])  # the account that publishes Powertools' layer


def test_infra_layers_does_not_import_infra_functions() -> None:
    """The two modules import one way only: functions uses layers."""
    probe = "import sys, infra.layers; print('infra.functions' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
