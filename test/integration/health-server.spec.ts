import { EventLoopWatch } from "../../node/event-loop-watch";
import { NATS_URL, POSTGRES_URL, createDatabase, dropDatabase, uniqueName, waitFor } from "../support/infra";
import { NodeProcess, freePort } from "../support/processes";
import { TcpProxy } from "../support/tcp-proxy";

type Health = { status: string; checks?: Record<string, string>; eventLoopLagMs?: number };

async function get(url: string): Promise<{ status: number; body: Health }> {
	const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
	return { status: res.status, body: (await res.json()) as Health };
}

describe("EventLoopWatch", () => {
	it("reports a loop blocked longer than its threshold as stalled, and recovers after a window", async () => {
		// Thresholds well above the lag a busy test machine causes by itself.
		const watch = new EventLoopWatch(1000, 600);
		await new Promise(resolve => setTimeout(resolve, 100));
		expect(watch.stalled).toBe(false);
		const until = Date.now() + 900;
		while (Date.now() < until); // the loop blocked for 900 ms
		await new Promise(resolve => setTimeout(resolve, 50));
		expect(watch.lagMs).toBeGreaterThanOrEqual(600);
		expect(watch.stalled).toBe(true);
		// Two windows later the stall has aged out.
		await new Promise(resolve => setTimeout(resolve, 2500));
		expect(watch.stalled).toBe(false);
		watch.stop();
	});

	it("keeps a stall that starts in the same turn of the loop as the window's end", async () => {
		const watch = new EventLoopWatch(200, 150);
		// Timers of the same length run in the order they were set, so this one runs right after
		// the watch closed its window: a watch that lost the stall would answer "live".
		await new Promise<void>(resolve =>
			setTimeout(() => {
				const until = Date.now() + 300;
				while (Date.now() < until);
				resolve();
			}, 200),
		);
		await new Promise(resolve => setTimeout(resolve, 30));
		expect(watch.lagMs).toBeGreaterThanOrEqual(150);
		expect(watch.stalled).toBe(true);
		watch.stop();
	});
});

// A real workflows node (no HTTP of its own) with HEALTH_PORT, as Kubernetes probes it.
describe("a node's health server (HEALTH_PORT)", () => {
	const namespace = uniqueName("health");
	const postgres = new URL(POSTGRES_URL);
	const database = new TcpProxy(postgres.hostname, Number(postgres.port || 5432));
	let node: NodeProcess;
	let base = "";

	beforeAll(async () => {
		const url = await createDatabase(`${namespace}_workflows`);
		await database.start();
		const port = await freePort();
		base = `http://127.0.0.1:${port}`;
		node = new NodeProcess("workflows-health", {
			NAMESPACE: namespace,
			TRANSPORTER: NATS_URL,
			SERVICES: "workflows",
			WORKFLOWS_DATABASE_URL: url.replace(/@[^/]+\//, `@127.0.0.1:${database.port}/`),
			HEALTH_PORT: String(port),
			LOG_LEVEL: "fatal",
		});
		await node.start();
	}, 90_000);

	afterAll(async () => {
		await node?.stop("SIGKILL");
		await database.stop();
		await dropDatabase(`${namespace}_workflows`);
	});

	it("answers /live and /ready once started, naming each check", async () => {
		expect(await get(`${base}/live`)).toEqual({
			status: 200,
			body: expect.objectContaining({ status: "live", eventLoopLagMs: expect.any(Number) }),
		});
		expect(await get(`${base}/ready`)).toEqual({
			status: 200,
			body: expect.objectContaining({ status: "ready", checks: { broker: "ok", transporter: "ok", workflowsDatabase: "ok" } }),
		});
		expect((await get(`${base}/other`)).status).toBe(404);
	});

	it("is not ready while its database is cut off, and ready again once it is back", async () => {
		await database.cut();
		try {
			const cut = await get(`${base}/ready`);
			expect([cut.status, cut.body.checks?.workflowsDatabase]).toEqual([503, "failing"]);
			// Liveness does not depend on the database: restarting would not bring it back.
			expect((await get(`${base}/live`)).status).toBe(200);
		} finally {
			await database.restore();
		}
		await waitFor("/ready to answer 200 again", async () => (await get(`${base}/ready`)).status === 200, 15_000);
	});

	it("fails /live after the event loop stalled (SIGSTOP for 3 s), then recovers", async () => {
		process.kill(node.pid!, "SIGSTOP");
		await new Promise(resolve => setTimeout(resolve, 3000));
		process.kill(node.pid!, "SIGCONT");
		const stalled = await get(`${base}/live`);
		expect(stalled).toEqual({ status: 503, body: expect.objectContaining({ status: "stalled" }) });
		expect(stalled.body.eventLoopLagMs).toBeGreaterThanOrEqual(2500);
		await waitFor("/live to answer 200 again", async () => (await get(`${base}/live`)).status === 200, 15_000);
	}, 30_000);
});
