"""Compliance: screening text for protected IP, trademarks and real people (`screening`), the
rights ledger of cleared assets (`rights`), visual checks against protected references
(`visual`, `frame_qc`), the red-team suite (`redteam`) and C2PA signing (`signing`). Each check
is a function from an artefact to Findings."""
