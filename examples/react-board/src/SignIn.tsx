import { TasklaneError, TasklaneRealtime } from "@tasklane/realtime";
import { type FormEvent, useState } from "react";

import { Logo } from "./Logo";
import type { Session } from "./session";

const DEFAULT_API = import.meta.env.VITE_TASKLANE_API ?? "http://127.0.0.1:3001";

interface Me {
  id: string;
  name: string;
}

/** The address as the client wants it, or null when it is not an http(s) URL. */
function apiAddress(text: string): string | null {
  try {
    const url = new URL(text.trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.href.replace(/\/+$/, "");
  } catch {
    return null;
  }
}

function explain(error: unknown, api: string): string {
  if (error instanceof TasklaneError) {
    if (error.status === 401) {
      return "Tasklane did not accept this token. Paste a personal token of this server, one that has not been deleted.";
    }
    if (error.status === 0) {
      return `No answer from ${api}. Check that Tasklane runs there and that its ALLOWED_ORIGINS setting lists ${window.location.origin}.`;
    }
    return `Tasklane answered: ${error.message}`;
  }
  return `Signing in failed: ${String(error)}`;
}

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [api, setApi] = useState(DEFAULT_API);
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const address = apiAddress(api);
    if (!address) {
      setProblem("Enter the API's address, like http://127.0.0.1:3001.");
      return;
    }
    const secret = token.trim();
    if (!secret) {
      setProblem("Paste a personal token.");
      return;
    }
    setProblem(null);
    setChecking(true);
    // Asks whose token it is before keeping anything. This client only makes requests:
    // nothing is followed, so it never connects to the gateway.
    const client = new TasklaneRealtime({ api: address, token: secret });
    try {
      const me = (await client.request("/api/auth/me")) as Me;
      onSignedIn({ api: address, token: secret, user: { id: me.id, name: me.name } });
    } catch (error) {
      setProblem(explain(error, address));
      setChecking(false);
    } finally {
      client.close();
    }
  }

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <div className="brand">
          <Logo />
          <span>Tasklane</span>
        </div>
        <h1 id="sign-in-title">Open a live board</h1>
        <p className="muted">
          Sign in with the address of a Tasklane API and one of your personal tokens. The token
          is kept in this tab only.
        </p>
        <div className="field">
          <label htmlFor="api">API address</label>
          <input
            id="api"
            name="api"
            type="url"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            value={api}
            onChange={(event) => setApi(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="token">Personal token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-describedby="token-hint"
          />
          <p id="token-hint" className="hint">
            Create one with <code>POST /api/tokens</code> (see the README).
          </p>
        </div>
        {problem && (
          <p className="field-error" role="alert" data-testid="sign-in-error">
            {problem}
          </p>
        )}
        <button type="submit" className="button primary" disabled={checking}>
          {checking ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
