import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `blt <args>` from the TypeScript sources (tsx), as a user would from a checkout. */
export function runCli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...process.env, ...opts.env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `blt <args>`, SIGKILLs it after `events` progress lines on stderr; resolves when it is gone. */
export function killAfterProgress(args: string[], events: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let seen = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      seen += (chunk.toString().match(/"event":"progress"/g) ?? []).length;
      if (seen >= events) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve());
  });
}
