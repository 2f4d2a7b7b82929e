import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where gameday keeps what every run of this user on this machine shares: the halt file
 * and the registry of live runs. `~/.gameday` by default, not the project's `.gameday/`:
 * the safety lever must reach runs started from any directory. GAMEDAY_STATE_DIR moves it
 * (one directory for a team's shared account, a temporary one for each test).
 */
export function stateDir(): string {
  return path.resolve(process.env.GAMEDAY_STATE_DIR || path.join(os.homedir(), '.gameday'));
}

/** Who pulled the lever or wrote the note: the OS user (a container may have no passwd entry for it). */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || process.env.LOGNAME || `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * Readers polling the file see the old content or the new, never half of it: written under
 * a temporary name in the same directory, then renamed over it (rename(2) is atomic).
 */
export function writeFileAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
