"""The library's moments: where in a clip each element is shown, and which a result lists."""

from __future__ import annotations

from chalicelib.feedback.models import CommentRecord
from chalicelib.library.models import MatchAttr
from chalicelib.library.service import matches_from, search_words, shown_matches


def _comment(
    at_s: float, end_s: float | None, tags: list[str], body: str, parent: str | None = None
) -> CommentRecord:
    return CommentRecord(
        "CLIP#c",
        f"C#{at_s}",
        comment_id=f"c{at_s}",
        at_s=at_s,
        end_s=end_s,
        tags=tags,
        body=body,
        parent_id=parent,
    )


def _moments(matches: list[MatchAttr]) -> list[tuple[str, float, float]]:
    return [(m.element, float(m.start_s), float(m.end_s)) for m in matches]


def test_tagged_comments_are_the_moments_and_untagged_elements_span_the_clip() -> None:
    comments = [
        _comment(3, None, ["wait-time"], "Great wait time"),
        _comment(10, 40, ["wait-time", "other"], "Range"),
        _comment(12, None, ["wait-time"], "A reply", parent="c3"),
    ]
    found = matches_from(comments, ["wait-time", "collaborative"], 120.0)
    assert _moments(found) == [
        ("wait-time", 3.0, 3.0),
        ("wait-time", 10.0, 40.0),
        ("collaborative", 0.0, 120.0),
    ]
    assert found[0].comment_id == "c3"


def test_search_words_are_lower_case_and_at_most_ten() -> None:
    assert search_words("  Wait  TIME ") == ["wait", "time"]
    assert search_words(None) == []
    assert len(search_words(" ".join(str(n) for n in range(20)))) == 10


def test_a_result_lists_the_asked_elements_moments_or_the_mentioned_ones_first() -> None:
    matches = [
        MatchAttr(element="a", start_s=1, end_s=1, body="nothing here"),
        MatchAttr(element="b", start_s=2, end_s=2, body="Wait time"),
    ]
    assert [m.element for m in shown_matches(matches, "a", [])] == ["a"]
    assert [m.element for m in shown_matches(matches, None, ["wait"])] == ["b", "a"]
    assert [m.element for m in shown_matches(matches, None, [])] == ["a", "b"]
