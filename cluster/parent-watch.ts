/**
 * Calls `onOrphaned` once the process that started this one has gone. `npm start` runs the
 * launcher under npm, and npm killed with SIGTERM or SIGKILL does not pass the signal on: the
 * launcher, adopted by init (or a subreaper), would keep the whole cluster running with no one to
 * stop it. Its parent's pid changing is the one sign Node gives of that, so it is polled.
 */
export function watchParent(onOrphaned: () => void, intervalMs = 500): () => void {
	const parent = process.ppid;
	const timer = setInterval(() => {
		if (process.ppid === parent) return;
		clearInterval(timer);
		onOrphaned();
	}, intervalMs);
	// The launcher's other work keeps it alive; this alone must not.
	timer.unref();
	return () => clearInterval(timer);
}
