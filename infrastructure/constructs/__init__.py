"""Constructs, one per piece the local twin has too (classreel/local/bootstrap.py)."""
