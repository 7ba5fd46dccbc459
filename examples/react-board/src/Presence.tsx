import type { Person } from "@tasklane/react";

import { Avatar } from "./Avatar";

/** Who is viewing the board now, the reader included; hovering shows the name. */
export function Presence({ people }: { people: Person[] }) {
  return (
    <div className="presence" data-testid="presence">
      <span className="presence-label">Viewing now</span>
      <ul aria-label="People viewing this project">
        {people.map((person) => (
          <li
            key={person.userId}
            data-testid="presence-avatar"
            data-user-id={person.userId}
            title={person.name}
          >
            <Avatar id={person.userId} name={person.name} ring />
            <span className="visually-hidden">{person.name}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
