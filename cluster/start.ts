/**
 * `npm start`: the whole topology on this machine, one process per node as in the compose
 * file: an api node, a buildings node and WORKFLOWS_NODES workflows nodes (default 3).
 *
 * With TRANSPORTER and the database URLs given (environment first, then `.env`), it uses them.
 * Without, it needs nothing but Node: a private nats-server if one is installed (else Moleculer's
 * TCP transporter on loopback) and an embedded PostgreSQL, which the nodes reach over a Unix
 * socket, their files in DATA_DIR (default ./data). A node that crashes is restarted. Ctrl-C
 * stops every node gracefully, then NATS, then the embedded database; so does the end of the
 * process that started it (npm). Each node's log goes to DATA_DIR/logs/<nodeID>.log.
 */
import { fork } from "node:child_process";
import path from "node:path";
import { checkSettings, settings } from "../config/settings";
import { chooseDatabases, type ChosenDatabases } from "./choose-databases";
import { chooseTransporter, type ChosenTransporter } from "./choose-transporter";
import { removeLocalCluster, runningLocalCluster, writeLocalCluster, type LocalCluster } from "../node/local-cluster";
import { canListen } from "../node/ports";
import { nodeLogFile, routeLines } from "./node-logs";
import { watchParent } from "./parent-watch";
import { waitUntilReady } from "./readiness";
import { projectScript } from "./runtime";
import { Supervisor } from "./supervisor";
import { localTopology, type NodeSpec } from "./topology";

let transporter: ChosenTransporter | undefined;
let databases: ChosenDatabases | undefined;
let supervisor: Supervisor | undefined;
/** Set once this launcher has written its cluster.json, to remove on the way out (never another launcher's). */
let dataDir: string | undefined;
let stopping = false;

/**
 * One node as a child of this process, in its process group: a Ctrl-C reaches the nodes too.
 * With METRICS on, each node serves its metrics on its own port: METRICS_PORT + its index.
 */
function launchNode(node: NodeSpec, metricsPort: number, env: LocalCluster["env"]) {
	const { script, execArgv } = projectScript("node/main");
	// The nodes get this process's environment (`.env` included), completed with what it chose.
	const child = fork(script, [], {
		env: { ...process.env, ...env, NODE_ID: node.nodeID, SERVICES: node.services, METRICS_PORT: String(metricsPort) },
		execArgv,
		stdio: ["inherit", "pipe", "pipe", "ipc"],
	});
	const { dataDir, consoleLogLevel } = settings.local;
	const file = nodeLogFile(path.join(dataDir, "logs"), node.nodeID);
	routeLines(child.stdout!, file, process.stdout, consoleLogLevel);
	routeLines(child.stderr!, file, process.stderr, consoleLogLevel);
	child.once("close", () => file.end());
	return child;
}

/** What to say when this DATA_DIR's cluster still runs: two launchers cannot share its files. */
function stillRunning(pid: number, clusterFile: string, port: number, portInUse: boolean): string {
	const holds = portInUse ? ` and holds port ${port}` : "";
	return (
		`The cluster of this DATA_DIR is still running: its launcher, pid ${pid} (recorded in ${clusterFile})${holds}. ` +
		`Stop it with Ctrl-C where it runs, or \`kill ${pid}\` (it stops its nodes, NATS and the database), then start again.`
	);
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
	// npm killed does not pass the signal on: without this, the cluster would outlive it.
	watchParent(() => void stopAll(0, "the process that started it has exited"));
	// Once the terminal or npm is gone, writing the last lines must not stop the stopping.
	for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);

	// Every variable is checked here, once: a bad one stops the launcher, not each node in turn.
	checkSettings();
	const { gateway, broker, local } = settings;
	const nodes = localTopology(local.workflowsNodes, local.buildingsInGateway);
	const portInUse = !(await canListen(gateway.port, gateway.host));
	const previous = runningLocalCluster(local.dataDir);
	if (previous) throw new Error(stillRunning(previous.pid, path.join(local.dataDir, "cluster.json"), gateway.port, portInUse));
	if (portInUse) throw new Error(`Port ${gateway.port} is in use: stop what uses it, or set PORT to a free port.`);
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
	const natsServers = await waitUntilReady(gateway.port, nodes, 60_000, gateway.apiKeys[0]);
	writeLocalCluster(local.dataDir, { pid: process.pid, env });
	dataDir = local.dataDir;

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
			`  logs:        ${path.join(local.dataDir, "logs")}/<node>.log (the console shows ${local.consoleLogLevel} and above; LOG_LEVEL=debug for more)`,
			"A node that crashes is restarted. Ctrl-C stops the cluster. `npm run repl` opens a REPL on it; `npm run node -- workflows` adds a workflows node.",
			"",
		].join("\n"),
	);
}

main().catch(err => {
	console.error(`Could not start the cluster: ${err.message}`);
	void stopAll(1);
});
