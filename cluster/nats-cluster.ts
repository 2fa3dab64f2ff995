import path from "node:path";
import { NatsServer } from "./nats-server";
import { portToListenOnLater } from "../node/ports";

/**
 * `count` private nats-servers on loopback, routed into one NATS cluster: each listens for clients
 * and for routes on free ports, and has a route to every other. Each keeps its pid file and log
 * in `filesDir/<n>` (one server alone: in `filesDir`, as before clusters).
 */
export class NatsCluster {
	private constructor(
		readonly servers: NatsServer[],
		private readonly monitorPorts: number[],
	) {}

	/** `say` gets a line when a server exits unasked and is started again. */
	static async start(count: number, binary: string, filesDir: string, say?: (line: string) => void): Promise<NatsCluster> {
		const ports = new Set<number>();
		while (ports.size < (count === 1 ? 2 : 3 * count)) ports.add(await portToListenOnLater());
		const clientPorts = [...ports].slice(0, count);
		const monitorPorts = [...ports].slice(count, 2 * count);
		const routePorts = [...ports].slice(2 * count);
		const routes = routePorts.map(port => `nats://127.0.0.1:${port}`).join(",");
		const servers = clientPorts.map((port, i) => {
			// The monitoring endpoint, on loopback too: the cluster page reads who is subscribed where.
			const monitor = ["-m", String(monitorPorts[i])];
			const routing = [
				"--name",
				`nats-${i + 1}`,
				"--cluster_name",
				"local",
				"--cluster",
				`nats://127.0.0.1:${routePorts[i]}`,
				"--routes",
				routes,
			];
			const args = count === 1 ? monitor : [...monitor, ...routing];
			const dir = count === 1 ? filesDir : path.join(filesDir, String(i + 1));
			// Detached: a Ctrl-C in the terminal reaches the nodes, which still need NATS to leave cleanly.
			return new NatsServer(port, args, { binary, filesDir: dir, detached: true, restartAndSay: say });
		});
		const cluster = new NatsCluster(servers, monitorPorts);
		try {
			await Promise.all(servers.map(server => server.start()));
		} catch (err) {
			await cluster.stop();
			throw err;
		}
		return cluster;
	}

	/** Every server's client URL, comma-separated: the TRANSPORTER of the nodes. */
	get url(): string {
		return this.servers.map(server => server.url).join(",");
	}

	/** Every server's monitoring URL, comma-separated: NATS_MONITOR_URL of the gateway. */
	get monitorUrl(): string {
		return this.monitorPorts.map(port => `http://127.0.0.1:${port}`).join(",");
	}

	/** SIGTERM: each closes its connections and removes its pid file. */
	async stop(): Promise<void> {
		await Promise.all(this.servers.map(server => server.stop("SIGTERM")));
	}
}
