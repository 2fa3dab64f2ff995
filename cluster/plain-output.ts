import { stripVTControlCharacters } from "node:util";

/**
 * Output without colour codes where it is not a terminal (a pipe, a file): moleculer-repl prints
 * its answers through `util.inspect` with colours always on. Each write to stdout and stderr is
 * stripped of ANSI sequences then; a terminal keeps its colours.
 */
export function plainOutputUnlessTerminal(): void {
	for (const stream of [process.stdout, process.stderr]) {
		if (stream.isTTY) continue;
		const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
		stream.write = ((chunk: unknown, ...rest: unknown[]) =>
			write(typeof chunk === "string" ? stripVTControlCharacters(chunk) : chunk, ...rest)) as typeof stream.write;
	}
}
