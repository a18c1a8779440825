"""Directive screens: the list of directives and one directive with its targets and tasks."""
