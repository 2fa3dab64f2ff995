import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { isReachable } from "./ports";

/** A private nats-server (from PATH) on a loopback port: for tests and the benchmark. */
export class NatsServer {
	private child?: ChildProcess;
	constructor(
		readonly port: number,
		/** More nats-server arguments, e.g. ["--user", "u", "--pass", "p"]. */
		private readonly args: string[] = [],
	) {}

	get url(): string {
		return `nats://127.0.0.1:${this.port}`;
	}

	async start(): Promise<void> {
		try {
			execFileSync("nats-server", ["--version"], { stdio: "ignore" });
		} catch {
			throw new Error("nats-server is not on PATH: install it (apt install nats-server, or brew install nats-server).");
		}
		this.child = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(this.port), ...this.args], { stdio: "ignore" });
		const deadline = Date.now() + 10_000;
		while (!(await isReachable("127.0.0.1", this.port))) {
			if (Date.now() > deadline) throw new Error(`nats-server did not listen on port ${this.port} within 10 s.`);
			await new Promise(resolve => setTimeout(resolve, 50));
		}
	}

	async stop(): Promise<void> {
		const child = this.child;
		this.child = undefined;
		if (!child || child.exitCode !== null) return;
		const exited = new Promise(resolve => child.once("exit", resolve));
		child.kill("SIGKILL");
		await exited;
	}

	async restart(downMs: number): Promise<void> {
		await this.stop();
		await new Promise(resolve => setTimeout(resolve, downMs));
		await this.start();
	}
}
