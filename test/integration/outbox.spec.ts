// Keep the service's own reconciler out of the way: this test claims jobs itself.
process.env.RECONCILE_INTERVAL = "3600000";

import { Sequelize } from "sequelize";
import { claimDueJobs } from "../../services/buildings/outbox.statements";
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
		// Three nodes' pools, each claiming twice at once.
		const claimers = [1, 2, 3].map(() => {
			const pool = new Sequelize(cluster.buildingsDatabaseUrl, { dialect: "postgres", logging: false });
			pools.push(pool);
			return () => claimDueJobs(pool, 50, 60_000);
		});
		const claims = await Promise.all(claimers.flatMap(claim => [claim(), claim()]));
		const ids = claims.flat().map(job => job.id);
		expect(ids).toHaveLength(200);
		expect(new Set(ids).size).toBe(200);
		// Leased: nothing is due any more.
		expect(await claimers[0]()).toEqual([]);
		expect(claims.flat().every(job => job.attempts === 1)).toBe(true);
	});
});
