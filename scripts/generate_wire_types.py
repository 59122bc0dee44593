#!/usr/bin/env python3
"""Regenerate ``optio_codex/protocol/wire.py`` from the pinned codex binary's own JSON Schema.

    python scripts/generate_wire_types.py            # rewrite optio_codex/protocol/wire.py
    python scripts/generate_wire_types.py --check    # exit 1 if the committed file is stale
    python scripts/generate_wire_types.py --out X.py # write somewhere else

Steps: ``codex app-server generate-json-schema --experimental --out TMP`` with the binary from
the pinned ``openai-codex-cli-bin`` wheel; take the complete bundle
``codex_app_server_protocol.schemas.json`` (the v2 bundle lacks the server requests); prepare it
(below); run datamodel-code-generator from this interpreter's environment; stamp a header. The
output depends only on the codex binary and the datamodel-code-generator version, both named in
the header.

``--experimental`` because the server sends the experimental fields whether or not the client
opted in (0.163.0 puts ``availableDecisions`` in every command approval request and
``environments`` in every thread, with ``capabilities: {}``): the stable schema would leave
them untyped extras. It also adds the experimental methods, which need
``capabilities.experimentalApi`` to be called.

Schema preparation, all deterministic:
- the nested ``definitions.v2`` namespace is flattened into ``definitions`` (the two names they
  share, ``AbsolutePathBuf`` and ``RequestId``, are checked to be the same schema);
- ``additionalProperties: false`` is dropped, so every model has ``extra='allow'``;
- titles on enum/const schemas are dropped, so tags are plain ``Literal`` fields rather than
  one-value wrapper classes; ``v2::`` is dropped from the few titles that carry it;
- each variant of the four message unions (ClientRequest, ClientNotification, ServerRequest,
  ServerNotification) becomes a named definition, ``<Method>ClientRequest``,
  ``<Method>ServerRequest``, ``<Method>ServerNotification``, ``<Method>ClientNotification``
  (the schema's own titles collide with the params types); ServerNotification's shared
  ``emittedAtMs`` property is copied into every variant;
- untitled inline union variants get a title from their tag value (``<Tag><Union>``) or from a
  required property no sibling has (externally tagged Rust enums), and untitled inline objects
  held by a property are named after it, so no model ends up numbered (``Foo1``);
- every union whose variants are all objects with a distinct one-value enum in a common required
  property gets a JSON Schema ``discriminator``: pydantic then validates it as a tagged union.

Output shape: models derive from one ``WireModel`` base (``extra='allow'``, population by field
name or wire alias, ``defer_build=True`` so that importing ~900 models stays cheap and each
validator is built on first use); snake_case fields with camelCase aliases; unions and enums
are ``TypeAliasType`` aliases (``ThreadItem``, ``ServerNotification``...), validated with
``pydantic.TypeAdapter`` and held directly by model fields (no ``.root``).
"""

from __future__ import annotations

import argparse
import copy
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "optio_codex" / "protocol" / "wire.py"
BUNDLE = "codex_app_server_protocol.schemas.json"
ROOT_TITLE = "CodexAppServerProtocol"
BASE_CLASS = "WireModel"

# The message unions and the suffix of the class made from each of their variants.
MESSAGE_UNIONS = {
    "ClientRequest": "ClientRequest",
    "ClientNotification": "ClientNotification",
    "ServerRequest": "ServerRequest",
    "ServerNotification": "ServerNotification",
}
# Preferred tag property names when a union has more than one candidate.
TAG_PREFERENCE = ("method", "type", "kind", "mode")

CODEGEN_ARGS = [
    "--input-file-type", "jsonschema",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.11",
    "--formatters", "builtin",
    "--disable-timestamp",
    "--extra-fields", "allow",
    "--use-generic-base-class",
    "--allow-population-by-field-name",
    "--snake-case-field",
    "--use-title-as-name",
    "--enum-field-as-literal", "all",
    "--strict-nullable",
    "--use-standard-collections",
    "--use-union-operator",
    "--use-annotated",
    "--field-constraints",
    "--use-double-quotes",
    "--use-type-alias",
    "--disable-future-imports",
]  # fmt: skip

Json = dict[str, Any]


# --------------------------------------------------------------------------- the binary


def find_codex() -> Path:
    sys.path.insert(0, str(REPO))
    from optio_codex.binary import pinned_codex_path

    return pinned_codex_path()


def codex_version(codex: Path) -> str:
    out = subprocess.run(
        [str(codex), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return out.rsplit(" ", 1)[-1]


def dump_bundle(codex: Path, workdir: Path) -> Json:
    out = workdir / "schema"
    subprocess.run(
        [str(codex), "app-server", "generate-json-schema", "--experimental", "--out", str(out)],
        check=True,
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1", "RUST_LOG": "error"},
    )
    bundle: Json = json.loads((out / BUNDLE).read_text())
    return bundle


# --------------------------------------------------------------------------- preparation


def camel(text: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^0-9A-Za-z]+", text) if p)


def _without(schema: Json, *keys: str) -> Json:
    return {k: v for k, v in schema.items() if k not in keys}


def _flatten(bundle: Json) -> Json:
    defs: Json = dict(bundle["definitions"])
    for name, schema in defs.pop("v2").items():
        if name in defs:
            if _without(defs[name], "$schema", "title") != _without(schema, "$schema", "title"):
                raise SystemExit(f"definitions.{name} and definitions.v2.{name} differ")
            continue
        defs[name] = schema
    text = json.dumps(defs).replace('"#/definitions/v2/', '"#/definitions/')
    flat: Json = json.loads(text)
    return flat


def _clean(node: Any) -> None:
    """Drop $schema, additionalProperties:false and enum titles; drop ``v2::`` from titles."""
    if isinstance(node, list):
        for item in node:
            _clean(item)
        return
    if not isinstance(node, dict):
        return
    node.pop("$schema", None)
    if node.get("additionalProperties") is False:
        del node["additionalProperties"]
    title = node.get("title")
    if isinstance(title, str):
        if "enum" in node or "const" in node:
            del node["title"]
        else:  # "ApiKeyv2::LoginAccountParams" -> "ApiKeyLoginAccountParams"
            node["title"] = re.sub(r"v\d+::", "", title)
    for key, value in node.items():
        if key in ("properties", "definitions") and isinstance(value, dict):
            for sub in value.values():
                _clean(sub)
        else:
            _clean(value)


def _name_messages(defs: Json) -> None:
    for union, suffix in MESSAGE_UNIONS.items():
        schema = defs[union]
        shared = schema.pop("properties", {})
        shared_required = schema.pop("required", [])
        refs = []
        for variant in schema["oneOf"]:
            method = variant["properties"]["method"]["enum"][0]
            name = camel(method) + suffix
            if name in defs:
                raise SystemExit(f"{union} variant name {name} collides with a definition")
            named = copy.deepcopy(variant)
            named["title"] = name
            named["properties"] = {**named["properties"], **copy.deepcopy(shared)}
            if shared_required:
                named["required"] = sorted({*named.get("required", []), *shared_required})
            defs[name] = named
            refs.append({"$ref": f"#/definitions/{name}"})
        schema["oneOf"] = refs


def _resolve(defs: Json, schema: Json) -> Json:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _tag_value(defs: Json, variant: Json, prop: str) -> str | None:
    target = _resolve(defs, variant)
    spec = target.get("properties", {}).get(prop)
    if not spec or prop not in target.get("required", []):
        return None
    values = spec.get("enum")
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        return values[0]
    return None


def _union_tag(defs: Json, variants: list[Json]) -> str | None:
    if len(variants) < 2:
        return None
    targets = [_resolve(defs, v) for v in variants]
    if not all(t.get("type") == "object" or "properties" in t for t in targets):
        return None
    common = set.intersection(*(set(t.get("properties", {})) for t in targets))
    candidates = []
    for prop in common:
        values = [_tag_value(defs, v, prop) for v in variants]
        if None not in values and len(set(values)) == len(values):
            candidates.append(prop)
    if not candidates:
        return None
    rank = {name: i for i, name in enumerate(TAG_PREFERENCE)}
    return min(candidates, key=lambda p: (rank.get(p, len(rank)), p))


def _claim(taken: set[str], *candidates: str) -> str | None:
    for title in candidates:
        if title and title not in taken:
            taken.add(title)
            return title
    return None


_SPELLED = {"/": "slash", ".": "dot", "-": "dash"}


def _title_variants(defs: Json, taken: set[str]) -> None:
    """Name the untitled inline variants of top-level unions.

    A tagged variant becomes ``<Tag><Union>``, with ``/ . -`` in the tag spelled out so that
    ``"openai/form"`` and ``"openaiForm"`` stay apart (``OpenaiSlashForm...``, ``OpenaiForm...``);
    an untagged one is named after a required property no sibling has (``TextResourceContent``).
    """
    for name in sorted(defs):
        schema = defs[name]
        for key in ("oneOf", "anyOf"):
            variants = schema.get(key)
            if not isinstance(variants, list):
                continue
            tag = _union_tag(defs, variants)
            for index, variant in enumerate(variants):
                if "$ref" in variant or "title" in variant or "properties" not in variant:
                    continue
                if tag is not None:
                    value = _tag_value(defs, variant, tag) or ""
                    spelled = re.sub(r"[/.-]", lambda m: f" {_SPELLED[m[0]]} ", value)
                    title = _claim(taken, camel(spelled) + name)
                else:
                    others: set[str] = set()
                    for j, sibling in enumerate(variants):
                        if j != index:
                            others |= set(_resolve(defs, sibling).get("properties", {}))
                    unique = sorted(set(variant.get("required", [])) - others)
                    title = _claim(taken, camel(unique[0]) + name) if unique else None
                if title:
                    variant["title"] = title


def _title_nested(node: Any, taken: set[str]) -> None:
    """Title inline objects held by a property after it (``Payload`` added on a clash)."""
    if isinstance(node, list):
        for item in node:
            _title_nested(item, taken)
        return
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    if isinstance(props, dict):
        for prop in sorted(props):
            spec = props[prop]
            if not isinstance(spec, dict):
                continue
            inner = [spec, *spec.get("anyOf", []), *spec.get("oneOf", [])]
            for schema in inner:
                if isinstance(schema, dict) and "properties" in schema and "title" not in schema:
                    title = _claim(taken, camel(prop), camel(prop) + "Payload")
                    if title:
                        schema["title"] = title
    for key, value in node.items():
        if key in ("properties", "definitions") and isinstance(value, dict):
            for sub in value.values():
                _title_nested(sub, taken)
        else:
            _title_nested(value, taken)


def _add_discriminators(defs: Json, node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _add_discriminators(defs, item)
        return
    if not isinstance(node, dict):
        return
    for key in ("oneOf", "anyOf"):
        variants = node.get(key)
        if isinstance(variants, list) and all(isinstance(v, dict) for v in variants):
            tag = _union_tag(defs, variants)
            if tag is not None:
                node["discriminator"] = {"propertyName": tag}
    for key, value in node.items():
        if key in ("properties", "definitions") and isinstance(value, dict):
            for sub in value.values():
                _add_discriminators(defs, sub)
        else:
            _add_discriminators(defs, value)


def _titles(node: Any, out: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _titles(item, out)
    elif isinstance(node, dict):
        if isinstance(node.get("title"), str):
            out.add(node["title"])
        for value in node.values():
            _titles(value, out)


def prepare(bundle: Json) -> Json:
    defs = _flatten(bundle)
    _clean(defs)
    _name_messages(defs)
    taken = set(defs)
    _titles(defs, taken)
    _title_variants(defs, taken)
    for name in sorted(defs):
        _title_nested(defs[name], taken)
    _add_discriminators(defs, defs)
    ordered = {name: defs[name] for name in sorted(defs)}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": ROOT_TITLE,
        "definitions": ordered,
    }


# --------------------------------------------------------------------------- code generation


def codegen_version() -> str:
    from importlib.metadata import version

    return version("datamodel-code-generator")


def run_codegen(schema: Json, workdir: Path) -> str:
    src = workdir / "codex_app_server_protocol.json"
    dst = workdir / "wire.py"
    src.write_text(json.dumps(schema, indent=1, sort_keys=True))
    cmd = [
        sys.executable, "-m", "datamodel_code_generator",
        "--input", str(src), "--output", str(dst), *CODEGEN_ARGS,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"datamodel-codegen failed ({proc.returncode}):\n{proc.stderr}")
    return dst.read_text()


def postprocess(code: str, version: str) -> str:
    # The bundle's root has only definitions: drop the empty alias generated for it.
    root = re.compile(rf"\n\n{ROOT_TITLE} = TypeAliasType\(\n.*?\n\)\n", re.S)
    code, found = root.subn("", code, count=1)
    if found != 1:
        raise SystemExit(f"generated code lacks the expected {ROOT_TITLE} root class")
    # Name the shared base class for what it is rather than shadowing pydantic.BaseModel.
    base = "class BaseModel(_BaseModel):"
    if code.count(base) != 1 or re.search(rf"\b{BASE_CLASS}\b", code):
        raise SystemExit("generated code lacks the expected shared BaseModel class")
    code = code.replace(base, f"class {BASE_CLASS}(_BaseModel):")
    code = re.sub(r"^(class \w+)\(BaseModel\):", rf"\1({BASE_CLASS}):", code, flags=re.M)
    leftover = code.replace("import BaseModel as _BaseModel", "")
    if re.search(r"(?<![\w.])BaseModel\b", leftover):
        raise SystemExit("generated code still refers to BaseModel")
    # Build each model's validator on first use, not at import.
    config = "        populate_by_name=True,\n    )"
    if code.count(config) != 1:
        raise SystemExit("generated code lacks the expected shared model_config")
    code = code.replace(config, "        populate_by_name=True,\n        defer_build=True,\n    )")
    # Replace the generator's header (it names a temporary file) with ours.
    body = code.split("\nfrom typing import ", 1)
    if len(body) != 2:
        raise SystemExit("generated code lacks `from typing import`")
    header = (
        "# GENERATED FILE - DO NOT EDIT.\n"
        "#\n"
        "# Typed wire models of the codex app-server protocol (JSON-RPC over JSONL), generated\n"
        f"# from the JSON Schema of codex-cli {version} "
        "(`codex app-server generate-json-schema --experimental`)\n"
        f"# by datamodel-code-generator {codegen_version()}.\n"
        "# Regenerate with: python scripts/generate_wire_types.py   (verify: --check)\n"
        "# mypy: ignore-errors\n"
        "# ruff: noqa\n"
        '"""Pydantic v2 models of the codex app-server wire protocol (generated)."""\n'
    )
    return header + "\nfrom typing import " + body[1]


def generate(codex: Path | None = None) -> str:
    """The source of wire.py as generated from ``codex`` (default: the pinned binary)."""
    codex = codex or find_codex()
    version = codex_version(codex)
    with tempfile.TemporaryDirectory(prefix="optio-codex-wire-") as tmp:
        workdir = Path(tmp)
        schema = prepare(dump_bundle(codex, workdir))
        return postprocess(run_codegen(schema, workdir), version)


# --------------------------------------------------------------------------- command line


def diff_summary(old: str, new: str, path: Path, limit: int = 40) -> str:
    diff = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), f"{path} (committed)", "fresh generation",
            lineterm="", n=1,
        )
    )  # fmt: skip
    added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    shown = "\n".join(diff[:limit])
    more = f"\n... ({len(diff) - limit} more diff lines)" if len(diff) > limit else ""
    return f"{path} is stale: +{added} -{removed} lines\n{shown}{more}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="file to write or check")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --out differs from a fresh generation"
    )
    parser.add_argument("--codex", type=Path, help="codex binary (default: the pinned one)")
    args = parser.parse_args(argv)

    fresh = generate(args.codex)
    current = args.out.read_text() if args.out.exists() else ""
    if args.check:
        if current == fresh:
            print(f"{args.out} is up to date")
            return 0
        print(diff_summary(current, fresh, args.out), file=sys.stderr)
        print("run: python scripts/generate_wire_types.py", file=sys.stderr)
        return 1
    if current != fresh:
        args.out.write_text(fresh)
        print(f"wrote {args.out} ({fresh.count(chr(10))} lines)")
    else:
        print(f"{args.out} already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
