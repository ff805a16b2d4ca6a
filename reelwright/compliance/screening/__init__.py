"""Text screening against a watchlist of protected entities.

- `normalise`: text as people write it, folded to lower-case ASCII of the same length
- `segment`: tokens, compound words, runs of other scripts
- `watchlist`: the watchlist format and its validation
- `matcher`: the `Screener`
- `findings`: findings, fixes and the verdict
- `judge`: the LLM rights judge (optional, for what the rules miss)
"""

from reelwright.compliance.screening.findings import verdict
from reelwright.compliance.screening.matcher import Screener, default_screener
from reelwright.compliance.screening.normalise import fold
from reelwright.compliance.screening.watchlist import Entry, KindPolicy, Watchlist

__all__ = ["Entry", "KindPolicy", "Screener", "Watchlist", "default_screener", "fold", "verdict"]
