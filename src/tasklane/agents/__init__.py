"""The interfaces agents work through (docs/tasks.md): typed tools over the public API
(``tools``), served over MCP (``mcp_server``, extra ``mcp``), a gymnasium environment of
tool calls (``gym_env``, extra ``gymnasium``) and BrowserGym tasks (``browsergym``, extra
``browsergym``). Each stands on ``tasklane.tasks`` and the SDK, never the server's insides.
"""
