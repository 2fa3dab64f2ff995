import { readFileSync } from "node:fs";
import path from "node:path";

// Copying .env.example to .env, as the README suggests, must not move `npm start` off its own
// private nats-server and embedded PostgreSQL: every setting in it stays commented out.
describe(".env.example", () => {
	const lines = readFileSync(path.join(__dirname, "..", "..", ".env.example"), "utf8").split("\n");

	it("sets nothing until a line is uncommented", () => {
		expect(lines.filter(line => line.trim() !== "" && !line.startsWith("#"))).toEqual([]);
	});

	it("documents every variable config/groups.ts reads, as the table in config/settings.ts does", () => {
		const config = (file: string) => readFileSync(path.join(__dirname, "..", "..", "config", file), "utf8");
		const read = [...config("groups.ts").matchAll(/\(env, "([A-Z_]+)"/g)].map(m => m[1]);
		// A line of the table names one variable, or two that go together ("PORT, HOST").
		const table = [...config("settings.ts").matchAll(/^ \*   ([A-Z][A-Z_]+(?:, [A-Z][A-Z_]+)?) /gm)].flatMap(m => m[1].split(", "));
		const documented = lines.map(line => /^#\s*([A-Z_]+)=/.exec(line)?.[1]).filter(Boolean);
		expect(new Set(read).size).toBeGreaterThan(30);
		for (const name of read) expect([name, documented.includes(name), table.includes(name)]).toEqual([name, true, true]);
	});

	it("documents the settings of the default run", () => {
		const documented = lines.map(line => /^#\s*([A-Z_]+)=/.exec(line)?.[1]).filter(Boolean);
		for (const name of ["TRANSPORTER", "NATS_SERVER_BIN", "BUILDINGS_DATABASE_URL", "WORKFLOWS_DATABASE_URL", "DATA_DIR"])
			expect(documented).toContain(name);
	});
});
