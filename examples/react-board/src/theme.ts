// Light and dark: the system's choice until the reader picks one, which is remembered.
// The page's <html data-theme> always names the theme shown, so the stylesheet says
// each theme's colours once.

import { useEffect, useState } from "react";

export type Theme = "light" | "dark";

const KEY = "tasklane-react-board/theme";
const darkQuery = () => window.matchMedia("(prefers-color-scheme: dark)");

function chosen(): Theme | null {
  const stored = localStorage.getItem(KEY);
  return stored === "light" || stored === "dark" ? stored : null;
}

function systemTheme(): Theme {
  return darkQuery().matches ? "dark" : "light";
}

// Before the first render, so that a dark page does not flash light.
document.documentElement.dataset.theme = chosen() ?? systemTheme();

export function useTheme(): [Theme, (theme: Theme) => void] {
  const [choice, setChoice] = useState<Theme | null>(chosen);
  const [system, setSystem] = useState<Theme>(systemTheme);

  useEffect(() => {
    const query = darkQuery();
    const follow = () => setSystem(query.matches ? "dark" : "light");
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, []);

  const shown = choice ?? system;
  useEffect(() => {
    document.documentElement.dataset.theme = shown;
  }, [shown]);

  const choose = (theme: Theme) => {
    localStorage.setItem(KEY, theme);
    setChoice(theme);
  };
  return [shown, choose];
}
