import type { BuildingWithWorkflow } from "../../types";
import { startCluster, type TestCluster } from "../support/cluster";
import { http } from "../support/http";
import { query, waitFor } from "../support/infra";

// What POST and DELETE promise when the workflows service is away, and idempotency keys.
// Two buildings nodes share the outbox; workflows nodes come and go.
describe("nothing lost, nothing doubled", () => {
	let cluster: TestCluster;
	let api: string;
	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 1, buildingsNodes: 2 });
		api = cluster.apiUrl;
	});
	afterAll(() => cluster?.stop());

	const workflowsOf = (buildingId: number) =>
		query(cluster.workflowsDatabaseUrl, 'SELECT id FROM workflows WHERE "buildingId" = $1', [buildingId]);
	const count = async (url: string, sql: string) => Number((await query<{ n: string }>(url, sql))[0].n);
	const stopWorkflowsNodes = async () => {
		const nodes = cluster.brokers.filter(broker => broker.getLocalService("workflows") && broker.started);
		await Promise.all(nodes.map(broker => broker.stop()));
		await waitFor("the workflows service to be gone", async () => (await http("GET", `${api}/health/ready`)).status === 503);
	};

	describe("Idempotency-Key", () => {
		it("the same key and body return the same building and status, and create nothing more", async () => {
			const first = await http("POST", `${api}/buildings`, { name: "Keyed" }, { "idempotency-key": "key-1" });
			expect(first.status).toBe(201);
			const buildingsBefore = await count(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM buildings");
			const again = await http("POST", `${api}/buildings`, { name: "Keyed" }, { "idempotency-key": "key-1" });
			expect(again.status).toBe(201);
			expect(again.body).toEqual(first.body);
			expect(await count(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM buildings")).toBe(buildingsBefore);
			expect(await workflowsOf(first.body.id)).toHaveLength(1);
		});

		it("the same key with another body is 422 naming the key, and writes nothing", async () => {
			await http("POST", `${api}/buildings`, { name: "Original" }, { "idempotency-key": "key-2" });
			const before = await count(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM buildings");
			const res = await http("POST", `${api}/buildings`, { name: "Different" }, { "idempotency-key": "key-2" });
			expect(res.status).toBe(422);
			expect(res.body.data).toEqual([expect.objectContaining({ field: "idempotencyKey", type: "idempotencyKeyReused" })]);
			expect(await count(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM buildings")).toBe(before);
		});

		it("concurrent repeats of one key create one building", async () => {
			const answers = await Promise.all(
				Array.from({ length: 8 }, () => http("POST", `${api}/buildings`, { name: "Racing" }, { "idempotency-key": "key-3" })),
			);
			const created = answers.filter(a => a.status === 201);
			expect(created.length).toBeGreaterThanOrEqual(1);
			for (const answer of answers) expect([201, 409]).toContain(answer.status);
			expect(new Set(created.map(a => a.body.id)).size).toBe(1);
			expect(await count(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM buildings WHERE name = 'Racing'")).toBe(1);
		});
	});

	describe("while no workflows node is up", () => {
		let pending: BuildingWithWorkflow;
		let pendingThenRemoved: BuildingWithWorkflow;
		let removed: BuildingWithWorkflow;

		beforeAll(async () => {
			removed = (await http("POST", `${api}/buildings`, { name: "To remove" })).body;
			expect(removed.workflowStatus).toBe("created");
			await stopWorkflowsNodes();
		});

		it("POST /api/buildings answers 202 with the building, workflow null, workflowStatus pending", async () => {
			const res = await http("POST", `${api}/buildings`, { name: "Pending" }, { "idempotency-key": "key-pending" });
			expect(res.status).toBe(202);
			expect(res.headers.get("location")).toBe(`/api/buildings/${res.body.id}`);
			expect(res.body).toMatchObject({ name: "Pending", workflow: null, workflowStatus: "pending", workflowId: null });
			pending = res.body;
			const replay = await http("POST", `${api}/buildings`, { name: "Pending" }, { "idempotency-key": "key-pending" });
			expect([replay.status, replay.body]).toEqual([202, res.body]);
			expect((await http("GET", `${api}/buildings/${pending.id}`)).body).toMatchObject({ workflowStatus: "pending", workflow: null });
			pendingThenRemoved = (await http("POST", `${api}/buildings`, { name: "Pending, then removed" })).body;
			expect(pendingThenRemoved.workflowStatus).toBe("pending");
		});

		it("DELETE /api/buildings/:id answers 200; the workflows go once the service is back", async () => {
			expect((await http("DELETE", `${api}/buildings/${removed.id}`)).status).toBe(200);
			expect((await http("DELETE", `${api}/buildings/${pendingThenRemoved.id}`)).status).toBe(200);
			expect(await workflowsOf(removed.id)).toHaveLength(1); // not yet: the service is away
			expect(await count(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM outbox")).toBe(3);
		});

		it("once a workflows node is back, pending work drains: one workflow each, none for removed buildings", async () => {
			await cluster.addWorkflowsNode();
			await waitFor(
				"the outbox to drain",
				async () => (await count(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM outbox")) === 0,
				20_000,
			);

			const shown = await http<BuildingWithWorkflow>("GET", `${api}/buildings/${pending.id}`);
			expect(shown.body).toMatchObject({ workflowStatus: "created", workflow: { buildingId: pending.id, name: "New Workflow" } });
			expect(await workflowsOf(pending.id)).toHaveLength(1);
			expect(await workflowsOf(removed.id)).toHaveLength(0);
			expect(await workflowsOf(pendingThenRemoved.id)).toHaveLength(0);
		});
	});

	it("afterwards, every building has exactly one workflow and no workflow is an orphan", async () => {
		const buildings = await query<{ id: number }>(cluster.buildingsDatabaseUrl, "SELECT id FROM buildings");
		const workflows = await query<{ buildingId: number }>(cluster.workflowsDatabaseUrl, 'SELECT "buildingId" FROM workflows');
		const perBuilding = new Map<number, number>();
		for (const w of workflows) perBuilding.set(w.buildingId, (perBuilding.get(w.buildingId) ?? 0) + 1);
		for (const b of buildings) expect([b.id, perBuilding.get(b.id)]).toEqual([b.id, 1]);
		const ids = new Set(buildings.map(b => b.id));
		expect(workflows.filter(w => !ids.has(w.buildingId))).toEqual([]);
	});
});
