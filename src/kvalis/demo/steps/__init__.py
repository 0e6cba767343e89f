"""The demo is loaded in steps, one per part of the lifecycle, each idempotent.

Each step is a module here with `load(*, stdout) -> dict[str, int]` returning counts for the summary
line. They run in this order; a later step may rely on what earlier ones created.
"""

STEPS = [
    "core",
    "enrolment",
    "attendance",
    "certificates",
    "surveys",
    "budget",
    "visits",
    "reports",
    "upcoming",
]
