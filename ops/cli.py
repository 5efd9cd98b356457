"""What every command shares: the target options and one way to fail (a message, exit 1)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from ops.target import LOCAL, OpsError, Target, resolve


def parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--stage", default=LOCAL, help="local (the default), dev or prod")
    parser.add_argument(
        "--url",
        default=None,
        help="the API's address: locally the local stack's (default http://127.0.0.1:$SIYU_PORT or :8000); "
        "in AWS, overrides the stack's ApiUrl output",
    )
    parser.add_argument("--region", default=None, help="AWS region of the stage (default: AWS_REGION)")
    return parser


def target_of(args: argparse.Namespace) -> Target:
    return resolve(args.stage, args.url or None, args.region or None)


def run(main: Callable[[], int]) -> None:
    """Run a command; an expected failure is one line on stderr and exit status 1."""
    try:
        code = main()
    except OpsError as error:
        print(f"error: {error}", file=sys.stderr)
        code = 1
    except (ClientError, BotoCoreError) as error:
        print(f"error: AWS refused: {error}", file=sys.stderr)
        code = 1
    sys.exit(code)
