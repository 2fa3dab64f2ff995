/** Lag above which a node counts as stalled: every request it holds is late by as much. */
export const STALLED_LAG_MS = 2000;

/** How often the loop is sampled: a stall shorter than this is not worth a probe's attention. */
const SAMPLE_MS = 20;

/**
 * The worst event-loop lag of the last few seconds, for a liveness probe. One timer samples the
 * loop: it measures how late it fired, records that, and only then rotates the window, so a stall
 * that spans a window's end is never lost. A probe that arrives after a stall is answered once the
 * loop runs again, and the sampler has measured the stall by then (timers run before sockets are
 * read), so the probe reports the stall instead of answering "live" as if nothing happened.
 */
export class EventLoopWatch {
	private readonly timer: NodeJS.Timeout;
	private lastTickAt = performance.now();
	private windowStartedAt = this.lastTickAt;
	private currentWindowMaxMs = 0;
	private previousWindowMaxMs = 0;

	constructor(
		private readonly windowMs = 5000,
		readonly stalledLagMs = STALLED_LAG_MS,
	) {
		this.timer = setInterval(() => this.sample(), SAMPLE_MS);
		this.timer.unref();
	}

	/** The largest lag in this window and the one before, in ms. */
	get lagMs(): number {
		return Math.max(this.previousWindowMaxMs, this.currentWindowMaxMs);
	}

	get stalled(): boolean {
		return this.lagMs > this.stalledLagMs;
	}

	stop(): void {
		clearInterval(this.timer);
	}

	private sample(): void {
		const now = performance.now();
		const lag = Math.round(Math.max(0, now - this.lastTickAt - SAMPLE_MS));
		this.lastTickAt = now;
		this.currentWindowMaxMs = Math.max(this.currentWindowMaxMs, lag);
		if (now - this.windowStartedAt >= this.windowMs) {
			this.previousWindowMaxMs = this.currentWindowMaxMs;
			this.currentWindowMaxMs = 0;
			this.windowStartedAt = now;
		}
	}
}
