/** How the launcher restarts a node that exits when nobody asked it to. */
export const RESTART_POLICY = {
	/** Wait before the first restart; each further crash doubles it, up to `maxDelayMs`. */
	firstDelayMs: 500,
	maxDelayMs: 10_000,
	/** This many crashes within `windowMs` and the node is left stopped: it is not going to recover. */
	maxCrashes: 5,
	windowMs: 60_000,
};

export type RestartDecision = { restartInMs: number } | { giveUp: true };

/**
 * The crashes of one node, and what to do after each. A node that ran for `windowMs` before it
 * crashed starts over at `firstDelayMs`: its earlier crashes say nothing about this one.
 */
export class CrashHistory {
	private recent: number[] = [];
	private inARow = 0;

	constructor(private readonly policy = RESTART_POLICY) {}

	/** Records a crash of a process that had been up `uptimeMs`, and says whether and when to restart it. */
	crashed(uptimeMs: number): RestartDecision {
		const { firstDelayMs, maxDelayMs, maxCrashes, windowMs } = this.policy;
		const now = Date.now();
		this.recent = [...this.recent.filter(at => now - at < windowMs), now];
		if (this.recent.length >= maxCrashes) return { giveUp: true };
		this.inARow = uptimeMs >= windowMs ? 1 : this.inARow + 1;
		return { restartInMs: Math.min(maxDelayMs, firstDelayMs * 2 ** (this.inARow - 1)) };
	}
}
