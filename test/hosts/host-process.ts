import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Host } from "./network";

/** A process run inside a test host (`ip netns exec`, which execs it: same pid), output to a file. */
export class HostProcess {
	readonly child: ChildProcess;
	readonly log: string;
	private readonly exit: Promise<void>;

	constructor(
		readonly name: string,
		host: Host,
		command: string,
		args: string[],
		options: { env?: Record<string, string>; logDir: string; ipc?: boolean; cwd?: string },
	) {
		this.log = path.join(options.logDir, `${name}.log`);
		const out = openSync(this.log, "a");
		const [ip, ipArgs] = host.exec(command, args);
		this.child = spawn(ip, ipArgs, {
			cwd: options.cwd,
			// Only what the test gives, beside PATH and HOME: nothing leaks in from the test run.
			env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...options.env },
			stdio: ["ignore", out, out, ...(options.ipc ? ["ipc" as const] : [])],
		});
		this.exit = new Promise(resolve => this.child.once("exit", () => resolve()));
	}

	get running(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** The last lines of its output, for an error message. */
	tail(lines = 30): string {
		return existsSync(this.log) ? readFileSync(this.log, "utf8").split("\n").slice(-lines).join("\n") : "";
	}

	/** Waits for `ready` to hold; fails with its output if it ends first or time runs out. */
	async waitUntil(what: string, ready: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!(await ready())) {
			if (!this.running) throw new Error(`${this.name} ended before ${what}:\n${this.tail()}`);
			if (Date.now() > deadline) throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms:\n${this.tail()}`);
			await new Promise(resolve => setTimeout(resolve, 100));
		}
	}

	/** Sends `signal`, then SIGKILL after `graceMs`; resolves once it has ended. */
	async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<void> {
		if (!this.running) return;
		this.child.kill(signal);
		const kill = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
		await this.exit;
		clearTimeout(kill);
	}
}
