"""Records written straight into the table, for tests about what happens *after* ingest.

Access rules and feedback do not depend on how a video was transcoded, so these
tests start from a ready video record instead of running ffmpeg every time.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.db.base import utcnow
from chalicelib.storage.keys import raw_source_key
from chalicelib.videos.models import (
    RenditionAttr,
    UploadAttr,
    VideoRecord,
    VideoShare,
    VideoStatus,
    district_partition,
    new_video_id,
    owner_partition,
    school_coaches_partition,
)


def ready_video(
    owner: str,
    *,
    district: str = "district-a",
    school: str | None = "school-1",
    duration_s: float = 120.0,
    shared_with: tuple[str, ...] = (),
    school_coaches: bool = False,
    title: str = "Seeded lesson",
    consent_to_library: bool = False,
) -> VideoRecord:
    video_id = new_video_id()
    now = utcnow()
    sort_key = f"{now.isoformat()}#{video_id}"
    video = VideoRecord(
        *VideoRecord.key(video_id),
        gsi1pk=owner_partition(district, owner),
        gsi1sk=sort_key,
        gsi2pk=district_partition(district),
        gsi2sk=sort_key,
        video_id=video_id,
        district=district,
        school=school,
        owner_id=owner,
        title=title,
        status=VideoStatus.READY.value,
        playable=True,
        progress=1,
        duration_s=duration_s,
        width=1280,
        height=720,
        fps=30,
        has_audio=True,
        shared_with=set(shared_with) or None,
        share_with_school_coaches=school_coaches,
        consent_to_library=consent_to_library,
        renditions=[
            RenditionAttr(
                label="720p",
                width=1280,
                height=720,
                key=f"videos/{video_id}/seed/720p.mp4",
                size_bytes=1,
            )
        ],
        upload=UploadAttr(
            mode="post",
            key=raw_source_key(district, video_id),
            content_type="video/mp4",
            declared_size=1,
            filename="seed.mp4",
            window_ends_at=now + timedelta(hours=1),
        ),
        created_at=now,
        updated_at=now,
    )
    if school_coaches and school:
        video.gsi3pk = school_coaches_partition(district, school)
        video.gsi3sk = sort_key
    video.save()
    for user_id in shared_with:
        VideoShare.for_video(video, user_id).save()
    return video
