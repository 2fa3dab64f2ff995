/**
 * The cluster on five test hosts: a gateway-and-buildings host (one node, SERVICES=api,buildings),
 * three workflows hosts (one workflows node each) and a database host (PostgreSQL with both
 * services' databases). Every host runs a nats-server, routed to the others'. A workflows node
 * connects to its own host's server; the gateway's node to one of the workflows hosts' servers,
 * so that the host of the server it uses can drop off while the gateway stays reachable.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { HostProcess } from "./host-process";
import { Host, buildNetwork, removeNetwork } from "./network";
import { natsMonitorUrl, natsUrl, postgresUrl, routeCount, startNats, startPostgres } from "./servers";

const ROOT = path.join(__dirname, "..", "..");
const GATEWAY_PORT = 3000;

export const gatewayHost = new Host("gw", 10, ["cluster", "storage"]);
export const workflowsHosts = [1, 2, 3].map(i => new Host(`w${i}`, 10 + i, ["cluster", "storage"]));
export const databaseHost = new Host("db", 20, ["cluster", "storage"]);
const ALL = [gatewayHost, ...workflowsHosts, databaseHost];

/** The workflows node a workflows host runs. */
export const nodeOf = (host: Host) => `workflows-${host.name.slice(1)}`;
export const GATEWAY_NODE = "api-1";

export class HostsCluster {
	readonly workDir = mkdtempSync(path.join(tmpdir(), "mbh-"));
	readonly api = `http://${gatewayHost.address}:${GATEWAY_PORT}/api`;
	readonly buildingsDb = postgresUrl(databaseHost, "buildings");
	readonly workflowsDb = postgresUrl(databaseHost, "workflows");
	private readonly processes: HostProcess[] = [];

	/** `logLevel`: the nodes' LOG_LEVEL (their output is in workDir, one file each). */
	constructor(private readonly logLevel = "warn") {}

	/** Builds the hosts and starts everything on them; resolves once the gateway sees every node. */
	async start(): Promise<void> {
		// The user "postgres" enters it to reach its data directory.
		chmodSync(this.workDir, 0o755);
		buildNetwork(ALL);
		this.processes.push(await startPostgres(databaseHost, this.workDir, ["buildings", "workflows"]));
		const servers = await Promise.all(ALL.map(host => startNats(host, ALL, this.workDir)));
		this.processes.push(...servers);
		await Promise.all(
			servers.map((server, i) =>
				server.waitUntil("routes to every other host", async () => (await routeCount(ALL[i])) === ALL.length - 1, 30_000),
			),
		);
		const databases = { BUILDINGS_DATABASE_URL: this.buildingsDb, WORKFLOWS_DATABASE_URL: this.workflowsDb };
		await Promise.all(
			workflowsHosts.map(host => this.startNode(host, nodeOf(host), { SERVICES: "workflows", TRANSPORTER: natsUrl(host), ...databases })),
		);
		await this.startNode(gatewayHost, GATEWAY_NODE, {
			SERVICES: "api,buildings",
			TRANSPORTER: workflowsHosts.map(natsUrl).join(","),
			NATS_MONITOR_URL: ALL.map(natsMonitorUrl).join(","),
			PORT: String(GATEWAY_PORT),
			HOST: gatewayHost.address,
			...databases,
		});
	}

	/** node/main.ts, as `npm run node` runs it, inside `host`; resolves once its broker has started. */
	private async startNode(host: Host, nodeID: string, env: Record<string, string>): Promise<void> {
		const dataDir = path.join(this.workDir, nodeID);
		mkdirSync(dataDir);
		const tsx = pathToFileURL(require.resolve("tsx")).href;
		const node = new HostProcess(nodeID, host, process.execPath, ["--import", tsx, path.join(ROOT, "node", "main.ts")], {
			env: {
				NODE_ID: nodeID,
				NAMESPACE: "hosts",
				BALANCER: "nats",
				LOG_LEVEL: this.logLevel,
				// No cluster.json of `npm start` to join: every setting is given here.
				DATA_DIR: dataDir,
				TSX_TSCONFIG_PATH: path.join(ROOT, "tsconfig.json"),
				...env,
			},
			logDir: this.workDir,
			cwd: dataDir,
			ipc: true,
		});
		this.processes.push(node);
		let ready = false;
		node.child.once("message", () => (ready = true));
		await node.waitUntil("a started broker", () => ready, 90_000);
	}

	/** The output of one process (a node ID, "postgres" or "nats-<host>"), for a failure's message. */
	tail(name: string): string {
		return this.processes.find(process => process.name === name)?.tail() ?? "";
	}

	/** Stops the nodes, then the servers, then removes the hosts and the work directory. */
	async stop(keepLogs = false): Promise<void> {
		const nodes = this.processes.filter(process => process.name === GATEWAY_NODE || process.name.startsWith("workflows-"));
		await Promise.all(nodes.map(node => node.stop("SIGTERM", 10_000)));
		await Promise.all(this.processes.filter(process => !nodes.includes(process)).map(server => server.stop("SIGINT", 5000)));
		removeNetwork();
		if (!keepLogs) rmSync(this.workDir, { recursive: true, force: true });
	}
}
