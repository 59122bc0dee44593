"""``optio-codex run --demo`` with its model endpoint at a port where nothing listens.

    python -m tests.support.cli_dead_model PORT run --demo ...

The demo points codex at its scripted model with retries off; this swaps the one function
that writes that config so ``base_url`` is ``http://127.0.0.1:PORT/v1`` and codex retries a
few times, then runs the command line unchanged (engine, sshd, codex are all real). What the
terminal should show is codex's own error notifications, attempt by attempt.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from optio_codex.testing import codex_home

RETRIES = 2
_demo_config = codex_home.mock_codex_config


def dead_endpoint_config(port: int) -> Any:
    def config(model_base_url: str, catalog_path: Path) -> dict[str, Any]:
        settings = _demo_config(f"http://127.0.0.1:{port}/v1", catalog_path)
        provider = settings["model_providers"][codex_home.MOCK_PROVIDER_ID]
        provider["request_max_retries"] = RETRIES
        provider["stream_max_retries"] = RETRIES
        return settings

    return config


def main(argv: list[str]) -> int:
    from optio_codex.cli.main import main as optio_codex

    # What the demo imports when it builds its codex config.
    codex_home.mock_codex_config = dead_endpoint_config(int(argv[0]))
    return optio_codex(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
