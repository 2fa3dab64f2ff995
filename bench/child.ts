import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Runs a script of this folder in a process of its own, through tsx as the cluster's nodes run,
 * and resolves once it prints "ready". URLs that may hold credentials go in `env`, not in `args`
 * (which `ps` shows).
 */
export async function startChild(script: string, args: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
	const execArgv = ["--import", pathToFileURL(require.resolve("tsx")).href];
	const child = spawn(process.execPath, [...execArgv, path.join(__dirname, script), ...args], {
		env: { ...process.env, ...env },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let output = "";
	child.stderr!.on("data", chunk => (output = (output + chunk).slice(-5000)));
	await new Promise<void>((resolve, reject) => {
		const onData = (chunk: Buffer) => String(chunk).includes("ready") && (child.stdout!.off("data", onData), resolve());
		child.stdout!.on("data", onData);
		child.once("exit", code => reject(new Error(`${script} exited with ${code} before it was ready:\n${output}`)));
	});
	return child;
}

/** Kills a child process and waits for its end. */
export async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise(resolve => child.once("exit", resolve));
	child.kill("SIGKILL");
	await exited;
}
