import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Two PGlite instances on one data directory corrupt it, in one process or
 * in two: a lock file `<dataDir>.lock` holds
 * the owning process id. A lock left by a process that no longer runs
 * (e.g. after kill -9) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  // Beside the directory, not in it: PGlite initialises an empty directory.
  mkdirSync(dirname(dataDir), { recursive: true });
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8'));
      if (owner === process.pid || isRunning(owner)) {
        throw new Error(`the data directory ${dataDir} is already open (process ${owner})`, { cause: error });
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock the data directory ${dataDir}`);
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
