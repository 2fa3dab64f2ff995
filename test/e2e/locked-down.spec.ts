// Set before the gateway is loaded: it reads its keys at start-up.
process.env.API_KEYS = "first-key, second-key";

import type { Building, Page } from "../../types";
import { startCluster, type TestCluster } from "../support/cluster";
import { http } from "../support/http";
import { waitFor } from "../support/infra";
import { launchChromium, rowKeys } from "../support/browser";

const BASIC_CHALLENGE = 'Basic realm="buildings cluster", charset="UTF-8"';

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
			["Basic without a password", { authorization: `Basic ${btoa("first-key")}` }],
			["Basic with a wrong password", { authorization: `Basic ${btoa("first-key:second")}` }],
			["another scheme", { authorization: "Digest username=first-key" }],
		])("%s: 401 with a JSON error, and nothing written", async (_what, headers) => {
			for (const [method, path, body] of [
				["POST", "/buildings", { name: "Without a key" }],
				["GET", "/buildings", undefined],
				["GET", "/workflows", undefined],
				["GET", "/health/ready", undefined],
			] as const) {
				const res = await http(method, `${api}${path}`, body, headers);
				expect([path, res.status]).toEqual([path, 401]);
				expect(res.body).toMatchObject({ code: 401, type: "UNAUTHORIZED", name: expect.any(String), message: expect.any(String) });
				expect(res.headers.get("www-authenticate")).toBe("Bearer");
			}
			// The operator's views ask for Basic, so that a browser prompts for the key.
			for (const url of [`${api}/cluster`, `${new URL(api).origin}/cluster/`]) {
				const res = await http("GET", url, undefined, headers);
				expect([url, res.status]).toEqual([url, 401]);
				expect(res.headers.get("www-authenticate")).toBe(BASIC_CHALLENGE);
			}
			const listed = await http<Page<Building>>("GET", `${api}/buildings?search=${encodeURIComponent("Without a key")}`, undefined, first);
			expect(listed.body.total).toBe(0);
		});

		it("either listed key, as Bearer, X-API-Key or a Basic password, is let through", async () => {
			const created = await http("POST", `${api}/buildings`, { name: "With a key" }, first);
			expect(created.status).toBe(201);
			expect((await http("GET", `${api}/buildings/${created.body.id}`, undefined, { "x-api-key": "second-key" })).status).toBe(200);
			const basic = { authorization: `Basic ${btoa("anyone:second-key")}` };
			expect((await http("GET", `${api}/buildings/${created.body.id}`, undefined, basic)).status).toBe(200);
			expect((await http("GET", `${api}/health/ready`, undefined, { authorization: "bearer second-key" })).status).toBe(200);
		});

		it("in a browser: the cluster page opens with a key as the Basic password, and Swagger UI offers the three ways to send one", async () => {
			const browser = await launchChromium();
			try {
				// Without credentials the page is a 401 asking for Basic (checked above), which the browser answers with these.
				const context = await browser.newContext({ httpCredentials: { username: "operator", password: "second-key" } });
				const withKey = await context.newPage();
				expect((await withKey.goto(`${new URL(api).origin}/cluster/`))?.status()).toBe(200);
				await waitFor("the nodes on the page", async () => (await rowKeys(withKey, "nodes")).length === cluster.brokers.length, 10_000);
				// Swagger UI reads the schemes from the document and offers to send a key.
				const docs = await context.newPage();
				await docs.goto(`${new URL(api).origin}/api/docs/`);
				await docs.click("button.authorize", { timeout: 10_000 });
				expect(await docs.locator(".auth-container h4").allTextContents()).toEqual([
					expect.stringContaining("bearerKey"),
					expect.stringContaining("headerKey"),
					expect.stringContaining("basicKey"),
				]);
			} finally {
				await browser.close();
			}
		});

		it("the OpenAPI document is open, and says the rest is not: three ways to send a key, a 401 on every other operation", async () => {
			type Operation = { responses: Record<string, unknown>; security?: unknown[] };
			const answer = await http("GET", `${api}/openapi.json`);
			expect(answer.status).toBe(200);
			const doc = answer.body as {
				security: Record<string, unknown>[];
				components: { securitySchemes: Record<string, { scheme?: string; name?: string }> };
				paths: Record<string, Record<string, Operation>>;
			};
			expect(doc.security.map(Object.keys).flat()).toEqual(Object.keys(doc.components.securitySchemes));
			expect(Object.values(doc.components.securitySchemes).map(s => s.scheme ?? s.name)).toEqual(["bearer", "X-API-Key", "basic"]);
			for (const [path, methods] of Object.entries(doc.paths))
				for (const [method, operation] of Object.entries(methods)) {
					const open = path === "/api/health" || path === "/api/openapi.json";
					expect([method, path, "401" in operation.responses, operation.security]).toEqual([method, path, !open, open ? [] : undefined]);
				}
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
