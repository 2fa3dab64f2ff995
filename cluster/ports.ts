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

/** Whether `host:port` can be listened on. */
export function canListen(port: number, host: string): Promise<boolean> {
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
