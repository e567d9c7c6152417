/** The machine a result came from: CPU model, cores, Node version, OS. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  nproc: number;
  node: string;
  os: string;
  memoryGiB: number;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return { cpu, nproc: availableParallelism(), node: process.version, os: `${process.platform} ${release()}`, memoryGiB: Math.round(totalmem() / 2 ** 30) };
}

export function machineLine(m: Machine = machine()): string {
  return `${m.cpu}, nproc ${m.nproc}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}`;
}
