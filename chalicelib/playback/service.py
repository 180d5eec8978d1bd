"""Issuing playback access: cookies for one video's (or clip's) media, and an audit entry.

Playlists, segments and MP4 files are private; a viewer gets signed cookies
that open exactly one video's or clip's ``/media/`` path for a while, and the
player asks again before they run out (``renew_after_s``), so a coach who
pauses for an hour and then seeks keeps watching. Every issuance to someone
other than the owner is a view in the owner's audit trail: the view says whose media it
opens, and the route table records it (chalicelib/api/links.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.api.links import Viewed
from chalicelib.auth.principal import Principal
from chalicelib.clips.access import visible_clip
from chalicelib.clips.media import ClipMedia, redacted_media, shown_media
from chalicelib.clips.models import ClipRecord
from chalicelib.clips.redacted import RedactionRecord
from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.errors import Conflict
from chalicelib.playback.keys import signer
from chalicelib.playback.paths import MEDIA_ROOT
from chalicelib.playback.schemas import PlaybackView
from chalicelib.storage.keys import video_media_prefix
from chalicelib.videos.access import visible_video
from chalicelib.videos.models import RenditionAttr
from chalicelib.videos.schemas import RenditionView

NOT_PLAYABLE = "This video cannot be played yet; it is still being prepared."
NOT_REDACTED = "Students' faces in this clip have not been blurred yet, so it cannot be shown"


def media_path(key: str) -> str:
    """The path a viewer fetches an object of the media bucket at (with its cookies)."""
    return MEDIA_ROOT + key


@dataclass(frozen=True)
class PlaybackGrant:
    view: PlaybackView
    cookies: dict[str, str]
    path: str  # the cookies' scope
    expires_at: datetime


def renditions_view(renditions: list[RenditionAttr]) -> list[RenditionView]:
    return [
        RenditionView(
            label=r.label, width=int(r.width), height=int(r.height), url=media_path(r.key)
        )
        for r in renditions
    ]


def _grant(
    viewed: Viewed,
    scope: str,
    hls_key: str | None,
    renditions: list[RenditionAttr],
    origin: str,
    settings: Settings,
) -> PlaybackGrant:
    expires = utcnow() + timedelta(seconds=settings.playback_access_s)
    path = media_path(scope)
    cookies = signer(settings).cookies(f"{origin.rstrip('/')}{path}*", expires)
    view = PlaybackView(
        viewed=viewed,
        hls_url=media_path(hls_key) if hls_key else None,
        renditions=renditions_view(renditions),
        expires_at=expires,
        # Renew at half-life: time enough for a slow network or a sleeping tab.
        renew_after_s=max(1, settings.playback_access_s // 2),
    )
    return PlaybackGrant(view, cookies, path, expires)


def for_video(
    principal: Principal, video_id: str, origin: str, settings: Settings
) -> PlaybackGrant:
    video = visible_video(principal, video_id)
    master = video.playable_master_key
    if not video.playable or not (master or video.renditions):
        raise Conflict(NOT_PLAYABLE, field="video_id")
    return _grant(
        Viewed(video.district, video_id, video.owner_id),
        video_media_prefix(video_id),
        master,
        list(video.renditions),
        origin,
        settings,
    )


def _clip_grant(
    clip: ClipRecord, media: ClipMedia, origin: str, settings: Settings
) -> PlaybackGrant:
    """Cookies for exactly the media shown: a redacted version's run, never the original."""
    if media.scope is None or not (media.hls_master_key or media.renditions):
        if media.redacted:
            raise Conflict(NOT_REDACTED, field="clip_id")
        raise Conflict("This clip cannot be played yet; it is still being cut.", field="clip_id")
    return _grant(
        Viewed(clip.district, clip.video_id, clip.owner_id, clip_id=clip.clip_id),
        media.scope,
        media.hls_master_key,
        list(media.renditions),
        origin,
        settings,
    )


def for_redaction(
    principal: Principal, clip_id: str, origin: str, settings: Settings
) -> PlaybackGrant:
    """The redacted version, for whoever may see the clip (a coach's preview, a reviewer)."""
    clip, _ = visible_clip(principal, clip_id)
    return _clip_grant(clip, redacted_media(clip, RedactionRecord.load(clip_id)), origin, settings)


def for_clip(principal: Principal, clip_id: str, origin: str, settings: Settings) -> PlaybackGrant:
    """The clip as the caller may be shown it (chalicelib/clips/media.py): a reviewer or a
    library reader of a clip showing students without media consent gets its redacted
    version or a 409, never the original."""
    clip, video = visible_clip(principal, clip_id)
    return _clip_grant(clip, shown_media(principal, clip, video), origin, settings)
