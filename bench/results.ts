import type { LoadFigures } from "./load";

/** A cluster scenario's figures and the transporter its cluster ran on (from its cluster.json). */
export type ScenarioFigures = LoadFigures & { transporter: string };

/** Everything one run measured, as written to bench/results/<time>.json. */
export interface Results {
	quick: boolean;
	versions: { node: string; postgres: string; nats: string };
	scenarios: Record<string, ScenarioFigures>;
	yardsticks: Record<string, LoadFigures | null>;
	/** Ratios and other figures the run is judged by (null: not measured in this run). */
	ratios: Record<string, number | null>;
	/** The goal of each figure of `ratios` that has one, and whether it is met (null: not measured). */
	goals: Record<string, { goal: string; met: boolean | null }>;
	/** Workflows each node created during "POST /buildings, 50 conn" (3 workflows nodes). */
	workflowsPerNode: Record<string, number>;
	memoryMb: Record<string, { peakMb: number; rssMb: number }>;
}

/** `n` as a percentage of the sum of `counts`, to one decimal. */
export function percentOf(n: number, counts: Record<string, number>): number {
	const total = Object.values(counts).reduce((a, b) => a + b, 0);
	return total ? Math.round((1000 * n) / total) / 10 : 0;
}
