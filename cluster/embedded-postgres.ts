import { chownSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { ensureDatabase } from "./databases";
import { portToListenOnLater } from "../node/ports";
import { initdbAuthFlags, postgresUser, requirePasswordOverTcp, serverPassword, trustsTcp } from "./postgres-access";
import { isAlive, type PostgresHome } from "./postgres-home";
import { PostgresServer, type Ending } from "./postgres-server";
import { prepareSocketDirectory, socketDirectoriesSetting, socketDirectory, socketPathFits, socketUrl } from "./postgres-socket";
import type { EmbeddedDatabase } from "./embedded-postgres-child";

/** A server this process runs. */
export interface RunningPostgres extends EmbeddedDatabase {
	/** Resolves when the server has ended, asked to or not. */
	ended(): Promise<Ending>;
}

/**
 * A real PostgreSQL server, the build of the `embedded-postgres` package (nothing downloaded),
 * its files kept in `home.dataDir` so data survives restarts (see postgres-home.ts for where
 * that is). Listens on `port` (default: a free one) of 127.0.0.1, with a password (see
 * postgres-access.ts), and on a Unix socket in `dataDir/postgres-socket` (when its path fits),
 * open to whoever can enter it.
 */
export async function startEmbeddedPostgres(
	{ dataDir, binaries }: Pick<PostgresHome, "dataDir" | "binaries">,
	databases: string[],
	port?: number,
): Promise<RunningPostgres> {
	const databaseDir = path.resolve(dataDir, "postgres");
	await stopStaleServer(databaseDir);

	mkdirSync(dataDir, { recursive: true });
	// PostgreSQL refuses to run as root: run as root, it runs as the "postgres" user.
	const user = userInfo().uid === 0 ? postgresUser() : undefined;
	const password = serverPassword(dataDir, user);
	// Initialising a new data directory takes seconds before the server listens.
	port ??= await portToListenOnLater();
	const socketDir = socketDirectory(dataDir);
	const withSocket = socketPathFits(socketDir, port);
	const server = new PostgresServer({
		binaries,
		databaseDir,
		port,
		user,
		initdbFlags: initdbAuthFlags(dataDir),
		postgresFlags: [
			"-c",
			"listen_addresses=127.0.0.1",
			"-c",
			`unix_socket_directories=${withSocket ? socketDirectoriesSetting(socketDir) : ""}`,
		],
	});
	try {
		if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
			// initdb, run as the server's user, makes its files in a directory that user owns.
			mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
			if (user) chownSync(databaseDir, user.uid, user.gid);
			await server.initialise();
		}
		if (withSocket) prepareSocketDirectory(socketDir, user !== undefined);
		await server.start();
		if (trustsTcp(databaseDir)) await requirePasswordOverTcp(databaseDir, `postgres://postgres@127.0.0.1:${port}/postgres`, password);
	} catch (err) {
		await server.stop();
		const detail = (err as Error).message;
		const hint = /Permission denied/.test(detail)
			? ' Run as root, Postgres runs as the user "postgres": put DATA_DIR where that user can reach it.'
			: "";
		throw new Error(`The embedded PostgreSQL in ${databaseDir} did not start (${detail.split("\n")[0]}).${hint}`);
	}
	const url = (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
	const overSocket = withSocket ? (database: string) => socketUrl(socketDir, port, database) : undefined;
	// The way the nodes will come: a socket that does not answer fails here, before them.
	for (const database of databases) await ensureDatabase((overSocket ?? url)(database));
	return { url, socketUrl: overSocket, socketDir, stop: () => server.stop(), ended: () => server.ended() };
}

/**
 * A server left running by a launcher that was killed (kill -9) still holds the data
 * directory, and a new one would fail to start: stop it first.
 */
async function stopStaleServer(databaseDir: string): Promise<void> {
	const pidFile = path.join(databaseDir, "postmaster.pid");
	if (!existsSync(pidFile)) return;
	const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
	if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
	process.kill(pid, "SIGINT"); // Postgres "fast" shutdown: clean, without waiting for clients
	const deadline = Date.now() + 15_000;
	while (isAlive(pid)) {
		if (Date.now() > deadline) throw new Error(`A PostgreSQL server (pid ${pid}) still holds ${databaseDir}; stop it and try again.`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

export type { EmbeddedDatabase } from "./embedded-postgres-child";
