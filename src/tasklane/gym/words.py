"""The vocabulary seeded workspaces are written in."""

from __future__ import annotations

FIRST_NAMES = (
    "Ana", "Ben", "Chen", "Dana", "Eli", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi",
    "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma",
    "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dmitri",
    "Esme", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luca", "Maya", "Nils",
)  # fmt: skip

LAST_NAMES = (
    "Alvarez", "Brooks", "Li", "Novak", "Okafor", "Haddad", "Berg", "Sato", "Petrov",
    "Moreau", "Mensah", "Fischer", "Rossi", "Nakamura", "Khan", "Silva", "Walsh", "Costa",
    "Larsen", "Dubois", "Kowalski", "Ibrahim", "Jensen", "Garcia", "Tanaka", "Meyer",
)  # fmt: skip

TEAMS = (
    "Platform", "Mobile", "Growth", "Design", "Data", "Support", "Marketing",
    "Infrastructure", "Security", "Finance", "People", "Sales",
)  # fmt: skip

PROJECT_THEMES = (
    ("Q2 roadmap", "What we commit to this quarter."),
    ("Bug triage", "Incoming reports, sorted weekly."),
    ("Launch checklist", "Everything that must be true on launch day."),
    ("Onboarding revamp", "A first week that makes sense."),
    ("Customer feedback", "What customers asked for, and what we did about it."),
    ("Tech debt", "Paying down what slows us down."),
    ("Hiring", "Open roles and the loop for each."),
    ("Offsite planning", "Two days, one city, no laptops."),
    ("Migration to v2", "Moving every customer without downtime."),
    ("Quarterly review", "Numbers, lessons and next steps."),
    ("Accessibility", "Meeting WCAG 2.2 AA everywhere."),
    ("Cost reduction", "Spend less on what nobody uses."),
)

SECTION_LAYOUTS = (
    (
        ("To do", "todo"),
        ("In progress", "in_progress"),
        ("Review", "in_progress"),
        ("Done", "done"),
    ),
    (("Backlog", "todo"), ("This week", "in_progress"), ("Done", "done")),
    (("Ideas", "todo"), ("Planned", "todo"), ("Doing", "in_progress"), ("Shipped", "done")),
)

VERBS = (
    "Draft", "Review", "Fix", "Update", "Ship", "Test", "Design", "Write", "Plan",
    "Migrate", "Audit", "Prepare", "Investigate", "Document", "Clean up", "Benchmark",
    "Schedule", "Refactor", "Estimate", "Present",
)  # fmt: skip

OBJECTS = (
    "the onboarding email", "pricing page copy", "the login timeout", "release notes",
    "the analytics dashboard", "API rate limits", "invoice export", "search ranking",
    "the mobile navigation", "the quarterly report", "SSO setup", "the backup restore drill",
    "the accessibility audit", "the error budget", "customer interview notes",
    "the data retention policy", "the CI pipeline", "design tokens", "support macros",
    "the churn analysis", "the signup funnel", "push notifications", "the status page",
    "the billing webhook", "dark mode", "the import wizard", "the admin console",
    "the offline mode", "the sales deck", "the hiring scorecard",
)  # fmt: skip

QUALIFIERS = (
    "", "", "", "", " for the EU region", " before the freeze", " with legal",
    " for enterprise plans", " (follow-up)", " on Android", " on iOS", " for the board",
)  # fmt: skip

SUBTASKS = (
    "Gather requirements", "First draft", "Get a review", "Address feedback",
    "Write tests", "Update the docs", "Tell support", "Measure the result",
)  # fmt: skip

COMMENTS = (
    "Looks good to me.", "Can we do this before Friday?", "I left notes in the doc.",
    "Blocked on the design review.", "Done on my side, over to you.",
    "Who owns the follow-up?", "Let's discuss in stand-up.", "Added the numbers.",
    "This needs a second pair of eyes.", "Moving this to next week.",
    "Customer confirmed the fix.", "Pushed a first version.",
)  # fmt: skip
