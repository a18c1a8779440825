"""Directive Tracker test suite."""
