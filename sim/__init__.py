"""Agent-based simulator of investment-attraction (招商引资) strategies for underdeveloped regions."""

__version__ = "0.1.0"
