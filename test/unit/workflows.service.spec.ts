import type { Page, Workflow } from "../../types";
import { caller } from "../support/calls";
import { startCluster, type TestCluster } from "../support/cluster";
import { query } from "../support/infra";

// The workflows service on one local broker (no transporter), against its own database.
describe("workflows service", () => {
	let cluster: TestCluster;
	const { call, rejection } = caller(() => cluster.buildings);

	beforeAll(async () => {
		cluster = await startCluster({ transporter: null, api: false });
	});
	afterAll(() => cluster?.stop());

	it("create stores a trimmed name, status new, and the node that handled it, and answers the version a copy keeps", async () => {
		const workflow = await call<Workflow>("workflows.create", { name: "  Survey  ", buildingId: 41 });
		expect(workflow).toMatchObject({ name: "Survey", buildingId: 41, status: "new", handledBy: cluster.buildings.nodeID, version: 1 });
		expect(Object.keys(workflow).sort()).toEqual(["buildingId", "createdAt", "handledBy", "id", "name", "status", "updatedAt", "version"]);
	});

	it("create with a requestKey is idempotent: a repeat returns the first workflow", async () => {
		const first = await call<Workflow>("workflows.create", { name: "Once", buildingId: 42, requestKey: "building:42" });
		const again = await call<Workflow>("workflows.create", { name: "Once", buildingId: 42, requestKey: "building:42" });
		expect(again).toEqual(first);
		const rows = await query(cluster.workflowsDatabaseUrl, 'SELECT id FROM workflows WHERE "buildingId" = 42');
		expect(rows).toHaveLength(1);
	});

	it("stats counts the workflows this node created, not the calls it refused", async () => {
		const before = (await call<{ created: number }>("workflows.stats", {})).created;
		await call<Workflow>("workflows.create", { name: "Counted", buildingId: 77 });
		await rejection("workflows.create", { name: "x" });
		expect(await call("workflows.stats", {})).toEqual({ created: before + 1 });
	});

	it("validates on the action itself, whoever calls it", async () => {
		expect(await rejection("workflows.create", { name: "x" })).toMatchObject({
			code: 422,
			data: [expect.objectContaining({ field: "buildingId", type: "required" })],
		});
		expect(await rejection("workflows.create", { name: "", buildingId: 1 })).toMatchObject({
			code: 422,
			data: [expect.objectContaining({ field: "name" })],
		});
		expect(await rejection("workflows.create", { name: "x", buildingId: -1 })).toMatchObject({
			code: 422,
			data: [expect.objectContaining({ field: "buildingId" })],
		});
		expect(await rejection("workflows.create", { name: "a\u0000b", buildingId: 1 })).toMatchObject({
			code: 422,
			data: [expect.objectContaining({ field: "name" })],
		});
		expect(await rejection("workflows.update", { id: 1 })).toMatchObject({ code: 422 });
	});

	it("list filters by building and pages", async () => {
		for (const name of ["A", "B", "C"]) await call("workflows.create", { name, buildingId: 43 });
		const page = await call<Page<Workflow>>("workflows.list", { buildingId: 43, pageSize: 2, sort: "name" });
		expect(page).toMatchObject({ total: 3, page: 1, pageSize: 2, totalPages: 2 });
		expect(page.rows.map(w => w.name)).toEqual(["A", "B"]);
	});

	it("update changes status; get, update and remove answer 404 for an unknown id", async () => {
		const workflow = await call<Workflow>("workflows.create", { name: "Flow", buildingId: 44 });
		expect(await call("workflows.update", { id: workflow.id, status: "completed" })).toMatchObject({ status: "completed", name: "Flow" });
		for (const action of ["workflows.get", "workflows.remove"])
			expect(await rejection(action, { id: 999_999 })).toMatchObject({ code: 404, type: "NOT_FOUND" });
		expect(await rejection("workflows.update", { id: 999_999, name: "x" })).toMatchObject({ code: 404, type: "NOT_FOUND" });
	});

	it("removeByBuilding deletes every workflow of one building only", async () => {
		await call("workflows.create", { name: "One", buildingId: 45 });
		await call("workflows.create", { name: "Two", buildingId: 45 });
		await call("workflows.create", { name: "Other", buildingId: 46 });
		expect(await call("workflows.removeByBuilding", { buildingId: 45 })).toEqual({ removed: 2 });
		expect((await call<Page<Workflow>>("workflows.list", { buildingId: 45 })).total).toBe(0);
		expect((await call<Page<Workflow>>("workflows.list", { buildingId: 46 })).total).toBe(1);
	});

	it("concurrent creates share one statement: each caller gets its own workflow, keyed repeats the first, a removed building 409", async () => {
		await call("workflows.removeByBuilding", { buildingId: 51 });
		const service = cluster.buildings.getLocalService("workflows") as unknown as { insertWorkflows(r: unknown[]): Promise<unknown[]> };
		const batchSizes: number[] = [];
		const insertWorkflows = service.insertWorkflows.bind(service);
		service.insertWorkflows = requests => (batchSizes.push(requests.length), insertWorkflows(requests));
		try {
			const outcomes = await Promise.allSettled([
				call<Workflow>("workflows.create", { name: "Later", buildingId: 60 }),
				call<Workflow>("workflows.create", { name: "First", buildingId: 50, requestKey: "building:50" }),
				call<Workflow>("workflows.create", { name: "Gone", buildingId: 51, requestKey: "building:51" }),
				call<Workflow>("workflows.create", { name: "Second", buildingId: 52 }),
				call<Workflow>("workflows.create", { name: "First", buildingId: 50, requestKey: "building:50" }),
			]);
			const [later, first, removed, second, repeat] = outcomes;
			expect(later).toMatchObject({ status: "fulfilled", value: { name: "Later", buildingId: 60 } });
			expect(first).toMatchObject({ status: "fulfilled", value: { name: "First", buildingId: 50, handledBy: cluster.buildings.nodeID } });
			expect(removed).toMatchObject({ status: "rejected", reason: { code: 409, type: "BUILDING_REMOVED" } });
			expect(second).toMatchObject({ status: "fulfilled", value: { name: "Second", buildingId: 52 } });
			expect(repeat).toEqual(first);
		} finally {
			service.insertWorkflows = insertWorkflows;
		}
		expect(batchSizes).toEqual([5]);
		expect(await query(cluster.workflowsDatabaseUrl, 'SELECT id FROM workflows WHERE "buildingId" IN (50, 51)')).toHaveLength(1);
	});

	it("has no batch action: each workflow is one workflows.create request", async () => {
		expect(await rejection("workflows.createMany", { items: [{ name: "x", buildingId: 1 }] })).toMatchObject({
			name: "ServiceNotFoundError",
		});
	});
});
