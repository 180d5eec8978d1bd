"""HTTP plumbing shared by every capability: auth, errors, bodies, routing."""
