/**
 * `npm run bench:compare -- <other checkout> [--rounds N] [--quick]`: runs `npm run bench` in this
 * checkout and in another (an older commit, say) in turn, N rounds (3 unless given), the order
 * swapped every round so that neither side always runs on a warmer or a busier machine; then
 * prints each figure's median on both sides, and their ratio. Each side runs its own bench, so a
 * scenario one side lacks shows "—" there. The other checkout needs its node_modules installed.
 * The table also goes to bench/results/<time>-compare.md.
 */
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { compareRuns, comparisonTable, figureName, type RunFigures } from "./comparison";
import { SCENARIO } from "./names";

const ROOT = path.join(__dirname, "..");

/** The goal that needs both commits: creations at 10 connections, this one over the older. */
const POST_10_OVER_OLDER = 1.5;

interface Checkout {
	dir: string;
	label: string;
}

function checkout(dir: string, side: string): Checkout {
	if (!existsSync(path.join(dir, "bench", "run.ts")))
		throw new Error(`${dir} is not a checkout of this project with a bench/ (no bench/run.ts)`);
	let commit = "";
	try {
		commit = execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
	} catch {
		commit = "no git";
	}
	return { dir, label: `${side} (${commit})` };
}

/** Runs `npm run bench` in a checkout, its steps shown as they come, and returns the results it wrote. */
async function runBench(side: Checkout, args: string[]): Promise<RunFigures> {
	const child = spawn("npm", ["run", "bench", "--", ...args], { cwd: side.dir, stdio: ["ignore", "pipe", "pipe"] });
	let output = "";
	const take = (chunk: Buffer) => {
		output += chunk;
		for (const line of String(chunk).split("\n")) if (line.startsWith("[bench]")) console.log(`  ${side.label} ${line}`);
	};
	child.stdout.on("data", take);
	child.stderr.on("data", take);
	const code = await new Promise<number | null>(resolve => child.once("exit", resolve));
	const written = /results written to (bench\/results\/\S+\.json)/.exec(output);
	if (code !== 0 || !written) throw new Error(`npm run bench in ${side.dir} ended with ${code}:\n${output.slice(-3000)}`);
	return JSON.parse(readFileSync(path.join(side.dir, written[1]), "utf8")) as RunFigures;
}

async function main(): Promise<void> {
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: { rounds: { type: "string", default: "3" }, quick: { type: "boolean", default: false } },
	});
	const rounds = Number(values.rounds);
	if (positionals.length !== 1 || !Number.isInteger(rounds) || rounds < 1) {
		throw new Error("usage: npm run bench:compare -- <other checkout> [--rounds N] [--quick]");
	}
	const ours = checkout(ROOT, "this");
	const theirs = checkout(path.resolve(positionals[0]), "other");
	const args = values.quick ? ["--quick"] : [];
	const runs = { ours: [] as RunFigures[], theirs: [] as RunFigures[] };
	for (let round = 1; round <= rounds; round++) {
		const order = round % 2 ? (["ours", "theirs"] as const) : (["theirs", "ours"] as const);
		for (const side of order) {
			const which = side === "ours" ? ours : theirs;
			console.log(`[compare] round ${round} of ${rounds}: ${which.label}, ${which.dir}`);
			runs[side].push(await runBench(which, args));
		}
	}

	const rows = compareRuns(runs.ours, runs.theirs);
	const post10 = rows.find(row => row.figure === figureName(SCENARIO.post10, "req/s"))?.ratio ?? null;
	const verdict =
		post10 === null
			? "POST 10 conn req/s, this ÷ other: not measured on both sides."
			: `POST 10 conn req/s, this ÷ other: ${post10} (goal, with the other the older commit: ≥ ${POST_10_OVER_OLDER}): ${post10 >= POST_10_OVER_OLDER ? "met" : "**not met**"}.`;
	const markdown = [
		`# Benchmark comparison${values.quick ? " (quick)" : ""}, ${new Date().toISOString()}`,
		"",
		`Medians of ${rounds} run(s) a side, run in turn. this: ${ours.dir}; other: ${theirs.dir}.`,
		"Ratio: this ÷ other. A figure named the same on both sides is the same load.",
		"",
		comparisonTable(rows, { ours: ours.label, theirs: theirs.label }),
		"",
		verdict,
		"",
	].join("\n");
	const dir = path.join(__dirname, "results");
	mkdirSync(dir, { recursive: true });
	const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-compare${values.quick ? "-quick" : ""}.md`;
	writeFileSync(path.join(dir, name), markdown);
	console.log(`\n${markdown}`);
	console.log(`[compare] written to bench/results/${name}`);
}

main().catch(err => {
	console.error(`The comparison failed: ${err.message}`);
	process.exit(1);
});
