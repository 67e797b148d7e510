"""Schemathesis (pinned, test-only), which nobody here wrote, runs every operation of the bundle built
from the 20 real Replicate models against the local server, with all its checks: what the server
answers is what the bundle documents, and it enforces what the bundle states.

Seeded and bounded (a few examples per operation); `SCHEMATHESIS_EXAMPLES=N` runs a longer one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.server import ServerConfig, create_app, running
from tests.conftest import TOKEN, Generated

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_schemathesis_finds_no_failure_in_any_operation(replicate_catalogue: Generated, tmp_path: Path) -> None:
    # predictions end at once: a case that waits for one (`Prefer: wait`) costs no time
    app = create_app(replicate_catalogue.specs, ServerConfig(tokens=(TOKEN,), starting_seconds=0, processing_seconds=0))
    st = Path(sys.executable).with_name("st")
    with running(app) as url:
        ran = subprocess.run(
            [
                str(st), "run", str(replicate_catalogue.out / "openapi.yaml"),
                "--url", url,
                "--header", f"Authorization: Bearer {TOKEN}",
                "--checks", "all",
                "--max-examples", str(EXAMPLES),
                "--seed", "1",
                "--workers", "1",  # its coverage phase is not thread-safe on this Python
                "--generation-database", "none",
            ],
            capture_output=True,
            text=True,
            timeout=840,
            cwd=tmp_path,
            env={**os.environ, "HOME": str(tmp_path), "SCHEMATHESIS_TELEMETRY": "false"},
        )  # fmt: skip
    summary = ran.stdout[ran.stdout.rfind("SUMMARY") :] if "SUMMARY" in ran.stdout else ran.stdout[-3000:]
    assert ran.returncode == 0, ran.stdout[-20000:] + ran.stderr[-3000:]
    assert "Tested: " in summary or "passed" in summary, summary
