import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { settings } from "../config/settings";
import { portToListenOnLater } from "./ports";

/** What `npm start` runs on this machine, written for `npm run repl` and `npm run node` to join. */
export interface LocalCluster {
	/** pid of the `npm start` launcher: the file is stale once it is gone. */
	pid: number;
	env: {
		NAMESPACE?: string;
		/** Recorded: a node that balances otherwise would not reach the others. */
		BALANCER?: string;
		TRANSPORTER: string;
		TCP_NODES?: string;
		/** The private nats-server's monitoring endpoint, for the cluster page. */
		NATS_MONITOR_URL?: string;
		BUILDINGS_DATABASE_URL: string;
		WORKFLOWS_DATABASE_URL: string;
	};
}

/** The file in DATA_DIR. */
function clusterFile(dataDir: string): string {
	return path.join(dataDir, "cluster.json");
}

export function writeLocalCluster(dataDir: string, cluster: LocalCluster): void {
	mkdirSync(dataDir, { recursive: true });
	writeFileSync(clusterFile(dataDir), `${JSON.stringify(cluster, null, 2)}\n`, { mode: 0o600 });
}

export function removeLocalCluster(dataDir: string): void {
	rmSync(clusterFile(dataDir), { force: true });
}

/** The cluster recorded in DATA_DIR, if its launcher still runs. */
export function runningLocalCluster(dataDir: string): LocalCluster | undefined {
	if (!existsSync(clusterFile(dataDir))) return undefined;
	const cluster = JSON.parse(readFileSync(clusterFile(dataDir), "utf8")) as LocalCluster;
	try {
		process.kill(cluster.pid, 0);
	} catch {
		return undefined; // its launcher is gone
	}
	return isLauncher(cluster.pid) ? cluster : undefined;
}

/**
 * Whether a live pid is still a launcher (`cluster/start`), where /proc tells: after a `kill -9`
 * the file stays, and its pid may since have gone to another process.
 */
function isLauncher(pid: number): boolean {
	const cmdline = `/proc/${pid}/cmdline`;
	if (!existsSync(cmdline)) return true;
	try {
		return readFileSync(cmdline, "utf8").includes(`cluster${path.sep}start`);
	} catch {
		return false; // ended meanwhile
	}
}

/**
 * With no TRANSPORTER given, a node started on its own joins the cluster `npm start` runs here:
 * same namespace, transporter and databases. On TCP it adds itself to the node list on a free
 * port and tells the nodes of the list about itself. Returns whether there was a cluster to join.
 * It fills in the variables the node has not set, so read the settings only after it.
 */
export async function joinLocalCluster(nodeID: string): Promise<boolean> {
	if (settings.broker.transporter.length > 0) return false;
	const cluster = runningLocalCluster(settings.local.dataDir);
	if (!cluster) return false;
	const env: Record<string, string | undefined> = { ...cluster.env };
	if (env.TCP_NODES) env.TCP_NODES = `${env.TCP_NODES},127.0.0.1:${await portToListenOnLater()}/${nodeID}`;
	for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] ??= value;
	return true;
}
