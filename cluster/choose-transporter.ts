import path from "node:path";
import type { Settings } from "../config/settings";
import type { LocalCluster } from "../node/local-cluster";
import { NatsCluster } from "./nats-cluster";
import { NATS_INSTALL_HINT, NATS_SEARCHED, NatsServer, findNatsServer } from "./nats-server";
import { isReachable, portToListenOnLater } from "../node/ports";
import { maskCredentials, shortPath } from "./printable";

export interface ChosenTransporter {
	/** What every node gets: TRANSPORTER, TCP_NODES on TCP, the monitor of a private nats-server. */
	env: Pick<LocalCluster["env"], "TRANSPORTER" | "TCP_NODES" | "NATS_MONITOR_URL">;
	/** What it is and why, for the start-up summary. */
	summary: string;
	/** One line to show at once when the choice is a fallback. */
	notice?: string;
	stop(): Promise<void>;
}

/**
 * The transporter of `npm start`: the TRANSPORTER given (a NATS is checked to be reachable); with
 * none, a private nats-server (see findNatsServer) on a free loopback port, its pid
 * file and log in `dataDir/nats` (NATS_SERVERS > 1: that many, routed into one NATS cluster); with no nats-server to be found, or TRANSPORTER=TCP alone,
 * Moleculer's TCP transporter on loopback with a static list of the nodes.
 */
export async function chooseTransporter({ broker, local }: Settings, nodeIDs: string[]): Promise<ChosenTransporter> {
	const transporter = broker.transporter.join(",");
	if (transporter === "TCP" && broker.tcpNodes.length === 0) return loopbackTcp(nodeIDs, "TRANSPORTER=TCP given");
	if (transporter) return givenTransporter(transporter, broker.balancer);
	const binary = findNatsServer(local);
	const version = binary && (await NatsServer.version(binary));
	if (binary && version) return privateNats(binary, version, path.join(local.dataDir, "nats"), broker.balancer, local.natsServers);
	// Asked for by name, a binary that does not run is a mistake to fix, not a reason to fall back.
	if (local.natsServerBin)
		throw new Error(
			`NATS_SERVER_BIN=${binary} does not run as nats-server: point it at a nats-server binary, or unset it to look on PATH and in the sbin folders beside it.`,
		);
	const fallback = await loopbackTcp(nodeIDs, "no nats-server found");
	fallback.notice = `No nats-server found (NATS_SERVER_BIN unset, ${NATS_SEARCHED}): the cluster runs on Moleculer's TCP transporter on 127.0.0.1 instead. For NATS, install nats-server (${NATS_INSTALL_HINT}).`;
	return fallback;
}

function balancing(balancer: Settings["broker"]["balancer"]): string {
	return balancer === "moleculer" ? "Moleculer balances the calls" : "queue groups pick the node";
}

async function givenTransporter(transporter: string, balancer: Settings["broker"]["balancer"]): Promise<ChosenTransporter> {
	const natsUrls = transporter.split(",").filter(url => url.startsWith("nats://"));
	for (const url of natsUrls.map(u => new URL(u))) {
		if (!(await isReachable(url.hostname, Number(url.port || 4222)))) {
			throw new Error(`Cannot reach NATS at ${url.host}: start it, or unset TRANSPORTER to use a private nats-server.`);
		}
	}
	const how = natsUrls.length > 0 ? balancing(balancer) : "Moleculer balances the calls";
	return { env: { TRANSPORTER: transporter }, summary: `${maskCredentials(transporter)} (given; ${how})`, stop: async () => {} };
}

async function privateNats(
	binary: string,
	version: string,
	filesDir: string,
	balancer: Settings["broker"]["balancer"],
	count: number,
): Promise<ChosenTransporter> {
	// Supervised like the nodes: a server that dies is started again on its port.
	const nats = await NatsCluster.start(count, binary, filesDir, line => console.log(line));
	const pids = nats.servers.map(server => server.pid).join(", ");
	const what =
		count === 1
			? `private nats-server ${version}, pid ${pids}`
			: `${count} private nats-servers ${version} routed as one cluster, pids ${pids}`;
	return {
		env: { TRANSPORTER: nats.url, NATS_MONITOR_URL: nats.monitorUrl },
		summary: `NATS ${nats.url} (${what}, files in ${shortPath(filesDir)}; ${balancing(balancer)})`,
		stop: () => nats.stop(),
	};
}

/** Each node listens on a port of its own; the list tells every node where the others are. */
async function loopbackTcp(nodeIDs: string[], why: string): Promise<ChosenTransporter> {
	const ports = new Set<number>();
	while (ports.size < nodeIDs.length) ports.add(await portToListenOnLater());
	const entries = nodeIDs.map((nodeID, i) => `127.0.0.1:${[...ports][i]}/${nodeID}`);
	return {
		env: { TRANSPORTER: "TCP", TCP_NODES: entries.join(",") },
		summary: `Moleculer TCP on 127.0.0.1, static node list (${why}; Moleculer balances the calls)`,
		stop: async () => {},
	};
}
