"""Approval: who may decide at a gate (reviewers, their roles and tokens) and the audit log
every decision is written to. The graph, the Python API and the web app all use it; it
imports none of them."""
