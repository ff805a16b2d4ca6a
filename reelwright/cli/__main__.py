"""`python -m reelwright.cli`."""

from reelwright.cli import main

main()
