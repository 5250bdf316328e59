// A tiny argument parser shared by every subcommand: declared flags only, so a
// typo is a usage error instead of a silently ignored option.
import { LeakhoundError } from '../errors.js';

export interface FlagSpec {
  /** 'boolean' takes no value; 'string' and 'number' take one (`--x=y` or `--x y`). */
  type: 'boolean' | 'string' | 'number';
  /** One-letter alias, without the dash. */
  short?: string;
  /** When true the flag may be given several times; its value is then an array. */
  multiple?: boolean;
  /** Shown by `--help`. */
  description: string;
  /** Placeholder shown by `--help`, e.g. 'N'. */
  valueName?: string;
}

export type FlagValue = boolean | string | number | string[] | number[];

export interface ParsedArgs {
  flags: Record<string, FlagValue | undefined>;
  positionals: string[];
  help: boolean;
}

export interface CommandSpec {
  /** `leakhound <name>` */
  name: string;
  /** One line after the name in the usage, e.g. '<file.heapsnapshot>'. */
  synopsis: string;
  description: string;
  flags: Record<string, FlagSpec>;
  /** Inclusive bounds on the positional arguments. */
  minPositionals?: number;
  maxPositionals?: number;
}

function usageError(spec: CommandSpec, message: string): LeakhoundError {
  return new LeakhoundError('LH_ERR_USAGE', `${spec.name}: ${message}; run \`leakhound ${spec.name} --help\``);
}

function convert(spec: CommandSpec, name: string, flag: FlagSpec, raw: string): string | number {
  if (flag.type === 'string') return raw;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw usageError(spec, `--${name} expects a number, got "${raw}"`);
  return value;
}

/**
 * Parses argv (without the command name). `--` ends the flags. `--help`/`-h`
 * is always accepted and sets `help`; the caller prints `commandHelp(spec)`.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flags: Record<string, FlagValue | undefined> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, flag] of Object.entries(spec.flags)) if (flag.short) byShort.set(flag.short, name);
  let help = false;

  const store = (name: string, flag: FlagSpec, value: boolean | string | number): void => {
    if (flag.multiple) {
      const list = (flags[name] ?? []) as (string | number)[];
      list.push(value as string | number);
      flags[name] = list as string[] | number[];
      return;
    }
    if (flags[name] !== undefined) throw usageError(spec, `--${name} given more than once`);
    flags[name] = value;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const short = arg.slice(1, 2);
      const long = byShort.get(short);
      if (long === undefined) throw usageError(spec, `unknown option ${arg}`);
      name = long;
      inline = arg.length > 2 ? arg.slice(2).replace(/^=/, '') : undefined;
    }
    const flag = spec.flags[name];
    if (!flag) throw usageError(spec, `unknown option --${name}`);
    if (flag.type === 'boolean') {
      if (inline === undefined) store(name, flag, true);
      else if (inline === 'true' || inline === 'false') store(name, flag, inline === 'true');
      else throw usageError(spec, `--${name} takes no value`);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw usageError(spec, `--${name} needs a value`);
      raw = next;
      i++;
    }
    store(name, flag, convert(spec, name, flag, raw));
  }

  if (!help) {
    const min = spec.minPositionals ?? 0;
    const max = spec.maxPositionals ?? Infinity;
    if (positionals.length < min) throw usageError(spec, `missing argument ${spec.synopsis}`);
    if (positionals.length > max) throw usageError(spec, `unexpected argument "${positionals[max]}"`);
  }
  return { flags, positionals, help };
}

export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, flag]) => {
    const value = flag.type === 'boolean' ? '' : ` <${flag.valueName ?? (flag.type === 'number' ? 'N' : 'VALUE')}>`;
    const short = flag.short ? `-${flag.short}, ` : '    ';
    return [`  ${short}--${name}${value}`, flag.description + (flag.multiple ? ' (repeatable)' : '')] as const;
  });
  rows.push(['  -h, --help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `Usage: leakhound ${spec.name} ${spec.synopsis} [options]`,
    '',
    spec.description,
    '',
    'Options:',
    ...rows.map(([left, right]) => left.padEnd(width) + right),
  ].join('\n');
}

/** Typed accessors so commands do not cast. */
export function flagNumber(args: ParsedArgs, name: string, fallback: number): number {
  const value = args.flags[name];
  return typeof value === 'number' ? value : fallback;
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function flagBoolean(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

export function flagList(args: ParsedArgs, name: string): string[] {
  const value = args.flags[name];
  return Array.isArray(value) ? value.map(String) : [];
}
