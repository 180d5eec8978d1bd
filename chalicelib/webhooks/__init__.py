"""Outgoing webhooks: signed, idempotent (delivery ids), retried with backoff from a queue."""
