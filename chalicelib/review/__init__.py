"""Quality-control review: nominations, a claimable queue, decisions, and their stats."""
