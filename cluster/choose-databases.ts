import path from "node:path";
import { databaseUrl } from "../mixins/db.mixin";
import { ensureDatabase } from "./databases";
import { startEmbeddedPostgresProcess } from "./embedded-postgres";
import type { LocalCluster } from "./local-cluster";
import { maskCredentials, shortPath } from "./printable";

export interface ChosenDatabases {
	env: Pick<LocalCluster["env"], "BUILDINGS_DATABASE_URL" | "WORKFLOWS_DATABASE_URL">;
	/** What they are and why, for the start-up summary. */
	summary: string;
	stop(): Promise<void>;
}

/**
 * The databases of `npm start`: the URLs given (each database created if missing), or, with
 * none, an embedded PostgreSQL kept in `dataDir/postgres`, one database per service.
 */
export async function chooseDatabases(given: NodeJS.ProcessEnv, dataDir: string): Promise<ChosenDatabases> {
	if (given.BUILDINGS_DATABASE_URL || given.WORKFLOWS_DATABASE_URL) {
		const env = { BUILDINGS_DATABASE_URL: databaseUrl("buildings"), WORKFLOWS_DATABASE_URL: databaseUrl("workflows") };
		for (const url of Object.values(env)) await ensureDatabase(url);
		return { env, summary: `${maskCredentials(env.BUILDINGS_DATABASE_URL)}, ${maskCredentials(env.WORKFLOWS_DATABASE_URL)} (given)`, stop: async () => {} };
	}
	const embedded = await startEmbeddedPostgresProcess(dataDir, ["buildings", "workflows"]);
	const env = { BUILDINGS_DATABASE_URL: embedded.url("buildings"), WORKFLOWS_DATABASE_URL: embedded.url("workflows") };
	return {
		env,
		summary: `embedded PostgreSQL in ${shortPath(path.join(dataDir, "postgres"))}: ${env.BUILDINGS_DATABASE_URL}, ${env.WORKFLOWS_DATABASE_URL} (no database URLs given)`,
		stop: embedded.stop,
	};
}
