// `clusterdns validate` catches mistakes (issue 18, item 5): a kind close to a
// modelled one, an apiVersion that does not serve a kind, a Service selector
// that selects nothing, a StatefulSet without its headless Service. Warnings
// (exit 0) by default, failures (exit 1) with --strict; each names file,
// document, line and field.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server-process.js';

const FILE = 'test/fixtures/validate/mistakes.yaml';

const WARNINGS = [
  `warning: ${FILE}, document 1 (line 3): kind: kind "Servcie" is not one clusterdns models, so this object is skipped; did you mean "Service"?`,
  `warning: ${FILE}, document 6 (line 57): apiVersion: kind Ingress is served as apiVersion "networking.k8s.io/v1", got "extensions/v1beta1" (no matches for kind "Ingress" in version "extensions/v1beta1"; the API server would refuse it)`,
  `warning: ${FILE}, document 2 (line 7): spec.selector: selects no pod: no pod or pod template in namespace shop has the labels app=wbe, so this Service has no endpoints`,
  `warning: ${FILE}, document 4 (line 31): spec.serviceName: names Service shop/web, which is not headless (clusterIP: None), so the pods get no <pod>.web names`,
  `warning: ${FILE}, document 5 (line 44): spec.serviceName: names no Service: there is no Service shop/cache, so the pods get no <pod>.cache names`,
];

describe('clusterdns validate: mistakes across objects', () => {
  it('warns with file, document, line and field, and exits 0', async () => {
    const result = await runCli(['validate', '-f', FILE]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, -1)).toEqual(WARNINGS);
    expect(lines.at(-1)).toMatch(/^ok: 4 objects, \d+ records \(5 warnings\)$/);
  });

  it('fails with --strict', async () => {
    const result = await runCli(['validate', '--strict', '-f', FILE]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^failed \(--strict\): 5 warnings; 4 objects, \d+ records$/m);
  });
});
