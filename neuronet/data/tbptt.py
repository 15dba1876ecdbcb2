"""Placeholder: filled in by the current work."""
__all__ = []
