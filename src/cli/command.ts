import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One CLI command: `atrous <name> [args]`. Each lives in its own file under src/cli/. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full help text for `atrous <name> --help`. */
  help: string;
  /** Returns the process exit code: 0 ok, 1 runtime failure, 2 bad usage. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad command-line usage; the CLI prints it with the command's help and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util's parseArgs, with its errors (unknown or malformed options) turned into UsageErrors. */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
