import type { ServiceBroker } from "moleculer";

/** IDs of the available nodes that run `service`, as this broker sees them ("$node": every node). */
export function nodesRunning(broker: ServiceBroker, service: string): string[] {
	const services = broker.registry.getServiceList({ onlyAvailable: true }) as { name: string; nodeID: string }[];
	return services
		.filter(entry => entry.name === service)
		.map(entry => entry.nodeID)
		.sort();
}
