import {
  RealtimeStatus,
  type Section,
  type Task,
  usePresence,
  useProject,
  useTaskRealtimeUpdates,
} from "@tasklane/react";
import { useEffect, useMemo, useState } from "react";

import { type Members, useMembers } from "./members";
import { Presence } from "./Presence";
import { TaskCard } from "./TaskCard";

/**
 * A project's live board: one column per section, in order, with its top-level tasks.
 * useProject loads it and applies every event after the load, once each, whatever the
 * transport; the cards that another person's change touched flash once.
 */
export function Board({ projectId }: { projectId: string }) {
  const { project, sections, tasks, loading, error, reload } = useProject(projectId);
  const people = usePresence(projectId);
  const members = useMembers(projectId);
  const changed = useChangedTasks(projectId);

  useEffect(() => {
    document.title = project ? `${project.name} · Tasklane` : "Tasklane board";
  }, [project]);

  const bySection = useMemo(() => tasksBySection(tasks), [tasks]);

  return (
    <section className="board-page" data-testid="board" aria-busy={loading}>
      <header className="topbar">
        <div className="topbar-title">
          {project && (
            <span className="dot large" style={{ background: project.color }} aria-hidden="true" />
          )}
          <h1>{project?.name ?? "Loading…"}</h1>
        </div>
        <Presence people={people} />
        <RealtimeStatus className="realtime-status" data-testid="status" />
      </header>

      {error && (
        <div className="notice error" role="alert">
          <span>{error.message}</span>
          <button type="button" className="button small" onClick={reload}>
            Try again
          </button>
        </div>
      )}

      {!project && loading && <BoardSkeleton />}

      {project && sections.length === 0 && (
        <div className="empty-state">
          <h2>No sections yet</h2>
          <p className="muted">Add a section to this project in Tasklane; it appears here at once.</p>
        </div>
      )}

      {project && sections.length > 0 && (
        <div className="columns">
          {sections.map((section) => (
            <Column
              key={section.id}
              section={section}
              tasks={bySection.get(section.id) ?? []}
              members={members}
              changed={changed.ids}
              onFlashed={changed.forget}
            />
          ))}
        </div>
      )}
    </section>
  );
}

interface ColumnProps {
  section: Section;
  tasks: Task[];
  members: Members;
  changed: ReadonlySet<string>;
  onFlashed: (taskId: string) => void;
}

function Column({ section, tasks, members, changed, onFlashed }: ColumnProps) {
  const headingId = `section-${section.id}`;
  return (
    <section
      className="column"
      data-testid="column"
      data-section-id={section.id}
      aria-labelledby={headingId}
    >
      <header className="column-header">
        <h2 id={headingId}>{section.name}</h2>
        <span className="count" aria-label={`${tasks.length} tasks`}>
          {tasks.length}
        </span>
      </header>
      {tasks.length === 0 ? (
        <p className="column-empty">No tasks yet</p>
      ) : (
        <ol className="card-list">
          {tasks.map((task) => (
            <li key={task.id}>
              <TaskCard
                task={task}
                assignee={task.assigneeId ? (members.get(task.assigneeId) ?? null) : null}
                flash={changed.has(task.id)}
                onFlashed={() => onFlashed(task.id)}
              />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function BoardSkeleton() {
  return (
    <div className="columns" aria-hidden="true">
      {[0, 1, 2].map((index) => (
        <div key={index} className="column skeleton">
          <div className="skeleton-line" />
          <div className="skeleton-card" />
          <div className="skeleton-card" />
        </div>
      ))}
    </div>
  );
}

/** The tasks of each section, in the board's order (useProject sorts them). */
function tasksBySection(tasks: Task[]): Map<string, Task[]> {
  const grouped = new Map<string, Task[]>();
  for (const task of tasks) {
    if (task.sectionId == null) continue;
    const list = grouped.get(task.sectionId);
    if (list) list.push(task);
    else grouped.set(task.sectionId, [task]);
  }
  return grouped;
}

/** The tasks a live event changed, until their card has flashed. */
function useChangedTasks(projectId: string) {
  const [ids, setIds] = useState<ReadonlySet<string>>(() => new Set());
  useTaskRealtimeUpdates(
    (event) => {
      if (event.type === "task_deleted") return;
      setIds((current) => new Set(current).add(event.data.taskId));
    },
    null,
    { projectId },
  );
  const forget = (taskId: string) =>
    setIds((current) => {
      if (!current.has(taskId)) return current;
      const next = new Set(current);
      next.delete(taskId);
      return next;
    });
  return { ids, forget };
}
