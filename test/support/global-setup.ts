// First, before anything reads the settings (and so `.env`).
import "./outside-checkout";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../cluster/embedded-postgres";
import { postgresHome } from "../../cluster/postgres-home";
import { NatsServer, freePort } from "./processes";
import { maskCredentials } from "../../cluster/printable";

/** What the run started for itself, for global-teardown to stop. */
export const provisioned: { postgres?: EmbeddedDatabase; nats?: NatsServer; dataDir?: string } = {};

/** Connections the tests' Postgres takes: parallel test files each hold pools of several nodes. */
const MAX_CONNECTIONS = 500;

/**
 * Before the test run: builds `dist` as `npm start` does (the launcher tests run it), then the
 * tests use the Postgres server and NATS given by TEST_POSTGRES_URL and TEST_NATS_URL; when not
 * given, an embedded PostgreSQL (the one `npm start` uses) and a private nats-server
 * (NATS_SERVER_BIN, else PATH, else sbin: see findNatsServer) on free loopback ports, stopped at the end.
 */
export default async function globalSetup(): Promise<void> {
	const root = path.join(__dirname, "..", "..");
	execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
	if (!process.env.TEST_NATS_URL) {
		const nats = new NatsServer(await freePort());
		await nats.start();
		provisioned.nats = nats;
		process.env.TEST_NATS_URL = nats.url;
	}
	if (!process.env.TEST_POSTGRES_URL) {
		const dataDir = mkdtempSync(path.join(tmpdir(), "test-postgres-"));
		// Run as root, Postgres runs as the "postgres" user, which must reach the directory.
		chmodSync(dataDir, 0o755);
		provisioned.dataDir = dataDir;
		const home = postgresHome(dataDir, { given: true });
		if (home.notice) console.log(`\n${home.notice}`);
		let postgres = await startEmbeddedPostgres(home, []);
		const url = postgres.url("postgres");
		if (await raisedMaxConnections(url)) {
			await postgres.stop();
			postgres = await startEmbeddedPostgres(home, [], Number(new URL(url).port));
		}
		provisioned.postgres = postgres;
		process.env.TEST_POSTGRES_URL = url;
	}
	console.log(`\nTests use Postgres ${maskCredentials(process.env.TEST_POSTGRES_URL ?? "")} and NATS ${process.env.TEST_NATS_URL}.`);
}

/** Sets max_connections for the next start; true if it was lower. */
async function raisedMaxConnections(url: string): Promise<boolean> {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		const { rows } = await client.query<{ max_connections: string }>("SHOW max_connections");
		if (Number(rows[0].max_connections) >= MAX_CONNECTIONS) return false;
		await client.query(`ALTER SYSTEM SET max_connections = ${MAX_CONNECTIONS}`);
		return true;
	} finally {
		await client.end();
	}
}
