// Set before the gateway is loaded: its CORS and rate limit are read at start-up.
process.env.RATE_LIMIT = "5";
process.env.CORS_ORIGINS = "https://app.example";

import { startCluster, type TestCluster } from "../support/cluster";
import { http } from "../support/http";

describe("gateway options from the environment", () => {
	let cluster: TestCluster;
	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 1 });
	});
	afterAll(async () => {
		delete process.env.RATE_LIMIT;
		delete process.env.CORS_ORIGINS;
		await cluster?.stop();
	});

	// First: every request to the gateway counts against the minute's allowance.
	it("RATE_LIMIT lets the allowed requests per minute through, then answers 429", async () => {
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await http("GET", `${cluster.apiUrl}/health`)).status);
		// Neither a limiter that refuses everything nor one that lets everything through passes.
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
		const limited = await http("GET", `${cluster.apiUrl}/health`);
		expect(limited.status).toBe(429);
		expect(limited.body).toMatchObject({ code: 429, type: "RATE_LIMIT_EXCEEDED", name: expect.any(String), message: expect.any(String) });
	});

	it("CORS_ORIGINS answers preflights for the listed origin only", async () => {
		const allowed = await fetch(`${cluster.apiUrl}/buildings`, {
			method: "OPTIONS",
			headers: { origin: "https://app.example", "access-control-request-method": "POST" },
		});
		expect(allowed.status).toBe(204);
		expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
		expect(allowed.headers.get("access-control-allow-headers")).toContain("Idempotency-Key");
		const other = await fetch(`${cluster.apiUrl}/buildings`, {
			method: "OPTIONS",
			headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
		});
		expect(other.headers.get("access-control-allow-origin")).toBeNull();
		// An OPTIONS that is no preflight still lists the path's methods.
		const plain = await fetch(`${cluster.apiUrl}/buildings/1`, { method: "OPTIONS" });
		expect([plain.status, plain.headers.get("allow")]).toEqual([204, "GET, HEAD, PATCH, DELETE, OPTIONS"]);
	});
});
