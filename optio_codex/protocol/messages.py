"""Method tables and parsers over the generated wire models in `optio_codex.protocol.wire`.

The tables are read off the generated message unions (`wire.ServerNotification`,
`wire.ServerRequest`, `wire.ClientRequest`): each union variant is a model with a
`method: Literal[...]` field and a `params` field, so nothing here lists methods by hand except
the few client requests whose response type does not follow the `XParams` -> `XResponse`
naming (they take no params, or share a response type).

A table value is a "wire type": a generated model class, or a `TypeAliasType` naming a tagged
union of model classes (e.g. `wire.McpServerElicitationRequestParams`). Validate one with
`parse(...)`, which always returns a model instance.

Parsers return None for a method this protocol version does not know (a newer server may send
more); a known method whose payload does not validate raises `pydantic.ValidationError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType, NoneType, UnionType
from typing import Annotated, Any, Final, TypeAlias, Union, cast, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from typing_extensions import TypeAliasType

from optio_codex.protocol import wire

__all__ = [
    "CLIENT_REQUEST_PARAMS",
    "CLIENT_REQUEST_RESPONSES",
    "SERVER_NOTIFICATION_PARAMS",
    "SERVER_REQUEST_PARAMS",
    "SERVER_REQUEST_RESPONSES",
    "WireType",
    "parse",
    "parse_client_response",
    "parse_server_notification",
    "parse_server_request",
    "to_wire",
]

WireType: TypeAlias = type[BaseModel] | TypeAliasType

# Client requests whose response type is not named after their params type.
_CLIENT_RESPONSE_NAMES: Final[Mapping[str, str]] = {
    "account/gatewayOAuth/cancel": "GatewayOAuthCancelResponse",
    "account/gatewayOAuth/login": "GatewayOAuthLoginResponse",
    "account/gatewayOAuth/read": "GatewayOAuthReadResponse",
    "account/logout": "LogoutAccountResponse",
    "account/workspaceMessages/read": "GetWorkspaceMessagesResponse",
    "config/batchWrite": "ConfigWriteResponse",
    "config/mcpServer/reload": "McpServerRefreshResponse",
    "config/value/write": "ConfigWriteResponse",
    "configRequirements/read": "ConfigRequirementsReadResponse",
    "externalAgentConfig/import/readHistories": "ExternalAgentConfigImportHistoriesReadResponse",
    "memory/reset": "MemoryResetResponse",
    "remoteControl/status/read": "RemoteControlStatusReadResponse",
    "rollout/compress": "RolloutCompressResponse",
    "windowsSandbox/readiness": "WindowsSandboxReadinessResponse",
}


def _unwrap(tp: Any) -> Any:
    """The union inside a `TypeAliasType` / `Annotated[...]`."""
    if isinstance(tp, TypeAliasType):
        tp = tp.__value__
    if get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _variants(union: Any) -> tuple[type[BaseModel], ...]:
    members = get_args(_unwrap(union))
    if not members or not all(isinstance(m, type) and issubclass(m, BaseModel) for m in members):
        raise TypeError(f"{union!r} is not a union of models")
    return members


def _method(variant: type[BaseModel]) -> str:
    (method,) = get_args(variant.model_fields["method"].annotation)
    if not isinstance(method, str):
        raise TypeError(f"{variant.__name__}.method is not a string literal")
    return method


def _params(variant: type[BaseModel]) -> WireType | None:
    """The params type of a message variant, without `| None`; None if it takes none."""
    field = variant.model_fields.get("params")
    if field is None:
        return None
    tp = field.annotation
    if get_origin(tp) in (Union, UnionType):
        members = [m for m in get_args(tp) if m is not NoneType]
        tp = members[0] if len(members) == 1 else tp
    if isinstance(tp, TypeAliasType) or (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return tp
    if tp is None or tp is NoneType:
        return None
    raise TypeError(f"{variant.__name__}.params has unexpected type {tp!r}")


def _wire_type(name: str) -> WireType | None:
    tp = vars(wire).get(name)
    if isinstance(tp, TypeAliasType) or (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return tp
    return None


def _response(method: str, params: WireType | None) -> WireType | None:
    name = _CLIENT_RESPONSE_NAMES.get(method)
    if name is None and params is not None and params.__name__.endswith("Params"):
        name = params.__name__.removesuffix("Params") + "Response"
    return _wire_type(name) if name else None


def _table(union: Any) -> dict[str, WireType | None]:
    return {_method(v): _params(v) for v in _variants(union)}


def _required(table: Mapping[str, WireType | None]) -> dict[str, WireType]:
    return {method: tp for method, tp in table.items() if tp is not None}


_server_notifications = _table(vars(wire)["ServerNotification"])
_server_requests = _table(vars(wire)["ServerRequest"])
_client_requests = _table(vars(wire)["ClientRequest"])

SERVER_NOTIFICATION_PARAMS: Final[Mapping[str, WireType]] = MappingProxyType(
    _required(_server_notifications)
)
"""Server notification method -> params type ("turn/completed" -> TurnCompletedNotification)."""

SERVER_REQUEST_PARAMS: Final[Mapping[str, WireType]] = MappingProxyType(_required(_server_requests))
"""Server request method -> params type."""

SERVER_REQUEST_RESPONSES: Final[Mapping[str, WireType]] = MappingProxyType(
    _required({m: _response(m, p) for m, p in _server_requests.items()})
)
"""Server request method -> the result type the client answers with."""

CLIENT_REQUEST_PARAMS: Final[Mapping[str, WireType | None]] = MappingProxyType(_client_requests)
"""Client request method -> params type (None: the request takes no params)."""

CLIENT_REQUEST_RESPONSES: Final[Mapping[str, WireType]] = MappingProxyType(
    _required({m: _response(m, p) for m, p in _client_requests.items()})
)
"""Client request method -> the result type of the server's response."""


@cache
def _adapter(tp: WireType) -> TypeAdapter[Any]:
    return TypeAdapter(cast(Any, tp))


def parse(tp: WireType, data: Any) -> BaseModel:
    """Validate wire data (a dict from JSON) as `tp`; raises pydantic.ValidationError."""
    value = _adapter(tp).validate_python(data)
    if not isinstance(value, BaseModel):
        raise TypeError(f"{tp!r} validated to a {type(value).__name__}, not a model")
    return value


def _parse(table: Mapping[str, WireType], method: str, data: Any) -> BaseModel | None:
    tp = table.get(method)
    return None if tp is None else parse(tp, data)


def parse_server_notification(method: str, params: Any) -> BaseModel | None:
    """The typed params of a server notification, or None for a method we do not know."""
    return _parse(SERVER_NOTIFICATION_PARAMS, method, params)


def parse_server_request(method: str, params: Any) -> BaseModel | None:
    """The typed params of a server request, or None for a method we do not know."""
    return _parse(SERVER_REQUEST_PARAMS, method, params)


def parse_client_response(method: str, result: Any) -> BaseModel | None:
    """The typed result of the server's answer to our request `method`, or None if unknown."""
    return _parse(CLIENT_REQUEST_RESPONSES, method, result)


def to_wire(model: BaseModel) -> dict[str, Any]:
    """The JSON-ready dict of a model: wire (camelCase) names, fields that are None left out.

    Round-trips what the server sends, except explicit nulls, which come back absent (the
    server reads an absent optional field as null). To send an explicit null, use
    `model.model_dump(mode="json", by_alias=True, exclude_unset=True)` instead.
    """
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)
