// Runs the tests on React 18: `node --import ./react18.mjs --test …` resolves "react",
// "react-dom" and their subpaths from react18/node_modules (installed by
// scripts/install-js.sh from react18/package-lock.json) instead of the workspace's React
// 19, for the tests and the package alike.

import { register } from "node:module";

register("./react18-resolve.mjs", import.meta.url);
