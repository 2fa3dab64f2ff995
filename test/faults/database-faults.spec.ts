import { expectClean, expectRecovered, settle } from "../support/fault-figures";
import { FaultStream } from "../support/fault-stream";
import { POSTGRES_URL, query, waitFor } from "../support/infra";
import { LaunchedCluster } from "../support/launcher";
import { postBuildingsSteadily } from "../support/load";
import { TcpProxy } from "../support/tcp-proxy";

/** Creations answer 201 again, RECOVERY_RUN in a row, within this long of the database's return. */
const BACK_AFTER_RETURN_MS = 10_000;

// Databases failing under `npm start`, and too much load: each database behind a proxy the test
// can black-hole (nothing gets through, connections stay open) or cut (connections dropped,
// new ones refused). Each scenario accepts only the statuses the README gives for its fault,
// and checks sustained recovery and that nothing was lost, doubled or orphaned.
describe("database faults and overload on the cluster `npm start` runs", () => {
	const cluster = new LaunchedCluster("db-faults");
	const postgres = new URL(POSTGRES_URL);
	const buildingsProxy = new TcpProxy(postgres.hostname, Number(postgres.port || 5432));
	const workflowsProxy = new TcpProxy(postgres.hostname, Number(postgres.port || 5432));
	const pending = async () =>
		Number(
			(await query<{ n: string }>(cluster.buildingsDb, `SELECT count(*) AS n FROM buildings WHERE "workflowStatus" <> 'created'`))[0].n,
		);

	beforeAll(async () => {
		await buildingsProxy.start();
		await workflowsProxy.start();
		await cluster.start({}, { buildings: `127.0.0.1:${buildingsProxy.port}`, workflows: `127.0.0.1:${workflowsProxy.port}` });
	}, 120_000);
	afterAll(async () => {
		await cluster.stop();
		await buildingsProxy.stop();
		await workflowsProxy.stop();
	}, 60_000);

	it("a black-holed buildings database for 10 s: retryable 503s with Retry-After, then 201", async () => {
		const stream = new FaultStream(cluster.api, "Black hole", 40);
		await stream.warm();
		const heldBefore = buildingsProxy.heldBytes;
		buildingsProxy.blackHole();
		await sleep(10_000);
		buildingsProxy.release();
		const releasedAt = stream.faultEnded();
		const result = await stream.done;
		expect(buildingsProxy.heldBytes).toBeGreaterThan(heldBefore);
		const figures = await settle(cluster, "black-holed buildings database for 10 s", result, releasedAt);
		expectClean(figures, ["201", "202", "503"]);
		expectRecovered(figures, BACK_AFTER_RETURN_MS);
		expect(figures.statuses[503]).toBeGreaterThan(0);
		// Every 503 says when to try again.
		expect(result.answers.filter(a => a.status === 503 && a.retryAfter === undefined)).toEqual([]);
	}, 150_000);

	it("the buildings database cut off for 3 s (connections dropped, new ones refused): 503s, then 201", async () => {
		const stream = new FaultStream(cluster.api, "Cut buildings", 30);
		await stream.warm();
		await buildingsProxy.cut();
		await sleep(3000);
		await buildingsProxy.restore();
		const endedAt = stream.faultEnded();
		const figures = await settle(cluster, "buildings database cut off for 3 s", await stream.done, endedAt);
		expectClean(figures, ["201", "202", "503"]);
		expectRecovered(figures, BACK_AFTER_RETURN_MS);
	}, 120_000);

	it("the workflows database cut off for 3 s: every creation 201 or 202, the pending ones drained", async () => {
		const stream = new FaultStream(cluster.api, "Cut workflows", 30);
		await stream.warm();
		await workflowsProxy.cut();
		await sleep(3000);
		await workflowsProxy.restore();
		const endedAt = stream.faultEnded();
		const figures = await settle(cluster, "workflows database cut off for 3 s", await stream.done, endedAt);
		expectClean(figures, ["201", "202"]);
		expectRecovered(figures, BACK_AFTER_RETURN_MS);
	}, 120_000);

	it("a 60 s outage of the workflows database: every creation 201 or 202, the backlog drained within 60 s of its return", async () => {
		const stream = new FaultStream(cluster.api, "Outage", 100);
		await stream.warm();
		workflowsProxy.blackHole();
		await sleep(60_000);
		workflowsProxy.release();
		const releasedAt = stream.faultEnded();
		const backlog = await pending();
		await waitFor("the outage's backlog to drain", async () => (await pending()) === 0, 60_000);
		const drainedMs = Date.now() - releasedAt;
		const figures = await settle(cluster, "workflows database black-holed for 60 s", await stream.done, releasedAt);
		console.log(`[fault] outage: ${backlog} buildings pending at the end of the outage, drained ${drainedMs} ms after it`);
		expectClean(figures, ["201", "202"]);
		expectRecovered(figures, BACK_AFTER_RETURN_MS);
		expect(backlog).toBeGreaterThan(1000);
		expect(figures.statuses[202]).toBeGreaterThan(1000);
		expect(drainedMs).toBeLessThan(60_000);
	}, 240_000);

	it("overload, 500 connections for 20 s: immediate 503s with Retry-After past the caps, then 201", async () => {
		const result = await postBuildingsSteadily(cluster.api, {
			name: "Flood",
			total: 200_000,
			ratePerSecond: 100_000,
			maxInFlight: 500,
			durationMs: 20_000,
		});
		const stream = new FaultStream(cluster.api, "After the flood", 30);
		const endedAt = stream.faultEnded();
		const after = await stream.done;
		const overloaded = result.answers.filter(a => a.status === 503);
		const statuses = { ...result.statuses };
		for (const [status, n] of Object.entries(after.statuses)) statuses[Number(status)] = (statuses[Number(status)] ?? 0) + n;
		const both = {
			sent: result.sent + after.sent,
			statuses,
			accepted: [...result.accepted, ...after.accepted],
			answers: [...result.answers, ...after.answers],
		};
		const figures = await settle(cluster, "500 connections for 20 s", both, endedAt);
		expectClean(figures, ["201", "202", "503"]);
		expectRecovered(figures, BACK_AFTER_RETURN_MS);
		// The caps really shed load, at once and saying when to come back.
		const sheddingMs = overloaded.map(a => a.answeredAt - a.sentAt).sort((a, b) => a - b);
		const byType = overloaded.reduce<Record<string, number>>((n, a) => ({ ...n, [a.type ?? "?"]: (n[a.type ?? "?"] ?? 0) + 1 }), {});
		console.log(
			`[fault] overload: ${overloaded.length} shed ${JSON.stringify(byType)}, median answer ${sheddingMs[sheddingMs.length >> 1]} ms`,
		);
		expect(overloaded.length).toBeGreaterThan(0);
		expect(overloaded.filter(a => a.retryAfter !== "1")).toEqual([]);
		expect(sheddingMs[sheddingMs.length >> 1]).toBeLessThan(1000);
	}, 120_000);
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
