import { Client } from "pg";

/**
 * Creates the database a URL names if the server does not have it yet, so a local Postgres
 * needs no manual setup. (In compose, the Postgres containers create their own.)
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
	const url = new URL(databaseUrl);
	const name = decodeURIComponent(url.pathname.slice(1));
	url.pathname = "/postgres";
	const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
	try {
		await client.connect();
	} catch (err) {
		throw new Error(`Cannot reach Postgres at ${url.host} for database "${name}": ${(err as Error).message}. Is it running?`);
	}
	try {
		const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
		if (rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
	} finally {
		await client.end();
	}
}
