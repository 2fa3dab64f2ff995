import { EventEmitter } from "node:events";
import { CrashHistory } from "../../cluster/restart-policy";
import { Supervisor, type NodeProcess } from "../../cluster/supervisor";

/** A node process the test drives: it starts, crashes or stops when told. */
class FakeNode extends EventEmitter implements NodeProcess {
	exitCode: number | null = null;
	signalCode: NodeJS.Signals | null = null;
	killedWith?: NodeJS.Signals;
	started(): void {
		this.emit("message", { ready: true });
	}
	exit(code: number | null, signal: NodeJS.Signals | null = null): void {
		this.exitCode = code;
		this.signalCode = signal;
		this.emit("exit", code, signal);
	}
	kill(signal?: NodeJS.Signals): boolean {
		this.killedWith = signal;
		setImmediate(() => this.exit(0));
		return true;
	}
}

const seconds = (s: number) => s * 1000;

describe("the restart rule", () => {
	beforeEach(() => jest.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") }));
	afterEach(() => jest.useRealTimers());

	it("waits 0.5 s, then twice as long after each crash, and gives up at the 5th crash within a minute", () => {
		const history = new CrashHistory();
		const decisions = [];
		for (let i = 0; i < 5; i++) {
			decisions.push(history.crashed(seconds(1)));
			jest.advanceTimersByTime(seconds(2));
		}
		expect(decisions).toEqual([
			{ restartInMs: 500 },
			{ restartInMs: 1000 },
			{ restartInMs: 2000 },
			{ restartInMs: 4000 },
			{ giveUp: true },
		]);
	});

	it("doubles up to 10 s for a node that keeps crashing, fewer than 5 times a minute", () => {
		const history = new CrashHistory();
		const delays = [];
		for (let i = 0; i < 8; i++) {
			const decision = history.crashed(seconds(20));
			if ("giveUp" in decision) throw new Error(`gave up at crash ${i + 1}`);
			delays.push(decision.restartInMs);
			jest.advanceTimersByTime(seconds(20));
		}
		expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
	});

	it("counts only the crashes of the last minute, and starts over at 0.5 s after a minute up", () => {
		const history = new CrashHistory();
		for (let i = 0; i < 4; i++) history.crashed(seconds(1));
		jest.advanceTimersByTime(seconds(61));
		expect(history.crashed(seconds(61))).toEqual({ restartInMs: 500 });
		expect(history.crashed(seconds(1))).toEqual({ restartInMs: 1000 });
	});
});

describe("the supervisor", () => {
	let launched: Record<string, FakeNode[]>;
	let lines: string[];
	let supervisor: Supervisor;
	const latest = (nodeID: string) => launched[nodeID].at(-1)!;

	beforeEach(async () => {
		jest.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z"), doNotFake: ["setImmediate"] });
		launched = {};
		lines = [];
		supervisor = new Supervisor(
			nodeID => {
				const node = new FakeNode();
				(launched[nodeID] ??= []).push(node);
				return node;
			},
			line => lines.push(line),
		);
		const started = supervisor.start(["api-1", "workflows-1", "workflows-2"]);
		for (const nodes of Object.values(launched)) nodes[0].started();
		await started;
	});
	afterEach(() => jest.useRealTimers());

	it("restarts a crashed node after the backoff, with one line for the crash and one for the restart", () => {
		latest("workflows-2").exit(null, "SIGKILL");
		expect(lines).toEqual(["Node workflows-2 exited (signal SIGKILL); restarting in 0.5 s."]);
		jest.advanceTimersByTime(499);
		expect(launched["workflows-2"]).toHaveLength(1);
		jest.advanceTimersByTime(1);
		expect(launched["workflows-2"]).toHaveLength(2);
		latest("workflows-2").started();
		expect(lines).toEqual(["Node workflows-2 exited (signal SIGKILL); restarting in 0.5 s.", "Node workflows-2 restarted."]);
		// The others were left alone.
		expect(launched["api-1"]).toHaveLength(1);
		expect(launched["workflows-1"]).toHaveLength(1);
	});

	it("gives up on a node after its 5th crash within a minute, and says so once", () => {
		for (let crash = 1; crash <= 5; crash++) {
			latest("workflows-1").exit(1);
			jest.advanceTimersByTime(seconds(10));
		}
		expect(launched["workflows-1"]).toHaveLength(5);
		expect(lines).toEqual([
			"Node workflows-1 exited (code 1); restarting in 0.5 s.",
			"Node workflows-1 exited (code 1); restarting in 1 s.",
			"Node workflows-1 exited (code 1); restarting in 2 s.",
			"Node workflows-1 exited (code 1); restarting in 4 s.",
			"Node workflows-1 exited (code 1), its 5th crash within 60 s; it is not restarted again.",
		]);
		jest.advanceTimersByTime(seconds(60));
		expect(launched["workflows-1"]).toHaveLength(5);
	});

	it("leaves stopped a node that exits with code 0: something asked it to stop", () => {
		latest("workflows-1").exit(0);
		jest.advanceTimersByTime(seconds(60));
		expect(launched["workflows-1"]).toHaveLength(1);
		expect(lines).toEqual(["Node workflows-1 stopped (code 0) as it was asked to; it is not restarted."]);
	});

	it("stops every node with SIGTERM, cancels a pending restart, and takes no exit during the stop for a crash", async () => {
		latest("workflows-2").exit(null, "SIGKILL");
		await supervisor.stop();
		jest.advanceTimersByTime(seconds(60));
		expect(launched["workflows-2"]).toHaveLength(1);
		expect(latest("api-1").killedWith).toBe("SIGTERM");
		expect(latest("workflows-1").killedWith).toBe("SIGTERM");
		expect(lines).toEqual(["Node workflows-2 exited (signal SIGKILL); restarting in 0.5 s."]);
	});
});

describe("the supervisor at start-up", () => {
	it("fails the start when a node exits before it has started, and restarts nothing", async () => {
		const launched: FakeNode[] = [];
		const supervisor = new Supervisor(
			() => {
				const node = new FakeNode();
				launched.push(node);
				return node;
			},
			() => undefined,
		);
		const started = supervisor.start(["api-1", "buildings-1"]);
		launched[0].started();
		launched[1].exit(1);
		await expect(started).rejects.toThrow("Node buildings-1 exited (code 1) while starting.");
		expect(launched).toHaveLength(2);
	});

	it("fails the start with the reason a process gives ({ error }) before it exits", async () => {
		const launched: FakeNode[] = [];
		const supervisor = new Supervisor(
			() => {
				const node = new FakeNode();
				launched.push(node);
				return node;
			},
			() => undefined,
		);
		const started = supervisor.start(["postgres"]);
		launched[0].emit("message", { error: "The embedded PostgreSQL in /x did not start (port in use)." });
		launched[0].exit(1);
		await expect(started).rejects.toThrow(/^The embedded PostgreSQL in \/x did not start \(port in use\)\.$/);
	});
});

// The embedded PostgreSQL under `npm start` is supervised by the same rule, under its own name.
describe("the supervisor of another kind of process", () => {
	beforeEach(() => jest.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z"), doNotFake: ["setImmediate"] }));
	afterEach(() => jest.useRealTimers());

	it("names it as told, and says why a restart that could not start failed", async () => {
		const launched: FakeNode[] = [];
		const lines: string[] = [];
		const supervisor = new Supervisor(
			() => {
				const node = new FakeNode();
				launched.push(node);
				return node;
			},
			line => lines.push(line),
			0,
			() => "The embedded PostgreSQL",
		);
		const started = supervisor.start(["postgres"]);
		launched[0].started();
		await started;
		launched[0].exit(null, "SIGKILL");
		jest.advanceTimersByTime(500);
		launched[1].emit("message", { error: "shared memory still in use" });
		launched[1].exit(1);
		jest.advanceTimersByTime(1000);
		launched[2].started();
		expect(lines).toEqual([
			"The embedded PostgreSQL exited (signal SIGKILL); restarting in 0.5 s.",
			"The embedded PostgreSQL exited (code 1: shared memory still in use); restarting in 1 s.",
			"The embedded PostgreSQL restarted.",
		]);
		await supervisor.stop();
	});
});

/** A node with an IPC channel, whose event loop answers pings until it hangs. */
class PingedNode extends FakeNode {
	hung = false;
	send(message: unknown): boolean {
		const ping = (message as { ping?: number }).ping;
		if (!this.hung && typeof ping === "number") setImmediate(() => this.emit("message", { pong: ping }));
		return true;
	}
	kill(signal?: NodeJS.Signals): boolean {
		this.killedWith = signal;
		setImmediate(() => (signal === "SIGKILL" ? this.exit(null, "SIGKILL") : this.exit(0)));
		return true;
	}
}

describe("the supervisor's watch for hung nodes", () => {
	beforeEach(() => jest.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z"), doNotFake: ["setImmediate"] }));
	afterEach(() => jest.useRealTimers());
	const tick = async (ms: number) => {
		for (let t = 0; t < ms; t += 500) {
			jest.advanceTimersByTime(500);
			await new Promise(resolve => setImmediate(resolve));
		}
	};

	it("leaves a node that answers, kills one that stops answering for the timeout, and restarts it", async () => {
		const launched: Record<string, PingedNode[]> = {};
		const lines: string[] = [];
		const supervisor = new Supervisor(
			nodeID => {
				const node = new PingedNode();
				(launched[nodeID] ??= []).push(node);
				return node;
			},
			line => lines.push(line),
			seconds(10),
		);
		const started = supervisor.start(["workflows-1", "workflows-2"]);
		for (const nodes of Object.values(launched)) nodes[0].started();
		await started;

		await tick(seconds(30));
		expect(lines).toEqual([]);

		launched["workflows-2"][0].hung = true;
		await tick(seconds(9));
		expect(launched["workflows-2"][0].killedWith).toBeUndefined();
		await tick(seconds(2));
		expect(launched["workflows-2"][0].killedWith).toBe("SIGKILL");
		await tick(seconds(1));
		expect(launched["workflows-2"]).toHaveLength(2);
		expect(lines).toEqual([
			"Node workflows-2 has not answered for 10 s (hung); killing it.",
			"Node workflows-2 exited (signal SIGKILL); restarting in 0.5 s.",
		]);
		expect(launched["workflows-1"][0].killedWith).toBeUndefined();
		await supervisor.stop();
	});
});
