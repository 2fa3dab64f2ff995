import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";

// The layering the README's Architecture section draws, kept true as the code moves.
const root = path.join(__dirname, "..", "..");
const sources = execFileSync("git", ["ls-files", "*.ts"], { cwd: root, encoding: "utf8" })
	.split("\n")
	.filter(file => file && !file.startsWith("test/"));
const importsOf = (file: string) =>
	[...readFileSync(path.join(root, file), "utf8").matchAll(/^import .* from "([^"]+)";/gm)].map(m => m[1]);

describe("architecture", () => {
	it("services/ holds only services", () => {
		expect(readdirSync(path.join(root, "services")).filter(name => !name.endsWith(".service.ts"))).toEqual([]);
	});

	it("no service imports Sequelize, pg or umzug: the database is reached through mixins and named statements", () => {
		const services = sources.filter(file => file.startsWith("services/"));
		for (const file of services) expect([file, importsOf(file).filter(m => /^(sequelize|pg|umzug)$/.test(m))]).toEqual([file, []]);
	});

	it("mixins and models never import services, and types import nothing of the project", () => {
		for (const file of sources.filter(f => /^(mixins|models)\//.test(f)))
			expect([file, importsOf(file).filter(m => m.includes("/services/"))]).toEqual([file, []]);
		for (const file of sources.filter(f => f.startsWith("types/")))
			expect([file, importsOf(file).filter(m => m.startsWith(".."))]).toEqual([file, []]);
	});

	it("reads configuration from process.env in config/settings.ts only", () => {
		// Elsewhere process.env is only passed on to child processes (`...process.env`) or, to join
		// the local cluster, filled in before the settings are read (`process.env[name] ??=`).
		for (const file of sources.filter(f => f !== "config/settings.ts")) {
			const text = readFileSync(path.join(root, file), "utf8").replace(/\.\.\.process\.env\b|process\.env\[name\] \?\?=/g, "");
			const reads = text.split("\n").filter(line => /process\.env\b/.test(line) && !/^\s*(\/\/|\*|\/\*\*)/.test(line));
			expect([file, reads]).toEqual([file, []]);
		}
	});

	it("keeps every source file short enough to read in one sitting (at most 200 lines)", () => {
		const long = sources
			.map(file => [file, readFileSync(path.join(root, file), "utf8").split("\n").length] as const)
			.filter(([, lines]) => lines > 200);
		expect(long).toEqual([]);
	});
});
