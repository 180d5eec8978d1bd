"""The audit trail: who saw, shared, decided on or deleted what, and when."""
