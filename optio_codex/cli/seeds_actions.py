"""What each ``optio-codex seeds`` action does and prints (cli/seeds.py parses the line)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from optio_codex.cli.errors import EXIT_FAILED, EXIT_SETUP
from optio_codex.cli.seeds_login import login_action
from optio_codex.credentials.seed_blob import SeedBlobError
from optio_codex.credentials.seed_store import (
    SeedLeased,
    SeedNotFound,
    SeedStore,
    quarantine_reason,
)
from optio_codex.credentials.token_claims import account_from_auth
from optio_codex.credentials.verify import verify_and_refresh_seed


def _label(doc: dict[str, Any]) -> str:
    return str(doc.get("name") or doc["_id"])


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%SZ")
    return str(value) if value else "-"


def _lease(doc: dict[str, Any]) -> str:
    lease = doc.get("lease") or {}
    until = lease.get("expiresAt")
    if not lease.get("holder") or not isinstance(until, datetime):
        return "free"
    if until.replace(tzinfo=UTC) <= datetime.now(UTC):
        return "free (lapsed)"
    return f"{lease['holder']} until {_when(until)}"


def _status(doc: dict[str, Any]) -> str:
    status = str(doc.get("status") or "alive")
    return f"{status} ({quarantine_reason(doc)})" if status in ("dead", "quarantined") else status


async def _account(store: SeedStore, doc: dict[str, Any]) -> str:
    try:
        files = await store.load(str(doc["_id"]), include_dead=True)
    except SeedBlobError as exc:
        return f"unreadable: {exc}"
    account = account_from_auth(files.auth_json)
    if account is None:
        return "API key" if _has_api_key(files.auth_json) else "-"
    return " ".join(
        part for part in (account.email, f"[{account.plan}]" if account.plan else None) if part
    )


def _has_api_key(auth_json: bytes) -> bool:
    try:
        doc = json.loads(auth_json)
    except ValueError:
        return False
    return isinstance(doc, dict) and bool(doc.get("OPENAI_API_KEY"))


async def list_action(db: Any, args: argparse.Namespace, out: TextIO) -> int:
    store = SeedStore(db, args.prefix)
    docs = [doc async for doc in store.collection.find({}).sort("createdAt", 1)]
    if not docs:
        out.write(f"no seeds in {db.name}.{store.collection.name}\n")
        return 0
    rows = [("SEED", "STATUS", "POOL", "LEASE", "GEN", "ACCOUNT")]
    for doc in docs:
        generation = (doc.get("lineage") or {}).get("generation", 0)
        rows.append(
            (
                _label(doc),
                _status(doc),
                str(doc.get("poolKey") or "-"),
                _lease(doc),
                str(generation),
                await _account(store, doc),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        out.write(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + f"  {row[-1]}\n"
        )
    return 0


async def show_action(db: Any, args: argparse.Namespace, out: TextIO) -> int:
    store = SeedStore(db, args.prefix)
    doc = await _find(store, args.name)
    if doc is None:
        return EXIT_SETUP
    lineage = doc.get("lineage") or {}
    refreshed = lineage.get("refreshedAt")
    try:
        files = await store.load(str(doc["_id"]), include_dead=True)
        refreshed = files.lineage.refreshed_at
    except SeedBlobError:
        pass
    fields = [
        ("seed", _label(doc)),
        ("id", str(doc["_id"])),
        ("status", _status(doc)),
        (
            "quarantined at",
            _when((doc.get("quarantine") or {}).get("at")) if doc.get("quarantine") else None,
        ),
        ("account", await _account(store, doc)),
        ("pool", doc.get("poolKey")),
        ("lease", _lease(doc)),
        ("lineage generation", str(lineage.get("generation", 0))),
        ("last refresh", refreshed or "-"),
        ("created", _when(doc.get("createdAt"))),
        ("updated", _when(doc.get("updatedAt")) if doc.get("updatedAt") else None),
        ("last verified", _when(doc.get("lastVerifiedAt")) if doc.get("lastVerifiedAt") else None),
    ]
    for key, value in fields:
        if value is not None:
            out.write(f"{key + ':':20} {value}\n")
    return 0


async def delete_action(db: Any, args: argparse.Namespace, out: TextIO) -> int:
    store = SeedStore(db, args.prefix)
    doc = await _find(store, args.name)
    if doc is None:
        return EXIT_SETUP
    held = _lease(doc)
    if not held.startswith("free") and not args.force:
        print(
            f"optio-codex seeds: {_label(doc)} is in use (leased by {held}); "
            "wait for the run to end, or pass --force",
            file=sys.stderr,
        )
        return EXIT_SETUP
    await store.delete(str(doc["_id"]))
    out.write(f"deleted seed {_label(doc)}\n")
    return 0


async def verify_action(db: Any, args: argparse.Namespace, out: TextIO) -> int:
    store = SeedStore(db, args.prefix)
    doc = await _find(store, args.name)
    if doc is None:
        return EXIT_SETUP
    try:
        result = await verify_and_refresh_seed(db, prefix=args.prefix, seed_id=str(doc["_id"]))
    except SeedLeased as exc:
        print(f"optio-codex seeds: {exc}; verify it once the run released it", file=sys.stderr)
        return EXIT_SETUP
    accounts = ", ".join(a.summary or a.email or "?" for a in result["accounts"])
    out.write(f"{_label(doc)}: {result['status']}: {result['reason']}\n")
    if accounts:
        out.write(f"account: {accounts}\n")
    return {"alive": 0, "dead": EXIT_FAILED}.get(result["status"], EXIT_SETUP)


async def _find(store: SeedStore, name: str) -> dict[str, Any] | None:
    try:
        return await store.find(name)
    except SeedNotFound:
        print(
            f"optio-codex seeds: no seed {name!r} in {store.db.name}.{store.collection.name} "
            "(see `optio-codex seeds list`; check --db and --prefix)",
            file=sys.stderr,
        )
        return None


ACTIONS = {
    "list": list_action,
    "show": show_action,
    "delete": delete_action,
    "verify": verify_action,
    "login": login_action,
}
