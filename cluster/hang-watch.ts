/** What the watch needs of a node's process: the IPC channel of a forked node/main.ts (which answers the pings). */
export interface PingableProcess {
	send(message: unknown, callback?: (error: Error | null) => void): boolean;
	on(event: "message", listener: (message: unknown) => void): unknown;
	off(event: "message", listener: (message: unknown) => void): unknown;
}

const PING_EVERY_MS = 1000;

/**
 * Pings a node over IPC every second; the node's event loop answers. When `timeoutMs` worth of
 * pings in a row get no answer (the process is stopped, or its event loop is stuck) `onHung` is
 * called, once. A hung node keeps its NATS connection, and the server keeps handing it its share
 * of the queue groups' requests: nats-server defers its pings to a client it is sending to, so
 * nothing else notices. Counting pings, not wall time, keeps a launcher that was itself paused
 * (a laptop asleep) from blaming its nodes. Returns a function that stops the watch.
 */
export function watchForHang(child: PingableProcess, timeoutMs: number, onHung: () => void): () => void {
	let sent = 0;
	let answered = 0;
	const onMessage = (message: unknown) => {
		const pong = (message as { pong?: number } | null)?.pong;
		if (typeof pong === "number") answered = Math.max(answered, pong);
	};
	child.on("message", onMessage);
	const timer = setInterval(() => {
		if ((sent - answered) * PING_EVERY_MS >= timeoutMs) {
			stop();
			onHung();
			return;
		}
		sent++;
		// A node that is leaving (SIGTERM: it closes its channel, then finishes its requests) or has
		// just exited has no channel left; its exit is handled elsewhere. Given a callback, send
		// reports that there rather than as an 'error' event, which would end the launcher.
		try {
			child.send({ ping: sent }, error => error && stop());
		} catch {
			stop();
		}
	}, PING_EVERY_MS);
	const stop = () => {
		clearInterval(timer);
		child.off("message", onMessage);
	};
	return stop;
}
