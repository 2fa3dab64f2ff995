import { connect, createServer } from "node:net";

/** A TCP port on loopback that nothing listens on right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer().listen(0, "127.0.0.1", () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
		server.on("error", reject);
	});
}

/**
 * A port nothing listens on, for another process to listen on a moment later. Taken below the
 * range the system gives the local end of outgoing connections (from 32768 on Linux, 49152 on
 * macOS and Windows), where a busy machine's connections would take a free port meanwhile.
 */
export async function portToListenOnLater(): Promise<number> {
	for (let attempt = 1; ; attempt++) {
		const port = 20_000 + Math.floor(Math.random() * 12_000);
		if (await canListen(port)) return port;
		if (attempt === 100) throw new Error("No free port found between 20000 and 32000.");
	}
}

/** Whether `host:port` (every interface without a host) can be listened on. */
export function canListen(port: number, host?: string): Promise<boolean> {
	return new Promise(resolve => {
		const server = createServer()
			.once("error", () => resolve(false))
			.listen(port, host, () => server.close(() => resolve(true)));
	});
}

/** Whether something accepts TCP connections on `host:port` within `timeoutMs`. */
export function isReachable(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
	return new Promise(resolve => {
		const socket = connect({ host, port, timeout: timeoutMs });
		socket.once("connect", () => (socket.destroy(), resolve(true)));
		socket.once("timeout", () => (socket.destroy(), resolve(false)));
		socket.once("error", () => resolve(false));
	});
}
