"""How long the command line takes to answer `--version` and `--help`: the import cost every command
pays before it does anything. Medians of N runs of the installed `replicate-codegen` script.

    .venv/bin/python bench/bench_cli.py 10
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "replicate-codegen"
COMMANDS = (["--version"], ["--help"], ["build", "--help"], ["serve", "--help"])


def median_seconds(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(SCRIPT), *args], check=True, capture_output=True, timeout=60)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for args in COMMANDS:
        print(f"replicate-codegen {' '.join(args):<14} {median_seconds(args, runs) * 1000:6.0f} ms (median of {runs})")


if __name__ == "__main__":
    main()
