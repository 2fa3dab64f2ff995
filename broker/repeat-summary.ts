/**
 * One log line per cause and window instead of one per occurrence: the first occurrence of a
 * cause is logged at once, the ones after it within `windowMs` are counted, and at the window's
 * end one line gives their number. A fault that fails every request (a database out of reach)
 * then writes a line a second, not hundreds; a cause that stops recurring stops being logged.
 */
export class RepeatSummary {
	private readonly windows = new Map<string, { count: number; timer: NodeJS.Timeout }>();

	constructor(
		private readonly log: (line: string) => void,
		private readonly windowMs = 1000,
	) {}

	/** Logs `line` (default: the cause itself), or counts it if `cause` was logged within the window. */
	note(cause: string, line = cause): void {
		const window = this.windows.get(cause);
		if (window) {
			window.count++;
			return;
		}
		this.log(line);
		this.open(cause);
	}

	/** Logs what is counted and forgets every cause (the service stops). */
	stop(): void {
		for (const cause of [...this.windows.keys()]) this.close(cause);
	}

	private open(cause: string): void {
		// Unref'd: a pending summary must not keep a stopping process alive.
		this.windows.set(cause, { count: 0, timer: setTimeout(() => this.close(cause, true), this.windowMs).unref() });
	}

	/** Ends a cause's window: its count logged if any; while it recurs, a new window follows. */
	private close(cause: string, reopen = false): void {
		const window = this.windows.get(cause);
		if (!window) return;
		clearTimeout(window.timer);
		this.windows.delete(cause);
		if (window.count === 0) return;
		this.log(`${cause} (${window.count} more in the last ${this.windowMs / 1000} s)`);
		if (reopen) this.open(cause);
	}
}
