import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

// The layering the README's Architecture section draws, checked on the real import graph: every
// import, export-from, require and import() TypeScript's own parser finds in the project's
// sources (not tests), multi-line and type-only ones included.
const root = path.join(__dirname, "..", "..");
const sources = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], { cwd: root, encoding: "utf8" })
	.split("\n")
	.filter(file => file && !file.startsWith("test/") && existsSync(path.join(root, file)));
const textOf = (file: string) => readFileSync(path.join(root, file), "utf8");

/** The project files a source file imports (resolved paths), and the packages it imports. */
function importsOf(file: string): { files: string[]; packages: string[] } {
	const { importedFiles } = ts.preProcessFile(textOf(file), true, true);
	const files: string[] = [];
	const packages: string[] = [];
	for (const { fileName } of importedFiles) {
		if (!fileName.startsWith(".")) {
			packages.push(fileName);
			continue;
		}
		const base = path.normalize(path.join(path.dirname(file), fileName));
		const resolved = [`${base}.ts`, path.join(base, "index.ts"), base].find(candidate => existsSync(path.join(root, candidate)));
		if (!resolved) throw new Error(`${file} imports ${fileName}, which is not a file of the project.`);
		files.push(resolved);
	}
	return { files, packages };
}
const graph = new Map(sources.map(file => [file, importsOf(file)]));

/** Where a file sits in the house: its top folder, or for a service, `services/<name>`. */
function place(file: string): string {
	const [top, second] = file.split("/");
	if (top === "services") return `services/${second}`;
	return file.includes("/") ? top : file;
}

/** What each place may import besides itself (the README's "Which module may use which"). */
const MAY_IMPORT: Record<string, (to: string) => boolean> = {
	types: () => false,
	config: () => false,
	framework: () => false,
	broker: to => ["config", "types"].includes(to),
	db: to => ["config", "types", "broker"].includes(to),
	mixins: to => ["config", "types", "framework", "db"].includes(to),
	"moleculer.config.ts": to => ["config", "framework", "broker"].includes(to),
	service: to => ["config", "types", "framework", "broker", "db", "mixins", "package.json"].includes(to),
	node: to => ["config", "moleculer.config.ts", "package.json"].includes(to),
	cluster: to => ["config", "types", "framework", "node", "db", "moleculer.config.ts"].includes(to),
	bench: to => to !== "test",
};
const rulesOf = (from: string) => MAY_IMPORT[from.startsWith("services/") ? "service" : from];

describe("architecture", () => {
	it("has no import cycles", () => {
		const cycles: string[][] = [];
		const state = new Map<string, "open" | "done">();
		const visit = (file: string, trail: string[]) => {
			if (state.get(file) === "done") return;
			if (state.get(file) === "open") {
				cycles.push([...trail.slice(trail.indexOf(file)), file]);
				return;
			}
			state.set(file, "open");
			for (const next of graph.get(file)?.files ?? []) visit(next, [...trail, file]);
			state.set(file, "done");
		};
		for (const file of sources) visit(file, []);
		expect(cycles).toEqual([]);
	});

	it("keeps the layers: each place imports only the places below it", () => {
		const breaches = [...graph].flatMap(([file, { files }]) => {
			const from = place(file);
			const allowed = rulesOf(from);
			if (!allowed) return [`${file}: ${from} is not a place the architecture knows`];
			return files.filter(to => place(to) !== from && !allowed(place(to))).map(to => `${file} -> ${to}`);
		});
		expect(breaches).toEqual([]);
	});

	it("no service imports another service's files", () => {
		const crossings = [...graph].flatMap(([file, { files }]) =>
			place(file).startsWith("services/") ? files.filter(to => to.startsWith("services/") && place(to) !== place(file)) : [],
		);
		expect(crossings).toEqual([]);
	});

	it("services/ holds one folder per service, each with its <name>.service.ts", () => {
		const entries = readdirSync(path.join(root, "services"), { withFileTypes: true });
		expect(entries.filter(entry => !entry.isDirectory()).map(entry => entry.name)).toEqual([]);
		for (const { name } of entries)
			expect([name, existsSync(path.join(root, "services", name, `${name}.service.ts`))]).toEqual([name, true]);
	});

	it("every file in mixins/ exports a Moleculer mixin (a function named …Mixin)", () => {
		for (const file of sources.filter(f => f.startsWith("mixins/"))) {
			const source = ts.createSourceFile(file, textOf(file), ts.ScriptTarget.Latest);
			const mixins = source.statements.filter(
				statement =>
					ts.isFunctionDeclaration(statement) &&
					statement.modifiers?.some(modifier => modifier.kind === ts.SyntaxKind.ExportKeyword) &&
					/Mixin$/.test(statement.name?.text ?? ""),
			);
			expect([file, mixins.length > 0]).toEqual([file, true]);
		}
	});

	it("no service file imports Sequelize, pg or umzug: the database is reached through the DB mixin and named statements", () => {
		for (const file of sources.filter(f => f.endsWith(".service.ts"))) {
			expect([file, graph.get(file)!.packages.filter(name => /^(sequelize|pg|umzug)$/.test(name))]).toEqual([file, []]);
		}
	});

	it("reads configuration from process.env in config/settings.ts only", () => {
		// Elsewhere process.env is only passed on to child processes (`...process.env`) or, to join
		// the local cluster, filled in before the settings are read (`process.env[name] ??=`).
		for (const file of sources.filter(f => f !== "config/settings.ts")) {
			const text = textOf(file).replace(/\.\.\.process\.env\b|process\.env\[name\] \?\?=/g, "");
			const reads = text.split("\n").filter(line => /process\.env\b/.test(line) && !/^\s*(\/\/|\*|\/\*\*)/.test(line));
			expect([file, reads]).toEqual([file, []]);
		}
	});

	it("keeps every source file short enough to read in one sitting (about 250 lines at most)", () => {
		const long = sources.map(file => [file, textOf(file).split("\n").length] as const).filter(([, lines]) => lines > 265);
		expect(long).toEqual([]);
	});
});
