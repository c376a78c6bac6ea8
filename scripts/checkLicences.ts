/**
 * Lists the licences of the production dependencies of every workspace
 * package (from `pnpm licenses list --prod --json -r`, which reads the
 * installed packages and needs no network), prints how many packages carry
 * each licence, and fails when one of them carries a licence that cannot be
 * combined with Coffre's, the GNU AGPL v3 or later (see LICENSE).
 *
 *   node scripts/checkLicences.ts            (a step of ./run test)
 */
import { execFileSync } from 'node:child_process';

/**
 * SPDX identifiers whose code may be combined with, and distributed in, a
 * work under AGPL-3.0-or-later. An allow-list: a licence missing from it
 * fails the check until someone reads it and adds it here with a reason.
 *
 * - Permissive licences ask only for their notice to be kept.
 * - MPL-2.0 is file-level copyleft and names the GNU licences as "Secondary
 *   Licenses" (section 3.3); LGPL-2.1 and LGPL-3.0 allow their code to be
 *   used under the GPL (LGPL-2.1 section 3, LGPL-3.0 section 2); GPL-2.0-or-later
 *   may be taken as GPL-3.0; GPL-3.0 and AGPL-3.0 each allow combining with
 *   the other (section 13 of both).
 *
 * Refused, by not being listed, for instance:
 * - no licence, `UNLICENSED` or `SEE LICENSE IN ...`: proprietary or unknown
 *   terms, nothing grants us the right to redistribute;
 * - GPL-2.0-only (and LGPL-2.0-only): version 2 only, and GPL-2.0's terms
 *   cannot be met together with version 3's;
 * - SSPL-1.0, BUSL-1.1, Elastic-2.0, the Commons Clause: source-available
 *   licences with field-of-use or service restrictions, not free software;
 * - CC-BY-NC-*, CC-BY-ND-*: forbid commercial use or modified versions,
 *   which the AGPL grants to everyone;
 * - EPL-1.0, CDDL-1.0, MS-PL, CPL-1.0: copyleft terms of their own that the
 *   FSF lists as incompatible with the GPL family;
 * - JSON ("shall be used for Good, not Evil"): a use restriction.
 */
const COMPATIBLE = new Set([
  // Permissive
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'CC0-1.0',
  'ISC',
  'MIT',
  'MIT-0',
  'Python-2.0',
  'Unlicense',
  'Zlib',
  // Weak copyleft
  'MPL-2.0',
  'LGPL-2.1',
  'LGPL-2.1-only',
  'LGPL-2.1-or-later',
  'LGPL-3.0',
  'LGPL-3.0-only',
  'LGPL-3.0-or-later',
  // Strong copyleft
  'GPL-2.0-or-later',
  'GPL-3.0',
  'GPL-3.0-only',
  'GPL-3.0-or-later',
  'AGPL-3.0',
  'AGPL-3.0-only',
  'AGPL-3.0-or-later',
]);

interface LicensedPackage {
  name: string;
  versions: string[];
  paths: string[];
  license: string;
}

/**
 * Whether an SPDX expression may be combined with the AGPL: `A OR B` when
 * either is, `A AND B` when both are. `X WITH exception` is judged by `X`,
 * since an SPDX exception only adds permissions. `X+` reads as `X-or-later`.
 */
function isCompatible(expression: string): boolean {
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let position = 0;
  const next = () => tokens[position++];
  const peek = () => tokens[position];

  const atom = (): boolean => {
    const token = next();
    if (token === undefined) throw new Error(`incomplete licence expression: ${expression}`);
    if (token === '(') {
      const value = either();
      if (next() !== ')') throw new Error(`unbalanced licence expression: ${expression}`);
      return value;
    }
    if (peek() === 'WITH') {
      next();
      next();
    }
    const identifier = token.endsWith('+') ? `${token.slice(0, -1)}-or-later` : token;
    return COMPATIBLE.has(identifier);
  };
  const both = (): boolean => {
    let value = atom();
    while (peek() === 'AND') {
      next();
      value = atom() && value;
    }
    return value;
  };
  const either = (): boolean => {
    let value = both();
    while (peek() === 'OR') {
      next();
      value = both() || value;
    }
    return value;
  };

  try {
    const value = either();
    return position === tokens.length && value;
  } catch {
    return false;
  }
}

function listProductionLicences(): LicensedPackage[] {
  const output = execFileSync('pnpm', ['licenses', 'list', '--prod', '--json', '--recursive'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const byLicence = JSON.parse(output) as Record<string, LicensedPackage[]>;
  return Object.values(byLicence).flat();
}

const packages = listProductionLicences();
const counts = new Map<string, number>();
const refused: LicensedPackage[] = [];
for (const entry of packages) {
  counts.set(entry.license, (counts.get(entry.license) ?? 0) + entry.versions.length);
  if (!isCompatible(entry.license)) refused.push(entry);
}

const rows = [...counts].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
const width = Math.max('LICENCE'.length, ...rows.map(([licence]) => licence.length));
console.log(`${'LICENCE'.padEnd(width)}  PACKAGES  WITH AGPL-3.0-or-later`);
for (const [licence, count] of rows) {
  console.log(`${licence.padEnd(width)}  ${String(count).padStart(8)}  ${isCompatible(licence) ? 'ok' : 'REFUSED'}`);
}
const total = rows.reduce((sum, [, count]) => sum + count, 0);
console.log(`${'total'.padEnd(width)}  ${String(total).padStart(8)}`);

if (refused.length > 0) {
  console.error('\nThese production dependencies have a licence that cannot be combined with AGPL-3.0-or-later:');
  for (const entry of refused) {
    console.error(`  ${entry.name}@${entry.versions.join(', ')}: ${entry.license}  (${entry.paths.join(', ')})`);
  }
  console.error(
    'Replace them, or, if the licence is in fact compatible, add it to COMPATIBLE in scripts/checkLicences.ts with the reason.',
  );
  process.exit(1);
}
