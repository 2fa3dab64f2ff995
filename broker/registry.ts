import type { ServiceBroker } from "moleculer";

/** IDs of the available nodes that run `service`, as this broker sees them ("$node": every node). */
export function nodesRunning(broker: ServiceBroker, service: string): string[] {
	const services = broker.registry.getServiceList({ onlyAvailable: true }) as { name: string; nodeID: string }[];
	return services
		.filter(entry => entry.name === service)
		.map(entry => entry.nodeID)
		.sort();
}

/** The NATS server each available node is on ("host:port"), as its metadata says; nodeID → server. */
export function natsServers(broker: ServiceBroker): Record<string, string> {
	const nodes = broker.registry.nodes.list({ onlyAvailable: true, withServices: false }) as {
		id: string;
		metadata?: { natsServer?: string };
	}[];
	return Object.fromEntries(nodes.filter(node => node.metadata?.natsServer).map(node => [node.id, node.metadata!.natsServer!]));
}
