"""Specialization Reader knowledge-base tools."""
