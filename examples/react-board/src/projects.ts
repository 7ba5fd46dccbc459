// The projects the signed-in person is a member of, through the realtime client's
// authenticated request(): the list is not live (events are per project), so it is
// loaded when the workspace opens and again on "Refresh".

import { type ProjectView, useWebSocket } from "@tasklane/react";
import { useCallback, useEffect, useState } from "react";

export interface ProjectList {
  projects: ProjectView[];
  loading: boolean;
  error: Error | null;
  reload: () => void;
}

export function useProjects(): ProjectList {
  const { client } = useWebSocket();
  const [loads, setLoads] = useState(0);
  const [projects, setProjects] = useState<ProjectView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    client
      .request("/api/projects", { signal: controller.signal })
      .then((list: ProjectView[]) => {
        setProjects(list.filter((project) => !project.archived));
        setError(null);
        setLoading(false);
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      });
    return () => controller.abort();
  }, [client, loads]);

  const reload = useCallback(() => setLoads((count) => count + 1), []);
  return { projects, loading, error, reload };
}
