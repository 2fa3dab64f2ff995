import type { ServiceBroker } from "moleculer";
import type { BuildingWithWorkflow, Workflow } from "../../types";
import { startCluster, type TestCluster } from "../support/cluster";

// Two buildings nodes over NATS, each keeping answers of buildings.get: whichever node wrote,
// a read sent after the write's answer sees the write.
describe("buildings.get answers kept in memory", () => {
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
		await caller.call<Workflow, object>("workflows.update", { id: created.workflowId!, status: "running" });
		for (const node of [nodeA(), nodeB()]) expect((await getOn(node, created.id)).workflow).toMatchObject({ status: "running" });
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
