import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** Lag above which a node counts as stalled: every request it holds is late by as much. */
export const STALLED_LAG_MS = 2000;

/**
 * The worst event-loop lag of the last few seconds, for a liveness probe. A probe that arrives
 * after a stall is answered once the loop runs again, and the delay the stall caused is already
 * measured by then (timers run before sockets are read), so the probe reports the stall instead
 * of answering "live" as if nothing happened.
 */
export class EventLoopWatch {
	private readonly histogram: IntervalHistogram;
	private readonly timer: NodeJS.Timeout;
	private previousWindowMaxMs = 0;

	constructor(
		private readonly windowMs = 5000,
		readonly stalledLagMs = STALLED_LAG_MS,
	) {
		this.histogram = monitorEventLoopDelay({ resolution: 20 });
		this.histogram.enable();
		this.timer = setInterval(() => {
			this.previousWindowMaxMs = this.currentWindowMaxMs();
			this.histogram.reset();
		}, windowMs);
		this.timer.unref();
	}

	/** The largest lag in this window and the one before, in ms. */
	get lagMs(): number {
		return Math.max(this.previousWindowMaxMs, this.currentWindowMaxMs());
	}

	get stalled(): boolean {
		return this.lagMs > this.stalledLagMs;
	}

	stop(): void {
		clearInterval(this.timer);
		this.histogram.disable();
	}

	private currentWindowMaxMs(): number {
		// The histogram's max is in ns, and 0 before its first sample.
		return Math.round(this.histogram.max / 1e6);
	}
}
