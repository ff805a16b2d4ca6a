"""Structured notes: exact changes (split a shot, cut a line…) applied by the framework to the
script and shot list, whichever agents run, then checked one by one."""

from reelwright.revisions.apply import Revision, apply_actions, part_ids
from reelwright.revisions.check import check_outcomes

__all__ = ["Revision", "apply_actions", "check_outcomes", "part_ids"]
