"""ClassReel in AWS, as a CDK app (Python). Entry point: ``python -m infrastructure.app``."""
