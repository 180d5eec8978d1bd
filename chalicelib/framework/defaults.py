"""The default framework: Hartford's six instructional-vision elements."""

from __future__ import annotations

DEFAULT_NAME = "Instructional vision"

DEFAULT_ELEMENTS: tuple[dict[str, object], ...] = (
    {
        "id": "data-informed",
        "label": "Data-informed",
        "description": "Instruction responds to evidence of what students know and can do.",
        "teacher_actions": ["Checks for understanding", "Adjusts the lesson from student work"],
    },
    {
        "id": "high-expectations",
        "label": "High expectations",
        "description": "Every student is held to rigorous, grade-level work.",
        "teacher_actions": ["Asks students to justify answers", "Uses wait time"],
    },
    {
        "id": "collaborative",
        "label": "Collaborative",
        "description": "Students build understanding with each other.",
        "teacher_actions": ["Structures partner or group talk", "Assigns roles"],
    },
    {
        "id": "student-centered",
        "label": "Student-centered",
        "description": "Students do the thinking and the talking.",
        "teacher_actions": ["Lets students lead discussion", "Builds on student ideas"],
    },
    {
        "id": "culturally-relevant",
        "label": "Culturally relevant",
        "description": "Learning connects to students' identities, cultures and communities.",
        "teacher_actions": ["Draws on students' experiences", "Uses diverse texts and examples"],
    },
    {
        "id": "differentiated",
        "label": "Differentiated",
        "description": "Supports and challenges fit each learner.",
        "teacher_actions": ["Offers entry points for all learners", "Groups flexibly"],
    },
)
