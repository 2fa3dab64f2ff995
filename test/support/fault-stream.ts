import { recoveredAndHeld } from "./fault-figures";
import { waitFor } from "./infra";
import { postBuildingsSteadily, type LoadResult } from "./load";

/** Creations a second in a fault's stream (the README's figures). */
export const RATE = 30;

/**
 * A steady stream of creations around one fault. It ends on a condition, not a clock: once
 * creations have recovered after the fault (RECOVERY_RUN 201s in a row) and held for `heldFor`
 * more, or at `capSeconds`, whichever comes first. So many may be in flight that the ones a dead
 * node holds do not slow the stream.
 */
export class FaultStream {
	readonly done: Promise<LoadResult>;
	private live?: LoadResult;
	private endedAt?: number;

	constructor(api: string, name: string, capSeconds: number, heldFor = 2 * RATE) {
		this.done = postBuildingsSteadily(api, {
			name,
			total: capSeconds * RATE,
			ratePerSecond: RATE,
			maxInFlight: 400,
			until: result => {
				this.live = result;
				return recoveredAndHeld(result, this.endedAt, heldFor);
			},
		});
	}

	/** Resolves once the stream runs as usual: `n` creations answered 201. */
	warm(n = RATE): Promise<void> {
		return waitFor("the stream to be answered 201", () => (this.live?.statuses[201] ?? 0) >= n, 30_000);
	}

	/** The fault is over (now, unless given): from here the stream waits for recovery. Returns when. */
	faultEnded(at = Date.now()): number {
		this.endedAt = at;
		return at;
	}
}
