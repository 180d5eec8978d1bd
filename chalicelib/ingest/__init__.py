"""Ingest: S3 upload notifications (via SQS) → probe → renditions → index."""
