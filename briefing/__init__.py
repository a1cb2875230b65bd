"""briefing: turn a folder of news articles into a cited, themed briefing."""

__version__ = "0.1.0"
