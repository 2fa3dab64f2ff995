import { Client } from "pg";

/** Runs one statement on its own connection and returns its rows. */
export async function sql<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query(text, values)).rows as T[];
	} finally {
		await client.end();
	}
}

/** Fills the buildings table up to `rows` rows straight through SQL (list scenarios only read them). */
export async function seedBuildings(url: string, rows: number): Promise<void> {
	const [{ count }] = await sql<{ count: string }>(url, "SELECT count(*) FROM buildings");
	const missing = rows - Number(count);
	if (missing > 0) {
		await sql(url, `INSERT INTO buildings (name, "workflowStatus", "createdAt", "updatedAt") SELECT 'Seeded ' || g, 'created', now(), now() FROM generate_series(1, ${missing}) AS g`);
		// A table in steady state has been vacuumed (index-only scans need the visibility map).
		await sql(url, "VACUUM ANALYZE buildings");
	}
}
