"""Abuse limits: what one user or one district may ask of the system per window."""
