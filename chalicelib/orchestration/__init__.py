"""Workflows that cross capabilities, above all of them, so dependencies flow one way.

Deleting a video and everything derived from it, and taking a video's clips
out of the library and the review queue when its consent changes, touch
videos, feedback, clips, review, library, privacy and webhooks at once; the
capabilities themselves never import each other upward.
"""
