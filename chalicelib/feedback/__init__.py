"""Feedback pinned to moments and ranges of a video: comments and replies."""
