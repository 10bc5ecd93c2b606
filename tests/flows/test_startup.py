"""What a command pays before it works: the modules every `worldloom` command imports."""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_commands_imports_no_llm_sdk() -> None:
    # openai and instructor cost ~1.2 s of start-up; only a command that calls a model needs
    # them, and it imports them when it builds its client.
    probe = (
        "import sys, worldloom.flows.commands; "
        "print(sorted({'openai', 'instructor'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
