"""Where media is served to viewers, shared by the API, the local media server and CloudFront.

``/media/{key}`` is the media bucket's object ``{key}``: locally the API server
answers it (classreel/local/media_origin.py), in AWS a behavior of the web
distribution (infrastructure/constructs/web.py). Only the prefixes in
``SERVED_PREFIXES`` are ever served; exports stay behind their own links.
"""

from __future__ import annotations

from chalicelib.storage.keys import CLIPS_PREFIX, VIDEOS_PREFIX

MEDIA_ROOT = "/media/"
# What a playback cookie can open: one video's or one clip's folder.
SERVED_PREFIXES = (VIDEOS_PREFIX, CLIPS_PREFIX)
# Behind CloudFront the API sees API Gateway's host, not the viewer's: the
# distribution passes the origin the viewer used (its own domain or a district's
# alias) in this header, and the cookies' policy names that origin.
VIEWER_ORIGIN_HEADER = "x-classreel-viewer-origin"
