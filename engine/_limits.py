"""Size limits of a model, and the interpreter recursion limit they need.

SpiffWorkflow recurses along sequence flows, when parsing (`parse_node`) and when predicting the
task tree of a new instance (`_predict`): a few frames per element. MAX_FLOW_NODES bounds the
longest chain a file can hold, and the recursion limit is raised once, at import, to leave room
for it on top of a web or worker stack. It is never lowered again: toggling a process-wide limit
around each call would break a deep call running in another thread.
"""

from __future__ import annotations

import sys

MAX_FLOW_NODES = 2000
RECURSION_LIMIT = 8 * MAX_FLOW_NODES + 2000

if sys.getrecursionlimit() < RECURSION_LIMIT:
    sys.setrecursionlimit(RECURSION_LIMIT)
