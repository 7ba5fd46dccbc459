// Light and dark: the system's choice until the reader picks one, which is remembered.

import { useEffect, useState } from "react";

export type Theme = "light" | "dark";

const KEY = "tasklane-react-board/theme";
const darkQuery = () => window.matchMedia("(prefers-color-scheme: dark)");

function chosen(): Theme | null {
  const stored = localStorage.getItem(KEY);
  return stored === "light" || stored === "dark" ? stored : null;
}

export function useTheme(): [Theme, (theme: Theme) => void] {
  const [choice, setChoice] = useState<Theme | null>(chosen);
  const [system, setSystem] = useState<Theme>(() => (darkQuery().matches ? "dark" : "light"));

  useEffect(() => {
    const query = darkQuery();
    const follow = () => setSystem(query.matches ? "dark" : "light");
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, []);

  useEffect(() => {
    if (choice) document.documentElement.dataset.theme = choice;
    else delete document.documentElement.dataset.theme;
  }, [choice]);

  const choose = (theme: Theme) => {
    localStorage.setItem(KEY, theme);
    setChoice(theme);
  };
  return [choice ?? system, choose];
}
