import net from "node:net";
import path from "node:path";
import { Transporters } from "moleculer";

type TcpTransporterOptions = Transporters.TCP.TcpTransporterOptions;

/** What this class uses of Moleculer's TCP reader and writer. */
interface TcpReader {
	server: net.Server | null;
	opts: { port?: number };
	connected: boolean;
	logger: { error(...args: unknown[]): void };
	onTcpClientConnected(socket: net.Socket): void;
}
interface TcpWriter {
	on(event: "error" | "end", listener: (...args: unknown[]) => void): void;
}

/** Moleculer's TCP reader and writer: the package's exports leave them out, so they are loaded from its files. */
type Part<T> = new (transporter: unknown, opts: object) => T;
const tcpPart = (name: string) => path.join(path.dirname(require.resolve("moleculer")), "src/transporters/tcp", name);
/* eslint-disable @typescript-eslint/no-require-imports -- Moleculer's own parts */
const Reader = require(tcpPart("tcp-reader.js")) as Part<TcpReader>;
const Writer = require(tcpPart("tcp-writer.js")) as Part<TcpWriter>;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The options of Moleculer's TCP transporter, and the address its reader listens on. */
export interface PushingTcpOptions extends TcpTransporterOptions {
	host: string;
}

/**
 * Moleculer's TCP transporter, with nodes that tell the others about themselves at once.
 *
 * Moleculer's sends no INFO packets: a node's details spread only by gossip, each node pulling
 * from one random node every 2 s and asking a node it holds as offline with a probability of
 * offline / (online + 1). A node that joined was met by the buildings node after 7 to 15 s. Here
 * a node pushes its details, as a gossip answer, wherever Moleculer would have sent INFO (every
 * node it knows, once started, when its services change, when it stops), and to each node it
 * meets, so that one learns of it without waiting either.
 *
 * A node restarted under the same nodeID is taken back the same way (Moleculer's would be met
 * only when one of the others happened to gossip with it).
 *
 * Moleculer also holds every listed node (and any node that greets it) as an offline placeholder,
 * and logs its first details as "reconnected". Here the placeholder gives way to the node, which
 * is then logged as "connected": "reconnected" is left for a node that really was connected.
 *
 * Relies on Moleculer 0.15.2's TCP transporter: its reader and writer in
 * `src/transporters/tcp/`, INFO packets passing through `publish`, a gossip answer's
 * `{ online: { nodeID: [info, cpuSeq, cpu] } }`, and the node catalog's `processNodeInfo`.
 * test/e2e/tcp-fallback.spec.ts fails if a joined node is not met within 5 s (gossip alone takes 7 to 15 s).
 */
export class PushingTcpTransporter extends Transporters.TCP {
	declare opts: PushingTcpOptions;
	declare reader: TcpReader;
	declare writer: TcpWriter;

	constructor(opts: PushingTcpOptions) {
		super(opts);
	}

	init(...args: Parameters<InstanceType<typeof Transporters.TCP>["init"]>): void {
		super.init(...args);
		const catalog = this.nodes;
		// The others take a node's details only with a higher seq than they hold, and a restarted
		// node would count from 1 again, below what they remember of its last run: count from the clock.
		if (catalog.localNode) catalog.localNode.seq = Date.now();
		const processNodeInfo = catalog.processNodeInfo.bind(catalog);
		catalog.processNodeInfo = (info: { sender: string }) => {
			const known = catalog.get(info.sender);
			if (known && !known.available && known.seq === 0) catalog.delete(info.sender);
			const node = processNodeInfo(info);
			if (known?.udpAddress) node.udpAddress ??= known.udpAddress;
			if (!known?.available) void this.pushLocalInfo([node.id]);
			return node;
		};
	}

	/**
	 * As Moleculer's, but its reader listens on `host` (TCP_HOST, loopback unless configured), not
	 * on every interface: a node on loopback cannot be reached, or sent packets, from elsewhere.
	 */
	startTcpServer(): Promise<void> {
		this.writer = new Writer(this, this.opts);
		this.reader = new Reader(this, this.opts);
		this.writer.on("error", (_err, nodeID) => this.nodes.disconnected(nodeID as string, false));
		this.writer.on("end", nodeID => this.nodes.disconnected(nodeID as string, false));
		const reader = this.reader;
		return new Promise((resolve, reject) => {
			const server = net.createServer(socket => reader.onTcpClientConnected(socket));
			server.once("error", reject);
			server.listen({ port: this.opts.port, host: this.opts.host, exclusive: true }, () => {
				server.off("error", reject);
				server.on("error", err => reader.logger.error("Server error.", err));
				reader.opts.port = (server.address() as net.AddressInfo).port;
				reader.connected = true;
				resolve();
			});
			reader.server = server;
		});
	}

	publish(packet: Parameters<Transporters.TCP["publish"]>[0]): Promise<void> {
		if (packet.type !== "INFO") return super.publish(packet);
		const others = this.nodes
			.toArray()
			.filter(node => !node.local)
			.map(node => node.id);
		return this.pushLocalInfo(packet.target ? [packet.target] : others);
	}

	/** This node's details to the given nodes, in the form a gossip answer carries them. */
	private async pushLocalInfo(nodeIDs: string[]): Promise<void> {
		const local = this.nodes.localNode;
		const details = [this.registry.getLocalNodeInfo(), local?.cpuSeq || 0, local?.cpu || 0];
		const push = (target: string) => super.publish({ type: "GOSSIP_RES", target, payload: { online: { [this.nodeID]: details } } });
		// A node that is down misses it, and learns the details by gossip once it is back.
		await Promise.all(nodeIDs.map(nodeID => push(nodeID).catch(() => undefined)));
	}
}
