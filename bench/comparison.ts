import type { LoadFigures } from "./load";

/**
 * One run of `npm run bench` as a comparison reads it, from its JSON: of any commit, so fields a
 * newer bench added may be missing, and whole scenarios with them.
 */
export interface RunFigures {
	scenarios: Record<string, Partial<LoadFigures>>;
	yardsticks: Record<string, Partial<LoadFigures> | null>;
	ratios: Record<string, number | null>;
}

/** A figure's median over each side's runs (null: no run of that side has it) and their ratio. */
export interface ComparedFigure {
	figure: string;
	ours: number | null;
	theirs: number | null;
	/** ours ÷ theirs, to a hundredth; null if either is missing or theirs is 0. */
	ratio: number | null;
}

/** The name a load's figure goes by in a comparison. */
export const figureName = (load: string, figure: string) => `${load} · ${figure}`;

/**
 * A run's figures by name: req/s, p50, p99 and failures of each scenario, req/s, p50 and p99 of
 * each yardstick, and each ratio. A figure the run lacks is left out, not made 0.
 */
export function figuresOf(run: RunFigures): Map<string, number> {
	const figures = new Map<string, number>();
	const put = (name: string, value: number | null | undefined) => {
		if (typeof value === "number") figures.set(name, value);
	};
	for (const [name, f] of Object.entries(run.scenarios)) {
		put(figureName(name, "req/s"), f.requestsPerSecond);
		put(figureName(name, "p50 ms"), f.p50);
		put(figureName(name, "p99 ms"), f.p99);
		// Older runs checked no answer's body: their failures are errors and non-2xx alone.
		if (f.errors !== undefined && f.non2xx !== undefined) put(figureName(name, "failures"), f.errors + f.non2xx + (f.wrongAnswers ?? 0));
	}
	for (const [name, f] of Object.entries(run.yardsticks)) {
		put(figureName(`yardstick: ${name}`, "req/s"), f?.requestsPerSecond);
		put(figureName(`yardstick: ${name}`, "p50 ms"), f?.p50);
		put(figureName(`yardstick: ${name}`, "p99 ms"), f?.p99);
	}
	for (const [name, value] of Object.entries(run.ratios)) put(figureName("ratio", name), value);
	return figures;
}

/** The median of some numbers (the mean of the middle two for an even count); null for none. */
export function median(values: number[]): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Each figure either side measured, in the order our runs report them and then those only the
 * other side has, with each side's median over its runs.
 */
export function compareRuns(ours: RunFigures[], theirs: RunFigures[]): ComparedFigure[] {
	const ourFigures = ours.map(figuresOf);
	const theirFigures = theirs.map(figuresOf);
	const names = [...new Set([...ourFigures, ...theirFigures].flatMap(figures => [...figures.keys()]))];
	const medianOf = (runs: Map<string, number>[], name: string) =>
		median(runs.flatMap(figures => (figures.has(name) ? [figures.get(name)!] : [])));
	return names.map(figure => {
		const o = medianOf(ourFigures, figure);
		const t = medianOf(theirFigures, figure);
		return { figure, ours: o, theirs: t, ratio: o === null || !t ? null : Math.round((100 * o) / t) / 100 };
	});
}

/** The comparison as a Markdown table; "—" where a side did not measure a figure. */
export function comparisonTable(rows: ComparedFigure[], labels: { ours: string; theirs: string }): string {
	const cell = (value: number | null) => (value === null ? "—" : String(Math.round(100 * value) / 100));
	return [
		`| figure | ${labels.ours} | ${labels.theirs} | ratio |`,
		"|---|---|---|---|",
		...rows.map(row => `| ${row.figure} | ${cell(row.ours)} | ${cell(row.theirs)} | ${cell(row.ratio)} |`),
	].join("\n");
}
