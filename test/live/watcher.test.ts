// Which names written inside a watched directory start a reload.

import { describe, expect, it } from 'vitest';
import { mayHoldManifests } from '../../src/live/watcher.js';

describe('mayHoldManifests', () => {
  const rows: Array<[string, boolean]> = [
    ['web.yaml', true],
    ['web.YML', true],
    ['list.json', true],
    ['team-a', true], // a new subdirectory
    ['team-a/web.yaml', true],
    ['clusterdns.log', false], // a log written beside the manifests must not loop reloads
    ['web.yaml~', false],
    ['.web.yaml.swp', false],
    ['.git/objects/ab', false],
    ['team-a/.hidden/web.yaml', false],
    ['notes.md', false],
  ];
  it.each(rows)('%s -> %s', (file, expected) => {
    expect(mayHoldManifests(file)).toBe(expected);
  });
});
