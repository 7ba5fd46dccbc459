"""The web UI's server side: pages rendered with Jinja2 on the JSON API's services,
plus the static files (CSS, the page scripts, the favicon) they load.

``install(app)`` adds the pages, their error answers, ``/static`` and the security
headers (``headers.py``) to the app on ``PORT``; the page routes stay out of the OpenAPI
schema (``/docs`` is the JSON API's).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tasklane.web import account_page, auth_pages, forms, invitation_pages, pages, problems
from tasklane.web.headers import SecurityHeaders
from tasklane.web.rendering import STATIC_DIR, build_templates


def install(app: FastAPI) -> None:
    app.state.templates = build_templates()
    problems.install(app)
    for router in (
        auth_pages.router,
        pages.router,
        forms.router,
        account_page.router,
        invitation_pages.router,
    ):
        app.include_router(router)
    # In a checkout, static/js/realtime links to @tasklane/realtime's sources in
    # clients/js/realtime/src (the wheel holds them as files); ".." still cannot leave.
    static = StaticFiles(directory=STATIC_DIR, follow_symlink=True)
    app.mount("/static", static, name="static")
    # The API docs run Swagger UI and ReDoc, inline scripts from a CDN: no policy there.
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(
        SecurityHeaders,
        settings=app.state.settings,
        exempt=[path for path in docs if path is not None],
    )
