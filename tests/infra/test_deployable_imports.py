"""Every deployed function imports from exactly what would be deployed: its code asset, its layers
and the runtime's boto3, nothing else.

Method. For each Python function of the session's synthesized templates (the global stage, plus
the functions only the China synths have), a fresh interpreter runs
with ``-I -S`` (no environment variables of Python's, no user or project site-packages: only the
standard library) and a ``sys.path`` of, in Lambda's order:

1. the staged code asset, the very directory CDK uploads for the function (``asset.<hash>``);
2. each of the function's layers, in the function's order: the staged layer holds wheels for
   Lambda (aarch64, CPython 3.13) whose compiled modules (pydantic-core, cryptography) cannot load
   on this x86_64 machine, so it stands in as its *twin*: the same distributions, read from the
   staged layer's ``*.dist-info`` (whose versions must be uv.lock's), installed at the same locked
   versions for this machine's platform by the same ``uv pip install`` (infra/layers.py). A
   package missing from the deployed layer is missing from its twin;
3. what the Lambda runtime provides: boto3 and its dependencies at the locked versions, installed
   the same way (never deployed).

The interpreter is the Lambda Python (3.13) when this machine has one, so the asset's bytecode is
the bytecode that loads; otherwise this machine's Python. Its environment is the function's
variables as the template declares them (references replaced by placeholders) plus a dummy region
and credentials, nothing else. It imports the handler module and checks the handler is callable;
the authorizer is also called without a token, and the platform function answers each of its
public GET routes (its OpenAPI document and docs page import Powertools on request, not at import).

A self-test proves the check fails for a handler that imports a package no layer ships, even one
installed in the project's environment.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from infra import layers
from infra.functions import CODE_DIRS, lambda_python
from local.gateway import LocalGateway
from services.platform.service import AUTHORIZER_HANDLER, STAFF_JWKS_PATH
from services.registry import SERVICES
from tests.infra.conftest import Synthesized, resources

PLATFORM = next(service for service in SERVICES if service.name == "platform")
DUMMY_AWS = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_LAMBDA_FUNCTION_NAME": "import-check",
}

# Runs in the isolated interpreter: import the handler, then make the given calls.
PROBE = textwrap.dedent(
    """
    import importlib, json, sys, types
    request = json.loads(sys.stdin.read())
    sys.path[:0] = request["path"]
    module_name, _, attribute = request["handler"].rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    assert callable(handler), request["handler"]
    context = types.SimpleNamespace(
        function_name="import-check", function_version="$LATEST", memory_limit_in_mb=512,
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:import-check",
        aws_request_id="import-check", log_group_name="import-check", log_stream_name="import-check",
        get_remaining_time_in_millis=lambda: 30000,
    )
    answers = [handler(event, context) for event in request["events"]]
    outside = sorted(
        name for name, module in sys.modules.items()
        if getattr(module, "__file__", None)
        and not module.__file__.startswith(tuple(request["path"]) + tuple(request["stdlib"]))
    )
    print(json.dumps({"answers": answers, "outside": outside}, default=str))
    """
)


@dataclass(frozen=True)
class DeployedFunction:
    logical_id: str
    handler: str
    asset: Path
    layers: tuple[Path, ...]  # staged layer directories, in the function's order
    environment: dict[str, str]


@cache
def interpreter() -> tuple[str, str]:
    """The Python that imports (and its version): Lambda's version if this machine has it."""
    found = lambda_python()
    if found is not None:
        return found.executable, layers.LAMBDA_PYTHON
    return sys.executable, f"{sys.version_info[0]}.{sys.version_info[1]}"


@cache
def stdlib_paths() -> tuple[str, ...]:
    executable, _ = interpreter()
    listed = subprocess.run(
        [executable, "-I", "-S", "-c", "import json, sys; print(json.dumps(sys.path))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return tuple(path for path in json.loads(listed.stdout) if path)


def placeholder(name: str, value: Any) -> str:
    """A template value as the function would see it: a string, with references made up."""
    return value if isinstance(value, str) else f"placeholder-{name.lower()}"


def staged(outdir: Path, code: dict[str, Any]) -> Path:
    directory = outdir / f"asset.{code['S3Key'].removesuffix('.zip')}"
    assert directory.is_dir(), f"no staged asset for {code}"
    return directory


def deployed_functions(synthesized: Synthesized) -> list[DeployedFunction]:
    found = []
    for template in synthesized.templates.values():
        layer_content = {
            logical_id: layer["Properties"]["Content"]
            for logical_id, layer in resources(template, "AWS::Lambda::LayerVersion")
        }
        for logical_id, function in resources(template, "AWS::Lambda::Function"):
            properties = function["Properties"]
            if not str(properties.get("Runtime", "")).startswith("python"):
                continue  # CDK's own helpers, if any
            if properties["Handler"].split(".", 1)[0] not in CODE_DIRS:
                continue  # CDK's BucketDeployment (its index.handler is CDK's code, run with its AWS CLI layer)
            layer_refs = [layer["Ref"] for layer in properties.get("Layers", [])]
            variables = properties.get("Environment", {}).get("Variables", {})
            found.append(
                DeployedFunction(
                    logical_id=logical_id,
                    handler=properties["Handler"],
                    asset=staged(synthesized.outdir, properties["Code"]),
                    layers=tuple(staged(synthesized.outdir, layer_content[ref]) for ref in layer_refs),
                    environment={name: placeholder(name, value) for name, value in variables.items()},
                )
            )
    return found


def locked_versions() -> dict[str, str]:
    return {
        layers.normalized(line.split("==", 1)[0]): line.split("==", 1)[1].split(" ", 1)[0]
        for line in layers._exported_requirements().splitlines()
        if "==" in line and not line.startswith(" ")
    }


def staged_distributions(layer_dir: Path) -> dict[str, str]:
    """The distributions a staged layer holds: name -> version, from its ``*.dist-info``."""
    found = {}
    for dist_info in (layer_dir / "python").glob("*.dist-info"):
        name, version = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)
        found[layers.normalized(name)] = version
    return found


def package_layers(function: DeployedFunction) -> list[Path]:
    """The function's layers of packages (``python/``), not of files (the posters' font)."""
    return [layer for layer in function.layers if (layer / "python").is_dir()]


def twin(layer_dir: Path) -> Path:
    """This machine's twin of a staged layer: its distributions at the locked versions."""
    held = staged_distributions(layer_dir)
    assert held, f"{layer_dir} holds no distribution"
    locked = locked_versions()
    assert {name: locked.get(name) for name in held} == held, f"{layer_dir} is not at uv.lock's versions"
    name = "layer-" + hashlib.sha256(",".join(sorted(held)).encode()).hexdigest()[:12]
    target = layers.Target.host(interpreter()[1])
    return layers.install(name, frozenset(held), target, None) / "python"


def run_probe(
    asset: Path, layer_paths: list[Path], handler: str, environment: dict[str, str], events: list[Any]
) -> Any:
    executable, version = interpreter()
    runtime = layers.build_runtime(layers.Target.host(version)) / "python"  # built before the threads start
    request = {
        "path": [str(asset), *map(str, layer_paths), str(runtime)],
        "stdlib": list(stdlib_paths()),
        "handler": handler,
        "events": events,
    }
    done = subprocess.run(
        [executable, "-I", "-S", "-B", "-c", PROBE],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env={**environment, **DUMMY_AWS},
        cwd=asset,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise ImportError(f"{handler} does not run from its deployable artefacts:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["log"] = done.stderr  # the function's own log lines (a 5xx is logged with its exception)
    return result


def events_for(function: DeployedFunction) -> list[dict[str, Any]]:
    if function.handler == AUTHORIZER_HANDLER:
        return [{"version": "2.0", "type": "REQUEST", "routeKey": "GET /v1/health", "headers": {}}]
    if function.handler == PLATFORM.api_handler:
        return [
            LocalGateway._event("GET", route.path, "", {}, b"", route, {}, "127.0.0.1")
            for route in PLATFORM.routes
            # The staff JWKS reads the signing seeds from Secrets Manager (every stage has them
            # now): no AWS here, so it would answer 500 for want of a network, not of a package.
            if route.method == "GET"
            and route.access == "public"
            and not route.local_only
            and route.path != STAFF_JWKS_PATH
        ]
    return []


@pytest.fixture(scope="module")
def functions(synthesized: Synthesized, china: dict[str, Synthesized]) -> list[DeployedFunction]:
    """The global synth's functions, and those only a China synth has (configured alarm subscribers)."""
    found = deployed_functions(synthesized)
    assert len(found) > 10
    handlers = {f.handler for f in found}
    for region_synth in china.values():
        extra = [f for f in deployed_functions(region_synth) if f.handler not in handlers]
        handlers |= {f.handler for f in extra}
        found.extend(extra)
    return found


def test_every_function_imports_from_its_asset_layers_and_the_runtime_alone(
    functions: list[DeployedFunction],
) -> None:
    twins = {layer: twin(layer) for layer in {layer for f in functions for layer in package_layers(f)}}
    layers.build_runtime(layers.Target.host(interpreter()[1]))  # once, before the checks run in threads

    def check(function: DeployedFunction) -> tuple[str, str | None]:
        try:
            result = run_probe(
                function.asset,
                [twins[layer] for layer in package_layers(function)],
                function.handler,
                function.environment,
                events_for(function),
            )
        except ImportError as error:
            return function.logical_id, str(error)
        if result["outside"]:
            return function.logical_id, f"modules from elsewhere: {result['outside']}"
        failed = [answer for answer in result["answers"] if answer.get("statusCode", 200) >= 500]
        if failed:
            return function.logical_id, f"answered {[a['body'] for a in failed]}; its log ends: {result['log'][-1500:]}"
        return function.logical_id, None

    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = {logical_id: problem for logical_id, problem in pool.map(check, functions) if problem}
    assert problems == {}


def test_the_platform_function_serves_its_documents_from_its_layers(functions: list[DeployedFunction]) -> None:
    """The OpenAPI document and docs page import Powertools on request: the check calls them."""
    (platform_api,) = [f for f in functions if f.handler == PLATFORM.api_handler]
    assert {e["rawPath"] for e in events_for(platform_api)} >= {"/v1/openapi.json", "/v1/docs"}


def test_a_handler_importing_a_package_no_layer_ships_fails_the_check(
    functions: list[DeployedFunction], tmp_path: Path
) -> None:
    """The check is not satisfied by the project's environment: pytest and segno are installed
    here, but a function without them in its asset or layers cannot import them."""
    authorizer = next(f for f in functions if f.handler == AUTHORIZER_HANDLER)
    layer_paths = [twin(layer) for layer in package_layers(authorizer)]
    (tmp_path / "fake_handler.py").write_text("import pytest\n\ndef handler(event, context):\n    return {}\n")
    with pytest.raises(ImportError, match="No module named 'pytest'"):
        run_probe(tmp_path, layer_paths, "fake_handler.handler", {}, [])
    assert not any((layer / "segno").exists() for layer in layer_paths)
    (tmp_path / "qr_handler.py").write_text("def handler(event, context):\n    import segno\n    return {}\n")
    with pytest.raises(ImportError, match="No module named 'segno'"):
        run_probe(tmp_path, layer_paths, "qr_handler.handler", {}, [{}])
    # ...while the runtime's boto3 is there, as on Lambda.
    (tmp_path / "aws_handler.py").write_text("import boto3\n\ndef handler(event, context):\n    return {}\n")
    assert run_probe(tmp_path, layer_paths, "aws_handler.handler", {}, [{}])["answers"] == [{}]


def test_no_layer_ships_what_the_runtime_provides(functions: list[DeployedFunction]) -> None:
    provided = layers.runtime_provided()
    for layer in {layer for f in functions for layer in package_layers(f)}:
        assert not set(staged_distributions(layer)) & provided, layer
        assert not re.search(r"boto3|botocore", " ".join(p.name for p in (layer / "python").iterdir())), layer


def test_the_campaigns_api_draws_a_poster_from_its_asset_its_layers_and_its_font_layer(
    functions: list[DeployedFunction], tmp_path: Path
) -> None:
    """Pillow from its layer, the CJK font from the font layer (mounted at /opt on Lambda; here
    named by SIYU_POSTER_FONT at the staged copy), the poster code from the asset."""
    from services.campaigns import fonts

    (api,) = [f for f in functions if f.handler == "services.campaigns.handlers.api.handler"]
    [font] = [layer / fonts.LAYER_FOLDER / fonts.FONT_FILE for layer in api.layers if not (layer / "python").is_dir()]
    assert font.is_file()
    (tmp_path / "poster_probe.py").write_text(
        "def handler(event, context):\n"
        "    from services.campaigns.logic import posters\n"
        "    return {'png': posters.render('春季老带新', '张小明', 'https://m.siyu.dev/?s=x', None)[:8].hex()}\n"
    )
    layer_paths = [*(twin(layer) for layer in package_layers(api)), tmp_path]
    environment = {**api.environment, "SIYU_POSTER_FONT": str(font)}
    result = run_probe(api.asset, layer_paths, "poster_probe.handler", environment, [{}])
    assert result["answers"] == [{"png": b"\x89PNG\r\n\x1a\n".hex()}], result["log"][-1500:]
    assert not result["outside"]
