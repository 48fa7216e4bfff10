"""Reads of the needs module, one module per concern (needs, matching, priorities)."""
