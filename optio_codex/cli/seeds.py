"""``optio-codex seeds list | show NAME | delete NAME | verify NAME | login NAME``: an
operator's view of the stored codex logins (``{prefix}_codex_seeds``), and a new one by
ChatGPT device-code sign-in.

Seeds live in a MongoDB of your own (an embedded throwaway one would hold none): give
``--mongo-url`` or set ``OPTIO_CODEX_MONGO_URL`` (better: a URL with a password stays out of
the process list). Nothing secret is printed: who the login is (email, plan), its lineage
generation and refresh time, the lease and the quarantine reason; never a token.

Exit status as ``run``: 0 done (verify: alive); 1 verify found the login dead; 2 a setup or
connection problem (no MongoDB, unknown seed, a leased seed, the token server unreachable).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

MONGO_URL_ENV = "OPTIO_CODEX_MONGO_URL"
DEFAULT_DB = "optio_codex"
DEFAULT_PREFIX = "optio"  # optio's own default namespace

Action = Callable[[Any, argparse.Namespace, TextIO], Coroutine[Any, Any, int]]


def add_seeds_parser(commands: Any) -> None:
    seeds = commands.add_parser(
        "seeds", help="list, show, delete and verify stored codex logins (seeds)"
    )
    actions = seeds.add_subparsers(dest="seeds_command", required=True)
    for name, helptext in (
        ("list", "every seed: name, status, pool, lease, account"),
        ("show", "one seed in detail (no secret)"),
        ("delete", "delete a seed and its stored login"),
        ("verify", "refresh the login once against the token server; quarantine it if refused"),
        ("login", "sign in with ChatGPT (device code) and store the login as a new seed"),
    ):
        action = actions.add_parser(name, help=helptext)
        if name != "list":
            action.add_argument("name", help="the seed's name or id")
        _add_common(action)
    actions.choices["delete"].add_argument(
        "--force", action="store_true", help="delete even while a run holds its lease"
    )
    add_login_options(actions.choices["login"])


def add_login_options(parser: argparse.ArgumentParser) -> None:
    from optio_codex.cli.seeds_login import add_login_options as add

    add(parser)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mongo-url", help=f"the MongoDB holding the seeds (default: ${MONGO_URL_ENV})"
    )
    parser.add_argument("--db", help=f"database name (default: the URL's, else {DEFAULT_DB})")
    parser.add_argument(
        "--prefix", default=DEFAULT_PREFIX, help=f"the optio prefix (default {DEFAULT_PREFIX})"
    )


def run_seeds(args: argparse.Namespace) -> int:
    return asyncio.run(seeds_command(args))


async def seeds_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """One ``seeds`` action; its exit status. Problems go to stderr as one or two lines."""
    from optio_codex.cli.errors import EXIT_SETUP, MongoUnavailable
    from optio_codex.cli.run import _answering_mongo
    from optio_codex.cli.seeds_actions import ACTIONS

    url = args.mongo_url or os.environ.get(MONGO_URL_ENV)
    if not url:
        print(
            f"optio-codex seeds: no MongoDB: pass --mongo-url mongodb://HOST:PORT/DB or set "
            f"{MONGO_URL_ENV} (seeds live in your own MongoDB, not an embedded one)",
            file=sys.stderr,
        )
        return EXIT_SETUP
    try:
        client = await _answering_mongo(url)
    except MongoUnavailable as exc:
        print(f"optio-codex seeds: {exc.message}", file=sys.stderr)
        print("  check --mongo-url (or $" + MONGO_URL_ENV + ")", file=sys.stderr)
        return EXIT_SETUP
    return await _with_client(client, args, ACTIONS[args.seeds_command], out or sys.stdout)


async def _with_client(client: Any, args: argparse.Namespace, action: Action, out: TextIO) -> int:
    try:
        db = client[args.db or client.get_default_database(DEFAULT_DB).name]
        return await action(db, args, out)
    finally:
        client.close()
