"""Plumbing every capability uses: the clock (the tracker's time zone, set by tests) and
outgoing mail."""
