"""S3: object keys, presigned uploads, multipart, object checks."""
