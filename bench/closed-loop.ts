import { percentiles, type LoadFigures } from "./load";

/**
 * Keeps `concurrency` calls of `call` in flight for `durationSeconds` (each worker starts its
 * next call when the last one ends) and reports the same figures as an HTTP load.
 */
export async function closedLoop(concurrency: number, durationSeconds: number, call: () => Promise<unknown>): Promise<LoadFigures> {
	const latencies: number[] = [];
	let errors = 0;
	const started = performance.now();
	const end = started + durationSeconds * 1000;
	const worker = async () => {
		while (performance.now() < end) {
			const t0 = performance.now();
			try {
				await call();
				latencies.push(performance.now() - t0);
			} catch {
				errors++;
			}
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const elapsed = (performance.now() - started) / 1000;
	return {
		requestsPerSecond: Math.round(latencies.length / elapsed),
		...percentiles(latencies),
		errors,
		non2xx: 0,
		requests: latencies.length,
		checkedAnswers: 0,
		wrongAnswers: 0,
	};
}
