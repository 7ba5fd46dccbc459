// A project outside the repository, written against the packages' public API
// (tests/packaging/test_js_packages.py installs the tarballs beside it and type-checks
// it). The lines marked @ts-expect-error must fail to type-check: the declarations are
// not `any`.
import { TasklaneRealtime, TasklaneError, PROTOCOL_VERSION, type Status, type DurableEvent } from "@tasklane/realtime";
import { WebSocketProvider, useWebSocket, useProject, usePresence, RealtimeStatus } from "@tasklane/react";

const rt = new TasklaneRealtime({ api: "https://tasks.example.com", token: "tl_x" });
const version: number = PROTOCOL_VERSION;
rt.on("status", (status: Status) => status.retryInMs);
rt.on("task_created", (event: DurableEvent) => event.seq + 1);
rt.on("presence", ({ users }) => users.map((user) => user.name.toUpperCase()));
rt.join("proj_1", 3);
const loaded: Promise<unknown> = rt.request("/api/projects");
loaded.catch((error: unknown) => error instanceof TasklaneError && error.status);
// @ts-expect-error: not an event the client hands over
rt.on("task_exploded", () => {});
// @ts-expect-error: a token is a string
new TasklaneRealtime({ token: 42 });
export { version, WebSocketProvider, useWebSocket, useProject, usePresence, RealtimeStatus };
