/**
 * The servers a test host runs: the database host's PostgreSQL (the embedded build `npm start`
 * runs, as the user "postgres") and one nats-server per host, routed into one NATS cluster.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { NATS_LIVENESS_CONFIG, findNatsServer } from "../../cluster/nats-server";
import { postgresHome } from "../../cluster/postgres-home";
import { isReachable } from "../../node/ports";
import { HostProcess } from "./host-process";
import { STORAGE_NET, type Host } from "./network";

export const POSTGRES_PORT = 5432;
export const NATS_PORT = 4222;
export const NATS_ROUTE_PORT = 6222;
export const NATS_MONITOR_PORT = 8222;

/** PostgreSQL on the host's storage address only, trusting the storage network; `databases` created. */
export async function startPostgres(host: Host, workDir: string, databases: readonly string[]): Promise<HostProcess> {
	const dataDir = path.join(workDir, "postgres");
	mkdirSync(dataDir, { mode: 0o700 });
	const { binaries, notice } = postgresHome(workDir, { given: true });
	if (notice) console.log(notice);
	const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
	const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
	chownSync(dataDir, uid, gid);
	execFileSync(path.join(binaries, "bin", "initdb"), [`--pgdata=${dataDir}`, "--username=postgres", "--auth=trust", "--lc-messages=C"], {
		uid,
		gid,
		stdio: "ignore",
	});
	appendFileSync(path.join(dataDir, "pg_hba.conf"), `host all all ${STORAGE_NET}.0/24 trust\n`);
	const server = new HostProcess(
		"postgres",
		host,
		"setpriv",
		[
			`--reuid=${uid}`,
			`--regid=${gid}`,
			"--clear-groups",
			path.join(binaries, "bin", "postgres"),
			"-D",
			dataDir,
			"-p",
			String(POSTGRES_PORT),
			"-c",
			`listen_addresses=${host.storageAddress}`,
			"-c",
			"unix_socket_directories=",
		],
		{ logDir: workDir, env: { LC_MESSAGES: "C" } },
	);
	// Listening is not yet taking connections ("the database system is starting up").
	await server.waitUntil("connections on the storage network", () => createDatabases(postgresUrl(host, "postgres"), databases));
	return server;
}

/** Creates the databases; false while the server does not take connections yet. */
async function createDatabases(url: string, databases: readonly string[]): Promise<boolean> {
	const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
	try {
		await client.connect();
	} catch {
		await client.end().catch(() => undefined);
		return false;
	}
	try {
		for (const database of databases) await client.query(`CREATE DATABASE "${database}"`);
		return true;
	} finally {
		await client.end();
	}
}

export function postgresUrl(host: Host, database: string): string {
	return `postgres://postgres@${host.storageAddress}:${POSTGRES_PORT}/${database}`;
}

export function natsUrl(host: Host): string {
	return `nats://${host.address}:${NATS_PORT}`;
}

export function natsMonitorUrl(host: Host): string {
	return `http://${host.address}:${NATS_MONITOR_PORT}`;
}

/**
 * The host's nats-server, named after it, with a route to every other host's: the client ping
 * settings `npm start` and docker compose use (NATS_LIVENESS_CONFIG) apply to routes as well, so a
 * route to a host that dropped off closes within about 6 s and its queue subscribers leave with it.
 */
export async function startNats(host: Host, all: readonly Host[], workDir: string): Promise<HostProcess> {
	const binary = findNatsServer();
	if (!binary) throw new Error("No nats-server found (NATS_SERVER_BIN, PATH or the sbin folders).");
	const config = path.join(workDir, `nats-${host.name}.conf`);
	writeFileSync(config, NATS_LIVENESS_CONFIG);
	const routes = all.filter(other => other !== host).map(other => `nats://${other.address}:${NATS_ROUTE_PORT}`);
	const server = new HostProcess(
		`nats-${host.name}`,
		host,
		binary,
		[
			"-c",
			config,
			"-a",
			host.address,
			"-p",
			String(NATS_PORT),
			"-m",
			String(NATS_MONITOR_PORT),
			"--name",
			`nats-${host.name}`,
			"--cluster_name",
			"hosts",
			"--cluster",
			`nats://${host.address}:${NATS_ROUTE_PORT}`,
			"--routes",
			routes.join(","),
		],
		{ logDir: workDir },
	);
	await server.waitUntil("clients", () => isReachable(host.address, NATS_PORT), 15_000);
	return server;
}

/** How many routes a host's nats-server has, from its monitor (undefined if it cannot be read). */
export async function routeCount(host: Host): Promise<number | undefined> {
	try {
		const res = await fetch(`${natsMonitorUrl(host)}/routez`, { signal: AbortSignal.timeout(1000) });
		return ((await res.json()) as { num_routes: number }).num_routes;
	} catch {
		return undefined;
	}
}
