import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { freePort } from "../../node/ports";
import path from "node:path";
import { pathToFileURL } from "node:url";

const NODE_SCRIPT = path.join(__dirname, "..", "..", "node", "main.ts");
/** Node arguments that run TypeScript from any working directory. */
const TSX = ["--import", pathToFileURL(require.resolve("tsx")).href];

export { freePort };
export { NatsServer } from "../../cluster/nats-server";

/** One cluster node (node/main.ts) as its own process, as `npm start` runs it. */
export class NodeProcess {
	private child?: ChildProcess;
	constructor(
		readonly nodeID: string,
		private readonly env: Record<string, string>,
	) {}

	get pid(): number | undefined {
		return this.child?.pid;
	}

	/** Starts the process and resolves once its broker has started. */
	start(): Promise<void> {
		const child = fork(NODE_SCRIPT, [], {
			env: { ...process.env, ...this.env, NODE_ID: this.nodeID },
			execArgv: TSX,
			stdio: ["ignore", "ignore", "inherit", "ipc"],
		});
		this.child = child;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`${this.nodeID} did not start in 60 s`)), 60_000);
			child.once("message", () => (clearTimeout(timer), resolve()));
			child.once("exit", code => (clearTimeout(timer), reject(new Error(`${this.nodeID} exited with ${code} while starting`))));
		});
	}

	/** Sends a signal and waits for the process to end; returns its exit code. */
	async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
		const exited = new Promise<number | null>(resolve => child.once("exit", code => resolve(code)));
		child.kill(signal);
		return exited;
	}
}

const ROOT = path.join(__dirname, "..", "..");

/** `npm start`: the compiled launcher, built once per test run by global-setup. */
export const START = "dist/cluster/start.js";

/** What a launched process inherits from the test run: where programs are, and nothing that configures the cluster. */
const INHERITED = ["PATH", "HOME", "TMPDIR", "LANG", "NATS_SERVER_BIN"];

/**
 * A script of the project run as a user runs it, output captured: compiled JavaScript (`npm
 * start`) with node, TypeScript (`npm run repl`, `npm run node`, `npm run bench`) through tsx.
 */
export class ScriptProcess {
	readonly child: ChildProcess;
	output = "";
	private readonly exit: Promise<number | null>;

	constructor(script: string, args: string[], env: Record<string, string | undefined>, cwd: string) {
		// Only what the test gives: nothing of the test process's own settings (PORT, HOST,
		// OUTBOX_MAX_BACKOFF, …) reaches the cluster.
		const base = Object.fromEntries(INHERITED.filter(name => process.env[name] !== undefined).map(name => [name, process.env[name]]));
		const typescript = script.endsWith(".ts");
		this.child = spawn(process.execPath, [...(typescript ? TSX : []), path.join(ROOT, script), ...args], {
			cwd,
			// tsx finds the project's tsconfig (legacy decorators) from any working directory.
			env: { ...base, ...(typescript ? { TSX_TSCONFIG_PATH: path.join(ROOT, "tsconfig.json") } : {}), ...env },
			stdio: ["pipe", "pipe", "pipe"],
			// Its own process group, as a command in a terminal has.
			detached: true,
		});
		this.child.stdout!.on("data", chunk => (this.output += chunk));
		this.child.stderr!.on("data", chunk => (this.output += chunk));
		this.exit = new Promise(resolve => this.child.once("exit", code => resolve(code)));
	}

	/** Resolves once the output contains `text`; fails if the process ends first or time runs out. */
	async waitForOutput(text: string | RegExp, timeoutMs = 90_000): Promise<void> {
		const found = () => (typeof text === "string" ? this.output.includes(text) : text.test(this.output));
		const deadline = Date.now() + timeoutMs;
		while (!found()) {
			if (this.child.exitCode !== null) throw new Error(`Exited with ${this.child.exitCode} before printing ${text}:\n${this.output}`);
			if (Date.now() > deadline) throw new Error(`No ${text} within ${timeoutMs} ms:\n${this.output}`);
			await new Promise(resolve => setTimeout(resolve, 100));
		}
	}

	/** Ctrl-C in a terminal: SIGINT to every process of the foreground group. */
	interrupt(): void {
		process.kill(-this.child.pid!, "SIGINT");
	}

	write(line: string): void {
		this.child.stdin!.write(`${line}\n`);
	}

	/** Sends a signal (if given) and waits for the exit code. */
	async stop(signal?: NodeJS.Signals, timeoutMs = 60_000): Promise<number | null> {
		if (signal && this.child.exitCode === null) this.child.kill(signal);
		const timeout = new Promise<never>((_, reject) =>
			setTimeout(() => reject(new Error(`No exit within ${timeoutMs} ms:\n${this.output}`)), timeoutMs).unref(),
		);
		return Promise.race([this.exit, timeout]);
	}
}

/** The pid of each cluster node among the children of an `npm start` launcher, by nodeID. */
export function nodePidsOf(launcherPid: number): Record<string, number> {
	const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(launcherPid)], { encoding: "utf8" })
		.split("\n")
		.map(Number)
		.filter(Boolean);
	const byNode: Record<string, number> = {};
	for (const pid of children) {
		let environ: string[] = [];
		try {
			environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
		} catch {
			continue; // ended meanwhile
		}
		const nodeID = environ.find(entry => entry.startsWith("NODE_ID="))?.slice("NODE_ID=".length);
		if (nodeID) byNode[nodeID] = pid;
	}
	return byNode;
}

/** Whether a process runs with this pid (one that has ended but is not yet reaped does not). */
export function isRunning(pid: number): boolean {
	if (!existsSync(`/proc/${pid}/stat`)) return false;
	const state = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0];
	return state !== "Z" && state !== "X";
}

/** The private nats-server an `npm start` launcher names in its summary. */
export function privateNatsOf(launcherOutput: string): { port: number; pid: number } {
	const [, port, pid] = /transporter: NATS nats:\/\/127\.0\.0\.1:(\d+) \(private nats-server [^,]+, pid (\d+)/.exec(launcherOutput) ?? [];
	if (!port) throw new Error(`No private nats-server in:\n${launcherOutput}`);
	return { port: Number(port), pid: Number(pid) };
}
