"""The local twin: moto (S3, SQS), DynamoDB Local, the Lambda runner and the API.

Nothing here is imported by the Lambda functions; it exists so the same
handlers run on one machine with no AWS account.
"""
