import { queryRows } from "../cluster/databases";

/** SQLSTATE of a statement the user may not run. */
const INSUFFICIENT_PRIVILEGE = "42501";

/** Runs one statement on its own connection and returns its rows. */
export const sql = queryRows;

/** Empties both services' tables, ids restarting at 1: what the warm-up wrote goes. */
export async function emptyDatabases(buildingsUrl: string, workflowsUrl: string): Promise<void> {
	// CASCADE: the workflows' copies, which refer to their buildings.
	await sql(buildingsUrl, "TRUNCATE buildings, outbox, idempotency_keys RESTART IDENTITY CASCADE");
	await sql(workflowsUrl, "TRUNCATE workflows, workflow_changes, removed_buildings RESTART IDENTITY");
}

/**
 * Fills the buildings table up to `rows` rows straight through SQL, each building as a creation
 * through the cluster leaves it: its workflow in the workflows database (named as the service
 * names one, handled by one of `handledBy` in turn), linked, with its copy in `workflow_copies`.
 */
export async function seedBuildingsWithWorkflows(
	databases: { buildingsUrl: string; workflowsUrl: string },
	rows: number,
	handledBy: string[],
): Promise<void> {
	const { buildingsUrl, workflowsUrl } = databases;
	const [{ count }] = await sql<{ count: string }>(buildingsUrl, "SELECT count(*) FROM buildings");
	const missing = rows - Number(count);
	if (missing <= 0) return;
	const at = new Date();
	const buildings = await sql<{ id: number }>(
		buildingsUrl,
		`INSERT INTO buildings (name, "workflowStatus", "createdAt", "updatedAt")
		SELECT 'Seeded ' || g, 'created', $2, $2 FROM generate_series(1, $1::integer) AS g RETURNING id`,
		[missing, at],
	);
	const workflows = await sql<{ id: number; buildingId: number; handledBy: string; version: number }>(
		workflowsUrl,
		`INSERT INTO workflows (name, "buildingId", "requestKey", "handledBy", status, "createdAt", "updatedAt")
		SELECT 'New Workflow', b, 'building:' || b, ($2::varchar[])[1 + b % cardinality($2::varchar[])], 'new', $3, $3
		FROM unnest($1::integer[]) AS b
		RETURNING id, "buildingId", "handledBy", version`,
		[buildings.map(b => b.id), handledBy, at],
	);
	await sql(
		buildingsUrl,
		`WITH w AS (
			SELECT * FROM unnest($1::integer[], $2::integer[], $3::varchar[], $4::integer[]) AS w("workflowId", "buildingId", "handledBy", "version")
		), copies AS (
			INSERT INTO workflow_copies ("workflowId", "buildingId", name, status, "handledBy", "createdAt", "updatedAt", version)
			SELECT "workflowId", "buildingId", 'New Workflow', 'new', "handledBy", $5, $5, "version" FROM w
		)
		UPDATE buildings b SET "workflowId" = w."workflowId" FROM w WHERE b.id = w."buildingId"`,
		[workflows.map(w => w.id), workflows.map(w => w.buildingId), workflows.map(w => w.handledBy), workflows.map(w => w.version), at],
	);
	// Tables in steady state have been vacuumed (index-only scans need the visibility map), and
	// the pages the seed dirtied are written now, not by a checkpoint during a later load. A
	// CHECKPOINT needs a superuser (or pg_checkpoint): on a server that refuses it, Postgres's own
	// checkpoints do it later.
	await sql(buildingsUrl, "VACUUM ANALYZE buildings, workflow_copies");
	await sql(workflowsUrl, "VACUUM ANALYZE workflows");
	for (const url of [buildingsUrl, workflowsUrl]) {
		await sql(url, "CHECKPOINT").catch((err: { code?: string }) => {
			if (err.code !== INSUFFICIENT_PRIVILEGE) throw err;
		});
	}
}

/** The ids of every building. */
export async function buildingIds(url: string): Promise<number[]> {
	return (await sql<{ id: number }>(url, "SELECT id FROM buildings")).map(row => row.id);
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
