import path from "node:path";
import type { Settings } from "../config/settings";
import { ensureDatabase } from "./databases";
import { startEmbeddedPostgresProcess } from "./embedded-postgres-child";
import type { LocalCluster } from "../node/local-cluster";
import { postgresHome } from "./postgres-home";
import { MAX_SOCKET_PATH_BYTES } from "./postgres-socket";
import { maskCredentials, shortPath } from "./printable";

export interface ChosenDatabases {
	env: Pick<LocalCluster["env"], "BUILDINGS_DATABASE_URL" | "WORKFLOWS_DATABASE_URL">;
	/** What they are and why, for the start-up summary. */
	summary: string;
	/** Lines to show at once: where a fallback took them, one line each. */
	notices: string[];
	stop(): Promise<void>;
}

/**
 * The databases of `npm start`: the URLs given (each database created if missing), or, with
 * none, an embedded PostgreSQL kept in `dataDir/postgres` (run as root, where its user can reach
 * it: see postgres-home.ts), one database per service, which the nodes reach over its Unix
 * socket (over TCP when the socket's path would be too long). It is restarted when it dies.
 */
export async function chooseDatabases({ databases, local }: Settings): Promise<ChosenDatabases> {
	if (databases.given) {
		const env = { BUILDINGS_DATABASE_URL: databases.urls.buildings, WORKFLOWS_DATABASE_URL: databases.urls.workflows };
		for (const url of Object.values(env)) await ensureDatabase(url);
		return {
			env,
			summary: `${maskCredentials(env.BUILDINGS_DATABASE_URL)}, ${maskCredentials(env.WORKFLOWS_DATABASE_URL)} (given)`,
			notices: [],
			stop: async () => {},
		};
	}
	const home = postgresHome(local.dataDir, { given: local.dataDirGiven });
	const embedded = await startEmbeddedPostgresProcess(home, ["buildings", "workflows"]);
	const nodesUrl = embedded.socketUrl ?? embedded.url;
	const env = { BUILDINGS_DATABASE_URL: nodesUrl("buildings"), WORKFLOWS_DATABASE_URL: nodesUrl("workflows") };
	const tcp = new URL(embedded.url("postgres")).host;
	const socketDir = shortPath(embedded.socketDir);
	const how = embedded.socketUrl ? `over its Unix socket in ${socketDir} (also on ${tcp})` : `over TCP on ${tcp} (socket path too long)`;
	return {
		env,
		summary: `embedded PostgreSQL in ${shortPath(path.join(home.dataDir, "postgres"))}, ${how}: ${maskCredentials(env.BUILDINGS_DATABASE_URL)}, ${maskCredentials(env.WORKFLOWS_DATABASE_URL)} (no database URLs given)`,
		notices: [
			...(home.notice ? [home.notice] : []),
			...(embedded.socketUrl
				? []
				: [
						`The embedded PostgreSQL's Unix socket in ${socketDir} would have a path longer than ${MAX_SOCKET_PATH_BYTES} bytes: the nodes reach it over TCP on ${tcp} instead. A shorter DATA_DIR path gives them the socket.`,
					]),
		],
		stop: embedded.stop,
	};
}
