import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { queryRows } from "../../cluster/databases";

/** Server-level connection used to create and drop the tests' own databases. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";
export const NATS_URL = process.env.TEST_NATS_URL || "nats://127.0.0.1:4222";

/** A name no other test run uses: for databases and Moleculer namespaces. */
export function uniqueName(prefix: string): string {
	return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

export function databaseUrl(database: string): string {
	const url = new URL(POSTGRES_URL);
	url.pathname = `/${database}`;
	return url.toString();
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
	const client = new Client({ connectionString: POSTGRES_URL });
	try {
		await client.connect();
	} catch (err) {
		throw new Error(
			`Cannot reach Postgres at ${POSTGRES_URL} (${(err as Error).message}). Start it (see README) or set TEST_POSTGRES_URL.`,
		);
	}
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/** Creates an empty database and returns its URL. */
export async function createDatabase(name: string): Promise<string> {
	await withAdmin(client => client.query(`CREATE DATABASE "${name}"`));
	return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
	await withAdmin(client => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Runs one query on a database and returns its rows. */
export const query = queryRows;

/** Polls until `check` holds, or fails after `timeoutMs` with `what` in the message. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}
