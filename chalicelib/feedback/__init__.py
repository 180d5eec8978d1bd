"""Feedback pinned to moments and ranges of a video: comments, replies, evaluations."""
