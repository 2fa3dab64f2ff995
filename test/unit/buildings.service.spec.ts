import * as statements from "../../services/buildings/buildings.statements";
import type { Building, BuildingWithWorkflow, Page } from "../../types";
import { caller } from "../support/calls";
import { startCluster, type TestCluster } from "../support/cluster";
import { query } from "../support/infra";

// The buildings service with the workflows service on one local broker (no transporter).
describe("buildings service", () => {
	let cluster: TestCluster;
	const { call, rejection } = caller(() => cluster.buildings);
	const count = async (url: string, table: string) => Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`))[0].n);

	beforeAll(async () => {
		cluster = await startCluster({ transporter: null, api: false });
	});
	afterAll(() => cluster?.stop());

	it("create returns the building with its workflow, named as asked", async () => {
		const building = await call<BuildingWithWorkflow>("buildings.create", { name: " Tower ", workflowName: "Audit" });
		expect(building).toMatchObject({
			name: "Tower",
			workflowStatus: "created",
			workflowId: building.workflow!.id,
			workflow: { name: "Audit", buildingId: building.id },
		});
		expect(Object.keys(building).sort()).toEqual(["createdAt", "id", "name", "updatedAt", "workflow", "workflowId", "workflowStatus"]);
	});

	it("stores names verbatim: SQL-looking text is data, unicode survives", async () => {
		for (const name of ["Robert'); DROP TABLE buildings;--", "Zürich 東京 🏢", "x".repeat(200)]) {
			const building = await call<Building>("buildings.create", { name });
			expect((await call<Building>("buildings.get", { id: building.id })).name).toBe(name);
		}
	});

	it("rejects bad parameters on the action, and writes nothing", async () => {
		const before = await count(cluster.buildingsDatabaseUrl, "buildings");
		for (const params of [
			{},
			{ name: "" },
			{ name: " " },
			{ name: 5 },
			{ name: "x".repeat(201) },
			{ name: "ok", extra: 1 },
			{ name: "ok", workflowName: "" },
		]) {
			expect(await rejection("buildings.create", params)).toMatchObject({ code: 422, type: "VALIDATION_ERROR" });
		}
		expect(await count(cluster.buildingsDatabaseUrl, "buildings")).toBe(before);
		expect(await rejection("buildings.list", { sort: "password" })).toMatchObject({
			code: 422,
			data: [expect.objectContaining({ field: "sort" })],
		});
		expect(await rejection("buildings.get", { id: 2 ** 31 })).toMatchObject({
			code: 422,
			data: [expect.objectContaining({ field: "id" })],
		});
	});

	it("outboxStats counts the jobs waiting and the age of the oldest", async () => {
		expect(await call("buildings.outboxStats", {})).toEqual({ backlog: 0, oldestAge: null });
		const building = await call<Building>("buildings.create", { name: "Waiting" });
		// A job due in an hour, saved 5 s ago: no reconciler pass takes it meanwhile.
		await query(
			cluster.buildingsDatabaseUrl,
			`INSERT INTO outbox ("buildingId", "kind", "payload", "attempts", "nextAttemptAt", "createdAt")
			 VALUES ($1, 'removeWorkflows', '{}', 1, now() + interval '1 hour', now() - interval '5 seconds')`,
			[building.id],
		);
		try {
			const stats = await call<{ backlog: number; oldestAge: number }>("buildings.outboxStats", {});
			expect(stats.backlog).toBe(1);
			expect(stats.oldestAge).toBeGreaterThanOrEqual(5000);
			expect(stats.oldestAge).toBeLessThan(60_000);
		} finally {
			await query(cluster.buildingsDatabaseUrl, 'DELETE FROM outbox WHERE "buildingId" = $1', [building.id]);
		}
	});

	it("list searches by part of the name", async () => {
		await call("buildings.create", { name: "North Barn" });
		await call("buildings.create", { name: "South Barn" });
		const page = await call<Page<Building>>("buildings.list", { search: "Barn", sort: "-name" });
		expect(page.rows.map(b => b.name)).toEqual(["South Barn", "North Barn"]);
	});

	it("update renames; get, update and remove answer 404 for an unknown id", async () => {
		const building = await call<Building>("buildings.create", { name: "Before" });
		expect(await call("buildings.update", { id: building.id, name: "After" })).toMatchObject({ id: building.id, name: "After" });
		expect(await rejection("buildings.get", { id: 999_999 })).toMatchObject({ code: 404, type: "NOT_FOUND" });
		expect(await rejection("buildings.update", { id: 999_999, name: "x" })).toMatchObject({ code: 404, type: "NOT_FOUND" });
		expect(await rejection("buildings.remove", { id: 999_999 })).toMatchObject({ code: 404, type: "NOT_FOUND" });
	});

	it("remove deletes the building and all its workflows", async () => {
		const building = await call<BuildingWithWorkflow>("buildings.create", { name: "Gone" });
		await call("workflows.create", { name: "Second", buildingId: building.id });
		expect(await count(cluster.buildingsDatabaseUrl, "outbox")).toBe(0);
		expect(await call("buildings.remove", { id: building.id })).toMatchObject({ id: building.id, name: "Gone" });
		expect(await query(cluster.workflowsDatabaseUrl, 'SELECT id FROM workflows WHERE "buildingId" = $1', [building.id])).toEqual([]);
		expect(await query(cluster.buildingsDatabaseUrl, "SELECT id FROM buildings WHERE id = $1", [building.id])).toEqual([]);
	});

	it("list's total stays exact through concurrent creations and removals", async () => {
		const created = await Promise.all(Array.from({ length: 20 }, (_, i) => call<Building>("buildings.create", { name: `Counted ${i}` })));
		await Promise.all(created.slice(0, 5).map(b => call("buildings.remove", { id: b.id })));
		const page = await call<Page<Building>>("buildings.list", { pageSize: 1 });
		expect(page.total).toBe(await count(cluster.buildingsDatabaseUrl, "buildings"));
		expect(page.totalPages).toBe(page.total);
	});

	it("saves keyed and unkeyed creations by the same group commit", async () => {
		const save = jest.spyOn(statements, "saveNewBuildings");
		try {
			const created = await Promise.all(
				Array.from({ length: 6 }, (_, i) =>
					call<BuildingWithWorkflow>("buildings.create", { name: `Batched ${i}`, ...(i % 2 ? { idempotencyKey: `batched-${i}` } : {}) }),
				),
			);
			expect(new Set(created.map(b => b.id)).size).toBe(6);
			expect(created.every(b => b.workflowStatus === "created")).toBe(true);
			const batches = save.mock.calls.map(([, items]) => items);
			expect(batches.some(items => items.some(item => item.key) && items.some(item => !item.key))).toBe(true);
		} finally {
			save.mockRestore();
		}
	});

	it("answers a building whose workflows were removed while its workflow was being created as removed, without a workflow", async () => {
		// The workflows service refuses the next building ids, as it does once a DELETE of the building reached it.
		const [{ next }] = await query<{ next: string }>(
			cluster.buildingsDatabaseUrl,
			"SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END AS next FROM buildings_id_seq",
		);
		const ids = Array.from({ length: 5 }, (_, i) => Number(next) + i);
		for (const id of ids)
			await query(cluster.workflowsDatabaseUrl, 'INSERT INTO removed_buildings ("buildingId", "removedAt") VALUES ($1, now())', [id]);
		const building = await call<BuildingWithWorkflow>("buildings.create", { name: "Removed meanwhile" });
		expect(ids).toContain(building.id);
		expect(building).toMatchObject({ workflowStatus: "removed", workflowId: null, workflow: null });
		expect(await count(cluster.buildingsDatabaseUrl, "outbox")).toBe(0);
		await call("buildings.remove", { id: building.id });
	});
});
