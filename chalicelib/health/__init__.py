"""Liveness of every component the product depends on."""
