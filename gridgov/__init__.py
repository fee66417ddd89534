"""gridgov: grid-based grassroots governance (党建引领网格化基层治理)."""

__version__ = "0.1.0"
