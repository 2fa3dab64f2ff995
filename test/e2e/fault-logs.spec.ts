import { readFileSync } from "node:fs";
import { POSTGRES_URL } from "../support/infra";
import { LaunchedCluster } from "../support/launcher";
import { postBuildingsSteadily } from "../support/load";
import { TcpProxy } from "../support/tcp-proxy";

const FAULT_SECONDS = 8;

// The buildings database out of reach for a while under a stream of creations, on the processes
// `npm start` runs: every creation is an expected 503, and the log must stay readable: one WARN
// line per cause and second at most, with a count, and no stack trace (those are for 500s).
describe("the log under a fault", () => {
	const cluster = new LaunchedCluster("fault-logs");
	const postgres = new URL(POSTGRES_URL);
	const proxy = new TcpProxy(postgres.hostname, Number(postgres.port || 5432));
	const workflowsProxy = new TcpProxy(postgres.hostname, Number(postgres.port || 5432));

	beforeAll(async () => {
		await proxy.start();
		await workflowsProxy.start();
		await cluster.start({}, { buildings: `127.0.0.1:${proxy.port}`, workflows: `127.0.0.1:${workflowsProxy.port}` });
	}, 120_000);
	afterAll(async () => {
		await cluster.stop();
		await proxy.stop();
		await workflowsProxy.stop();
	}, 60_000);

	/** The launcher's output (every node's WARN and ERROR lines) while `fault` runs, and a second more for the last summaries. */
	async function logDuring<T>(fault: () => Promise<T>): Promise<{ lines: string[]; result: T }> {
		const from = cluster.launcher.output.length;
		const result = await fault();
		await new Promise(resolve => setTimeout(resolve, 1500));
		const lines = cluster.launcher.output
			.slice(from)
			.split("\n")
			.filter(line => line.trim() !== "");
		return { lines, result };
	}
	const stackFrames = (lines: string[]) => lines.filter(line => /^\s+at .+:\d+:\d+\)?$/.test(line));

	it("summarises the 503s of a database out of reach, without stack traces", async () => {
		await proxy.cut();
		const { lines, result: load } = await logDuring(() =>
			postBuildingsSteadily(cluster.api, { total: FAULT_SECONDS * 25, ratePerSecond: 25, maxInFlight: 50 }),
		);
		await proxy.restore();
		console.log(`${JSON.stringify(load.statuses)}; ${lines.length} log lines:\n${lines.slice(0, 30).join("\n")}`);
		expect(load.statuses[503]).toBeGreaterThanOrEqual(FAULT_SECONDS * 20);
		// No stack trace, and no moleculer-web "Request error!" per request.
		expect(stackFrames(lines)).toEqual([]);
		expect(lines.filter(line => line.includes("Request error!"))).toEqual([]);
		expect(lines.filter(line => / ERROR /.test(line))).toEqual([]);
		// The 503s, summarised: the first of a cause at once, then one line per second with a count.
		const warnings503 = lines.filter(line => / WARN  api-1\/API: 503 /.test(line));
		expect(warnings503.length).toBeGreaterThan(0);
		expect(warnings503.length).toBeLessThanOrEqual(3 * (FAULT_SECONDS + 2));
		const counted = warnings503
			.map(line => Number(/\((\d+) more in the last [\d.]+ s\)/.exec(line)?.[1] ?? 1))
			.reduce((sum, n) => sum + n, 0);
		expect(counted).toBe(load.statuses[503]);
		// And the whole log of those seconds stays short: a few lines a second, not one per request.
		expect(lines.length).toBeLessThanOrEqual(6 * (FAULT_SECONDS + 2));
	}, 90_000);

	it("summarises the creations left pending while the workflows database is out of reach", async () => {
		await workflowsProxy.cut();
		const { lines, result: load } = await logDuring(() =>
			postBuildingsSteadily(cluster.api, { total: FAULT_SECONDS * 10, ratePerSecond: 10, maxInFlight: 50 }),
		);
		await workflowsProxy.restore();
		console.log(`${JSON.stringify(load.statuses)}; ${lines.length} log lines:\n${lines.slice(0, 30).join("\n")}`);
		expect(load.statuses[202]).toBeGreaterThanOrEqual(FAULT_SECONDS * 8);
		expect(stackFrames(lines)).toEqual([]);
		expect(lines.filter(line => / ERROR /.test(line))).toEqual([]);
		const pending = lines.filter(line => /\S+\/BUILDINGS: (Workflow of building \d+ is pending|Workflows pending)/.test(line));
		expect(pending.length).toBeGreaterThan(0);
		expect(pending.length).toBeLessThanOrEqual(FAULT_SECONDS + 4);
		expect(lines.length).toBeLessThanOrEqual(6 * (FAULT_SECONDS + 4));
	}, 90_000);

	it("relies on moleculer-web 0.11.0's errorHandler (framework/quiet-gateway-errors.ts)", () => {
		const manifest = JSON.parse(readFileSync(require.resolve("moleculer-web/package.json"), "utf8")) as { version: string };
		expect(manifest.version).toBe("0.11.0");
	});
});
