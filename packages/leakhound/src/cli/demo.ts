// `leakhound demo`: both incidents (mapper memory leak, connection-pool leak),
// leaky and fixed, end to end. Exit 0 when the four verdicts are the expected ones.
import { commandHelp, flagBoolean, flagString, parseArgs, type CommandSpec } from './args.js';
import { progressPrinter } from './run.js';
import { renderDemoSummary, runDemo } from '../demo/demo.js';
import type { CommandModule } from './main.js';

export const demoSpec: CommandSpec = {
  name: 'demo',
  synopsis: '',
  description:
    'Runs `leakhound run` on the two example services of the incidents it exists for, leaky and fixed:\n' +
    'examples/device-price (a mapper registering a type map per request) and examples/coupon-stats (a connection never returned to its pool).\n' +
    'Uses DATABASE_URL / PG* when set, else PostgreSQL on 127.0.0.1:5432, else an embedded PostgreSQL. Exit 0 when all four verdicts are as expected.',
  flags: {
    'out-dir': { type: 'string', valueName: 'DIR', description: 'where the HTML/JSON reports go (default ./leakhound-demo)' },
    only: { type: 'string', valueName: 'NAME', description: 'run only the scenarios whose name contains NAME (e.g. device-price)' },
    quiet: { type: 'boolean', short: 'q', description: 'no progress on stderr' },
  },
  maxPositionals: 0,
};

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(demoSpec, argv);
  if (args.help) {
    process.stdout.write(commandHelp(demoSpec) + '\n');
    return 0;
  }
  const progress = progressPrinter(flagBoolean(args, 'quiet'), 'leakhound demo');
  const only = flagString(args, 'only');
  const outcomes = await runDemo({
    outDir: flagString(args, 'out-dir') ?? 'leakhound-demo',
    ...(only !== undefined ? { only } : {}),
    log: (line) => progress.log(line),
    onRequests: progress.onRequests,
  });
  process.stdout.write(renderDemoSummary(outcomes) + '\n');
  return outcomes.every((o) => o.verdict === o.expected) ? 0 : 1;
}

export default { main } satisfies CommandModule;
