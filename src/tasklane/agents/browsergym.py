"""BrowserGym tasks (extra ``browsergym``; docs/tasks.md, "BrowserGym"): every template of
the library as the environment ``browsergym/tasklane.<template id>``, registered when
this module is imported, as BrowserGym's own benchmarks are (``import
browsergym.webarena``)::

    import gymnasium as gym
    import tasklane.agents.browsergym  # registers browsergym/tasklane.*

    env = gym.make("browsergym/tasklane.task.rename")
    obs, info = env.reset(seed=3)  # obs["goal"]: the intent; the page is signed in

A task's ``setup`` starts an attempt (an episode of its own on the gym server and the
template's instance on it), signs the page in as the instance's persona through the
sign-in page, as a person would, and leaves it on the home page; the goal is the intent.
``validate`` reads how the agent ended (``chat_answer``: ``send_msg_to_user`` or
``report_infeasible``), submits that answer as the persona unless the episode already
holds one, and grades the attempt from state: the reward is the grade's, given once,
when the agent has answered. ``teardown`` deletes the episode.

The gym server is set in the environment, as WebArena's sites are, under the names
``tasklane gym run`` reads: ``TASKLANE_URL`` (default ``http://127.0.0.1:3001``) and
``GYM_ADMIN_TOKEN``; the task's keyword arguments (``gym.make(..., task_kwargs=…)``)
override them. ``TASKLANE_CHROMIUM``, if set, is the Chromium BrowserGym launches
(``use_chromium``).

This module needs BrowserGym, whose Playwright is older than the one ``dev`` installs:
it is imported only in an environment of its own (``requirements/browsergym-lock.txt``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium
import playwright
from browsergym.core.registration import register_task
from browsergym.core.task import AbstractBrowserTask
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tasklane.agents.chat_answer import answer_from_chat
from tasklane.client import TasklaneClient
from tasklane.client.gym import GymClient
from tasklane.tasks.agents import oracle
from tasklane.tasks.attempt import Attempt, Ended
from tasklane.tasks.library import TEMPLATES

NAMESPACE = "tasklane"
DEFAULT_URL = "http://127.0.0.1:3001"
SEEDS_TRIED = 32  # from the seed asked for on, the first whose state makes an instance


@dataclass(frozen=True)
class GymServer:
    """Where the episodes are made: the gym server's URL and its admin token, and the
    Chromium to launch (None: Playwright's own)."""

    url: str
    admin_token: str
    chromium: str | None = None

    @classmethod
    def from_environment(cls, url: str | None = None, admin_token: str | None = None) -> GymServer:
        """The environment's settings, with ``url`` and ``admin_token`` taking
        precedence where given."""
        token = admin_token or os.environ.get("GYM_ADMIN_TOKEN")
        if not token:
            raise ValueError("the gym server's admin token: set GYM_ADMIN_TOKEN")
        return cls(
            url or os.environ.get("TASKLANE_URL", DEFAULT_URL),
            token,
            os.environ.get("TASKLANE_CHROMIUM") or None,
        )


class TasklaneTask(AbstractBrowserTask):  # type: ignore[misc]  # BrowserGym is untyped
    """One template of the library, on the instance the seed gives (the first seed
    from it on whose state the template makes one). The registered environments fix
    ``template``; ``preset``, ``url`` and ``admin_token`` may be given in
    ``task_kwargs``."""

    def __init__(
        self,
        seed: int | None,
        template: str,
        preset: str = "small",
        url: str | None = None,
        admin_token: str | None = None,
    ) -> None:
        super().__init__(seed)
        self.template = TEMPLATES[template]
        self.seed = seed
        self.preset = preset
        self.server = GymServer.from_environment(url, admin_token)
        if self.server.chromium:
            use_chromium(self.server.chromium)  # before BrowserGym starts Playwright
        # The pages act on each event as it comes and save a change at once, so no
        # slowing down: an action has taken effect by the time BrowserGym observes.
        self.slow_mo = 0
        self.timeout = 10_000
        self.attempt: Attempt | None = None
        self.ended: Ended | None = None
        self._gym: GymClient | None = None

    @classmethod
    def get_task_id(cls) -> str:
        """One class for every template, as WebArena's: the id is the registered one."""
        raise NotImplementedError

    def setup(self, page: Page) -> tuple[str, dict[str, Any]]:
        self._gym = GymClient(self.server.url, admin_token=self.server.admin_token)
        attempt = self.attempt = self._start(self._gym)
        sign_in(page, attempt)
        return attempt.intent, {
            "instance": attempt.instance.public(),
            "url": attempt.url,
            "email": attempt.email,
        }

    def validate(
        self, page: Page, chat_messages: list[dict[str, Any]]
    ) -> tuple[float, bool, str, dict[str, Any]]:
        """Reward 0 and not done until the agent answers (in the chat, or with ``POST
        /api/answer`` itself); then the grade's reward, once, and done."""
        if self.ended is not None:
            return 0.0, True, "", self._info(self.ended)
        attempt = self._attempt()
        said = answer_from_chat(chat_messages)
        held = attempt.episode.answer()
        if said is None and held is None:
            return 0.0, False, "", {}
        if said is not None and held is None:
            with TasklaneClient(attempt.url) as api:
                api.login(email=attempt.email, password=attempt.password)
                api.submit_answer(said.status, said.answer)
        self.ended = attempt.finish()
        return self.ended.grade.reward, True, "", self._info(self.ended)

    def cheat(self, page: Page, chat_messages: list[dict[str, Any]]) -> None:
        """The template's oracle, through the API as the persona, and its answer
        submitted: the next step ends the task with the full reward."""
        oracle(self._attempt().task())

    def teardown(self) -> None:
        if self.attempt is not None:
            self.attempt.close()
        if self._gym is not None:
            self._gym.close()

    def _start(self, gym: GymClient) -> Attempt:
        first = self.seed if self.seed is not None else int(self.random.randint(2**31 - 64))
        for seed in range(first, first + SEEDS_TRIED):
            attempt = Attempt.start(gym, self.template, seed, self.preset)
            if attempt is not None:
                return attempt
        raise ValueError(
            f"{self.template.id} makes no instance on the {self.preset} seeds "
            f"{first} to {first + SEEDS_TRIED - 1}"
        )

    def _attempt(self) -> Attempt:
        if self.attempt is None:
            raise RuntimeError("the task has not been set up")
        return self.attempt

    @staticmethod
    def _info(ended: Ended) -> dict[str, Any]:
        return {"answer": ended.answer, **ended.grade.public()}


def sign_in(page: Page, attempt: Attempt) -> None:
    """Sign ``page`` in as the attempt's persona through the sign-in page; it is left
    on the episode's home page."""
    page.goto(f"{attempt.url}/login")
    page.get_by_label("Email", exact=True).fill(attempt.email)
    page.get_by_label("Password", exact=True).fill(attempt.password)
    page.get_by_role("button", name="Sign in").click()
    try:
        page.wait_for_url(f"{attempt.url}/")
    except PlaywrightTimeoutError as exc:  # the form refused: say why, in the page's words
        said = " ".join(page.locator("main").inner_text(timeout=1_000).split())
        raise RuntimeError(f"signing in as {attempt.email} at {attempt.url}: {said[:300]}") from exc


def use_chromium(executable: str | Path) -> Path:
    """Have BrowserGym's Playwright launch ``executable`` (a Chromium of the machine's)
    wherever it would launch its own build; answers the browsers folder it set up.

    BrowserGym launches two Chromiums: the task's, which takes launch options
    (``pw_chromium_kwargs={"executable_path": …}``), and its chat window's, which takes
    none and always wants the build ``playwright install chromium`` downloads. Playwright
    looks for that build under ``PLAYWRIGHT_BROWSERS_PATH``: this lays out a folder
    where the build is a link to ``executable`` and points the variable there. It must
    be set before Playwright starts (the first reset of a process): the driver reads it
    then."""
    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    revision = next(
        entry["revision"]
        for entry in json.loads(browsers.read_text())["browsers"]
        if entry["name"] == "chromium"
    )
    target = str(executable)
    key = hashlib.sha256(target.encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"tasklane-browsers-{os.getuid()}-{key}"
    link = folder / f"chromium-{revision}" / "chrome-linux" / "chrome"
    if not (link.is_symlink() and os.readlink(link) == target):
        link.parent.mkdir(parents=True, exist_ok=True)
        fresh = link.with_name(f"chrome.{os.getpid()}")  # then renamed: processes race here
        fresh.unlink(missing_ok=True)
        fresh.symlink_to(target)
        fresh.replace(link)
    os.environ["PLAYWRIGHT_BROWSERS_PATH"] = str(folder)
    return folder


def register() -> list[str]:
    """Register every template as ``browsergym/tasklane.<template id>`` (again: no-op);
    answers the task ids, without the ``browsergym/`` prefix."""
    names = [f"{NAMESPACE}.{template_id}" for template_id in sorted(TEMPLATES)]
    for name in names:
        if f"browsergym/{name}" not in gymnasium.registry:
            register_task(name, TasklaneTask, task_kwargs={"template": name[len(NAMESPACE) + 1 :]})
    return names


ALL_TASKLANE_TASK_IDS = register()
