"""The single DynamoDB table: its schema and the PynamoDB base model."""
