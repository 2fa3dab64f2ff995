import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { portToListenOnLater } from "./ports";

/** What `npm start` runs on this machine, written for `npm run repl` and `npm run node` to join. */
export interface LocalCluster {
	/** pid of the `npm start` launcher: the file is stale once it is gone. */
	pid: number;
	env: {
		NAMESPACE?: string;
		/** Recorded when given: a node that balances otherwise would not reach the others. */
		BALANCER?: string;
		TRANSPORTER: string;
		TCP_NODES?: string;
		BUILDINGS_DATABASE_URL: string;
		WORKFLOWS_DATABASE_URL: string;
	};
}

function clusterFile(): string {
	return path.resolve(process.env.DATA_DIR || "data", "cluster.json");
}

export function writeLocalCluster(cluster: LocalCluster): void {
	mkdirSync(path.dirname(clusterFile()), { recursive: true });
	writeFileSync(clusterFile(), `${JSON.stringify(cluster, null, 2)}\n`, { mode: 0o600 });
}

export function removeLocalCluster(): void {
	rmSync(clusterFile(), { force: true });
}

function readLocalCluster(): LocalCluster | undefined {
	if (!existsSync(clusterFile())) return undefined;
	const cluster = JSON.parse(readFileSync(clusterFile(), "utf8")) as LocalCluster;
	try {
		process.kill(cluster.pid, 0);
		return cluster;
	} catch {
		return undefined; // its launcher is gone
	}
}

/**
 * With no TRANSPORTER given, a node started on its own joins the cluster `npm start` runs here:
 * same namespace, transporter and databases. On TCP it adds itself to the node list on a free
 * port and tells the nodes of the list about itself. Returns whether there was a cluster to join.
 */
export async function joinLocalCluster(nodeID: string): Promise<boolean> {
	if (process.env.TRANSPORTER) return false;
	const cluster = readLocalCluster();
	if (!cluster) return false;
	const env: Record<string, string | undefined> = { ...cluster.env };
	if (env.TCP_NODES) env.TCP_NODES = `${env.TCP_NODES},127.0.0.1:${await portToListenOnLater()}/${nodeID}`;
	for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] ??= value;
	return true;
}
