// Keep the service's own reconciler out of the way: this test claims jobs itself.
process.env.RECONCILE_INTERVAL = "3600000";

import { Sequelize } from "sequelize";
import { Outbox } from "../../services/outbox";
import { startCluster, type TestCluster } from "../support/cluster";
import { query } from "../support/infra";

// Two buildings nodes claiming due jobs at the same moment never get the same job.
describe("outbox claims", () => {
	let cluster: TestCluster;
	const pools: Sequelize[] = [];
	beforeAll(async () => {
		cluster = await startCluster({ transporter: null, api: false });
	});
	afterAll(async () => {
		delete process.env.RECONCILE_INTERVAL;
		await Promise.all(pools.map(pool => pool.close()));
		await cluster?.stop();
	});

	it("hands each due job to one claimer only, and leases it", async () => {
		await query(
			cluster.buildingsDatabaseUrl,
			`INSERT INTO outbox ("buildingId", kind, payload, attempts, "nextAttemptAt", "createdAt")
			 SELECT g, 'createWorkflow', '{}', 0, now() - interval '1 second', now() FROM generate_series(1, 200) AS g`,
		);
		const outboxes = [1, 2, 3].map(() => {
			const pool = new Sequelize(cluster.buildingsDatabaseUrl, { dialect: "postgres", logging: false });
			pools.push(pool);
			return new Outbox(pool, { leaseMs: 60_000, maxBackoffMs: 1000 });
		});
		const claims = await Promise.all(outboxes.flatMap(outbox => [outbox.claimDue(50), outbox.claimDue(50)]));
		const ids = claims.flat().map(job => job.id);
		expect(ids).toHaveLength(200);
		expect(new Set(ids).size).toBe(200);
		// Leased: nothing is due any more.
		expect(await outboxes[0].claimDue(50)).toEqual([]);
		expect(claims.flat().every(job => job.attempts === 1)).toBe(true);
	});
});
