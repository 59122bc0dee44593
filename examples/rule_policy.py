"""How a RulePolicy judges the commands codex asks to run; docs/task.md quotes it.

codex shows each command as it will run it, usually `/bin/bash -lc '<script>'`; the policy
unwraps that form. Run:  .venv/bin/python examples/rule_policy.py
"""

from __future__ import annotations

from optio_codex import RulePolicy
from optio_codex.driver.approvals import ApprovalKind, CodexPermissionRequest

policy = RulePolicy(
    allow_command_prefixes=("git status", "pytest -q"),  # whole words: "pytest -qx" is not one
    deny_command_patterns=("*rm -rf*",),  # fnmatch on the command line as codex shows it
    allow_file_changes_under=("/home/ci/.optio-codex/tasks/fix-parser/workdir",),
)


def verdict(command: str) -> str:
    request = CodexPermissionRequest(
        tool_name="commandExecution",
        input={"command": command},
        raw={},
        kind=ApprovalKind.COMMAND,
    )
    decision = policy.decide(request)
    # None: no rule decided; a person is asked (permission_gate=True) or it is denied.
    return decision.behavior if decision is not None else "not decided"


for command in (
    "git status --short",
    "/bin/bash -lc 'pytest -q tests/test_parser.py'",
    "/bin/bash -lc 'git status && curl https://example.com'",  # compound: never by prefix
    "/bin/bash -lc 'pytest -q > log.txt'",  # a redirection makes it more than one command
    "/bin/bash -lc 'rm -rf build'",
    "git push",
):
    print(f"{verdict(command):12} {command}")
