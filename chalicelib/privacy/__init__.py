"""Student privacy and data governance: safeguards, retention, and data export."""
