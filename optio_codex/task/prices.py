"""What tokens cost: a price per million tokens of each kind, per model.

The package carries a dated default table (:data:`DEFAULT_PRICES`, :data:`PRICES_AS_OF`); a
task's ``CodexTaskConfig.prices`` is laid over it, model by model. A model neither names is
not priced: its cost is unknown and said so, never guessed from a similar name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ModelPrice:
    """US dollars per million tokens. Reasoning tokens are billed as output."""

    input: float
    output: float
    cached_input: float | None = None  # None: billed as input

    def __post_init__(self) -> None:
        for name in ("input", "output", "cached_input"):
            value = getattr(self, name)
            if value is None and name == "cached_input":
                continue
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ValueError(f"ModelPrice.{name}={value!r} must be a number, 0 or more")


# The date the default table below was compiled. Shown beside every cost, since list prices
# change and the table does not follow them by itself.
PRICES_AS_OF = "2025-12-15"

# OpenAI's public list prices for its API (openai.com/api/pricing, the "Standard" tier), in
# US dollars per million tokens: input, output, cached input. Written down by hand, from the
# best knowledge of the prices on PRICES_AS_OF, for the models codex runs: the gpt-5.x-codex
# family, gpt-5 and its mini/nano, o4-mini, o3, gpt-4.1. These are list prices: no batch or
# flex discounts, no priority surcharge, no ChatGPT plan (a ChatGPT sign-in is billed by its
# plan, not per token). Check them against the pricing page, and override or extend them
# with CodexTaskConfig(prices={model: ModelPrice(...)}).
DEFAULT_PRICES: Mapping[str, ModelPrice] = {
    # gpt-5.2 family (December 2025)
    "gpt-5.2": ModelPrice(input=1.75, output=14.00, cached_input=0.175),
    "gpt-5.2-codex": ModelPrice(input=1.75, output=14.00, cached_input=0.175),
    "gpt-5.2-chat-latest": ModelPrice(input=1.75, output=14.00, cached_input=0.175),
    "gpt-5.2-pro": ModelPrice(input=21.00, output=168.00),
    # gpt-5.1 family
    "gpt-5.1": ModelPrice(input=1.25, output=10.00, cached_input=0.125),
    "gpt-5.1-codex": ModelPrice(input=1.25, output=10.00, cached_input=0.125),
    "gpt-5.1-codex-max": ModelPrice(input=1.25, output=10.00, cached_input=0.125),
    "gpt-5.1-codex-mini": ModelPrice(input=0.25, output=2.00, cached_input=0.025),
    "gpt-5.1-chat-latest": ModelPrice(input=1.25, output=10.00, cached_input=0.125),
    # gpt-5 family
    "gpt-5": ModelPrice(input=1.25, output=10.00, cached_input=0.125),
    "gpt-5-codex": ModelPrice(input=1.25, output=10.00, cached_input=0.125),
    "gpt-5-chat-latest": ModelPrice(input=1.25, output=10.00, cached_input=0.125),
    "gpt-5-mini": ModelPrice(input=0.25, output=2.00, cached_input=0.025),
    "gpt-5-nano": ModelPrice(input=0.05, output=0.40, cached_input=0.005),
    "gpt-5-pro": ModelPrice(input=15.00, output=120.00),
    # reasoning models and the earlier codex model
    "o4-mini": ModelPrice(input=1.10, output=4.40, cached_input=0.275),
    "o3": ModelPrice(input=2.00, output=8.00, cached_input=0.50),
    "o3-mini": ModelPrice(input=1.10, output=4.40, cached_input=0.55),
    "codex-mini-latest": ModelPrice(input=1.50, output=6.00, cached_input=0.375),
    # gpt-4.1 family
    "gpt-4.1": ModelPrice(input=2.00, output=8.00, cached_input=0.50),
    "gpt-4.1-mini": ModelPrice(input=0.40, output=1.60, cached_input=0.10),
    "gpt-4.1-nano": ModelPrice(input=0.10, output=0.40, cached_input=0.025),
}


@dataclass(frozen=True)
class PriceMatch:
    """The price found for a model, and the table entry it came from."""

    model: str
    entry: str  # the table's key: the model itself, or the prefix it matched
    price: ModelPrice
    overridden: bool  # from the task's prices, not the default table


def price_table(overrides: Mapping[str, ModelPrice] | None = None) -> dict[str, ModelPrice]:
    """The default table with ``overrides`` laid over it, model by model."""
    table = {key.lower(): price for key, price in DEFAULT_PRICES.items()}
    table.update({key.lower(): price for key, price in (overrides or {}).items()})
    return table


def lookup_price(
    model: str | None, overrides: Mapping[str, ModelPrice] | None = None
) -> PriceMatch | None:
    """The price of ``model``: its exact entry, else the longest entry it extends at a ``-``
    (``gpt-5-codex-2025-09-15`` → ``gpt-5-codex``; a dated snapshot or a suffixed variant).
    None for a model the tables do not know: ``gpt-5.6`` does not extend ``gpt-5``."""
    if not model:
        return None
    wanted = model.strip().lower()
    table = price_table(overrides)
    override_keys = {key.lower() for key in overrides or {}}
    if wanted in table:
        return PriceMatch(model, wanted, table[wanted], wanted in override_keys)
    prefixes = [key for key in table if wanted.startswith(key + "-")]
    if not prefixes:
        return None
    entry = max(prefixes, key=len)
    return PriceMatch(model, entry, table[entry], entry in override_keys)


class Tokens(Protocol):
    """Token counts of one kind each (``optio_codex.driver.turns.TokenUsage``)."""

    @property
    def input_tokens(self) -> int: ...

    @property
    def cached_input_tokens(self) -> int: ...

    @property
    def output_tokens(self) -> int: ...


def cost(usage: Tokens, price: ModelPrice) -> float:
    """US dollars for ``usage``: uncached input at the input price, cached input at the
    cached price (the input price when the model has none), output at the output price.
    codex's output count already includes the reasoning tokens, so they are not added again.
    """
    cached = min(max(usage.cached_input_tokens, 0), max(usage.input_tokens, 0))
    uncached = max(usage.input_tokens, 0) - cached
    cached_price = price.input if price.cached_input is None else price.cached_input
    dollars = (
        uncached * price.input + cached * cached_price + max(usage.output_tokens, 0) * price.output
    )
    return dollars / 1_000_000


__all__ = [
    "DEFAULT_PRICES",
    "PRICES_AS_OF",
    "ModelPrice",
    "PriceMatch",
    "cost",
    "lookup_price",
    "price_table",
]
