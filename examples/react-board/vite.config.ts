import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the built app works from any folder a static server serves.
  base: "./",
  server: { port: 5173 },
  build: { sourcemap: true },
});
