"""Helpers for mpdash's own test suite (real workers, real simulators)."""
