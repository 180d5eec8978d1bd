"""What every media job shares (ingest, clips): a lease kept alive while it works."""
