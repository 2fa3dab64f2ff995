// Set before the gateway is loaded: it reads its keys at start-up.
process.env.API_KEYS = "first-key, second-key";

import type { Building, Page } from "../../types";
import { startCluster, type TestCluster } from "../support/cluster";
import { http } from "../support/http";
import { waitFor } from "../support/infra";

// The gateway's defaults that keep it closed: API keys, and answers that give nothing away.
describe("locked-down gateway", () => {
	let cluster: TestCluster;
	let api: string;
	const first = { authorization: "Bearer first-key" };
	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 1 });
		api = cluster.apiUrl;
	});
	afterAll(async () => {
		delete process.env.API_KEYS;
		await cluster?.stop();
	});

	describe("API_KEYS", () => {
		it.each([
			["no key", {}],
			["a wrong Bearer key", { authorization: "Bearer third-key" }],
			["a listed key's prefix", { authorization: "Bearer first" }],
			["a wrong X-API-Key", { "x-api-key": "first-key-" }],
			["another scheme", { authorization: "Basic Zmlyc3Qta2V5" }],
		])("%s: 401 with a JSON error, and nothing written", async (_what, headers) => {
			for (const [method, path, body] of [
				["POST", "/buildings", { name: "Without a key" }],
				["GET", "/buildings", undefined],
				["GET", "/workflows", undefined],
				["GET", "/health/ready", undefined],
				["GET", "/cluster", undefined],
			] as const) {
				const res = await http(method, `${api}${path}`, body, headers);
				expect([path, res.status]).toEqual([path, 401]);
				expect(res.body).toMatchObject({ code: 401, type: "UNAUTHORIZED", name: expect.any(String), message: expect.any(String) });
				expect(res.headers.get("www-authenticate")).toBe("Bearer");
			}
			const listed = await http<Page<Building>>("GET", `${api}/buildings?search=${encodeURIComponent("Without a key")}`, undefined, first);
			expect(listed.body.total).toBe(0);
		});

		it("either listed key, as Bearer or X-API-Key, is let through", async () => {
			const created = await http("POST", `${api}/buildings`, { name: "With a key" }, first);
			expect(created.status).toBe(201);
			expect((await http("GET", `${api}/buildings/${created.body.id}`, undefined, { "x-api-key": "second-key" })).status).toBe(200);
			expect((await http("GET", `${api}/health/ready`, undefined, { authorization: "bearer second-key" })).status).toBe(200);
		});

		it("the cluster page sits behind the same keys as its JSON", async () => {
			const page = `${new URL(api).origin}/cluster/`;
			const refused = await http("GET", page);
			expect(refused.status).toBe(401);
			expect(refused.headers.get("www-authenticate")).toBe("Bearer");
			const shown = await http("GET", page, undefined, first);
			expect(shown.status).toBe(200);
			expect(shown.headers.get("content-type")).toContain("text/html");
			expect((await http("GET", `${api}/cluster`, undefined, { "x-api-key": "second-key" })).status).toBe(200);
		});

		it("liveness answers without a key, and names no node or process", async () => {
			const res = await http("GET", `${api}/health`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ status: "ok", uptime: expect.any(Number) });
		});
	});

	describe("search and sort", () => {
		const names = (page: Page<Building>) => page.rows.map(b => b.name);
		const list = async (query: string) => (await http<Page<Building>>("GET", `${api}/buildings?${query}`, undefined, first)).body;

		it("search ignores case and takes %, _ and \\ as themselves", async () => {
			for (const name of ["100% Tower", "100 Tower", "A_B Hall", "AxB Hall", "Back\\slash", "Backslash"])
				expect((await http("POST", `${api}/buildings`, { name }, first)).status).toBe(201);
			expect(names(await list(`search=${encodeURIComponent("100%")}`))).toEqual(["100% Tower"]);
			expect(names(await list(`search=${encodeURIComponent("a_b")}`))).toEqual(["A_B Hall"]);
			expect(names(await list(`search=${encodeURIComponent("k\\s")}`))).toEqual(["Back\\slash"]);
			expect(names(await list("search=TOWER&sort=name"))).toEqual(["100 Tower", "100% Tower"]);
			expect((await list(`search=${encodeURIComponent("%")}`)).total).toBe(1);
		});

		it("every sort breaks ties by id, so pages neither repeat nor skip rows", async () => {
			for (let i = 0; i < 6; i++) await http("POST", `${api}/buildings`, { name: "Same name" }, first);
			for (const sort of ["name", "-name", "createdAt"]) {
				const seen: number[] = [];
				for (let page = 1; page <= 3; page++) {
					seen.push(...(await list(`search=Same%20name&sort=${sort}&pageSize=2&page=${page}`)).rows.map(b => b.id));
				}
				expect([sort, seen]).toEqual([sort, [...seen].sort((a, b) => a - b)]);
				expect(new Set(seen).size).toBe(6);
			}
			const workflows = (await http<Page<{ id: number }>>("GET", `${api}/workflows?sort=status&pageSize=100`, undefined, first)).body;
			const ids = workflows.rows.map(w => w.id);
			expect(ids).toEqual([...ids].sort((a, b) => a - b));
		});
	});

	it("a 503 names neither an internal action nor a node", async () => {
		const workflowsNodes = cluster.brokers.filter(broker => broker.getLocalService("workflows"));
		await Promise.all(workflowsNodes.map(broker => broker.stop()));
		await waitFor(
			"the workflows service to be gone",
			async () => (await http("GET", `${api}/health/ready`, undefined, first)).status === 503,
		);
		const res = await http("GET", `${api}/workflows`, undefined, first);
		expect(res.status).toBe(503);
		expect(res.body).toEqual({
			name: "ServiceUnavailableError",
			message: expect.any(String),
			code: 503,
			type: "SERVICE_UNAVAILABLE",
		});
		const text = JSON.stringify(res.body);
		expect(text).not.toMatch(/workflows\.list/);
		for (const broker of cluster.brokers) expect(text).not.toContain(broker.nodeID);
	});
});
