"""``optio-codex seeds login NAME``: sign in with ChatGPT by device code and store the login as
a new seed, with no secret in argv, an environment, a log or the terminal.

codex's own ``login --device-auth`` runs on this machine in a private CODEX_HOME that is
removed afterwards (credentials/device_login.py); the operator opens the URL it gives on any
device and enters the one-time code. ``OPTIO_CODEX_LOGIN_ISSUER`` (test-only) points it at a
stand-in issuer.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from optio_codex.binary import pinned_codex
from optio_codex.cli.errors import EXIT_FAILED, EXIT_SETUP
from optio_codex.credentials.auth_file import read_auth
from optio_codex.credentials.device_login import DeviceCode, DeviceLoginError, device_login
from optio_codex.credentials.seed_store import SeedNotFound, SeedStore, check_seed_name
from optio_codex.credentials.token_claims import account_from_auth


def add_login_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pool", help="put the new seed in this pool (for seed_pool)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="seconds to wait for the sign-in (default 900: the code's lifetime)",
    )


async def login_action(db: Any, args: argparse.Namespace, out: TextIO) -> int:
    store = SeedStore(db, args.prefix)
    try:
        check_seed_name(args.name)
        await store.find(args.name)
    except ValueError as exc:
        print(f"optio-codex seeds: {exc}", file=sys.stderr)
        return EXIT_SETUP
    except SeedNotFound:
        pass
    else:
        print(
            f"optio-codex seeds: a seed named {args.name!r} exists; pick another name "
            "(or delete it first)",
            file=sys.stderr,
        )
        return EXIT_SETUP

    def show(code: DeviceCode) -> None:
        out.write(
            f"To sign in with ChatGPT, open {code.url} on any device and enter the code "
            f"{code.code}\nWaiting for the sign-in (at most {args.timeout:g} s)...\n"
        )
        out.flush()

    try:
        auth = await device_login(pinned_codex().path, show, timeout=args.timeout)
    except DeviceLoginError as exc:
        print(f"optio-codex seeds: the login failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    facts = read_auth(auth)
    if facts is None or not facts.usable:
        print("optio-codex seeds: codex wrote no usable login; nothing stored", file=sys.stderr)
        return EXIT_FAILED
    account = account_from_auth(auth)
    metadata = {"accounts": [account.to_dict()] if account else []}
    seed_id = await store.create(auth, name=args.name, pool_key=args.pool, metadata=metadata)
    who = (account.summary if account else None) or "account unknown"
    out.write(f"stored seed {args.name} ({seed_id}): {who}\n")
    return 0
