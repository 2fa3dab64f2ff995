/**
 * Stands in for npm under `npm start`: runs the launcher (cluster/start.ts) as its child with the
 * same output, says its pid, and passes no signal on, as npm killed does not. With `--shell`, the
 * launcher runs through `sh -c`, as npm runs a script.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const args = [...process.execArgv, path.join(__dirname, "..", "..", "cluster", "start.ts")];
const quoted = [process.execPath, ...args].map(arg => `'${arg}'`).join(" ");
// `; exit $?` keeps the shell from replacing itself with the launcher: it stays between, as npm's does.
const launcher = process.argv.includes("--shell")
	? spawn("sh", ["-c", `${quoted}; exit $?`], { stdio: "inherit" })
	: spawn(process.execPath, args, { stdio: "inherit" });
console.log(`${process.argv.includes("--shell") ? "shell" : "launcher"} pid ${launcher.pid}`);
launcher.once("exit", code => process.exit(code ?? 1));
