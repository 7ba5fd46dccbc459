import { Avatar } from "./Avatar";
import { Board } from "./Board";
import { Logo } from "./Logo";
import { useProjects } from "./projects";
import { projectHref, useOpenProjectId } from "./route";
import type { Session } from "./session";
import { useTheme } from "./theme";

interface WorkspaceProps {
  session: Session;
  onSignOut: () => void;
}

/** The frame once signed in: the projects on the left, the open board beside them. */
export function Workspace({ session, onSignOut }: WorkspaceProps) {
  const openId = useOpenProjectId();
  const { projects, loading, error, reload } = useProjects();
  const [theme, setTheme] = useTheme();

  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <Logo />
          <span>Tasklane</span>
        </div>
        <nav className="projects" aria-labelledby="projects-heading">
          <div className="sidebar-heading">
            <h2 id="projects-heading">Projects</h2>
            <button type="button" className="button ghost small" onClick={reload}>
              Refresh
            </button>
          </div>
          {error && (
            <p className="field-error" role="alert">
              Could not load your projects: {error.message}
            </p>
          )}
          {!error && !loading && projects.length === 0 && (
            <p className="muted small">
              You are not a member of any project yet. Create one in Tasklane, or ask to be
              added to one.
            </p>
          )}
          <ul>
            {projects.map((project) => (
              <li key={project.id}>
                <a
                  href={projectHref(project.id)}
                  className="project-link"
                  data-testid="project-link"
                  aria-current={project.id === openId ? "page" : undefined}
                  title={project.name}
                >
                  <span className="dot" style={{ background: project.color }} aria-hidden="true" />
                  <span className="project-name">{project.name}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-foot">
          <div className="me">
            <Avatar id={session.user.id} name={session.user.name} />
            <span className="me-name" data-testid="signed-in-as">
              {session.user.name}
            </span>
          </div>
          <div className="foot-actions">
            <button
              type="button"
              className="button ghost small"
              onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
            >
              {theme === "dark" ? "Light theme" : "Dark theme"}
            </button>
            <button type="button" className="button ghost small" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="main">
        {openId ? (
          <Board key={openId} projectId={openId} />
        ) : (
          <div className="empty-state" data-testid="choose-project">
            <h1>Choose a project</h1>
            <p className="muted">
              {loading
                ? "Loading your projects…"
                : "Pick a project on the left to open its board. Changes anyone makes appear here as they happen."}
            </p>
          </div>
        )}
      </main>
    </div>
  );
}
