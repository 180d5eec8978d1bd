"""Authentication (JWT verification, dev issuer) and the caller's identity."""
