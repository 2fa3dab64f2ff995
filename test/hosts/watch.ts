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
}

/** The hosts (addresses) the watched nats-server had a route to at one moment. */
export interface RoutesSighting {
	at: number;
	routes: string[];
}

/**
 * Polls the gateway's /api/cluster, as the cluster page does, and apart, more often, the routes
 * of one nats-server that no scenario cuts off, until stopped.
 */
export class ClusterWatch {
	readonly sightings: Sighting[] = [];
	readonly routeSightings: RoutesSighting[] = [];
	private running = false;
	private loops: Promise<void>[] = [];

	constructor(
		private readonly api: string,
		private readonly routesOf: Host,
	) {}

	/** The cluster page every 0.5 s (each look may wait 1 s for a part); the routes every 0.25 s. */
	start(): void {
		this.running = true;
		const every = <T>(ms: number, look: () => Promise<T | undefined>, into: T[]) =>
			(async () => {
				while (this.running) {
					const seen = await look();
					if (seen) into.push(seen);
					await new Promise(resolve => setTimeout(resolve, ms));
				}
			})();
		this.loops = [every(500, () => this.look(), this.sightings), every(250, () => this.lookAtRoutes(), this.routeSightings)];
	}

	async stop(): Promise<void> {
		this.running = false;
		await Promise.all(this.loops);
	}

	/** ms from `from` to the first look at the routes at or after it that meets `test`; undefined if none. */
	firstRoutesAfter(from: number, test: (routes: string[]) => boolean): number | undefined {
		const found = this.routeSightings.find(seen => seen.at >= from && test(seen.routes));
		return found && found.at - from;
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
			const res = await fetch(`${this.api}/cluster`, { signal: AbortSignal.timeout(3000) });
			const view = (await res.json()) as ClusterView;
			return {
				at,
				queueSubscribers: view.nats?.queueSubscribers ?? [],
				available: view.nodes.filter(node => node.available).map(node => node.id),
				natsServerOf: Object.fromEntries(view.nodes.map(node => [node.id, node.natsServer])),
				outboxRead: view.outbox !== null,
			};
		} catch {
			return undefined; // the gateway busy or unreachable for a moment: the next look tells
		}
	}

	private async lookAtRoutes(): Promise<RoutesSighting | undefined> {
		const at = Date.now();
		try {
			const res = await fetch(`${natsMonitorUrl(this.routesOf)}/routez`, { signal: AbortSignal.timeout(1000) });
			const routez = (await res.json()) as { routes?: { ip: string }[] };
			return { at, routes: (routez.routes ?? []).map(route => route.ip) };
		} catch {
			return undefined;
		}
	}
}
