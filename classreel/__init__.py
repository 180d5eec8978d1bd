"""Tools that run on a laptop, never in Lambda: the `classreel` CLI and the local twin.

Chalice packages app.py and chalicelib/ into every function; nothing here is in
that package. These tools import chalicelib (settings, the handlers the local
runner invokes), never the other way round.
"""
