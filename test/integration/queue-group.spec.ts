import { connect, type NatsConnection } from "nats";
import type { BuildingWithWorkflow } from "../../types";
import { startCluster, type TestCluster } from "../support/cluster";
import { NATS_URL, query, waitFor } from "../support/infra";

interface RequestPacket {
	action: string;
	params: { buildingId?: number };
}

// What crosses NATS when buildings are created: a listener outside the queue group gets a copy
// of every request published to the group, and of every request sent to one node directly.
describe("workflows.create on the NATS queue group", () => {
	let cluster: TestCluster;
	let nats: NatsConnection;
	const balanced: RequestPacket[] = [];
	const direct: RequestPacket[] = [];

	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 3, api: false, balancer: "nats" });
		nats = await connect({ servers: NATS_URL.replace(/^nats:\/\//, "") });
		const prefix = `MOL-${cluster.namespace}`;
		const listen = (subject: string, into: RequestPacket[]) =>
			nats.subscribe(subject, { callback: (_err, msg) => into.push(JSON.parse(new TextDecoder().decode(msg.data)) as RequestPacket) });
		listen(`${prefix}.REQB.>`, balanced);
		listen(`${prefix}.REQ.>`, direct);
		await nats.flush();
	});
	afterAll(async () => {
		await nats?.close();
		await cluster?.stop();
	});

	it("30 concurrent creations: exactly one workflows.create per building, spread over every node", async () => {
		const created = await Promise.all(
			Array.from({ length: 30 }, (_, i) =>
				cluster.buildings.call<BuildingWithWorkflow, { name: string }>("buildings.create", { name: `Concurrent ${i}` }),
			),
		);
		expect(created.every(b => b.workflowStatus === "created")).toBe(true);

		const workflowCreates = () => balanced.filter(packet => packet.action === "workflows.create");
		await waitFor("30 workflows.create requests seen on NATS", () => workflowCreates().length >= 30, 5000);
		// A moment more, so that a 31st would be seen too.
		await new Promise(resolve => setTimeout(resolve, 300));
		const creates = workflowCreates();
		expect(creates.map(packet => packet.params.buildingId).sort((a, b) => a! - b!)).toEqual(created.map(b => b.id).sort((a, b) => a - b));
		// No request went around the queue group to a chosen node.
		expect(direct.filter(packet => packet.action?.startsWith("workflows."))).toEqual([]);

		const rows = await query<{ handledBy: string; n: string }>(
			cluster.workflowsDatabaseUrl,
			'SELECT "handledBy", count(*) AS n FROM workflows GROUP BY 1',
		);
		const workflowNodes = cluster.brokers.filter(broker => broker.getLocalService("workflows")).map(broker => broker.nodeID);
		expect(rows.map(row => row.handledBy).sort()).toEqual(workflowNodes.sort());
		process.stdout.write(`\n[queue group] workflows per node: ${rows.map(row => `${row.handledBy} ${row.n}`).join(", ")}\n`);
	});
});
