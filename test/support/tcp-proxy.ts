import { createServer, connect, type Server, type Socket } from "node:net";

/** One client connection and its upstream, and what a black hole holds back of each. */
interface Link {
	client: Socket;
	upstream: Socket;
	held: { to: Socket; data: Buffer }[];
}

/**
 * A TCP proxy on loopback that a test can cut (every connection dropped, new ones refused) and
 * restore on the same port, or turn into a black hole: connections stay open but nothing gets
 * through either way until `release`, as on a network that drops packets (TCP then delivers
 * them late). The real server is never touched.
 */
export class TcpProxy {
	private server?: Server;
	private readonly links = new Set<Link>();
	private holding = false;
	port = 0;
	/** Connections accepted since the proxy started. */
	connections = 0;
	/** Bytes held back by black holes. */
	heldBytes = 0;

	constructor(
		private readonly targetHost: string,
		private readonly targetPort: number,
	) {}

	async start(): Promise<number> {
		const server = createServer(client => this.link(client));
		await new Promise<void>((resolve, reject) => {
			server.once("error", reject);
			server.listen(this.port, "127.0.0.1", () => resolve());
		});
		this.server = server;
		this.port = (server.address() as { port: number }).port;
		return this.port;
	}

	/** Drops every connection and refuses new ones until `restore`. */
	async cut(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		for (const { client, upstream } of this.links) {
			client.destroy();
			upstream.destroy();
		}
		if (server) await new Promise(resolve => server.close(resolve));
	}

	/** Resets every connection (TCP RST), as a network device that drops a flow does; new ones still pass. */
	reset(): void {
		for (const { client, upstream } of this.links) {
			client.resetAndDestroy();
			upstream.resetAndDestroy();
		}
	}

	restore(): Promise<number> {
		return this.start();
	}

	/** Keeps every connection open, and accepts new ones, but lets no byte through. */
	blackHole(): void {
		this.holding = true;
	}

	/** Ends the black hole: what it held is delivered, in order, and traffic flows again. */
	release(): void {
		this.holding = false;
		for (const link of this.links) {
			for (const { to, data } of link.held.splice(0)) if (!to.destroyed) to.write(data);
		}
	}

	stop(): Promise<void> {
		return this.cut();
	}

	private link(client: Socket): void {
		this.connections++;
		const link: Link = { client, upstream: connect(this.targetPort, this.targetHost), held: [] };
		this.links.add(link);
		const forward = (to: Socket) => (data: Buffer) => {
			if (!this.holding) return void to.write(data);
			link.held.push({ to, data });
			this.heldBytes += data.length;
		};
		client.on("data", forward(link.upstream));
		link.upstream.on("data", forward(client));
		for (const socket of [client, link.upstream]) {
			socket.on("close", () => {
				this.links.delete(link);
				client.destroy();
				link.upstream.destroy();
			});
			socket.on("error", () => socket.destroy());
		}
	}
}
