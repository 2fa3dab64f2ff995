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
		// A `host` parameter that is a path names the directory of a Unix socket, as pg reads it.
		const socketDir = url.searchParams.get("host");
		const where = socketDir?.startsWith("/") ? `through the Unix socket in ${socketDir}` : `at ${url.host}`;
		throw new Error(`Cannot reach Postgres ${where} for database "${name}": ${(err as Error).message}. Is it running?`);
	}
	try {
		const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
		if (rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
	} finally {
		await client.end();
	}
}

/** Runs one statement on a connection of its own and returns its rows (for tools and tests, not the services). */
export async function queryRows<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query(text, values)).rows as T[];
	} finally {
		await client.end();
	}
}
