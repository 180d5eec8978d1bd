"""Who may talk to the buckets from a browser: declared once, applied by infrastructure/
in AWS and by the local bootstrap on the twin.

Uploads go straight from phones and browsers to the uploads bucket (PUT/POST,
reading the ETag of each multipart part); players read the media bucket with
Range requests.
"""

from __future__ import annotations

UPLOAD_CORS_RULES = [
    {
        "AllowedOrigins": ["*"],
        "AllowedMethods": ["PUT", "POST", "GET", "HEAD"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }
]
MEDIA_CORS_RULES = [
    {
        "AllowedOrigins": ["*"],
        "AllowedMethods": ["GET", "HEAD"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag", "Content-Range", "Accept-Ranges", "Content-Length"],
        "MaxAgeSeconds": 3000,
    }
]
