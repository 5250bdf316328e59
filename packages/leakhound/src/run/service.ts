// The service under test: spawned in its own process group so the service and
// everything it starts (npm, tsx, workers, grandchildren) die together, on every
// exit path of `leakhound run`.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartServiceOptions {
  command: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Copy the service's stdout/stderr to ours (prefixed), besides keeping the tail. */
  echo?: boolean;
}

const TAIL_BYTES = 16 * 1024;

/** Keeps the last bytes of a stream: enough to show why a service died. */
class TailBuffer {
  private _chunks: Buffer[] = [];
  private _size = 0;

  push(chunk: Buffer): void {
    this._chunks.push(chunk);
    this._size += chunk.length;
    while (this._size > TAIL_BYTES && this._chunks.length > 1) this._size -= this._chunks.shift()!.length;
  }

  text(maxLines: number): string {
    const all = Buffer.concat(this._chunks).toString('utf8');
    const lines = all.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-maxLines).join('\n');
  }
}

export class ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ServiceExit>;
  private readonly _stderr = new TailBuffer();
  private readonly _stdout = new TailBuffer();
  private _exit: ServiceExit | undefined;

  constructor(options: StartServiceOptions) {
    const [file, ...args] = options.command;
    if (file === undefined) throw new Error('empty service command');
    this.child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd,
      // A new process group: one kill(-pid) reaches every descendant that did not leave it.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this._exit = { code, signal };
        resolve(this._exit);
      });
      // spawn failures (ENOENT) come as 'error' without 'exit'.
      this.child.once('error', (error) => {
        this._stderr.push(Buffer.from(`${error.message}\n`));
        this._exit ??= { code: 127, signal: null };
        resolve(this._exit);
      });
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this._stdout.push(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this._stderr.push(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exit(): ServiceExit | undefined {
    return this._exit;
  }

  stderrTail(lines = 20): string {
    return this._stderr.text(lines);
  }

  stdoutTail(lines = 20): string {
    return this._stdout.text(lines);
  }

  /** Signals the whole process group; ignores a group that is already gone. */
  signalGroup(signal: NodeJS.Signals): boolean {
    const pid = this.child.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * SIGTERM to the group, then SIGKILL after the grace period. The group is
   * SIGKILLed even when the leader already exited: grandchildren may remain.
   */
  async stop(graceMs = 3000): Promise<void> {
    if (this._exit === undefined) {
      this.signalGroup('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.signalGroup('SIGKILL');
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  /** For process 'exit' handlers: synchronous, best effort. */
  killNow(): void {
    this.signalGroup('SIGKILL');
  }
}

export function describeExit(exit: ServiceExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}
