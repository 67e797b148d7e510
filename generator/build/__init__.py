"""The build engine: how a run puts a new tree in place, and what it promises while doing so.

1. The output folder is the tool's own (`ownership`): it carries a marker, and a folder that is not
   ours, holds the inputs or is the current folder is refused before anything is done.
2. One run at a time per output (`workspace.Workspace`): a lock the kernel lets go when a run dies.
3. The output path holds the whole old tree or the whole new one at every instant: the new tree is
   made beside it and swapped in atomically; what a killed run left is undone by the next.
4. "Up to date" only when proven by content (`generator.build.stamp`); `--check` trusts no cache.
5. A write that fails is one line naming the path and the OS's reason, and the old tree stays.
"""

from generator.build.session import BuildSession, Outcome
from generator.build.workspace import Busy

__all__ = ["BuildSession", "Busy", "Outcome"]
