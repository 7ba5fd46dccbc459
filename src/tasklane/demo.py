"""Demo data for a first look: three people, three projects, tasks, subtasks, comments.

Everything is created through the services, so the demo projects have event logs
exactly as if people had clicked it all together.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tasklane.models import User
from tasklane.protocol.auth import RegisterIn
from tasklane.protocol.project import MemberAdd, ProjectCreate
from tasklane.protocol.task import CommentCreate, TaskCreate
from tasklane.services import Services

PASSWORD = "tasklane-demo"
PEOPLE = (
    ("ana@example.com", "Ana Alvarez"),
    ("ben@example.com", "Ben Brooks"),
    ("chen@example.com", "Chen Li"),
)

# project name, description, colour, {section: [(task, status, assignee index, due in
# days, subtasks, comments)]}
Plan = dict[str, list[tuple[str, str, int | None, int | None, list[str], list[tuple[int, str]]]]]
PROJECTS: list[tuple[str, str, str, Plan]] = [
    (
        "Website relaunch",
        "New marketing site, live before the spring campaign.",
        "#4f6bed",
        {
            "To do": [
                (
                    "Write copy for the pricing page",
                    "todo",
                    1,
                    5,
                    [],
                    [(0, "Keep it under 300 words, please.")],
                ),
                ("Choose the hero illustration", "todo", 2, 9, [], []),
                ("Set up redirects from old URLs", "todo", None, None, [], []),
            ],
            "In progress": [
                (
                    "Build the new navigation",
                    "in_progress",
                    0,
                    2,
                    ["Desktop menu", "Mobile drawer", "Keyboard support"],
                    [(1, "The mobile drawer needs a close button."), (0, "Added, have a look.")],
                ),
                ("Migrate the blog posts", "in_progress", 1, -1, [], []),
            ],
            "Done": [
                ("Agree on the sitemap", "done", 0, -6, [], [(2, "Signed off by legal.")]),
            ],
        },
    ),
    (
        "Mobile app v2",
        "Offline mode and a faster start.",
        "#37c5ab",
        {
            "To do": [
                ("Design the offline banner", "todo", 2, 3, [], []),
                ("Profile cold start on old phones", "todo", 1, 12, ["Android", "iOS"], []),
            ],
            "In progress": [
                (
                    "Sync queue for offline edits",
                    "in_progress",
                    0,
                    7,
                    ["Persist the queue", "Retry with backoff"],
                    [(1, "What happens on a conflict?"), (0, "Last write wins for now.")],
                ),
            ],
            "Done": [("Crash reporting", "done", 1, -3, [], [])],
        },
    ),
    (
        "Hiring: backend engineer",
        "One senior hire this quarter.",
        "#fd9a00",
        {
            "To do": [("Schedule the panel interviews", "todo", 0, 4, [], [])],
            "In progress": [("Review take-home submissions", "in_progress", 2, 1, [], [])],
            "Done": [("Publish the job post", "done", 0, -10, [], [])],
        },
    ),
]


async def is_empty(services: Services) -> bool:
    async with services.runtime.db.read() as session:
        return not await session.scalar(select(func.count()).select_from(User))


async def load(services: Services) -> None:
    """Create the demo people and projects in an empty database."""
    people: list[User] = []
    for email, name in PEOPLE:
        user, _token, _secret = await services.auth.register(
            RegisterIn(email=email, name=name, password=PASSWORD)
        )
        people.append(user)
    owner = people[0]
    today = services.runtime.clock.today()
    roles = ("editor", "commenter")
    for number, (name, description, color, plan) in enumerate(PROJECTS):
        project = await services.projects.create(
            owner,
            # Each plan fills the default sections, which stand for the statuses of the
            # tasks planned in them.
            ProjectCreate(name=name, description=description, color=color),
        )
        for index, person in enumerate(people[1:]):
            role = "editor" if number == 0 else roles[index]
            await services.members.add(
                owner,
                project.id,
                MemberAdd(user_id=person.id, role=role),
            )
        sections = await services.sections.list(owner, project.id)
        for section in sections:
            for title, status, who, due, subtasks, comments in plan[section.name]:
                task = await services.tasks.create(
                    owner,
                    project.id,
                    TaskCreate(
                        name=title,
                        status=status,
                        assignee_id=people[who].id if who is not None else None,
                        due_on=today + timedelta(days=due) if due is not None else None,
                        section_id=section.id,
                    ),
                )
                for sub in subtasks:
                    await services.tasks.create_subtask(owner, task.id, TaskCreate(name=sub))
                for author, text in comments:
                    await services.comments.create(
                        people[author], task.id, CommentCreate(text=text)
                    )
