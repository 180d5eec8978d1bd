"""Stacks: compositions of the constructs for one deployment stage."""
