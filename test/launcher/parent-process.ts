/**
 * Stands in for npm under `npm start`: runs the launcher (cluster/start.ts) as its child with the
 * same output, says its pid, and passes no signal on, as npm killed with SIGTERM does not.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const launcher = spawn(process.execPath, [...process.execArgv, path.join(__dirname, "..", "..", "cluster", "start.ts")], {
	stdio: "inherit",
});
console.log(`launcher pid ${launcher.pid}`);
launcher.once("exit", code => process.exit(code ?? 1));
