// A project's members by id, for the names on the cards: loaded through the API, and
// loaded again whenever a member event says the list changed (the latest load wins,
// so a change that lands while a load is under way is not lost).

import { type Member, useRealtimeUpdates, useWebSocket } from "@tasklane/react";
import { useEffect, useState } from "react";

export type Members = ReadonlyMap<string, Member>;

export function useMembers(projectId: string): Members {
  const { client } = useWebSocket();
  const [changes, setChanges] = useState(0);
  const [members, setMembers] = useState<Members>(() => new Map());

  useEffect(() => {
    const controller = new AbortController();
    const path = `/api/projects/${encodeURIComponent(projectId)}/members`;
    client
      .request(path, { signal: controller.signal })
      .then((list: Member[]) => setMembers(new Map(list.map((member) => [member.userId, member]))))
      .catch(() => {
        // Cards then show "Unknown member"; the board itself does not depend on it.
      });
    return () => controller.abort();
  }, [client, projectId, changes]);

  const changed = () => setChanges((count) => count + 1);
  useRealtimeUpdates(
    { onMemberAdded: changed, onMemberUpdated: changed, onMemberRemoved: changed },
    { projectId },
  );
  return members;
}
