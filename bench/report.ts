import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LoadFigures } from "./load";
import { percentOf, type Results } from "./results";

/** Prints the results as Markdown and writes them to bench/results/<time>.json and .md. */
export function report(results: Results): void {
	const checked = (f: LoadFigures) => (f.checkedAnswers ? `${f.wrongAnswers} of ${f.checkedAnswers}` : "not checked");
	const cells = (f: LoadFigures | null) =>
		f ? `${f.requestsPerSecond} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.errors} | ${f.non2xx} | ${checked(f)}` : "n/a | | | | | |";
	const { goals } = results;
	const judged = Object.values(goals);
	const unmeasured = judged.filter(goal => goal.met === null).length;
	const met = (value: boolean | null | undefined) => (value === undefined ? "" : value === null ? "n/a" : value ? "yes" : "**no**");
	const header = "req/s | p50 ms | p90 ms | p99 ms | errors | non-2xx | wrong 2xx answers";
	const markdown = [
		`# Benchmark${results.quick ? " (quick)" : ""}, ${new Date().toISOString()}`,
		"",
		`Node ${results.versions.node}, PostgreSQL ${results.versions.postgres}, NATS ${results.versions.nats}.`,
		"",
		"## Cluster",
		`| scenario | ${header} | transporter |`,
		"|---|---|---|---|---|---|---|---|---|",
		...Object.entries(results.scenarios).map(([name, f]) => `| ${name} | ${cells(f)} | ${f.transporter} |`),
		"",
		"A wrong 2xx answer is one whose body is not what was asked for: a read without the building or its",
		"workflow, a creation answered before its workflow was made (202).",
		"",
		"## Yardsticks (same run, same concurrency)",
		`| yardstick | ${header} |`,
		"|---|---|---|---|---|---|---|---|",
		...Object.entries(results.yardsticks).map(([name, f]) => `| ${name} | ${cells(f)} |`),
		"",
		"## Workflows created per node during POST /buildings, 50 conn",
		"| node | workflows | share |",
		"|---|---|---|",
		...Object.entries(results.workflowsPerNode).map(([node, n]) => `| ${node} | ${n} | ${percentOf(n, results.workflowsPerNode)} % |`),
		"",
		"## Memory per node at the end of the run (MB)",
		"| node | peak RSS | RSS |",
		"|---|---|---|",
		...Object.entries(results.memoryMb).map(([node, m]) => `| ${node} | ${m.peakMb} | ${m.rssMb} |`),
		"",
		"## Ratios and goals",
		"| figure | value | goal | met |",
		"|---|---|---|---|",
		...Object.entries(results.ratios).map(
			([name, value]) => `| ${name} | ${value ?? "n/a"} | ${goals[name]?.goal ?? ""} | ${met(goals[name]?.met)} |`,
		),
		"",
		`Goals met: ${judged.filter(goal => goal.met).length} of ${judged.length}${unmeasured ? ` (${unmeasured} not measured)` : ""}.`,
		"",
	].join("\n");
	const dir = path.join(__dirname, "results");
	mkdirSync(dir, { recursive: true });
	const name = `${new Date().toISOString().replace(/[:.]/g, "-")}${results.quick ? "-quick" : ""}`;
	writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
	writeFileSync(path.join(dir, `${name}.md`), markdown);
	console.log(`\n${markdown}`);
	console.log(`[bench] results written to bench/results/${name}.json and .md`);
}
