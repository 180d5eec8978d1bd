"""Video-based evaluation, as districts run it under union agreements.

An admin evaluates only a video its teacher shared with them by name. Drafts
are the evaluator's alone; the teacher sees an evaluation once it is released,
and can acknowledge it with a response.
"""
