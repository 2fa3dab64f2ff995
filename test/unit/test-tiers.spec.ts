import { readdirSync } from "node:fs";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

interface Project {
	displayName: string;
	testMatch: string[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the configuration jest itself reads
const { projects } = require(path.join(ROOT, "jest.config.js")) as { projects: Project[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the scripts npm runs
const { scripts } = require(path.join(ROOT, "package.json")) as { scripts: Record<string, string> };

// Every test file runs in exactly one tier, and every tier has its npm script.
describe("the test tiers", () => {
	const specs = (readdirSync(path.join(ROOT, "test"), { recursive: true }) as string[])
		.filter(file => file.endsWith(".spec.ts"))
		// The test hosts (network namespaces, root only) have a configuration of their own: `npm run test:hosts`.
		.filter(file => !file.startsWith(`hosts${path.sep}`))
		.map(file => path.posix.join("test", file.split(path.sep).join("/")));
	const tiersOf = (spec: string) =>
		projects
			.filter(({ testMatch }) => testMatch.some(glob => path.matchesGlob(spec, glob.replace("<rootDir>/", ""))))
			.map(p => p.displayName);

	it("puts every test file in exactly one tier", () => {
		expect(specs.length).toBeGreaterThan(40);
		expect(specs.map(spec => [spec, tiersOf(spec)]).filter(([, tiers]) => tiers.length !== 1)).toEqual([]);
	});

	it("runs the fast tier as `npm test` and each other as `npm run test:<tier>`", () => {
		expect(scripts.test).toMatch(/--selectProjects fast\b/);
		for (const { displayName } of projects.filter(p => p.displayName !== "fast"))
			expect([displayName, scripts[`test:${displayName}`]]).toEqual([
				displayName,
				expect.stringMatching(`--selectProjects ${displayName}\\b`),
			]);
	});

	it("keeps the launcher's long scenarios out of `npm test`", () => {
		for (const spec of ["test/faults/launcher-faults.spec.ts", "test/faults/database-faults.spec.ts", "test/faults/soak.spec.ts"])
			expect([spec, tiersOf(spec)]).not.toEqual([spec, ["fast"]]);
	});
});
