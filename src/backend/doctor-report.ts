/**
 * `blt doctor`: the machine, the chosen compute backend (and why), library versions and,
 * optionally, the measured matmul GFLOP/s. The CLI (src/cli/doctor.ts) prints `formatDoctorReport`.
 */
import { cpus, totalmem } from 'node:os';
import { libraryVersions } from './library-versions.js';
import { measureMatmulGflops, type MatmulGflops } from './matmul-gflops.js';
import { availableCores, initBackend, type BackendInfo, type BackendRequest } from './select-backend.js';

export interface DoctorReport {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  backend: BackendInfo;
  libraries: Record<string, string>;
  matmul?: MatmulGflops;
}

export interface DoctorOptions {
  backend: BackendRequest;
  /** Also time a 512² matmul on the chosen backend (a few seconds on cpu). */
  measure?: boolean;
  /** Matmul side for `measure` (default 512). */
  matmulSize?: number;
}

export async function collectDoctorReport(opts: DoctorOptions): Promise<DoctorReport> {
  const backend = await initBackend(opts.backend);
  const report: DoctorReport = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: availableCores(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    backend,
    libraries: libraryVersions(),
  };
  if (opts.measure) report.matmul = measureMatmulGflops(opts.matmulSize === undefined ? {} : { size: opts.matmulSize });
  return report;
}

/** `label  value` lines with the values aligned in one column. */
function aligned(rows: ReadonlyArray<readonly [string, string]>, indent = ''): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`);
}

export function formatDoctorReport(r: DoctorReport): string {
  const lines = [
    'System',
    ...aligned(
      [
        ['node', r.node],
        ['platform', `${r.platform} ${r.arch}`],
        ['cpus', `${r.cpus} × ${r.cpuModel}`],
        ['memory', `${r.memoryGiB} GiB`],
      ],
      '  ',
    ),
  ];
  lines.push(
    '',
    'Compute backend',
    ...aligned(
      [
        ['chosen', `${r.backend.name} (tf.getBackend() = ${r.backend.tfBackend})`],
        ['threads', `${r.backend.threads} per backend; ${r.cpus} cores for worker pools`],
        ['reason', r.backend.reason],
      ],
      '  ',
    ),
  );
  lines.push(
    '  candidates',
    ...aligned(
      r.backend.candidates.map((c) => [c.name, `${c.available ? 'yes' : 'no '}  ${c.detail}`] as const),
      '    ',
    ),
  );
  if (r.matmul) {
    const m = r.matmul;
    lines.push(
      '',
      'Matmul',
      ...aligned(
        [
          [
            `${m.size}² on ${m.backend}`,
            `${m.gflops.toFixed(2)} GFLOP/s (median of ${m.runs}; min ${m.min.toFixed(2)}, max ${m.max.toFixed(2)})`,
          ],
        ],
        '  ',
      ),
    );
  }
  lines.push('', 'Libraries', ...aligned(Object.entries(r.libraries), '  '));
  return lines.join('\n');
}
