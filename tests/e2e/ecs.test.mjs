// End-to-end tests of the task definition pane: paste a CloudFormation template (YAML with
// short-form intrinsics) as people post it, see what was understood and the checklist, and
// make a checklist line the current request in one click.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decision, launch, openApp, repo, screenshots } from './browser.mjs';

// The template of the gallery's Fargate example, pasted on its own.
const example = JSON.parse(await readFile(path.join(repo, 'examples', 'ecs-fargate-template.json'), 'utf8'));
const template = example.task_definition;

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** The `data-status` of every checklist line, with its action, in order. */
async function checklist(page) {
  return page.locator('li.check').evaluateAll((lines) =>
    lines.map((l) => ({ status: l.dataset.status, action: l.querySelector('code').textContent })),
  );
}

test('a pasted template shows what was understood and its checklist; a line becomes the request', async () => {
  const { page, seen } = await openApp(env);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const requestsBefore = await page.locator('[data-testid^=request-remove-]').count();

  await page.getByTestId('scenario-account').fill('111122223333');
  await page.getByTestId('scenario-region').fill('us-west-1');
  await page.getByTestId('add-task-definition').click();
  await page.getByTestId('task-definition').fill(template);

  // What was understood: roles resolved from `!GetAtt`, the image from `!Sub`, task tags.
  const understood = page.getByTestId('td-understood');
  await understood.filter({ hasText: 'worker-task' }).waitFor();
  const facts = await understood.textContent();
  for (const want of [
    'FARGATE',
    'arn:aws:iam::111122223333:role/worker-task',
    'arn:aws:iam::111122223333:role/worker-execution',
    '111122223333.dkr.ecr.us-west-1.amazonaws.com/worker:latest',
    '/ecs/worker',
    'arn:aws:secretsmanager:us-west-1:111122223333:secret:worker/db-AbCdEf',
    'Status=OK',
  ]) {
    assert.ok(facts.includes(want), `understood: ${want} in ${facts}`);
  }
  // Where a user looks for tags, the page says task tags never become principal tags.
  assert.match(await page.getByTestId('task-tags-note').textContent(), /Task tags never become principal tags\..*aws:PrincipalTag.*s3:ExistingObjectTag/s);
  assert.match(await page.getByTestId('principal-tags-note').textContent(), /Task tags never become principal tags/);
  assert.equal(await page.getByTestId('task-definition-diagnostics').count(), 0, 'the template reads without diagnostics');

  // The checklist: nine calls pass; the secret fails with the statement that fixes it.
  const lines = await checklist(page);
  assert.equal(lines.length, 10, JSON.stringify(lines));
  assert.deepEqual(lines.filter((l) => l.status === 'fail').map((l) => l.action), ['secretsmanager:GetSecretValue']);
  assert.equal(lines.filter((l) => l.status === 'pass').length, 9);
  const failing = lines.findIndex((l) => l.status === 'fail');
  const fix = JSON.parse(await page.getByTestId(`check-fix-${failing}`).textContent());
  assert.deepEqual(fix, { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: 'arn:aws:secretsmanager:us-west-1:111122223333:secret:worker/db-AbCdEf' });
  await mkdir(screenshots, { recursive: true });
  await page.getByTestId('task-definition-pane').screenshot({ path: path.join(screenshots, 'ecs-task-definition-pane.png') });

  // One click: the failing line is the current request, evaluated as the execution role.
  await page.getByTestId(`check-use-${failing}`).click();
  const added = requestsBefore;
  await page.getByTestId(`decision-${added}`).waitFor();
  assert.equal(await decision(page, added), 'implicit deny');
  assert.equal(await page.getByTestId(`request-action-${added}`).inputValue(), 'secretsmanager:GetSecretValue');
  assert.equal(await page.getByTestId(`request-as-${added}`).inputValue(), 'execution_role');
  const card = await page.getByTestId(`result-${added}`).textContent();
  assert.match(card, /assumed-role\/worker-execution\//, 'the caller is the execution role session');
  assert.ok(await page.getByTestId(`trace-${added}`).isVisible(), 'its trace is open');
  assert.match(await page.getByTestId(`result-${added}`).getAttribute('class'), /selected/);

  // A passing line becomes an allowed request; choosing the line again adds nothing.
  const pull = lines.findIndex((l) => l.action === 'ecr:BatchGetImage');
  await page.getByTestId(`check-use-${pull}`).click();
  await page.getByTestId(`decision-${added + 1}`).waitFor();
  assert.equal(await decision(page, added + 1), 'allowed');
  await page.getByTestId(`check-use-${failing}`).click();
  assert.equal(await page.locator('[data-testid^=request-remove-]').count(), requestsBefore + 2);

  // The "as" selector changes who makes a request: as the task role, the secret is denied
  // too, and the card says who asked.
  await page.getByTestId(`request-as-${added}`).selectOption('task_role');
  await page.getByTestId(`result-${added}`).filter({ hasText: 'assumed-role/worker-task/' }).waitFor();
  assert.equal(await decision(page, added), 'implicit deny');

  await page.getByTestId(`result-${added + 1}`).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(screenshots, 'ecs-checklist-request.png') });
  assert.deepEqual(seen.problems, []);
  assert.deepEqual(seen.dialogs, []);
  await page.close();
});

test('a broken template shows a located diagnostic, and fixing it brings the checklist back', async () => {
  const { page, seen } = await openApp(env);
  await page.getByTestId('add-task-definition').click();
  const broken = template.replace('      Family: worker\n', '      Family: [worker\n');
  assert.notEqual(broken, template);
  await page.getByTestId('task-definition').fill(broken);
  const position = page.getByTestId('task-definition-diagnostics').getByTestId('diagnostic-position').first();
  await position.waitFor();
  const [line] = (await position.textContent()).trim().split(':').map(Number);
  const familyLine = broken.split('\n').findIndex((l) => l.includes('Family: [worker')) + 1;
  assert.ok(line >= familyLine && line <= familyLine + 2, `diagnostic on line ${line}, the bracket opens on ${familyLine}`);
  // The rest of the page still answers.
  assert.equal(await decision(page, 1), 'allowed');

  await page.getByTestId('task-definition').fill(template);
  await page.locator('li.check').first().waitFor();
  assert.equal(await page.getByTestId('task-definition-diagnostics').getByTestId('diagnostic').filter({ hasText: 'error' }).count(), 0);
  assert.deepEqual(seen.problems, []);
  await page.close();
});
