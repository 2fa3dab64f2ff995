import type { BuildingWithWorkflow } from "../../types";
import { startCluster, type TestCluster } from "../support/cluster";
import { query } from "../support/infra";

// Separate brokers talking over a real NATS server: one buildings node, three workflows nodes.
describe.each(["nats", "moleculer"] as const)("balancing with the %s balancer", balancer => {
	let cluster: TestCluster;
	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 3, api: false, balancer });
	});
	afterAll(() => cluster?.stop());

	it("gives 30 buildings one workflow each, spread over all three workflows nodes", async () => {
		const created: BuildingWithWorkflow[] = [];
		for (let i = 0; i < 30; i++) {
			created.push(await cluster.buildings.call<BuildingWithWorkflow, { name: string }>("buildings.create", { name: `Building ${i}` }));
		}

		const workflowNodes = cluster.brokers.slice(1).map(broker => broker.nodeID);
		for (const building of created) {
			expect(building.workflow!.buildingId).toBe(building.id);
			expect(workflowNodes).toContain(building.workflow!.handledBy);
		}

		// The workflows database agrees: exactly one workflow per building, handledBy as returned.
		const rows = await query<{ buildingId: number; handledBy: string }>(
			cluster.workflowsDatabaseUrl,
			'SELECT "buildingId", "handledBy" FROM workflows',
		);
		expect(rows).toHaveLength(30);
		expect(new Set(rows.map(r => r.buildingId)).size).toBe(30);
		const perNode = new Map<string, number>();
		for (const row of rows) perNode.set(row.handledBy, (perNode.get(row.handledBy) ?? 0) + 1);
		expect([...perNode.keys()].sort()).toEqual([...workflowNodes].sort());
		for (const count of perNode.values()) expect(count).toBeGreaterThanOrEqual(1);
	});
});
