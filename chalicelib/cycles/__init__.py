"""Coaching cycles: a teacher and a coach set a goal tied to one framework element, gather
videos and comments as evidence over weeks, and close the cycle with a reflection."""
