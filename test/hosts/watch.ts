import type { ClusterView } from "../../types";
import type { Host } from "./network";
import { natsMonitorUrl } from "./servers";

/** What the cluster looked like at one moment: the gateway's /api/cluster, and one server's routes. */
export interface Sighting {
	at: number;
	/** Nodes holding a queue subscription to workflows.create, as the NATS monitors the gateway reads say. */
	queueSubscribers: string[];
	/** Nodes available in the gateway's Moleculer registry. */
	available: string[];
	/** The NATS server (monitor host:port) each node is on. */
	natsServerOf: Record<string, string | null>;
	/** Whether the buildings service could report its outbox (it reads its database). */
	outboxRead: boolean;
	/** Addresses of the hosts the watched nats-server has a route to. */
	routes: string[];
}

/**
 * Polls the gateway's /api/cluster, as the cluster page does, and the routes of one nats-server
 * that no scenario cuts off, until stopped.
 */
export class ClusterWatch {
	readonly sightings: Sighting[] = [];
	private running = false;
	private loop?: Promise<void>;

	constructor(
		private readonly api: string,
		private readonly routesOf: Host,
	) {}

	start(): void {
		this.running = true;
		this.loop = (async () => {
			while (this.running) {
				const sighting = await this.look();
				if (sighting) this.sightings.push(sighting);
				await new Promise(resolve => setTimeout(resolve, 500));
			}
		})();
	}

	async stop(): Promise<void> {
		this.running = false;
		await this.loop;
	}

	/** The sightings taken from `from` (a time) on, before `to`. */
	between(from: number, to = Number.POSITIVE_INFINITY): Sighting[] {
		return this.sightings.filter(sighting => sighting.at >= from && sighting.at < to);
	}

	/** ms from `from` to the first sighting at or after it that meets `test`; undefined if none. */
	firstAfter(from: number, test: (sighting: Sighting) => boolean): number | undefined {
		const found = this.between(from).find(test);
		return found && found.at - from;
	}

	private async look(): Promise<Sighting | undefined> {
		const at = Date.now();
		try {
			const [view, routez] = await Promise.all([
				fetch(`${this.api}/cluster`, { signal: AbortSignal.timeout(3000) }).then(res => res.json() as Promise<ClusterView>),
				fetch(`${natsMonitorUrl(this.routesOf)}/routez`, { signal: AbortSignal.timeout(3000) }).then(
					res => res.json() as Promise<{ routes?: { ip: string }[] }>,
				),
			]);
			return {
				at,
				queueSubscribers: view.nats?.queueSubscribers ?? [],
				available: view.nodes.filter(node => node.available).map(node => node.id),
				natsServerOf: Object.fromEntries(view.nodes.map(node => [node.id, node.natsServer])),
				outboxRead: view.outbox !== null,
				routes: (routez.routes ?? []).map(route => route.ip),
			};
		} catch {
			return undefined; // the gateway busy or unreachable for a moment: the next look tells
		}
	}
}
