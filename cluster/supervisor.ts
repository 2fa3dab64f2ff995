import { watchForHang, type PingableProcess } from "./hang-watch";
import { CrashHistory, RESTART_POLICY } from "./restart-policy";

/**
 * What the supervisor needs of a node's process: a forked node/main.ts (or the embedded
 * PostgreSQL's, cluster/embedded-postgres-process.ts), or a fake in tests.
 */
export interface NodeProcess {
	/** A process sends one message once it has started, or `{ error }` saying why it cannot before it exits. */
	once(event: "message", listener: (message: unknown) => void): unknown;
	once(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
	kill(signal?: NodeJS.Signals): boolean;
	readonly exitCode: number | null;
	readonly signalCode: NodeJS.Signals | null;
	on(event: "message", listener: (message: unknown) => void): unknown;
	off(event: "message", listener: (message: unknown) => void): unknown;
	/** The IPC channel, when the process has one: the supervisor then watches for a hang. */
	send?: PingableProcess["send"];
}

interface Supervised {
	process: NodeProcess;
	startedAt: number;
	crashes: CrashHistory;
	restart?: NodeJS.Timeout;
	stopWatch?: () => void;
}

/**
 * Runs the nodes of the cluster and restarts one that exits when nobody asked it to (see
 * restart-policy.ts), while the others keep serving. A node that exits with code 0 was asked to
 * stop (a signal of its own) and stays stopped. A node that stops answering its pings for
 * `hangTimeoutMs` (0: never) is killed, and so restarted. One line per crash and per restart,
 * naming the process as `name` does ("Node workflows-2").
 */
export class Supervisor {
	private readonly nodes = new Map<string, Supervised>();
	private stopping = false;

	constructor(
		private readonly launch: (nodeID: string) => NodeProcess,
		private readonly log: (line: string) => void = line => console.log(line),
		private readonly hangTimeoutMs = 0,
		private readonly name: (nodeID: string) => string = nodeID => `Node ${nodeID}`,
	) {}

	/** Starts the nodes; resolves once every one has started, rejects if one exits first. */
	async start(nodeIDs: string[]): Promise<void> {
		await Promise.all(nodeIDs.map(nodeID => this.run(nodeID, new CrashHistory(), false)));
	}

	/** Stops every node (SIGTERM: each finishes what it holds) and waits for them; no more restarts. */
	async stop(): Promise<void> {
		this.stopping = true;
		const nodes = [...this.nodes.values()];
		for (const node of nodes) {
			clearTimeout(node.restart);
			node.stopWatch?.();
		}
		await Promise.all(nodes.map(node => stopProcess(node.process)));
	}

	private run(nodeID: string, crashes: CrashHistory, isRestart: boolean): Promise<void> {
		const node: Supervised = { process: this.launch(nodeID), startedAt: Date.now(), crashes };
		this.nodes.set(nodeID, node);
		return new Promise((resolve, reject) => {
			let started = false;
			let failure: string | undefined;
			node.process.once("message", message => {
				failure = startFailure(message);
				if (failure) return;
				started = true;
				if (isRestart && !this.stopping) this.log(`${this.name(nodeID)} restarted.`);
				this.watch(nodeID, node);
				resolve();
			});
			node.process.once("exit", (code, signal) => {
				node.stopWatch?.();
				const how = `${signal ? `signal ${signal}` : `code ${code}`}${failure ? `: ${failure}` : ""}`;
				if (this.stopping) return resolve();
				// At start-up a node that cannot start fails the start: restarting would not help.
				if (!started && !isRestart) return reject(new Error(failure ?? `${this.name(nodeID)} exited (${how}) while starting.`));
				if (code === 0) return this.log(`${this.name(nodeID)} stopped (${how}) as it was asked to; it is not restarted.`);
				this.crashed(nodeID, node, how);
			});
		});
	}

	private watch(nodeID: string, node: Supervised): void {
		if (this.hangTimeoutMs <= 0 || !node.process.send) return;
		node.stopWatch = watchForHang(node.process as PingableProcess, this.hangTimeoutMs, () => {
			if (this.stopping) return;
			this.log(`${this.name(nodeID)} has not answered for ${this.hangTimeoutMs / 1000} s (hung); killing it.`);
			node.process.kill("SIGKILL");
		});
	}

	private crashed(nodeID: string, node: Supervised, how: string): void {
		const decision = node.crashes.crashed(Date.now() - node.startedAt);
		if ("giveUp" in decision) {
			this.log(
				`${this.name(nodeID)} exited (${how}), its ${RESTART_POLICY.maxCrashes}th crash within ${RESTART_POLICY.windowMs / 1000} s; it is not restarted again.`,
			);
			return;
		}
		this.log(`${this.name(nodeID)} exited (${how}); restarting in ${decision.restartInMs / 1000} s.`);
		node.restart = setTimeout(() => this.stopping || void this.run(nodeID, node.crashes, true), decision.restartInMs);
	}
}

/** The reason in a `{ error }` message, which a process sends when it cannot start. */
function startFailure(message: unknown): string | undefined {
	const error = typeof message === "object" && message !== null && "error" in message ? message.error : undefined;
	return typeof error === "string" ? error : undefined;
}

function stopProcess(child: NodeProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	const exited = new Promise<void>(resolve => child.once("exit", () => resolve()));
	child.kill("SIGTERM");
	return exited;
}
