"""Placeholder: filled in by the current work."""
