/**
 * Creations per second and each workflows node's share, from the running totals the nodes
 * report (`workflows.stats`), over a sliding window of samples kept by this gateway.
 */
import type { Creations } from "../../types";

interface Sample {
	at: number;
	totals: Map<string, number>;
}

export class CreationRates {
	private samples: Sample[] = [];
	constructor(private readonly windowMs = 5000) {}

	/** Adds the totals read now and answers the rates since the oldest sample in the window. */
	update(totals: Map<string, number>, now = Date.now()): Creations {
		this.samples.push({ at: now, totals });
		// The oldest kept is the newest at least a window old; after a pause in polling, none older than two.
		const stale = () => now - this.samples[1].at >= this.windowMs || now - this.samples[0].at > 2 * this.windowMs;
		while (this.samples.length > 1 && stale()) this.samples.shift();
		const first = this.samples[0];
		const seconds = (now - first.at) / 1000;
		// A node new to the window starts from 0; a restarted one (total went down) from its new total.
		const delta = (nodeID: string, total: number) => {
			const before = first.totals.get(nodeID) ?? 0;
			return total >= before ? total - before : total;
		};
		const deltas = [...totals].map(([nodeID, total]) => ({ nodeID, total, count: delta(nodeID, total) }));
		const all = deltas.reduce((sum, d) => sum + d.count, 0);
		const rate = (count: number) => (seconds > 0 ? Math.round((count / seconds) * 10) / 10 : 0);
		return {
			window: Math.round(seconds * 10) / 10,
			perSecond: rate(all),
			nodes: deltas
				.sort((a, b) => a.nodeID.localeCompare(b.nodeID))
				.map(d => ({
					nodeID: d.nodeID,
					total: d.total,
					perSecond: rate(d.count),
					share: all > 0 ? Math.round((d.count / all) * 1000) / 1000 : null,
				})),
		};
	}
}
