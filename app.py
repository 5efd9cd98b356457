"""The CDK app: one stack per stage, built from the service declarations.

Synthesizes offline with no AWS account (``make synth``): the environment is left unresolved and
nothing is looked up at synth time.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import aws_cdk as cdk

from infra.stack import SiyuStack, StageConfig
from shared.manifest import Service


def build_app(
    stage: str | None = None, outdir: str | None = None, services: tuple[Service, ...] | None = None
) -> cdk.App:
    context = json.loads((Path(__file__).parent / "cdk.json").read_text())["context"]
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or "cdk.out", context=context)
    chosen = stage or app.node.try_get_context("stage") or "dev"
    config = StageConfig.for_stage(chosen, int(app.node.try_get_context("powertools_layer_version")))
    SiyuStack(app, f"Siyu-{chosen}", config=config, services=services)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Synthesize Siyu's CloudFormation templates.")
    parser.add_argument("--stage", default=None, help="dev or prod (default: context 'stage')")
    args = parser.parse_args()
    build_app(args.stage).synth()


if __name__ == "__main__":
    main()
