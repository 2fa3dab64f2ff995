import { startCluster, type TestCluster } from "../support/cluster";
import { http } from "../support/http";
import { NATS_URL, query, waitFor } from "../support/infra";

// Every route of the REST table and every documented error, over real HTTP through the
// gateway, with the services on their own brokers over NATS and Postgres behind them.
describe("REST API", () => {
	let cluster: TestCluster;
	let api: string;
	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 2 });
		api = cluster.apiUrl;
	});
	afterAll(() => cluster?.stop());

	const countBuildings = async () =>
		Number((await query<{ n: string }>(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM buildings"))[0].n);
	const countWorkflows = async () =>
		Number((await query<{ n: string }>(cluster.workflowsDatabaseUrl, "SELECT count(*) AS n FROM workflows"))[0].n);
	const create = async (name: string) => (await http("POST", `${api}/buildings`, { name })).body;

	describe("buildings", () => {
		it("POST /api/buildings creates the building and its workflow: 201", async () => {
			const res = await http("POST", `${api}/buildings`, { name: "  Headquarters  " });
			expect(res.status).toBe(201);
			expect(res.headers.get("location")).toBe(`/api/buildings/${res.body.id}`);
			expect(res.body).toMatchObject({ id: expect.any(Number), name: "Headquarters" });
			expect(res.body.workflow).toMatchObject({
				name: "New Workflow",
				buildingId: res.body.id,
				status: "new",
				handledBy: expect.any(String),
			});
			const stored = await query(cluster.workflowsDatabaseUrl, 'SELECT * FROM workflows WHERE "buildingId" = $1', [res.body.id]);
			expect(stored).toHaveLength(1);
		});

		it("POST /api/buildings takes the workflow's name", async () => {
			const res = await http("POST", `${api}/buildings`, { name: "Depot", workflowName: " Inspection " });
			expect(res.status).toBe(201);
			expect(res.body.workflow.name).toBe("Inspection");
		});

		it("GET /api/buildings pages, sorts and searches: 200", async () => {
			for (const name of ["Alpha tower", "Beta tower", "Gamma hall"]) await create(name);
			const page = await http("GET", `${api}/buildings?page=1&pageSize=2&sort=-id`);
			expect(page.status).toBe(200);
			expect(page.body).toMatchObject({ page: 1, pageSize: 2, total: await countBuildings() });
			expect(page.body.totalPages).toBe(Math.ceil(page.body.total / 2));
			expect(page.body.rows).toHaveLength(2);
			expect(page.body.rows[0].id).toBeGreaterThan(page.body.rows[1].id);

			const found = await http("GET", `${api}/buildings?search=tower&sort=name`);
			expect(found.status).toBe(200);
			expect(found.body.rows.map((b: { name: string }) => b.name)).toEqual(["Alpha tower", "Beta tower"]);
		});

		it("GET /api/buildings/:id returns one building: 200", async () => {
			const building = await create("Library");
			const res = await http("GET", `${api}/buildings/${building.id}`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({
				id: building.id,
				name: "Library",
				workflowStatus: "created",
				workflowId: building.workflow.id,
				workflow: building.workflow,
				createdAt: building.createdAt,
				updatedAt: expect.any(String),
			});
		});

		it("PATCH /api/buildings/:id renames: 200", async () => {
			const building = await create("Old name");
			const res = await http("PATCH", `${api}/buildings/${building.id}`, { name: " New name " });
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ id: building.id, name: "New name" });
			expect((await http("GET", `${api}/buildings/${building.id}`)).body.name).toBe("New name");
		});

		it("DELETE /api/buildings/:id removes the building and its workflows: 200", async () => {
			const building = await create("Doomed");
			const res = await http("DELETE", `${api}/buildings/${building.id}`);
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ id: building.id, name: "Doomed" });
			expect((await http("GET", `${api}/buildings/${building.id}`)).status).toBe(404);
			const workflows = await http("GET", `${api}/buildings/${building.id}/workflows`);
			expect(workflows.body.total).toBe(0);
		});

		it("GET /api/buildings/:id/workflows lists that building's workflows: 200", async () => {
			const building = await create("Warehouse");
			await create("Elsewhere");
			const res = await http("GET", `${api}/buildings/${building.id}/workflows`);
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ total: 1, page: 1, totalPages: 1 });
			expect(res.body.rows[0]).toMatchObject({ id: building.workflow.id, buildingId: building.id });
		});
	});

	describe("workflows", () => {
		it("GET /api/workflows and /api/workflows/:id: 200", async () => {
			const building = await create("Plant");
			const list = await http("GET", `${api}/workflows?pageSize=100`);
			expect(list.status).toBe(200);
			expect(list.body.total).toBe(await countWorkflows());
			expect(list.body.rows.map((w: { id: number }) => w.id)).toContain(building.workflow.id);
			const one = await http("GET", `${api}/workflows/${building.workflow.id}`);
			expect(one.status).toBe(200);
			expect(one.body).toEqual(building.workflow);
		});

		it("PATCH /api/workflows/:id changes status and name: 200", async () => {
			const building = await create("Mill");
			const res = await http("PATCH", `${api}/workflows/${building.workflow.id}`, { status: "running", name: "Milling" });
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ id: building.workflow.id, status: "running", name: "Milling" });
		});

		it("DELETE /api/workflows/:id: 200, then 404", async () => {
			const building = await create("Shed");
			const res = await http("DELETE", `${api}/workflows/${building.workflow.id}`);
			expect(res.status).toBe(200);
			expect(res.body.id).toBe(building.workflow.id);
			expect((await http("GET", `${api}/workflows/${building.workflow.id}`)).status).toBe(404);
		});

		it("DELETE /api/workflows/:id leaves its building saying so: workflowId null, workflowStatus removed", async () => {
			const building = await create("Barn");
			await http("DELETE", `${api}/workflows/${building.workflow.id}`);
			const stored = async () =>
				(await query(cluster.buildingsDatabaseUrl, 'SELECT "workflowId", "workflowStatus" FROM buildings WHERE id = $1', [building.id]))[0];
			await waitFor("the building to drop its workflow", async () => (await stored()).workflowStatus === "removed");
			expect(await stored()).toEqual({ workflowId: null, workflowStatus: "removed" });
			const res = await http("GET", `${api}/buildings/${building.id}`);
			expect(res.body).toMatchObject({ workflowId: null, workflowStatus: "removed", workflow: null });
		});

		it("a workflow deleted while no buildings node could be told shows its building removed once a workflows node tells it", async () => {
			const building = await create("Silo");
			// What DELETE /api/workflows/:id does in one statement, with its report to the buildings service lost.
			await query(
				cluster.workflowsDatabaseUrl,
				`WITH w AS (DELETE FROM workflows WHERE id = $1 RETURNING id, "buildingId")
				 INSERT INTO workflow_changes ("workflowId", "buildingId", "nextAttemptAt", "createdAt") SELECT id, "buildingId", now(), now() FROM w`,
				[building.workflow.id],
			);
			await waitFor("the change to be reported", async () => (await http("GET", `${api}/buildings/${building.id}`)).body.workflow === null);
			const res = await http("GET", `${api}/buildings/${building.id}`);
			expect(res.body).toMatchObject({ workflowId: null, workflowStatus: "removed", workflow: null });
			const [stored] = await query(cluster.buildingsDatabaseUrl, 'SELECT "workflowId", "workflowStatus" FROM buildings WHERE id = $1', [
				building.id,
			]);
			expect(stored).toEqual({ workflowId: null, workflowStatus: "removed" });
		});
	});

	describe("health", () => {
		it("GET /api/health: 200, with no node or process ID", async () => {
			const res = await http("GET", `${api}/health`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ status: "ok", uptime: expect.any(Number) });
		});

		it("GET /api/health/ready: 200 when every check passes", async () => {
			const res = await http("GET", `${api}/health/ready`);
			expect(res.status).toBe(200);
			const workflowsNodes = cluster.brokers
				.filter(b => b.getLocalService("workflows"))
				.map(b => b.nodeID)
				.sort();
			expect(res.body).toEqual({
				status: "ready",
				checks: { transporter: "ok", buildingsDatabase: "ok", workflows: "ok" },
				nodes: cluster.brokers.map(b => b.nodeID).sort(),
				workflowsNodes,
				// The one NATS server of this run, for every node.
				natsServers: Object.fromEntries(cluster.brokers.map(b => [b.nodeID, new URL(NATS_URL).host])),
			});
		});
	});

	describe("errors", () => {
		const expectError = (res: { status: number; body: any }, code: number, type?: string) => {
			expect(res.status).toBe(code);
			expect(res.body).toMatchObject({ name: expect.any(String), message: expect.any(String), code });
			if (type) expect(res.body.type).toBe(type);
			expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
		};

		it("422 names the invalid field, and nothing is written", async () => {
			const before = await countBuildings();
			const missing = await http("POST", `${api}/buildings`, {});
			expectError(missing, 422, "VALIDATION_ERROR");
			expect(missing.body.data).toEqual([expect.objectContaining({ field: "name", type: "required" })]);
			const blank = await http("POST", `${api}/buildings`, { name: "   " });
			expectError(blank, 422);
			expect(blank.body.data[0].field).toBe("name");
			const long = await http("POST", `${api}/buildings`, { name: "x".repeat(201) });
			expect(long.body.data[0]).toMatchObject({ field: "name", type: "stringMax" });
			const extra = await http("POST", `${api}/buildings`, { name: "ok", owner: "me" });
			expectError(extra, 422);
			expect(extra.body.data[0]).toMatchObject({ type: "objectStrict" });
			expect(await countBuildings()).toBe(before);

			const badId = await http("GET", `${api}/buildings/abc`);
			expectError(badId, 422);
			expect(badId.body.data[0].field).toBe("id");
			const badStatus = await http("PATCH", `${api}/workflows/1`, { status: "done" });
			expect(badStatus.body.data[0]).toMatchObject({ field: "status", type: "enumValue" });
			const bigPage = await http("GET", `${api}/buildings?pageSize=101`);
			expect(bigPage.body.data[0]).toMatchObject({ field: "pageSize", type: "numberMax" });
		});

		it("400 for malformed JSON", async () => {
			const res = await http("POST", `${api}/buildings`, '{"name": "HQ"', { "content-type": "application/json" });
			expectError(res, 400, "entity.parse.failed");
		});

		it("404 for an unknown id or route", async () => {
			expectError(await http("GET", `${api}/buildings/999999`), 404, "NOT_FOUND");
			expectError(await http("PATCH", `${api}/buildings/999999`, { name: "x" }), 404, "NOT_FOUND");
			expectError(await http("DELETE", `${api}/buildings/999999`), 404, "NOT_FOUND");
			expectError(await http("GET", `${api}/workflows/999999`), 404, "NOT_FOUND");
			expectError(await http("PATCH", `${api}/workflows/999999`, { status: "failed" }), 404, "NOT_FOUND");
			expectError(await http("DELETE", `${api}/workflows/999999`), 404, "NOT_FOUND");
			expectError(await http("GET", `${api}/nothing-here`), 404);
		});

		it("404 or 405 for internal actions: only the documented routes are reachable", async () => {
			const before = await countWorkflows();
			// A path of a documented route with another method is a 405; any other path a 404.
			for (const [method, path, status] of [
				["POST", "/workflows", 405],
				["POST", "/workflows/removeByBuilding", 405],
				["POST", "/workflows.removeByBuilding", 404],
				["GET", "/workflows.removeByBuilding?buildingId=1", 404],
				["GET", "/$node/list", 404],
				["GET", "/$node.list", 404],
				["GET", "/buildings.health", 404],
				["GET", "/api/rest", 404],
				["PUT", "/buildings/1", 405],
			] as const) {
				const res = await http(method, `${api}${path}`, method === "GET" ? undefined : { buildingId: 1, name: "x" });
				expect([method, path, res.status]).toEqual([method, path, status]);
			}
			expect(await countWorkflows()).toBe(before);
		});

		it("413 for a body over 100 kB", async () => {
			const res = await http("POST", `${api}/buildings`, { name: "x".repeat(200 * 1024) });
			expectError(res, 413, "entity.too.large");
		});

		it("503 when no workflows node is up: readiness names the check, workflow routes are unavailable", async () => {
			const workflowsBrokers = cluster.brokers.filter(broker => broker.getLocalService("workflows"));
			await Promise.all(workflowsBrokers.map(broker => broker.stop()));
			const gateway = cluster.brokers.at(-1)!;
			await waitUntil(
				() => !gateway.registry.getServiceList({ onlyAvailable: true }).some((s: { name: string }) => s.name === "workflows"),
			);

			const ready = await http("GET", `${api}/health/ready`);
			expectError(ready, 503, "NOT_READY");
			expect(ready.body.data.checks).toEqual({ transporter: "ok", buildingsDatabase: "ok", workflows: "failing" });
			expect(ready.body.message).toMatch(/workflows/);

			expectError(await http("GET", `${api}/workflows`), 503, "SERVICE_UNAVAILABLE");
			expectError(await http("GET", `${api}/workflows/1`), 503, "SERVICE_UNAVAILABLE");
		});
	});
});

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error("condition not met in time");
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}
