// External reference tools (Debian packages), used when present.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const OATHTOOL = '/usr/bin/oathtool';
export const ZBARIMG = '/usr/bin/zbarimg';

/** Why a tool cannot be used, or null when it can. */
export function missing(path, debianPackage) {
  return existsSync(path) ? null : `${path} not installed (Debian package ${debianPackage})`;
}

export function run(path, args) {
  return execFileSync(path, args, { encoding: 'utf8', timeout: 20_000 }).trim();
}
