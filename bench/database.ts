import { queryRows } from "../cluster/databases";

/** Runs one statement on its own connection and returns its rows. */
export const sql = queryRows;

/** Fills the buildings table up to `rows` rows straight through SQL (list scenarios only read them). */
export async function seedBuildings(url: string, rows: number): Promise<void> {
	const [{ count }] = await sql<{ count: string }>(url, "SELECT count(*) FROM buildings");
	const missing = rows - Number(count);
	if (missing > 0) {
		await sql(
			url,
			`INSERT INTO buildings (name, "workflowStatus", "createdAt", "updatedAt") SELECT 'Seeded ' || g, 'created', now(), now() FROM generate_series(1, ${missing}) AS g`,
		);
		// A table in steady state has been vacuumed (index-only scans need the visibility map).
		await sql(url, "VACUUM ANALYZE buildings");
	}
}

/** Workflows per node (`handledBy`) in the workflows table. */
async function workflowsPerNode(url: string): Promise<Record<string, number>> {
	const rows = await sql<{ handledBy: string; n: string }>(url, 'SELECT "handledBy", count(*) AS n FROM workflows GROUP BY 1');
	return Object.fromEntries(rows.map(row => [row.handledBy, Number(row.n)]));
}

/**
 * Workflows per node once their total has stopped growing (for at most 10 s): creations still
 * in flight when a load ends land first, so that they count with the load that made them.
 */
export async function settledWorkflowsPerNode(url: string): Promise<Record<string, number>> {
	const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
	const deadline = Date.now() + 10_000;
	let counts = await workflowsPerNode(url);
	while (Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 300));
		const next = await workflowsPerNode(url);
		if (total(next) === total(counts)) return next;
		counts = next;
	}
	return counts;
}
