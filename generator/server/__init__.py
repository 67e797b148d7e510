"""A local Replicate-compatible server driven by the same specs as the client.

`create_app(specs_dir, ServerConfig(...))` is an ASGI app factory; `running(app)` serves it on
127.0.0.1 in a thread; `replicate-codegen serve` serves it from the command line.
"""

from generator.server.app import create_app
from generator.server.config import ServerConfig
from generator.server.faults import Fault
from generator.server.guard import FAULT_HEADER
from generator.server.runner import running

__all__ = ["FAULT_HEADER", "Fault", "ServerConfig", "create_app", "running"]
