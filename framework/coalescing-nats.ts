import { Transporters } from "moleculer";

interface NatsClient {
	publish(subject: string, data: Uint8Array): void;
	/** The server this connection is on, "host:port". */
	getServer(): string;
	status(): AsyncIterable<{ type: string }>;
}

/**
 * Moleculer's NATS transporter, with the messages a node publishes in one turn of its event
 * loop written to the socket together. nats.js writes its buffer on the next microtask, so the
 * answers a group commit releases at once would otherwise go out one socket write each, and on
 * loopback a write costs about as much CPU as the rest of handling the message. The messages,
 * their subjects and their order are unchanged; each waits at most one turn. It also tells the
 * other nodes which server of a NATS cluster this node is on.
 *
 * Relies on Moleculer 0.15.2's NATS transporter: every packet goes out through `send(topic,
 * data)`; `client` is nats.js 2.x's connection (`publish`, `getServer`, `status`); and, to
 * announce a move, `registry.regenerateLocalRawInfo` and `transit.sendNodeInfo`.
 * test/integration/framework-internals.spec.ts checks them.
 */
export class CoalescingNatsTransporter extends Transporters.NATS {
	declare client: NatsClient | null;
	private pending: [string, Buffer][] = [];

	/**
	 * The server the node is on goes into its metadata (`natsServer`), which every node sees in
	 * its registry: at once in the first INFO, and after a move to another server of a NATS
	 * cluster in a new INFO (sent alone: the queue-group subscriptions stay as they are).
	 */
	onConnected(wasReconnect?: boolean): Promise<void> {
		const client = this.client!;
		this.broker.metadata.natsServer = client.getServer();
		if (!wasReconnect) void this.followMoves(client);
		return super.onConnected(wasReconnect) as Promise<void>;
	}

	private async followMoves(client: NatsClient): Promise<void> {
		for await (const status of client.status()) {
			if (status.type !== "reconnect" || this.client !== client) continue;
			this.broker.metadata.natsServer = client.getServer();
			this.logger.info(`On NATS server ${client.getServer()} now.`);
			if (!this.broker.started) continue;
			this.broker.registry.regenerateLocalRawInfo(true);
			await this.broker.transit?.sendNodeInfo(this.broker.getLocalNodeInfo()).catch(() => undefined);
		}
	}

	send(topic: string, data: Buffer): Promise<void> {
		if (this.pending.push([topic, data]) === 1) setImmediate(() => this.publishPending());
		return Promise.resolve();
	}

	/** Before leaving, what is still waiting goes out (then the base class flushes and closes). */
	disconnect(): Promise<void> {
		this.publishPending();
		return super.disconnect() as Promise<void>;
	}

	private publishPending(): void {
		const messages = this.pending;
		this.pending = [];
		for (const [topic, data] of messages) {
			try {
				this.client?.publish(topic, data);
			} catch (err) {
				// A closed connection: the caller's request times out, as it would if the message were lost.
				this.logger.warn(`Could not publish to ${topic}: ${(err as Error).message}`);
			}
		}
	}
}
