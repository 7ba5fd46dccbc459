// Who is signed in, and to which Tasklane: kept in sessionStorage, so it lasts as long
// as the tab and is forgotten when it closes (or on "Sign out").

export interface Session {
  /** The API's address, e.g. http://127.0.0.1:3001 (no trailing slash). */
  api: string;
  /** A personal token (POST /api/tokens). */
  token: string;
  user: { id: string; name: string };
}

const KEY = "tasklane-react-board/session";

function isSession(value: unknown): value is Session {
  if (!value || typeof value !== "object") return false;
  const { api, token, user } = value as Partial<Session>;
  return (
    typeof api === "string" &&
    typeof token === "string" &&
    typeof user?.id === "string" &&
    typeof user.name === "string"
  );
}

export function loadSession(): Session | null {
  try {
    const stored: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
    return isSession(stored) ? stored : null;
  } catch {
    return null; // unreadable: as good as signed out
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function forgetSession(): void {
  sessionStorage.removeItem(KEY);
}
