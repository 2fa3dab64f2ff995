import path from "node:path";
import { NatsServer } from "./nats-server";
import { portToListenOnLater } from "./ports";

/**
 * `count` private nats-servers on loopback, routed into one NATS cluster: each listens for clients
 * and for routes on free ports, and has a route to every other. Each keeps its pid file and log
 * in `filesDir/<n>` (one server alone: in `filesDir`, as before clusters).
 */
export class NatsCluster {
	private constructor(readonly servers: NatsServer[]) {}

	static async start(count: number, binary: string, filesDir: string): Promise<NatsCluster> {
		const ports = new Set<number>();
		while (ports.size < (count === 1 ? 1 : 2 * count)) ports.add(await portToListenOnLater());
		const clientPorts = [...ports].slice(0, count);
		const routePorts = [...ports].slice(count);
		const routes = routePorts.map(port => `nats://127.0.0.1:${port}`).join(",");
		const servers = clientPorts.map((port, i) => {
			const args =
				count === 1
					? []
					: ["--name", `nats-${i + 1}`, "--cluster_name", "local", "--cluster", `nats://127.0.0.1:${routePorts[i]}`, "--routes", routes];
			const dir = count === 1 ? filesDir : path.join(filesDir, String(i + 1));
			// Detached: a Ctrl-C in the terminal reaches the nodes, which still need NATS to leave cleanly.
			return new NatsServer(port, args, { binary, filesDir: dir, detached: true });
		});
		const cluster = new NatsCluster(servers);
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

	/** SIGTERM: each closes its connections and removes its pid file. */
	async stop(): Promise<void> {
		await Promise.all(this.servers.map(server => server.stop("SIGTERM")));
	}
}
