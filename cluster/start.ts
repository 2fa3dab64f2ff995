/**
 * `npm start`: the whole topology on this machine, one process per node as in the compose
 * file: an api node, a buildings node and WORKFLOWS_NODES workflows nodes (default 3).
 *
 * With TRANSPORTER and the database URLs given (environment first, then `.env`), it uses them.
 * Without, it needs nothing but Node: a private nats-server if one is installed (else Moleculer's
 * TCP transporter on loopback) and an embedded PostgreSQL, which the nodes reach over a Unix
 * socket, their files in DATA_DIR (default ./data). A node that crashes is restarted. Ctrl-C
 * stops every node gracefully, then NATS, then the embedded database.
 */
import { fork } from "node:child_process";
import { checkSettings, settings } from "../config/settings";
import { chooseDatabases, type ChosenDatabases } from "./choose-databases";
import { chooseTransporter, type ChosenTransporter } from "./choose-transporter";
import { removeLocalCluster, writeLocalCluster, type LocalCluster } from "../node/local-cluster";
import { canListen } from "../node/ports";
import { waitUntilReady } from "./readiness";
import { projectScript } from "./runtime";
import { Supervisor } from "./supervisor";
import { localTopology, type NodeSpec } from "./topology";

let transporter: ChosenTransporter | undefined;
let databases: ChosenDatabases | undefined;
let supervisor: Supervisor | undefined;
/** Known once the settings are: the cluster.json to remove on the way out. */
let dataDir: string | undefined;
let stopping = false;

/**
 * One node as a child of this process, in its process group: a Ctrl-C reaches the nodes too.
 * With METRICS on, each node serves its metrics on its own port: METRICS_PORT + its index.
 */
function launchNode(node: NodeSpec, metricsPort: number, env: LocalCluster["env"]) {
	const { script, execArgv } = projectScript("node/main");
	// The nodes get this process's environment (`.env` included), completed with what it chose.
	return fork(script, [], {
		env: { ...process.env, ...env, NODE_ID: node.nodeID, SERVICES: node.services, METRICS_PORT: String(metricsPort) },
		execArgv,
	});
}

/** The nodes first (they finish their requests and leave through the transporter), then NATS, then the database. */
async function stopAll(exitCode: number, reason?: string): Promise<void> {
	if (stopping) return;
	stopping = true;
	if (reason) console.log(`Stopping the cluster (${reason}).`);
	await supervisor?.stop();
	if (dataDir) removeLocalCluster(dataDir);
	await transporter?.stop();
	await databases?.stop();
	process.exit(exitCode);
}

async function main(): Promise<void> {
	process.on("SIGINT", () => void stopAll(0, "SIGINT"));
	process.on("SIGTERM", () => void stopAll(0, "SIGTERM"));

	// Every variable is checked here, once: a bad one stops the launcher, not each node in turn.
	checkSettings();
	const { gateway, broker, local } = settings;
	dataDir = local.dataDir;
	const nodes = localTopology(local.workflowsNodes, local.buildingsInGateway);
	if (!(await canListen(gateway.port, gateway.host)))
		throw new Error(`Port ${gateway.port} is in use: stop what uses it, or set PORT to a free port.`);
	transporter = await chooseTransporter(
		settings,
		nodes.map(node => node.nodeID),
	);
	if (transporter.notice) console.log(transporter.notice);
	databases = await chooseDatabases(settings);
	for (const notice of databases.notices) console.log(notice);
	const env: LocalCluster["env"] = { NAMESPACE: broker.namespace, BALANCER: broker.balancer, ...transporter.env, ...databases.env };
	supervisor = new Supervisor(
		nodeID => {
			const index = nodes.findIndex(node => node.nodeID === nodeID);
			return launchNode(nodes[index], broker.metricsPort + index, env);
		},
		undefined,
		local.hangTimeoutMs,
	);
	await supervisor.start(nodes.map(node => node.nodeID));
	const natsServers = await waitUntilReady(gateway.port, nodes, 60_000);
	writeLocalCluster(local.dataDir, { pid: process.pid, env });

	const onNats = (nodeID: string) => (natsServers[nodeID] ? `  (on NATS ${natsServers[nodeID]})` : "");
	const metrics = (index: number) => (broker.metrics ? `  (metrics: http://localhost:${broker.metricsPort + index}/metrics)` : "");
	console.log(
		[
			"",
			`Cluster ready: http://localhost:${gateway.port}/api`,
			`  docs:        http://localhost:${gateway.port}/api/docs   cluster page: http://localhost:${gateway.port}/cluster`,
			`  transporter: ${transporter.summary}`,
			`  databases:   ${databases.summary}`,
			...nodes.map((node, index) => `  node ${node.nodeID.padEnd(12)} ${node.services}${onNats(node.nodeID)}${metrics(index)}`),
			"A node that crashes is restarted. Ctrl-C stops the cluster. `npm run repl` opens a REPL on it; `npm run node -- workflows` adds a workflows node.",
			"",
		].join("\n"),
	);
}

main().catch(err => {
	console.error(`Could not start the cluster: ${err.message}`);
	void stopAll(1);
});
