"""Asking the teacher for consent to the library: a coach's nomination waits for it."""
