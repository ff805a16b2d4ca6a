"""The episode graph for LangGraph Studio / `langgraph dev` (see langgraph.json).

Compiled without a checkpointer: the LangGraph server supplies its own. Nodes rebuild their
tools from the run spec in the input state (offline procedural agents unless an LLM is
configured in the environment). Minimal input:
{"run": {"run_id": "studio1", "out_dir": "out/studio1", "width": 768, "height": 432,
 "auto_approve": true}, "brief": {...}, "bible": {...}}
"""

from __future__ import annotations

from reelwright.graphs.episode import build_graph

graph = build_graph(context_schema=None).compile()
