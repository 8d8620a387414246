"""Feeds: pure renderers from an article and its publication record to NewsML-G2, RSS, ninjs."""
