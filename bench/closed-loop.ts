import type { LoadFigures } from "./load";

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
	latencies.sort((a, b) => a - b);
	const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
	return {
		requestsPerSecond: Math.round(latencies.length / elapsed),
		p50: at(0.5),
		p90: at(0.9),
		p99: at(0.99),
		errors,
		non2xx: 0,
		requests: latencies.length,
	};
}
