import type { ServiceBroker } from "moleculer";
import type { BuildingWithWorkflow, Workflow } from "../../types";
import { startCluster, type TestCluster } from "../support/cluster";
import { query, waitFor } from "../support/infra";

// Two buildings nodes over NATS, which answer buildings.get from the buildings database alone
// (the building and its copy of the workflow): whichever node wrote, and whichever service, a
// read sent after the write's answer, through either node, sees the write.
describe("reads after writes, through any node", () => {
	let cluster: TestCluster;
	let caller: ServiceBroker;
	const [nodeA, nodeB] = [() => cluster.brokers[0].nodeID, () => cluster.brokers[1].nodeID];
	const getOn = (nodeID: string, id: number) => caller.call<BuildingWithWorkflow, object>("buildings.get", { id }, { nodeID });

	beforeAll(async () => {
		cluster = await startCluster({ buildingsNodes: 2, workflowsNodes: 2, api: true });
		caller = cluster.brokers.find(broker => broker.getLocalService("api"))!;
	});
	afterAll(() => cluster?.stop());

	it("a rename on one node is seen at once on the other", async () => {
		const created = await caller.call<BuildingWithWorkflow, object>("buildings.create", { name: "Before" }, { nodeID: nodeA() });
		expect((await getOn(nodeB(), created.id)).name).toBe("Before");
		expect((await getOn(nodeB(), created.id)).name).toBe("Before");
		await caller.call("buildings.update", { id: created.id, name: "After" }, { nodeID: nodeA() });
		expect((await getOn(nodeB(), created.id)).name).toBe("After");
	});

	it("a change to the workflow, made on a workflows node, is seen on both", async () => {
		const created = await caller.call<BuildingWithWorkflow, object>("buildings.create", { name: "Flow" });
		for (const node of [nodeA(), nodeB()]) expect((await getOn(node, created.id)).workflow).toMatchObject({ status: "new" });
		for (const [status, name] of [
			["running", "Flow 2"],
			["completed", "Flow 3"],
		]) {
			const updated = await caller.call<Workflow, object>("workflows.update", { id: created.workflowId!, status, name });
			for (const node of [nodeA(), nodeB()]) expect((await getOn(node, created.id)).workflow).toEqual(updated);
		}
	});

	it("a deleted workflow is seen on both: the building says removed", async () => {
		const created = await caller.call<BuildingWithWorkflow, object>("buildings.create", { name: "Workflow gone" });
		await caller.call("workflows.remove", { id: created.workflowId! });
		for (const node of [nodeA(), nodeB()]) {
			expect(await getOn(node, created.id)).toMatchObject({ workflowStatus: "removed", workflowId: null, workflow: null });
		}
	});

	it("a change whose report was lost is shown once a workflows node reports it again", async () => {
		const created = await caller.call<BuildingWithWorkflow, object>("buildings.create", { name: "Lost report" });
		// The change made, and saved to be reported, but never reported (as if every buildings node was down).
		await query(
			cluster.workflowsDatabaseUrl,
			`WITH w AS (UPDATE workflows SET status = 'failed', version = version + 1, "updatedAt" = now() WHERE id = $1 RETURNING id, "buildingId")
			 INSERT INTO workflow_changes ("workflowId", "buildingId", "nextAttemptAt", "createdAt") SELECT id, "buildingId", now(), now() FROM w`,
			[created.workflowId],
		);
		expect((await getOn(nodeB(), created.id)).workflow).toMatchObject({ status: "new" });
		await waitFor(
			"the reconciler to report the change",
			async () => (await getOn(nodeB(), created.id)).workflow?.status === "failed",
			10_000,
		);
		expect(await query(cluster.workflowsDatabaseUrl, "SELECT id FROM workflow_changes")).toEqual([]);
	});

	it("a building whose copy is not kept yet has its workflow fetched once, and kept", async () => {
		const created = await caller.call<BuildingWithWorkflow, object>("buildings.create", { name: "No copy yet" });
		await query(cluster.buildingsDatabaseUrl, 'DELETE FROM workflow_copies WHERE "workflowId" = $1', [created.workflowId]);
		expect((await getOn(nodeA(), created.id)).workflow).toEqual(created.workflow);
		expect(
			await query(cluster.buildingsDatabaseUrl, 'SELECT "workflowId" FROM workflow_copies WHERE "workflowId" = $1', [created.workflowId]),
		).toEqual([{ workflowId: created.workflowId }]);
	});

	it("reports out of order settle on the newest version", async () => {
		const created = await caller.call<BuildingWithWorkflow, object>("buildings.create", { name: "Out of order" });
		const at = (version: number, status: string) => ({ ...created.workflow!, status, version });
		const report = (version: number, status: string) =>
			caller.call("buildings.applyWorkflowChanges", {
				changes: [{ buildingId: created.id, workflowId: created.workflowId, workflow: at(version, status) }],
			});
		await report(3, "completed");
		await report(2, "running");
		expect((await getOn(nodeA(), created.id)).workflow).toMatchObject({ status: "completed" });
	});

	it("a removal on one node is a 404 on the other", async () => {
		const created = await caller.call<BuildingWithWorkflow, object>("buildings.create", { name: "Gone soon" });
		await getOn(nodeB(), created.id);
		await caller.call("buildings.remove", { id: created.id }, { nodeID: nodeA() });
		await expect(getOn(nodeB(), created.id)).rejects.toMatchObject({ code: 404 });
	});

	it("reads racing writes never leave an old answer behind", async () => {
		const created = await caller.call<BuildingWithWorkflow, object>("buildings.create", { name: "Race 0" });
		for (let i = 1; i <= 40; i++) {
			// A read on B and a rename on A at the same moment; then B must answer the rename.
			await Promise.all([
				getOn(nodeB(), created.id),
				caller.call("buildings.update", { id: created.id, name: `Race ${i}` }, { nodeID: nodeA() }),
			]);
			expect((await getOn(nodeB(), created.id)).name).toBe(`Race ${i}`);
		}
	});
});
