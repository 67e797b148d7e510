"""How many processes a run may keep busy: `REPLICATE_CODEGEN_JOBS` when set (1: everything in
this process), else the cores this process may run on."""

from __future__ import annotations

import os


def jobs() -> int:
    explicit = os.environ.get("REPLICATE_CODEGEN_JOBS", "").strip()
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
