"""syndicate: multilingual article translation and syndication worker."""

__version__ = "0.1.0"
