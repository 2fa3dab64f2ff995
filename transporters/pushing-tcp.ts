import net from "node:net";
import path from "node:path";
import { Transporters, type Packet } from "moleculer";

/** What this class uses of Moleculer's node catalog (its typings leave it out). */
interface CatalogNode {
	id: string;
	local: boolean;
	available: boolean;
	/** 0 for a node known only by its address, never seen online. */
	seq: number;
	cpu?: number;
	cpuSeq?: number;
	/** The address it last connected from: the one to reach it at. */
	udpAddress?: string;
}
interface NodeCatalog {
	localNode: CatalogNode;
	get(nodeID: string): CatalogNode | undefined;
	delete(nodeID: string): boolean;
	toArray(): CatalogNode[];
	processNodeInfo(info: { sender: string }): CatalogNode;
}
type OutgoingPacket = Packet & { type: string; target?: string; payload: object };

/** What this class uses of Moleculer's TCP reader and writer, which its index does not export. */
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
type Part<T> = new (transporter: unknown, opts: object) => T;
// From the files of the version package.json pins: the package's exports leave them out.
const tcpPart = (name: string) => path.join(path.dirname(require.resolve("moleculer")), "src/transporters/tcp", name);
/* eslint-disable @typescript-eslint/no-require-imports -- Moleculer's own parts */
const Reader = require(tcpPart("tcp-reader.js")) as Part<TcpReader>;
const Writer = require(tcpPart("tcp-writer.js")) as Part<TcpWriter>;
/* eslint-enable @typescript-eslint/no-require-imports */

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
 */
export class PushingTcpTransporter extends Transporters.TCP {
	declare opts: { host?: string; port?: number };
	declare reader: TcpReader;
	declare writer: TcpWriter;
	declare nodes: NodeCatalog & { disconnected(nodeID: string, unexpected: boolean): void };
	declare registry: { getLocalNodeInfo(): object };
	declare nodeID: string;

	init(...args: Parameters<InstanceType<typeof Transporters.TCP>["init"]>): void {
		super.init(...args);
		const catalog = this.nodes;
		// The others take a node's details only with a higher seq than they hold, and a restarted
		// node would count from 1 again, below what they remember of its last run: count from the clock.
		catalog.localNode.seq = Date.now();
		const processNodeInfo = catalog.processNodeInfo.bind(catalog);
		catalog.processNodeInfo = info => {
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
	startTcpServer(): Promise<number> {
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
				resolve(reader.opts.port);
			});
			reader.server = server;
		});
	}

	publish(packet: OutgoingPacket): Promise<void> {
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
		const details = [this.registry.getLocalNodeInfo(), local.cpuSeq || 0, local.cpu || 0];
		const push = (target: string) => super.publish({ type: "GOSSIP_RES", target, payload: { online: { [this.nodeID]: details } } });
		// A node that is down misses it, and learns the details by gossip once it is back.
		await Promise.all(nodeIDs.map(nodeID => push(nodeID).catch(() => undefined)));
	}
}
