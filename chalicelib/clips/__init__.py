"""Clips: focused spans cut from a recording, with their own renditions."""
