import { WebSocketProvider } from "@tasklane/react";
import { useState } from "react";

import { forgetSession, loadSession, saveSession, type Session } from "./session";
import { SignIn } from "./SignIn";
import { Workspace } from "./Workspace";

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);

  if (!session) {
    return (
      <SignIn
        onSignedIn={(next) => {
          saveSession(next);
          setSession(next);
        }}
      />
    );
  }

  const signOut = () => {
    forgetSession();
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    setSession(null); // unmounting the provider closes its client and every connection
  };

  return (
    // One realtime client for the session: the hooks below share it, and a project is
    // followed only while a board of it is open.
    <WebSocketProvider api={session.api} token={session.token}>
      <Workspace session={session} onSignOut={signOut} />
    </WebSocketProvider>
  );
}
