import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../cluster/embedded-postgres";
import { postgresHome } from "../../cluster/postgres-home";
import { NatsServer, freePort } from "./processes";
import { maskCredentials } from "../../cluster/printable";

/** What the run started for itself, for global-teardown to stop. */
export const provisioned: { postgres?: EmbeddedDatabase; nats?: NatsServer; dataDir?: string } = {};

/**
 * Before the test run: the tests use the Postgres server and NATS given by TEST_POSTGRES_URL and
 * TEST_NATS_URL; when not given, an embedded PostgreSQL (the one `npm start` uses) and a
 * private nats-server (NATS_SERVER_BIN, else PATH, else sbin: see findNatsServer) on free loopback ports, stopped at the end.
 */
export default async function globalSetup(): Promise<void> {
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
		provisioned.postgres = await startEmbeddedPostgres(home, []);
		process.env.TEST_POSTGRES_URL = provisioned.postgres.url("postgres");
	}
	console.log(`\nTests use Postgres ${maskCredentials(process.env.TEST_POSTGRES_URL ?? "")} and NATS ${process.env.TEST_NATS_URL}.`);
}
