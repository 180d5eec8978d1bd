"""The job kit: what every queued job shares (ingest, clips, exports, webhooks, segments).

- ``queues``: every work queue declared once (the registry);
- ``batch``: one SQS entry point with typed messages and partial batch failures;
- ``dispatch``: putting a job on its queue;
- ``lease``: a job's hold on its record (claim writes, heartbeat, release);
- ``workspace``: one attempt's scratch folder and output prefix;
- ``retry``: asking SQS to bring a message back sooner, or to hold it while a job runs;
- ``periodic``: the background thread both renewals (lease, held message) run on.
"""
