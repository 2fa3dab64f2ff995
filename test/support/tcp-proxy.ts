import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP proxy on loopback that a test can cut (every connection dropped, new ones refused)
 * and restore on the same port: a database "going away" without touching the real server.
 */
export class TcpProxy {
	private server?: Server;
	private readonly sockets = new Set<Socket>();
	port = 0;

	constructor(
		private readonly targetHost: string,
		private readonly targetPort: number,
	) {}

	async start(): Promise<number> {
		const server = createServer(client => {
			const upstream = connect(this.targetPort, this.targetHost);
			for (const socket of [client, upstream]) {
				this.sockets.add(socket);
				socket.on("close", () => this.sockets.delete(socket));
				socket.on("error", () => {
					client.destroy();
					upstream.destroy();
				});
			}
			client.pipe(upstream).pipe(client);
		});
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
		for (const socket of this.sockets) socket.destroy();
		if (server) await new Promise(resolve => server.close(resolve));
	}

	restore(): Promise<number> {
		return this.start();
	}

	stop(): Promise<void> {
		return this.cut();
	}
}
