"""Plugins registered by tests/test_registries.py: each extends gisplan from this folder alone."""
