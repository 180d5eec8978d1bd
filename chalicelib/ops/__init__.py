"""Operator tooling: inspecting and replaying what the pipeline could not handle."""
