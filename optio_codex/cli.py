"""The ``optio-codex`` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from optio_codex._version import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="optio-codex", description=__doc__)
    parser.add_argument("--version", action="version", version=f"optio-codex {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="run codex app-server over SSH on this machine against a local model"
    )
    demo.add_argument("prompt", nargs="?", default="Say hello.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from optio_codex.demo import run_demo

        return asyncio.run(run_demo(args.prompt))
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
