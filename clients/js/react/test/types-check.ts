// The types an application sees: each export used as documented, with the types its
// values must have. Checked by `tsc -p test/tsconfig.json`, never run. The lines expected to
// be errors (ts-expect-error) must stay errors.

import { createElement, StrictMode, type ReactElement, type ReactNode } from "react";
import { TasklaneRealtime, type Person, type Status } from "@tasklane/realtime";
import {
  ProjectWebSocketConnector,
  RealtimeStatus,
  WebSocketProvider,
  describeStatus,
  useCommentRealtimeUpdates,
  usePresence,
  useProject,
  useRealtimeUpdates,
  useTaskRealtimeUpdates,
  useTasks,
  useWebSocket,
  type CommentEvent,
  type ProjectBoard,
  type ProjectView,
  type RealtimeEvent,
  type Section,
  type Task,
  type TaskEvent,
  type TaskList,
  type TaskStatus,
} from "@tasklane/react";

function Board({ projectId }: { projectId: string }): ReactNode {
  const board: ProjectBoard = useProject(projectId);
  const project: ProjectView | null = board.project;
  const seq: number | undefined = project?.seq;
  const sections: Section[] = board.sections;
  const tasks: Task[] = board.tasks;
  const loading: boolean = board.loading;
  const error: Error | null = board.error;
  const reload: () => void = board.reload;
  const status: TaskStatus | undefined = tasks[0]?.status;

  const list: TaskList = useTasks(projectId);
  // @ts-expect-error useTasks has the tasks, not the sections
  void list.sections;
  useProject(null); // nothing to load yet

  const people: Person[] = usePresence(projectId);

  const { status: connection, isConnected, client } = useWebSocket();
  const state: Status["state"] = connection.state;
  const rt: TasklaneRealtime = client;
  const connected: boolean = isConnected;

  useRealtimeUpdates(
    {
      onTaskCreated: (event) => {
        const task: Task = event.data.task;
        const type: "task_created" = event.type;
        void task, type;
      },
      onTaskStatusChanged: (event) => {
        const was: TaskStatus = event.data.previousStatus;
        const now: TaskStatus = event.data.newStatus;
        void was, now;
      },
      onTaskDeleted: (event) => {
        const gone: string[] = event.data.deletedSubtaskIds;
        const parent: string | null = event.data.parentId;
        void gone, parent;
      },
      onSectionUpdated: (event) => void (event.data.reranked satisfies Record<string, string> | null),
      onCommentCreated: (event) => void (event.data.comment.text satisfies string),
      onUserConnected: (change) => void (change.data.name satisfies string),
      onResync: ({ seq: from }) => void (from satisfies number),
      onLeft: ({ reason }) => void (reason satisfies string),
      onEvent: (event: RealtimeEvent) => {
        if (event.type === "member_updated") {
          void (event.data.previousRole satisfies "owner" | "editor" | "commenter" | "viewer");
          void (event.data.changes satisfies string[]);
          void (event.data.member.user.avatarColor satisfies string | null);
        }
      },
    },
    { projectId },
  );
  // @ts-expect-error a task_created handler does not take a comment event
  useRealtimeUpdates({ onTaskCreated: (event: CommentEvent) => void event });
  // @ts-expect-error no such handler
  useRealtimeUpdates({ onTaskMoved: () => {} });

  useTaskRealtimeUpdates(
    (event: TaskEvent) => void event.data.taskId,
    (event) => void (event.data.newStatus satisfies TaskStatus),
    { projectId },
  );
  useTaskRealtimeUpdates(null, (event) => void event.seq);
  useCommentRealtimeUpdates((event) => void (event.data.commentId satisfies string));

  void project, seq, sections, loading, error, reload, status, people, state, rt, connected;
  return createElement(ProjectWebSocketConnector, { projectId, seq: project?.seq }, createElement(RealtimeStatus, { className: "status" }));
}

const rt = new TasklaneRealtime({ api: "https://tasks.example.com", token: "tok_1" });
export const given: ReactElement = createElement(WebSocketProvider, { client: rt }, createElement(Board, { projectId: "proj_1" }));
export const made: ReactElement = createElement(
  StrictMode,
  null,
  createElement(WebSocketProvider, { api: "https://tasks.example.com", getTicket: async () => "ticket", gateway: { ws: "wss://rt.example.com", http: "https://rt.example.com" } }),
);
// @ts-expect-error a provider needs a client or the options, and `api` is a string
export const wrong: ReactElement = createElement(WebSocketProvider, { api: 42 });
// @ts-expect-error the connector needs a project
export const noProject: ReactElement = createElement(ProjectWebSocketConnector, {});

export const text: string = describeStatus({ state: "live", transport: "sse", retryInMs: null, reason: null, code: null }).label;
