"""Generated pages, one module per kind of page, all built from pages/kit.py."""
