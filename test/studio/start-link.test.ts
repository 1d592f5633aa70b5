import { describe, expect, test } from 'vitest';
import { createStudioRegistry } from '../../src/studio/registry.ts';
import { type ResolvedStart, resolveStartLink } from '../../src/studio/start-link.ts';
import type { StudioConfig } from '../../src/studio/studios-file.ts';

const studio = (id: string): StudioConfig => ({
  id,
  baseUrl: 'http://127.0.0.1:9',
  apiKey: `key-${id}`,
  adminIds: [],
  timeZone: 'Europe/Berlin',
});
const [berlin, hamburg] = [studio('berlin'), studio('hamburg')];
const chain = createStudioRegistry({ studios: [berlin, hamburg], timeoutMs: 1_000, ttlMs: 0 });

describe('which studio a /start payload opens', () => {
  test.each<[string | undefined, ResolvedStart]>([
    [undefined, { result: 'studio', studio: berlin }],
    ['', { result: 'studio', studio: berlin }],
    ['c101', { result: 'studio', studio: berlin, target: { kind: 'class', id: 101 } }],
    [
      'a201_poster',
      { result: 'studio', studio: berlin, target: { kind: 'appointment', id: 201 }, campaign: 'poster' },
    ],
    ['s-hamburg', { result: 'studio', studio: hamburg }],
    ['s-hamburg_door', { result: 'studio', studio: hamburg, campaign: 'door' }],
    [
      's-hamburg_o1_insta',
      { result: 'studio', studio: hamburg, target: { kind: 'config', id: 1 }, campaign: 'insta' },
    ],
    ['s-berlin_c101', { result: 'studio', studio: berlin, target: { kind: 'class', id: 101 } }],
    ['s-porto_c101_poster', { result: 'unknown-studio', studioId: 'porto', campaign: 'poster' }],
    ['s-porto', { result: 'unknown-studio', studioId: 'porto' }],
    ['x1', { result: 'invalid' }],
    ['s-hamburg_c0', { result: 'invalid' }],
  ])('%j resolves to %o', (payload, expected) => {
    expect(resolveStartLink(payload, chain)).toEqual(expected);
  });
});
