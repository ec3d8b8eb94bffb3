import type { Command } from 'commander';
import { intArg } from '../options/numeric.js';
import { backendFrom, backendOption } from './backend-option.js';

/** `blt doctor`: machine, backend and why, threads, versions, measured matmul GFLOP/s. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('report the machine, the compute backend chosen and why, library versions and the matmul GFLOP/s')
    .addOption(backendOption())
    .option('--no-measure', 'skip the matmul measurement')
    .option('--size <n>', 'matmul side for the measurement', intArg('--size', 1), 512)
    .option('--json', 'print one JSON object')
    .action(async (opts: { backend?: string; measure: boolean; size: number; json?: boolean }) => {
      const { collectDoctorReport, formatDoctorReport } = await import('../backend/doctor-report.js');
      const report = await collectDoctorReport({
        backend: backendFrom(opts.backend),
        measure: opts.measure,
        matmulSize: opts.size,
      });
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatDoctorReport(report)}\n`);
    });
}
