"""What tokens cost: a price per million tokens of each kind, per model.

(The dated default table and the cost computation follow.)
"""

from __future__ import annotations

from dataclasses import dataclass


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
