"""The default needs-assessment instrument (version 1), seeded by a migration.

Each domain is scored 1 (严重困难) to 5 (良好) with evidence; `weight` says how much a
difficulty in that domain counts when needs are ranked, `services` which service types usually
answer it. A county that needs a different form adds a new version; old assessments keep theirs.
"""

from typing import Any

DEFAULT_NAME = "贫困家庭需求评估表"

DEFAULT_DOMAINS: list[dict[str, Any]] = [
    {
        "code": "income",
        "label": "经济收入",
        "weight": 3,
        "services": ["living", "resource_linking"],
    },
    {
        "code": "employment",
        "label": "就业状况",
        "weight": 3,
        "services": ["skills", "resource_linking"],
    },
    {
        "code": "health",
        "label": "身体健康",
        "weight": 2,
        "services": ["resource_linking", "living"],
    },
    {
        "code": "disability_care",
        "label": "残疾与照料",
        "weight": 2,
        "services": ["living", "resource_linking"],
    },
    {
        "code": "education",
        "label": "子女教育",
        "weight": 2,
        "services": ["resource_linking", "guardianship"],
    },
    {
        "code": "housing",
        "label": "住房条件",
        "weight": 2,
        "services": ["resource_linking", "living"],
    },
    {
        "code": "psychology",
        "label": "心理状况",
        "weight": 2,
        "services": ["counselling", "behaviour"],
    },
    {
        "code": "family",
        "label": "家庭关系",
        "weight": 1,
        "services": ["family_relations", "counselling"],
    },
    {
        "code": "social_support",
        "label": "社会支持",
        "weight": 1,
        "services": ["integration", "resource_linking"],
    },
]
