"""Telling people what happened: an inbox per person, preferences, and email.

Notifications derive from the same domain events as webhooks: the relay hands
every stored event to ``fanout.SUBSCRIBER``, which decides who hears about it
(``rules.py``), stores one notification per event and recipient (its id is
derived from both, so a relay that runs again finds it instead of adding a
second), and queues the email the recipient asked for, immediately or in the
day's digest (``mailing.py``).
"""
