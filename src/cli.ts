import type { Command } from './cli/command.ts';
import { UsageError } from './cli/command.ts';
import { demo } from './cli/demo.ts';
import { evaluate } from './cli/evaluate.ts';
import { info } from './cli/info.ts';
import { profile } from './cli/profile.ts';
import { segment } from './cli/segment.ts';
import { crf } from './cli/crf.ts';
import { AtrousError } from './tensor/errors.ts';

// Each command is one file in src/cli/; register it here.
const COMMANDS: Command[] = [demo, evaluate, info, profile, segment, crf];

const HELP = `atrous — DeepLab semantic segmentation on WebGPU (Dawn)

Usage: atrous <command> [options]      (atrous <command> --help for its options)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`atrous: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`atrous ${name}: ${e.message}\n\n${cmd.help}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`atrous: ${e instanceof AtrousError ? e.message : ((e as Error).stack ?? e)}\n`);
    process.exit(1);
  },
);
