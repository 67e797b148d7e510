"""A local Replicate-compatible server driven by the same specs as the client.

`create_app(specs_dir)` is an ASGI app factory; `running(app)` serves it on 127.0.0.1 in a thread.
"""

from generator.server.app import create_app
from generator.server.runner import running

__all__ = ["create_app", "running"]
