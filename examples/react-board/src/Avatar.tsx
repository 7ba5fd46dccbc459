import type { CSSProperties } from "react";

/** The initials of a name: "Ana Alvarez" → "AA", "Ben" → "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.[0] ?? "?";
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase();
}

/** A colour of a few, the same for a person everywhere. */
function hue(id: string): number {
  let sum = 0;
  for (const char of id) sum = (sum * 31 + char.charCodeAt(0)) % 360;
  return sum;
}

export function Avatar({ id, name, ring = false }: { id: string; name: string; ring?: boolean }) {
  return (
    <span
      className={ring ? "avatar avatar-ring" : "avatar"}
      style={{ "--avatar-hue": hue(id) } as CSSProperties}
      aria-hidden="true"
    >
      {initials(name)}
    </span>
  );
}
