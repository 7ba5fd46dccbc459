import type { Member, Task, TaskStatus } from "@tasklane/react";

import { Avatar } from "./Avatar";

export const STATUS_LABELS: Record<TaskStatus, string> = {
  todo: "To do",
  in_progress: "In progress",
  done: "Done",
};

const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** A YYYY-MM-DD day as the reader's calendar shows it, and whether it has passed. */
function dueDay(dueOn: string): { text: string; overdue: boolean } {
  const [year = 0, month = 1, day = 1] = dueOn.split("-").map(Number);
  const due = new Date(year, month - 1, day);
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  return { text: dayFormat.format(due), overdue: due < today };
}

interface TaskCardProps {
  task: Task;
  assignee: Member | null;
  /** Someone's change just reached this card: it flashes once. */
  flash: boolean;
  onFlashed: () => void;
}

export function TaskCard({ task, assignee, flash, onFlashed }: TaskCardProps) {
  const due = task.dueOn ? dueDay(task.dueOn) : null;
  const classes = ["card", `card-${task.status}`, flash ? "card-changed" : ""].filter(Boolean);
  return (
    <article
      className={classes.join(" ")}
      data-testid="task-card"
      data-task-id={task.id}
      onAnimationEnd={onFlashed}
    >
      <h3 className="card-name" data-testid="task-name">
        {task.name}
      </h3>
      <div className="card-meta">
        <span className={`pill pill-${task.status}`} data-testid="task-status">
          {STATUS_LABELS[task.status]}
        </span>
        {due && (
          <time
            className={due.overdue && !task.completed ? "due overdue" : "due"}
            dateTime={task.dueOn ?? undefined}
            title={due.overdue && !task.completed ? "Overdue" : "Due"}
          >
            {due.text}
          </time>
        )}
        {task.subtaskCount > 0 && (
          <span className="counter" title="Subtasks">
            {task.subtaskCount} {task.subtaskCount === 1 ? "subtask" : "subtasks"}
          </span>
        )}
        {task.commentCount > 0 && (
          <span className="counter" title="Comments">
            {task.commentCount} {task.commentCount === 1 ? "comment" : "comments"}
          </span>
        )}
      </div>
      {task.assigneeId && (
        <div className="assignee">
          <Avatar id={task.assigneeId} name={assignee?.user.name ?? "?"} />
          <span data-testid="task-assignee">{assignee?.user.name ?? "Unknown member"}</span>
        </div>
      )}
    </article>
  );
}
