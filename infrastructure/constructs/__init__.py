"""Constructs, one per piece the local twin has too (chalicelib/local/bootstrap.py)."""
