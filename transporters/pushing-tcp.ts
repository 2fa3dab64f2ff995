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
	declare nodes: NodeCatalog;
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
