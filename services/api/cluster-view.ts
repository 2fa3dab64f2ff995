/**
 * GET /api/cluster: the cluster as this gateway sees it, for the /cluster page and for scripts.
 * The Moleculer registry gives the nodes; each node answers `$node.health` (uptime, memory);
 * the NATS monitor gives the server each node is on and the queue subscribers of
 * `workflows.create`; the workflows nodes report their creations, the buildings service its
 * outbox and latest buildings. A part that cannot be read is null (or carries its error): the
 * page shows the rest.
 */
import { Transporters, type ServiceBroker } from "moleculer";
import type { Building, ClusterNode, ClusterView, NatsView, OutboxStats, Page } from "../../types";
import { natsServers, nodesRunning } from "../../broker/registry";
import type { CreationRates } from "./creations";
import { balancedSubject, natsSnapshot, type NatsSnapshot } from "./nats-monitor";

/** How long each part may take: the page asks again every second or two. */
const PART_TIMEOUT_MS = 1000;
const BALANCED_ACTION = "workflows.create";

interface NodeHealth {
	process: { uptime: number; memory: { rss: number } };
}

function transporterName(broker: ServiceBroker): string {
	const tx = broker.transit?.tx;
	if (!tx) return "none";
	if (tx instanceof Transporters.NATS) return "NATS";
	if (tx instanceof Transporters.TCP) return "TCP";
	return tx.constructor.name;
}

export async function clusterView(broker: ServiceBroker, monitors: readonly string[], rates: CreationRates): Promise<ClusterView> {
	const call = <T>(action: string, params: object, nodeID?: string) =>
		broker.call<T, object>(action, params, { nodeID, timeout: PART_TIMEOUT_MS, retries: 0, tracking: false }).catch(() => null);
	const registered = broker.registry.nodes.toArray().filter(node => node.available);
	const onNats = transporterName(broker) === "NATS";
	const workflowsNodes = nodesRunning(broker, "workflows");
	const buildingsUp = nodesRunning(broker, "buildings").length > 0;

	const [healths, counts, snapshot, outbox, latest] = await Promise.all([
		Promise.all(registered.map(node => call<NodeHealth>("$node.health", {}, node.id))),
		Promise.all(workflowsNodes.map(nodeID => call<{ created: number }>("workflows.stats", {}, nodeID))),
		onNats && monitors.length > 0 ? natsSnapshot(monitors, broker.namespace, BALANCED_ACTION, PART_TIMEOUT_MS) : undefined,
		buildingsUp ? call<OutboxStats>("buildings.outboxStats", {}) : null,
		buildingsUp ? call<Page<Building>>("buildings.list", { sort: "-id", pageSize: 10 }) : null,
	]);

	// The client address each node reports (as readiness and `npm start`'s summary show it); the
	// monitor's label (its own host and port) only for a node that reports none.
	const clientServers = natsServers(broker);
	const nodes: ClusterNode[] = registered
		.map((node, i) => ({
			id: node.id,
			services: node.services.map(service => String(service.name)).filter(name => !name.startsWith("$")),
			available: node.available,
			uptime: healths[i]?.process.uptime ?? null,
			cpu: node.cpu,
			memory: healths[i]?.process.memory.rss ?? null,
			heartbeatAge: node.local ? 0 : Math.max(0, Math.round(process.uptime() - node.lastHeartbeatTime)),
			natsServer: clientServers[node.id] ?? snapshot?.serverOf.get(node.id) ?? null,
		}))
		.sort((a, b) => a.id.localeCompare(b.id));

	const totals = new Map<string, number>();
	workflowsNodes.forEach((nodeID, i) => counts[i] && totals.set(nodeID, counts[i].created));

	return {
		at: new Date().toISOString(),
		gateway: broker.nodeID,
		transporter: transporterName(broker),
		nodes,
		nats: onNats ? natsView(monitors, snapshot, broker.namespace, workflowsNodes) : null,
		creations: rates.update(totals),
		outbox,
		latestBuildings:
			latest?.rows.map(({ id, name, workflowStatus, workflowId, createdAt }) => ({ id, name, workflowStatus, workflowId, createdAt })) ??
			null,
	};
}

/** The queue subscribers next to the registry's workflows nodes; a difference either way is a mismatch. */
function natsView(monitors: readonly string[], snapshot: NatsSnapshot | undefined, namespace: string, registryNodes: string[]): NatsView {
	const subscribers = snapshot?.queueSubscribers ?? [];
	const known = snapshot !== undefined && snapshot.errors.length === 0;
	return {
		monitor: [...monitors],
		error: monitors.length === 0 ? "NATS_MONITOR_URL is not set." : snapshot?.errors.join("; ") || null,
		servers: snapshot?.servers ?? [],
		subject: balancedSubject(namespace, BALANCED_ACTION),
		queueSubscribers: subscribers,
		registryNodes,
		onlyInNats: subscribers.filter(nodeID => !registryNodes.includes(nodeID)),
		onlyInRegistry: known ? registryNodes.filter(nodeID => !subscribers.includes(nodeID)) : [],
	};
}
