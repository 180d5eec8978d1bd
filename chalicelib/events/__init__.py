"""Domain events that cannot be lost: an outbox in the table, and the relay that empties it.

A service writes its event in the same DynamoDB transaction as the state change
(``outbox.add(tx, event)``), so either both are stored or neither. The relay
then hands each stored event to the subscribers (webhooks today) and deletes
it: right after the commit in the same request or job (best effort), from the
table's stream in AWS, and from a timer sweep (the local runner, and a
once-a-minute schedule in AWS for whatever the other two missed).
"""
