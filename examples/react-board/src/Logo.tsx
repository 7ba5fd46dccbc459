/** Tasklane's mark: three columns of a board. Decorative: the name is always beside it. */
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="24" height="24" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="var(--accent)" />
      <rect x="7" y="8" width="5" height="16" rx="1.5" fill="#fff" />
      <rect x="13.5" y="8" width="5" height="11" rx="1.5" fill="#fff" opacity=".85" />
      <rect x="20" y="8" width="5" height="7" rx="1.5" fill="#fff" opacity=".7" />
    </svg>
  );
}
